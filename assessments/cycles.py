"""Running a cycle for a company: enrolment, phases, extensions. Its page calls here.

Enrolling someone gives them an assessment at the level they hold that day, with
their manager of that day as its reviewer (and that manager's manager reading it as
skip-level): a promotion or a move mid-cycle changes neither. Whoever runs the cycle
moves a review on purpose, on the record (workflow.reassign_reviewer).

The phases go in order: self-assessment, manager review, calibration; the committee
then closes calibration, which shares the results (workflow.close_calibration).
Moving on lists who is unfinished and needs a confirmation, as closing does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from assessments import chat
from assessments.models import Assessment, Cycle, Event, Rating
from assessments.permissions import UNDER_REVIEW, Reach, can_run_cycles, everyone_under, reach
from assessments.previous import earlier_ones
from assessments.reminders import schedule_reminders
from assessments.tasks import tell_enrolled, tell_person
from ladder.models import Behaviour, Level, Track, User

Status = Assessment.Status
Phase = Cycle.Phase

# Enough for a large company in one go; a bigger one enrols by department.
MOST_AT_ONCE = 5_000
# Named on the page when they can't be enrolled, before "and N more".
NAMED = 20


@dataclass(frozen=True)
class Choice:
    """Who to enrol, as chosen on the cycle's page; empty parts choose everyone."""

    departments: tuple[str, ...] = ()
    manager: User | None = None  # their team: everyone under them, directly or not
    track: Track | None = None
    levels: tuple[str, ...] = ()
    started_before: date | None = None
    people: tuple[int, ...] = ()  # named one by one, such as a late joiner


@dataclass
class Preview:
    """What enrolling would do, shown before it is done."""

    to_enrol: list[User]
    already: int
    no_level: list[User] = field(default_factory=list)  # chosen, but no level in this version

    @property
    def count(self) -> int:
        return len(self.to_enrol)


def _require_runner(by: User) -> None:
    if not can_run_cycles(by):
        raise PermissionDenied("Only whoever runs review cycles can do that.")


def chosen(choice: Choice, within: Reach | None = None) -> QuerySet[User]:
    """The active people the choice names, whatever their level, within the chooser's reach."""
    people = User.objects.filter(is_active=True)
    if within is not None:
        people = people.filter(within.people("pk"))
    if choice.people:
        people = people.filter(pk__in=choice.people)
    if choice.departments:
        people = people.filter(department__in=choice.departments)
    if choice.manager is not None:
        people = people.filter(pk__in=everyone_under(User, choice.manager.pk))
    if choice.track is not None:
        people = people.filter(track=choice.track)
    if choice.levels:
        people = people.filter(level_code__in=choice.levels)
    if choice.started_before is not None:
        people = people.filter(started_on__lt=choice.started_before)
    return people


def _levels(cycle: Cycle) -> dict[tuple[int, str], Level]:
    return {(lv.track_id, lv.code): lv for lv in Level.objects.filter(framework=cycle.framework)}


def preview(cycle: Cycle, choice: Choice, within: Reach | None = None) -> Preview:
    people = list(
        chosen(choice, within)
        .exclude(assessments__cycle=cycle)
        .order_by("last_name", "first_name", "username")[: MOST_AT_ONCE + 1]
    )
    levels = _levels(cycle)
    enrolled = chosen(choice, within).filter(assessments__cycle=cycle).count()
    return Preview(
        to_enrol=[p for p in people if (p.track_id, p.level_code) in levels],
        already=enrolled,
        no_level=[p for p in people if (p.track_id, p.level_code) not in levels],
    )


def enrol(cycle: Cycle, choice: Choice, *, by: User) -> list[int]:
    """Give each chosen person not yet in the cycle their assessment; returns the new ids.

    A planned cycle opens. Each person is e-mailed the link and the deadlines, and the
    cycle's chat channel is told how many joined.
    """
    within = reach(by)
    if within is None:
        raise PermissionDenied("Only whoever runs review cycles can do that.")
    with transaction.atomic():
        current = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if current.calibration_closed or current.status == Cycle.Status.CLOSED:
            raise ValidationError(f"{current} is closed: nobody can join it now.")
        found = preview(current, choice, within)
        if found.count > MOST_AT_ONCE:
            raise ValidationError(
                f"That chooses more than {MOST_AT_ONCE:,} people: enrol them a department "
                "at a time."
            )
        if not found.to_enrol:
            return []
        if current.status == Cycle.Status.PLANNED:
            current.status = Cycle.Status.OPEN
            current.save(update_fields=["status"])
        levels = _levels(current)
        managers = {p.manager_id for p in found.to_enrol if p.manager_id}
        skip = dict(User.objects.filter(pk__in=managers).values_list("pk", "manager_id"))
        before = earlier_ones(current)
        created = Assessment.objects.bulk_create(
            Assessment(
                cycle=current,
                engineer=person,
                level=levels[(person.track_id, person.level_code)],
                reviewer_id=person.manager_id,
                skip_reviewer_id=skip.get(person.manager_id),
                previous_id=before.get(person.pk),
                enrolled_by=by,
            )
            for person in found.to_enrol
        )
        # bulk_create sets primary keys on PostgreSQL and SQLite alike (RETURNING).
        blank_ratings(created)
        ids = [a.pk for a in created]
        tell_enrolled.enqueue(current.pk, ids)
        chat.announce(
            current,
            f"{len(ids)} {'people' if len(ids) != 1 else 'person'} joined {current}. "
            f"Self-assessments are due on {current.self_assessment_due:%-d %B %Y}.",
        )
        schedule_reminders()
    cycle.status = current.status
    return ids


def blank_ratings(assessments: list[Assessment]) -> None:
    """A rating with no answer for every behaviour of each assessment's level."""
    behaviours: dict[int, list[int]] = {}
    for level_id, pk in Behaviour.objects.filter(
        area__level__in={a.level_id for a in assessments}
    ).values_list("area__level_id", "pk"):
        behaviours.setdefault(level_id, []).append(pk)
    Rating.objects.bulk_create(
        (
            Rating(assessment_id=a.pk, behaviour_id=pk)
            for a in assessments
            for pk in behaviours.get(a.level_id, ())
        ),
        batch_size=2_000,
    )


def fixed_reviewer(engineer: User) -> dict[str, int | None]:
    """The reviewer and skip-level an assessment takes at enrolment, from the org chart."""
    manager_id = engineer.manager_id
    skip_id = (
        User.objects.filter(pk=manager_id).values_list("manager_id", flat=True).first()
        if manager_id
        else None
    )
    return {"reviewer_id": manager_id, "skip_reviewer_id": skip_id}


# ---- phases


def unfinished_for(cycle: Cycle, phase: str) -> QuerySet[Assessment]:
    """Who has not done their part for the cycle to be in `phase`: by name on the page."""
    statuses = {
        Phase.MANAGER_REVIEW: [Status.DRAFT],
        Phase.CALIBRATION: [Status.DRAFT, *UNDER_REVIEW],
    }[phase]
    return (
        cycle.assessments.filter(status__in=statuses)
        .select_related("engineer", "reviewer")
        .order_by("engineer__last_name", "engineer__first_name", "engineer__username")
    )


def move_phase(cycle: Cycle, *, by: User, to: str, confirmed: bool = False) -> Cycle:
    """Move the cycle to its next phase, once the runner saw who is unfinished."""
    _require_runner(by)
    with transaction.atomic():
        current = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if current.calibration_closed or current.status != Cycle.Status.OPEN:
            raise ValidationError(f"{current} is not open: its phase can't change.")
        if to != current.next_phase:
            raise ValidationError(
                f"{current} is in {current.get_phase_display().lower()}: phases go in order, "
                "and this page was out of date. Nothing changed."
            )
        if not confirmed:
            raise ValidationError(
                "Nothing changed: tick the box to confirm, having read who is unfinished."
            )
        current.phase = to
        current.save(update_fields=["phase"])
        chat.announce(current, _phase_news(current))
    cycle.phase = current.phase
    return current


def _phase_news(cycle: Cycle) -> str:
    if cycle.phase == Phase.MANAGER_REVIEW:
        return (
            f"{cycle}: self-assessments are closed; manager reviews are due on "
            f"{cycle.manager_review_due:%-d %B %Y}."
        )
    return (
        f"{cycle}: manager reviews are closed; the committee calibrates by "
        f"{cycle.calibration_due:%-d %B %Y}."
    )


# ---- one person's deadline


def latest_extension(cycle: Cycle) -> date:
    """An extension ends before manager reviews are due: the reviewer needs time too."""
    return cycle.manager_review_due - timedelta(days=1)


def extend(assessment: Assessment, *, by: User, until: date) -> Assessment:
    """Give one person's draft until `until`, on the record; they are told."""
    within = reach(by)
    if within is None:
        raise PermissionDenied("Only whoever runs review cycles can do that.")
    with transaction.atomic():
        current = (
            Assessment.objects.select_for_update(of=("self",))
            .select_related("cycle", "engineer")
            .get(pk=assessment.pk)
        )
        cycle = current.cycle
        if current.engineer_id == by.pk:
            raise PermissionDenied("Someone else gives you more time: not yourself.")
        if not within.covers(current.engineer_id):
            raise PermissionDenied("That person is not among the people you look after.")
        if not current.is_draft:
            raise ValidationError(f"{current.engineer}'s self-assessment is already submitted.")
        if cycle.calibration_closed or cycle.status != Cycle.Status.OPEN:
            raise ValidationError(f"{cycle} is not open.")
        today = timezone.localdate()
        if until < max(today, cycle.self_assessment_due + timedelta(days=1)):
            raise ValidationError(
                "Choose a day after the cycle's self-assessment deadline, from today on."
            )
        if until > latest_extension(cycle):
            raise ValidationError(
                f"Choose a day by {latest_extension(cycle):%-d %B %Y}: manager reviews are due "
                f"on {cycle.manager_review_due:%-d %B %Y}."
            )
        old = current.extended_to
        current.extended_to = until
        current.save(update_fields=["extended_to"])
        Event.objects.create(
            assessment=current,
            actor=by,
            kind=Event.Kind.EXTENDED,
            old=old.isoformat() if old else "",
            new=until.isoformat(),
        )
        tell_person.enqueue("extended", current.engineer_id, cycle.pk, until.isoformat())
    return current


def overdue(cycle: Cycle, today: date | None = None) -> Q:
    """The cycle's assessments behind their deadline today, as a filter."""
    today = today or timezone.localdate()
    nothing = Q(pk__in=[])
    late_draft = Q(status=Status.DRAFT) & (
        Q(extended_to__lt=today)
        | (Q(extended_to__isnull=True) if cycle.self_assessment_due < today else nothing)
    )
    late_review = Q(status__in=UNDER_REVIEW) if cycle.manager_review_due < today else nothing
    late_decision = Q(status=Status.REVIEWED) if cycle.calibration_due < today else nothing
    return late_draft | late_review | late_decision

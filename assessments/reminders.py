"""Reminders before each deadline, and the day after it, sent by the worker on a schedule.

The worker runs remind_on_schedule (assessments.tasks) every day at REMINDER_HOUR,
each run queueing the next; the worker queues the first when it starts. A run looks
at every open cycle: for each deadline, whoever still has their part to do is due the
most recent reminder of the cycle's schedule that has come (7 days before, then 1, by
default; the day after for the overdue). A worker that was down catches up with one
reminder, not a burst.

Each reminder is a Reminder row, unique per person, cycle and key, written in the
same transaction that queues its e-mail: a run repeated (a restarted worker, two
workers) finds the row and sends nothing. People who turned reminders off get none;
their deadlines still show wherever they act.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.tasks import TaskResultStatus, task
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import chat
from assessments.models import Assessment, Cycle, PeerRequest, Reminder
from assessments.notifications import link
from assessments.peers import BEFORE_REVIEW_FINISHED
from assessments.permissions import UNDER_REVIEW
from assessments.tasks import send_reminder_mail
from ladder.models import User

Status = Assessment.Status
SELF, REVIEW, CALIBRATION = "self_assessment", "manager_review", "calibration"
OVERDUE = -1
# An overdue reminder still goes out this many days late, if the worker was down.
CATCH_UP_DAYS = 3


@dataclass(frozen=True)
class Due:
    """One reminder someone is due: who, about which deadline, and what it says."""

    person: User
    key: str
    subject: str
    body: str


def offset_due(schedule: tuple[int, ...], overdue: bool, days_left: int) -> int | None:
    """Which reminder of the schedule is due with `days_left` to the deadline, if any.

    Before the deadline, the closest scheduled day that has come (so 3 days before,
    with "7, 1", is the 7-day reminder, late); after it, the overdue one.
    """
    if days_left >= 0:
        come = [day for day in schedule if day >= days_left]
        return min(come) if come else None
    if overdue and -CATCH_UP_DAYS <= days_left <= -1:
        return OVERDUE
    return None


def when(day: date, today: date) -> str:
    """'due in 3 days', 'due today' or 'overdue since 2 December'."""
    left = (day - today).days
    if left < 0:
        return f"overdue since {day:%-d %B}"
    if left == 0:
        return "due today"
    return f"due in {left} day{'s' if left != 1 else ''}"


def _footer() -> str:
    return (
        f"\n\nYou get these because you take part in a review cycle. Turn them off: "
        f"{link(reverse('assessments:my-reminders'))}"
    )


def engineers_due(cycle: Cycle, today: date) -> list[Due]:
    """Drafts whose deadline (the person's extension included) a reminder is due for."""
    if (
        cycle.phase != Cycle.Phase.SELF_ASSESSMENT
        and not cycle.assessments.filter(extended_to__gte=today).exists()
    ):
        return []
    # Just enrolled: the enrolment e-mail gave the deadline a moment ago.
    drafts = (
        cycle.assessments.filter(status=Status.DRAFT, created_at__date__lt=today - timedelta(1))
        .filter(engineer__is_active=True, engineer__reminder_emails=True)
        .exclude(engineer__email="")
        .select_related("engineer")
    )
    found = []
    for a in drafts:
        a.cycle = cycle
        due = a.self_assessment_due
        if cycle.phase != Cycle.Phase.SELF_ASSESSMENT and not (
            a.extended_to and a.extended_to >= today
        ):
            continue
        offset = offset_due(cycle.schedule, cycle.remind_overdue, (due - today).days)
        if offset is None:
            continue
        late = offset == OVERDUE
        found.append(
            Due(
                person=a.engineer,
                key=f"{SELF}:{due.isoformat()}:{offset}",
                subject=f"Your self-assessment for {cycle} is {when(due, today)}",
                body=(
                    f"Hello {a.engineer.first_name or a.engineer.username},\n\n"
                    + (
                        f"Your self-assessment for {cycle} was due on {due:%-d %B %Y} and "
                        "can no longer change: your answers are kept. If you need more "
                        "time, ask whoever runs the cycle."
                        if late
                        else f"Your self-assessment for {cycle} is due on {due:%-d %B %Y}. "
                        "Your answers save as you go; submit when every behaviour has one."
                    )
                    + f"\n\n{link(a.get_absolute_url())}"
                ),
            )
        )
    if cycle.self_enrolment and cycle.phase == Cycle.Phase.SELF_ASSESSMENT:
        found += _not_started_due(cycle, today)
    return found


def _not_started_due(cycle: Cycle, today: date) -> list[Due]:
    """In a cycle anyone at its levels may start: those who could, and haven't."""
    due = cycle.self_assessment_due
    offset = offset_due(cycle.schedule, False, (due - today).days)
    if offset is None:
        return []
    levels = set(cycle.framework.levels.values_list("track_id", "code"))
    people = (
        User.objects.filter(is_active=True, reminder_emails=True, track__isnull=False)
        .exclude(email="")
        .exclude(assessments__cycle=cycle)
    )
    return [
        Due(
            person=person,
            key=f"{SELF}:{due.isoformat()}:{offset}",
            subject=f"Your self-assessment for {cycle} is {when(due, today)}",
            body=f"Hello {person.first_name or person.username},\n\nYour self-assessment "
            f"for {cycle} is due on {due:%-d %B %Y}, and you haven't started it yet.\n\n"
            f"{link('/')}",
        )
        for person in people
        if (person.track_id, person.level_code) in levels
    ]


def managers_due(cycle: Cycle, today: date) -> list[Due]:
    """Reviewers with reviews to finish, one reminder each, however many reviews."""
    due = cycle.manager_review_due
    offset = offset_due(cycle.schedule, cycle.remind_overdue, (due - today).days)
    if offset is None:
        return []
    waiting = Q(reviews__cycle=cycle, reviews__status__in=UNDER_REVIEW)
    reviewers = (
        User.objects.filter(is_active=True, reminder_emails=True)
        .exclude(email="")
        .annotate(waiting=Count("reviews", filter=waiting))
        .filter(waiting__gt=0)
    )
    team = link(f"{reverse('assessments:team')}?cycle={cycle.pk}")
    return [
        Due(
            person=m,
            key=f"{REVIEW}:{due.isoformat()}:{offset}",
            subject=f"{m.waiting} review{'s' if m.waiting != 1 else ''} to finish for "
            f"{cycle}, {when(due, today)}",
            body=f"Hello {m.first_name or m.username},\n\n{m.waiting} of your reports' "
            f"self-assessments wait for your review, due on {due:%-d %B %Y}.\n\n{team}",
        )
        for m in reviewers
    ]


def committee_due(cycle: Cycle, today: date) -> list[Due]:
    """The committee, while reviewed assessments wait for its outcome."""
    due = cycle.calibration_due
    offset = offset_due(cycle.schedule, cycle.remind_overdue, (due - today).days)
    if offset is None or cycle.calibrators_id is None:
        return []
    waiting = cycle.assessments.filter(status=Status.REVIEWED).count()
    if not waiting:
        return []
    members = (
        User.objects.filter(groups=cycle.calibrators_id, is_active=True, reminder_emails=True)
        .exclude(email="")
        .distinct()
    )
    page = link(reverse("assessments:calibration", args=[cycle.pk]))
    return [
        Due(
            person=m,
            key=f"{CALIBRATION}:{due.isoformat()}:{offset}",
            subject=f"Calibration of {cycle} is {when(due, today)}",
            body=f"Hello {m.first_name or m.username},\n\n{waiting} reviewed "
            f"assessment{'s' if waiting != 1 else ''} wait for the committee's outcome, due "
            f"on {due:%-d %B %Y}.\n\n{page}",
        )
        for m in members
    ]


def peers_due(cycle: Cycle, today: date) -> list[Due]:
    """Colleagues asked for peer input who haven't answered: one reminder each, however
    many asked them, before the manager reviews are due (their input is read there)."""
    if not (cycle.asks_peers or cycle.upward_input) or cycle.phase == Cycle.Phase.CALIBRATION:
        return []
    due = cycle.manager_review_due
    offset = offset_due(cycle.schedule, False, (due - today).days)
    if offset is None:
        return []
    waiting = Q(
        peer_requests__status=PeerRequest.Status.ASKED,
        peer_requests__assessment__cycle=cycle,
        peer_requests__assessment__status__in=BEFORE_REVIEW_FINISHED,
    )
    colleagues = (
        User.objects.filter(is_active=True, reminder_emails=True)
        .exclude(email="")
        .annotate(waiting=Count("peer_requests", filter=waiting))
        .filter(waiting__gt=0)
    )
    home = link(reverse("home"))
    return [
        Due(
            person=p,
            key=f"peer_input:{due.isoformat()}:{offset}",
            subject=f"{p.waiting} colleague{'s' if p.waiting != 1 else ''} asked for your "
            f"input, {when(due, today)}",
            body=f"Hello {p.first_name or p.username},\n\n{p.waiting} colleague"
            f"{'s' if p.waiting != 1 else ''} asked for your view of their work in {cycle}. "
            f"Their reviews are due on {due:%-d %B %Y}; your input is read there. Answer, "
            f"or decline with a reason, from your home page:\n\n{home}",
        )
        for p in colleagues
    ]


def send(cycle: Cycle, due: list[Due], *, by: User | None = None) -> int:
    """Record and queue the reminders not sent before; returns how many were queued."""
    if not due:
        return 0
    with transaction.atomic():
        # Two runs at once (two workers, a run and a click) wait for each other here,
        # so each reads what the other wrote before choosing what to send.
        Cycle.objects.select_for_update().filter(pk=cycle.pk).first()
        known = set(
            Reminder.objects.filter(
                cycle=cycle, person__in=[d.person for d in due], key__in={d.key for d in due}
            ).values_list("person_id", "key")
        )
        fresh = {(d.person.pk, d.key): d for d in due if (d.person.pk, d.key) not in known}
        Reminder.objects.bulk_create(
            Reminder(cycle=cycle, person=d.person, key=d.key, sent_by=by) for d in fresh.values()
        )
        messages = [[d.subject, d.body + _footer(), d.person.email] for d in fresh.values()]
        if messages:
            send_reminder_mail.enqueue(messages)
    return len(messages)


WRITERS = (
    (engineers_due, "self-assessments"),
    (managers_due, "manager reviews"),
    (committee_due, "calibration"),
    (peers_due, "peer input"),
)


def everyone_due(cycle: Cycle, today: date) -> list[Due]:
    return [due for writer, _label in WRITERS for due in writer(cycle, today)]


def send_due(today: date | None = None) -> int:
    """Every reminder due today in every open cycle; returns how many e-mails were queued."""
    today = today or timezone.localdate()
    sent = 0
    for cycle in Cycle.objects.open().filter(calibration_closed_at__isnull=True):
        for writer, label in WRITERS:
            due = writer(cycle, today)
            count = send(cycle, due)
            sent += count
            if due:
                deadline_key = due[0].key.rsplit(":", 1)
                chat.announce(
                    cycle,
                    f"Reminder: {label} for {cycle}: {len(due)} "
                    f"{'people' if len(due) != 1 else 'person'} still to finish.",
                    key=":".join(deadline_key),
                )
    return sent


def remind_now(cycle: Cycle, assessments, *, by: User) -> tuple[int, int]:
    """Whoever runs the cycle reminds chosen people now: the engineer of a draft, the
    reviewer of a review to finish. Once a day each at most. Returns (sent, not sent)."""
    today = timezone.localdate()
    due, skipped = [], 0
    people: set[int] = set()
    for a in assessments.select_related("engineer", "reviewer"):
        a.cycle = cycle
        if a.status == Status.DRAFT and not a.locked:
            person = a.engineer
            subject = f"A reminder: your self-assessment for {cycle}"
            body = (
                f"Hello {person.first_name or person.username},\n\n{by} reminds you that "
                f"your self-assessment for {cycle} is {when(a.self_assessment_due, today)} "
                f"({a.self_assessment_due:%-d %B %Y}).\n\n{link(a.get_absolute_url())}"
            )
        elif a.status in UNDER_REVIEW and a.reviewer is not None:
            person = a.reviewer
            subject = f"A reminder: reviews for {cycle}"
            body = (
                f"Hello {person.first_name or person.username},\n\n{by} reminds you that "
                f"manager reviews for {cycle} are {when(cycle.manager_review_due, today)} "
                f"({cycle.manager_review_due:%-d %B %Y}).\n\n"
                f"{link(reverse('assessments:team') + f'?cycle={cycle.pk}')}"
            )
        else:
            skipped += 1
            continue
        if person.pk in people:
            continue
        people.add(person.pk)
        if not (person.is_active and person.email and person.reminder_emails):
            skipped += 1
            continue
        due.append(Due(person=person, key=f"asked:{today.isoformat()}", subject=subject, body=body))
    sent = send(cycle, due, by=by)
    return sent, skipped + len(due) - sent


def next_run(now: datetime | None = None) -> datetime:
    """The next REMINDER_HOUR o'clock, local time."""
    now = timezone.localtime(now)
    at = timezone.make_aware(datetime.combine(now.date(), time(settings.REMINDER_HOUR)))
    return at if at > now else at + timedelta(days=1)


@task()
def remind_on_schedule() -> int:
    """The worker's daily job: queue tomorrow's run first (a run that fails half-way still
    leaves it in place), then the reminders due today."""
    schedule_reminders()
    return send_due()


def schedule_reminders() -> bool:
    """Queue the next daily run unless one is waiting; True if this queued it.

    The worker calls this when it starts; enrolling people calls it too.
    """
    # A run going now is RUNNING, not READY: it doesn't count as the next one.
    waiting = DBTaskResult.objects.filter(
        task_path=remind_on_schedule.module_path, status=TaskResultStatus.READY
    )
    if waiting.exists():
        return False
    remind_on_schedule.using(run_after=next_run()).enqueue()
    return True

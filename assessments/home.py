"""The home page's data: what is due for the signed-in person, and for their reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Q
from django.tasks import task_backends
from django.utils import timezone

from assessments import peers
from assessments.models import Assessment, Cycle, PeerRequest
from assessments.permissions import (
    calibrates,
    calibrates_any,
    can_manage_committees,
    can_manage_people,
    can_run_cycles,
    partner_ids,
)
from assessments.tasks import QUEUE_LABELS
from assessments.team import Row
from ladder.models import User, WorkerHeartbeat
from ladder.permissions import can_edit_rubric


@dataclass
class Deadline:
    label: str
    day: date
    today: date

    @property
    def days_left(self) -> int:
        return (self.day - self.today).days

    @property
    def days_ago(self) -> int:
        return -self.days_left

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def soon(self) -> bool:
        return 0 <= self.days_left <= 7


@dataclass
class CycleCard:
    cycle: Cycle
    deadlines: list[Deadline]
    mine: Assessment | None  # with answered/total annotated
    can_start: bool
    reports: list[Row]  # as the team page shows them: one vocabulary for both
    counts: dict[str, int] | None = None  # started and submitted, for whoever runs cycles
    calibrates: bool = False  # the person sits on this cycle's committee
    # Peer input: what colleagues asked of the person, and nominations they approve.
    asked_of_me: list = field(default_factory=list)
    to_approve: list = field(default_factory=list)  # (assessment, how many waiting)
    peers_link: tuple[str, str] | None = None


@dataclass(frozen=True)
class Roles:
    """What a person does in Ladder besides assessing themselves."""

    edits_ladder: bool
    runs_cycles: bool
    calibrates: bool
    manages_people: bool = False
    partners: bool = False  # an HR partner, for part of the company
    manages_committees: bool = False

    def __bool__(self) -> bool:
        return (
            self.edits_ladder
            or self.runs_cycles
            or self.calibrates
            or self.manages_people
            or self.partners
            or self.manages_committees
        )


def roles_of(user: User) -> Roles:
    return Roles(
        edits_ladder=can_edit_rubric(user),
        runs_cycles=can_run_cycles(user),
        partners=not can_run_cycles(user) and partner_ids(user) is not None,
        manages_committees=can_manage_committees(user),
        calibrates=calibrates_any(user),
        manages_people=can_manage_people(user),
    )


def _with_progress(assessments):
    # The counts assessments.team.Row reads: the engineer's answers, the manager's scores.
    return assessments.select_related("level", "cycle").annotate(
        total=Count("ratings"),
        answered=Count("ratings", filter=Q(ratings__score__isnull=False)),
        scored=Count("ratings", filter=Q(ratings__manager_score__isnull=False)),
    )


NO_COUNTS = {"started": 0, "submitted": 0}


def _cycle_counts(cycles) -> dict[int, dict[str, int]]:
    rows = (
        Assessment.objects.filter(cycle__in=cycles)
        .values("cycle_id")
        .annotate(started=Count("pk"), submitted=Count("pk", filter=~Q(status="draft")))
        .order_by()
    )
    return {row["cycle_id"]: row for row in rows}


def home_context(user: User) -> dict:
    """Open cycles with the person's own assessment and their reports': four queries.

    People without a level of their own (admins, ladder editors, calibrators) see
    what their roles give them instead, for a few queries more.
    """
    today = timezone.localdate()
    cycles = list(Cycle.objects.open().select_related("framework"))
    mine = {
        a.cycle_id: a
        for a in _with_progress(Assessment.objects.filter(engineer=user, cycle__in=cycles))
    }
    reports = list(
        user.reports.filter(is_active=True)
        .select_related("track")
        .order_by("first_name", "username")
    )
    theirs = (
        {
            (a.cycle_id, a.engineer_id): a
            for a in _with_progress(
                Assessment.objects.filter(engineer__in=reports, cycle__in=cycles)
            )
        }
        if reports
        else {}
    )
    roles = roles_of(user) if not (user.level_code and user.track_id) else None
    runs = bool(roles and roles.runs_cycles)
    counts = _cycle_counts(cycles) if runs else None
    cards = [
        CycleCard(
            cycle=cycle,
            deadlines=[
                # The person's own, an extension included.
                Deadline("Self-assessment", _due(mine.get(cycle.pk), cycle), today),
                Deadline("Manager review", cycle.manager_review_due, today),
                Deadline("Calibration", cycle.calibration_due, today),
            ],
            mine=mine.get(cycle.pk),
            can_start=bool(user.level_code and user.track_id),
            reports=[Row(person, theirs.get((cycle.pk, person.pk)), today) for person in reports],
            counts=None if counts is None else counts.get(cycle.pk, NO_COUNTS),
            calibrates=calibrates(user, cycle),
        )
        for cycle in cycles
    ]
    # Results once shared, newest first: the outcome itself, not only "Shared".
    results = list(
        Assessment.objects.filter(engineer=user, status=Assessment.Status.SHARED)
        .exclude(cycle__in=cycles)
        .select_related("cycle__framework", "level")
        .order_by("-shared_at")[:RESULTS_SHOWN]
    )
    if any(cycle.asks_peers or cycle.upward_input for cycle in cycles):
        _add_peer_input(user, cards, mine)
    return {
        "cards": cards,
        "results": results,
        "today": today,
        "roles": roles,
        "workers": _workers() if runs else [],
    }


RESULTS_SHOWN = 2


def _add_peer_input(user: User, cards: list[CycleCard], mine: dict[int, Assessment]) -> None:
    """What peer input asks of the person in each cycle that has it: a few queries."""
    asking = [card.cycle for card in cards if card.cycle.asks_peers or card.cycle.upward_input]
    # What is still theirs to answer (a finished review closes its requests), and what
    # they sent.
    still_open = Q(
        status=PeerRequest.Status.ASKED,
        assessment__status__in=peers.BEFORE_REVIEW_FINISHED,
        assessment__cycle__phase__in=(Cycle.Phase.SELF_ASSESSMENT, Cycle.Phase.MANAGER_REVIEW),
    )
    asked = PeerRequest.objects.filter(
        still_open | Q(status=PeerRequest.Status.ANSWERED),
        peer=user,
        assessment__cycle__in=asking,
    ).select_related("assessment__engineer")
    waiting = (
        Assessment.objects.filter(
            Q(reviewer=user) | Q(reviewer__isnull=True, engineer__manager=user),
            cycle__in=asking,
            peer_requests__status=PeerRequest.Status.NOMINATED,
        )
        .select_related("engineer")
        .annotate(waiting=Count("peer_requests"))
        .order_by("engineer__first_name", "engineer__username")
    )
    by_cycle: dict[int, CycleCard] = {card.cycle.pk: card for card in cards}
    # Still to answer first, then what they sent.
    for request in asked.order_by("-status", "assessment__engineer__first_name"):
        by_cycle[request.assessment.cycle_id].asked_of_me.append(request)
    for assessment in waiting:
        by_cycle[assessment.cycle_id].to_approve.append((assessment, assessment.waiting))
    for card in cards:
        own = mine.get(card.cycle.pk)
        if own is not None and (card.cycle.asks_peers or card.cycle.upward_input):
            own.cycle = card.cycle
            own.engineer = user
            card.peers_link = peers.list_link(user, own)


def _due(mine: Assessment | None, cycle: Cycle) -> date:
    return mine.self_assessment_due if mine else cycle.self_assessment_due


def _workers() -> list[tuple[str, str]]:
    """Each background queue and whether a worker serves it: e-mails and packets wait on them."""
    queues = sorted(task_backends["default"].queues)
    status = WorkerHeartbeat.status(queues, settings.HEALTH_WORKER_MAX_AGE)
    return [(QUEUE_LABELS.get(queue, queue), status[queue]) for queue in queues]

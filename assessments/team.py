"""The manager's dashboard: every report in a cycle, where they stand and what needs the manager.

A fixed number of queries whatever the size of the team: the cycles, the reports,
their assessments with counts, and the skip-level ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from assessments.models import Assessment, Cycle
from ladder.models import User

Status = Assessment.Status

# The order a person's work goes through, for sorting by status.
FLOW = ["", *Status.values]

FILTERS = {
    "": "Everyone",
    "needs-me": "Needs my review",
    "waiting": "Waiting for the engineer",
    "done": "Reviewed",
}
SORTS = {
    "name": "Name",
    "status": "Status",
    "progress": "Progress",
    "deadline": "Deadline",
}
SEARCH_MAX = 100


@dataclass
class Row:
    person: User
    assessment: Assessment | None  # with total, answered and scored annotated
    today: date
    read_only: bool = False  # skip-level: the manager reads, their report reviews

    @property
    def status(self) -> str:
        return self.assessment.status if self.assessment else ""

    @property
    def status_label(self) -> str:
        return self.assessment.get_status_display() if self.assessment else "Not started"

    @property
    def group(self) -> str:
        if (
            self.status in ("submitted", "in_review")
            and not self.assessment.cycle.calibration_closed
        ):
            return "needs-me"
        if self.status in ("", "draft"):
            return "waiting"
        return "done"

    @property
    def done(self) -> int:
        """Answered by the engineer while a draft; scored by the reviewer after."""
        a = self.assessment
        if a is None:
            return 0
        return a.answered if a.status == "draft" else a.scored

    @property
    def total(self) -> int:
        return self.assessment.total if self.assessment else 0

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def progress_label(self) -> str:
        if self.assessment is None:
            return "—"
        noun = "answered" if self.status == "draft" else "reviewed"
        return f"{self.done} of {self.total} {noun}"

    @property
    def deadline(self) -> date | None:
        a = self.assessment
        cycle = a.cycle if a else None
        if cycle is None:
            return None
        if self.group == "waiting":
            return a.self_assessment_due  # the person's extension, if they have one
        if self.group == "needs-me":
            return cycle.manager_review_due
        return cycle.calibration_due if self.status in ("reviewed", "calibrated") else None

    @property
    def overdue(self) -> bool:
        return self.deadline is not None and self.deadline < self.today

    @property
    def closed(self) -> bool:
        """Whether the cycle closed before this one was finished: nothing is left to do."""
        a = self.assessment
        return (
            a is not None
            and a.cycle.calibration_closed
            and a.status in ("draft", "submitted", "in_review")
        )

    @property
    def next_step(self) -> str:
        """What needs the manager next, in words."""
        if self.closed:
            return "Not finished: the cycle is closed"
        if self.read_only:
            return {
                "needs-me": f"With {self.assessment.reviewer} for review"
                if self.assessment
                else "",
                "done": self.status_label,
            }.get(self.group, "Waiting for the engineer")
        if self.status == "submitted" and self.assessment.scored:
            # A review returned and resubmitted keeps the scores given before.
            return "Continue your review"
        return {
            "": "Waiting for them to start",
            "draft": "Waiting for their self-assessment",
            "submitted": "Start your review",
            "in_review": "Finish your review",
            "reviewed": "With the calibration committee",
            "calibrated": "Decided; shared when calibration closes",
            "shared": "Results shared",
        }[self.status]


@dataclass
class Team:
    cycles: list[Cycle]
    cycle: Cycle | None
    rows: list[Row]
    skip_rows: list[Row]
    counts: dict[str, int]
    show: str
    sort: str
    query: str

    @property
    def in_packets(self) -> int:
        """How many of the reports shown have a packet: those whose review is finished."""
        return sum(1 for row in self.rows if row.status in ("reviewed", "calibrated", "shared"))

    @property
    def not_in_packets(self) -> int:
        return len(self.rows) - self.in_packets


def team_of(user: User, *, cycle_id: int | None, show: str, sort: str, query: str) -> Team:
    """The manager's reports in one cycle (the open one unless asked), filtered and sorted."""
    today = timezone.localdate()
    cycles = list(
        Cycle.objects.filter(Q(status=Cycle.Status.OPEN) | Q(assessments__reviewer=user))
        .select_related("framework")
        .distinct()
        .order_by("-self_assessment_due", "name")
    )
    cycle = next((c for c in cycles if c.pk == cycle_id), None) if cycle_id else None
    if cycle is None:
        cycle = next((c for c in cycles if c.status == Cycle.Status.OPEN), None) or next(
            iter(cycles), None
        )
    show = show if show in FILTERS else ""
    sort = sort if sort.lstrip("-") in SORTS else "name"
    query = query.strip()[:SEARCH_MAX]
    if cycle is None:
        return Team(cycles, None, [], [], dict.fromkeys(FILTERS, 0), show, sort, query)

    # Reviews fixed to this manager and, while the cycle is open, current reports who
    # haven't submitted yet. A closed cycle shows only what reached the manager.
    is_open = cycle.status == Cycle.Status.OPEN
    reports = (
        list(User.objects.filter(manager=user, is_active=True).select_related("track"))
        if is_open
        else []
    )
    mine = {
        a.engineer_id: a
        for a in _counted(
            Assessment.objects.filter(cycle=cycle).filter(
                Q(reviewer=user) | Q(engineer__in=reports)
            )
        ).select_related("engineer", "level", "cycle", "reviewer")
    }
    people = {p.pk: p for p in reports}
    people.update({a.engineer_id: a.engineer for a in mine.values()})
    rows = [
        Row(person, a, today, read_only=_reviewed_elsewhere(a, user))
        for person, a in ((person, mine.get(pk)) for pk, person in people.items())
    ]
    # Read by this manager as their reports' manager, fixed with the reviewer.
    skip = [
        Row(a.engineer, a, today, read_only=True)
        for a in _counted(
            Assessment.objects.filter(cycle=cycle, skip_reviewer=user).exclude(status=Status.DRAFT)
        ).select_related("engineer", "level", "cycle", "reviewer")
    ]
    counts = {key: sum(1 for r in rows if not key or r.group == key) for key in FILTERS}
    return Team(
        cycles=cycles,
        cycle=cycle,
        rows=_sorted(_filtered(rows, show, query), sort),
        skip_rows=_sorted(_filtered(skip, "", query), sort),
        counts=counts,
        show=show,
        sort=sort,
        query=query,
    )


def _reviewed_elsewhere(assessment: Assessment | None, user: User) -> bool:
    """A report's submission whose review was moved to someone else: listed, not theirs."""
    return (
        assessment is not None
        and assessment.status != Status.DRAFT
        and assessment.reviewer_id != user.pk
    )


def _counted(assessments):
    return assessments.annotate(
        total=Count("ratings"),
        answered=Count("ratings", filter=Q(ratings__score__isnull=False)),
        scored=Count("ratings", filter=Q(ratings__manager_score__isnull=False)),
    )


def _filtered(rows: list[Row], show: str, query: str) -> list[Row]:
    words = query.casefold().split()
    return [
        r
        for r in rows
        if (not show or r.group == show)
        and all(w in f"{r.person.get_full_name()} {r.person.username}".casefold() for w in words)
    ]


def _sorted(rows: list[Row], sort: str) -> list[Row]:
    def name(r: Row) -> str:
        return (r.person.get_full_name() or r.person.username).casefold()

    keys = {
        "name": name,
        "status": lambda r: (FLOW.index(r.status), name(r)),
        "progress": lambda r: (r.percent, name(r)),
        "deadline": lambda r: (r.deadline or date.max, name(r)),
    }
    return sorted(rows, key=keys[sort.lstrip("-")], reverse=sort.startswith("-"))

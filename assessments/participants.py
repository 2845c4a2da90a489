"""The cycle page's figures: who takes part, where each stands, by manager and department.

A fixed number of queries whatever the size of the cycle: the counts by status, one
page of people with their progress, and one summary table; the full list is the CSV.
Statuses only: nothing here reads a score, a comment or an outcome.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q
from django.utils import timezone

from assessments.cycles import overdue
from assessments.models import Assessment, Cycle, Rating, Reminder
from assessments.permissions import UNDER_REVIEW
from assessments.team import Row

Status = Assessment.Status

SHOW = {
    "": "Everyone",
    "draft": "Self-assessment not submitted",
    "review": "Waiting for their manager",
    "reviewed": "Review finished",
    "overdue": "Overdue",
    "extended": "Given more time",
}
VIEWS = {"people": "People", "managers": "By manager", "departments": "By department"}
PER_PAGE = 50
SEARCH_MAX = 100
NO_DEPARTMENT = "(none)"


def _show(cycle: Cycle, show: str, today: date) -> Q:
    return {
        "": Q(),
        "draft": Q(status=Status.DRAFT),
        "review": Q(status__in=UNDER_REVIEW),
        "reviewed": Q(status__in=["reviewed", "calibrated", "shared"]),
        "overdue": overdue(cycle, today),
        "extended": Q(extended_to__isnull=False),
    }[show]


@dataclass
class Filters:
    show: str = ""
    manager: int | None = None
    department: str | None = None
    query: str = ""
    view: str = "people"
    page: str = "1"

    def q(self, cycle: Cycle, today: date) -> Q:
        q = _show(cycle, self.show, today)
        if self.manager is not None:
            q &= Q(reviewer_id=self.manager)
        if self.department is not None:
            q &= Q(engineer__department="" if self.department == NO_DEPARTMENT else self.department)
        for word in self.query.split()[:5]:
            q &= (
                Q(engineer__first_name__icontains=word)
                | Q(engineer__last_name__icontains=word)
                | Q(engineer__username__icontains=word)
            )
        return q

    @property
    def narrowed(self) -> bool:
        return bool(self.show or self.manager or self.department or self.query)


@dataclass
class Group:
    """A manager's or a department's people in the cycle, counted by stage."""

    key: str
    label: str
    total: int
    drafts: int
    in_review: int
    finished: int
    late: int

    @property
    def percent_submitted(self) -> int:
        return round(100 * (self.total - self.drafts) / self.total) if self.total else 0


@dataclass
class CyclePage:
    cycle: Cycle
    counts: dict[str, int]
    filters: Filters
    page: Page | None = None
    rows: list[Row] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    reminded: dict[int, object] = field(default_factory=dict)  # person → last reminder


def _counts(cycle: Cycle, today: date, within: Q) -> dict[str, int]:
    return cycle.assessments.filter(within).aggregate(
        total=Count("pk"),
        draft=Count("pk", filter=Q(status=Status.DRAFT)),
        review=Count("pk", filter=Q(status__in=UNDER_REVIEW)),
        reviewed=Count("pk", filter=Q(status__in=["reviewed", "calibrated", "shared"])),
        overdue=Count("pk", filter=overdue(cycle, today)),
        extended=Count("pk", filter=Q(extended_to__isnull=False)),
    )


def _groups(cycle: Cycle, by: str, filters: Filters, today: date, within: Q) -> list[Group]:
    """One row per manager (the reviewer fixed at enrolment) or per department."""
    field_names = (
        ["reviewer_id", "reviewer__first_name", "reviewer__last_name", "reviewer__username"]
        if by == "managers"
        else ["engineer__department"]
    )
    rows = (
        cycle.assessments.filter(within, filters.q(cycle, today))
        .values(*field_names)
        .annotate(
            total=Count("pk"),
            drafts=Count("pk", filter=Q(status=Status.DRAFT)),
            in_review=Count("pk", filter=Q(status__in=UNDER_REVIEW)),
            finished=Count("pk", filter=Q(status__in=["reviewed", "calibrated", "shared"])),
            late=Count("pk", filter=overdue(cycle, today)),
        )
        .order_by(*field_names[1:] if by == "managers" else field_names)
    )
    groups = []
    for row in rows:
        if by == "managers":
            key = str(row["reviewer_id"] or "")
            name = " ".join(filter(None, (row["reviewer__first_name"], row["reviewer__last_name"])))
            label = name or row["reviewer__username"] or "No manager"
        else:
            key = row["engineer__department"] or NO_DEPARTMENT
            label = row["engineer__department"] or "No department"
        groups.append(
            Group(
                key,
                label,
                row["total"],
                row["drafts"],
                row["in_review"],
                row["finished"],
                row["late"],
            )
        )
    # The furthest behind first: whoever runs the cycle starts there.
    groups.sort(key=lambda g: (-g.late, -g.drafts - g.in_review, g.label))
    return groups


def cycle_page(cycle: Cycle, filters: Filters, within: Q | None = None) -> CyclePage:
    """The page's figures for the people `within` (an HR partner's part; everyone if None)."""
    today = timezone.localdate()
    within = within or Q()
    result = CyclePage(cycle=cycle, counts=_counts(cycle, today, within), filters=filters)
    if filters.view in ("managers", "departments"):
        groups = _groups(cycle, filters.view, filters, today, within)
        result.page = Paginator(groups, PER_PAGE).get_page(filters.page)
        result.groups = list(result.page.object_list)
        return result
    people = (
        cycle.assessments.filter(within, filters.q(cycle, today))
        .select_related("engineer", "reviewer", "level")
        .order_by("engineer__last_name", "engineer__first_name", "engineer__username")
    )
    result.page = Paginator(people, PER_PAGE).get_page(filters.page)
    assessments = list(result.page.object_list)
    rows = _with_progress(assessments, cycle, today)
    result.rows = rows
    result.reminded = dict(
        Reminder.objects.filter(cycle=cycle, person__in=[a.engineer_id for a in assessments])
        .values("person_id")
        .annotate(last=Max("at"))
        .values_list("person_id", "last")
    )
    return result


def _with_progress(assessments: list[Assessment], cycle: Cycle, today: date) -> list[Row]:
    """Rows as the team page shows them, their counts read for this page's people only."""
    counts = {
        row["assessment_id"]: row
        for row in (
            Rating.objects.filter(assessment__in=assessments)
            .values("assessment_id")
            .annotate(
                total=Count("pk"),
                answered=Count("pk", filter=Q(score__isnull=False)),
                scored=Count("pk", filter=Q(manager_score__isnull=False)),
            )
            .order_by()
        )
    }
    rows = []
    for a in assessments:
        a.cycle = cycle
        found = counts.get(a.pk, {})
        a.total, a.answered, a.scored = (found.get(k, 0) for k in ("total", "answered", "scored"))
        rows.append(Row(a.engineer, a, today))
    return rows


def all_rows(cycle: Cycle, filters: Filters, within: Q | None = None):
    """Every participant the filters choose, for the CSV: streamed, counts in one query."""
    today = timezone.localdate()
    people = (
        cycle.assessments.filter(within or Q(), filters.q(cycle, today))
        .select_related("engineer", "reviewer", "level")
        .annotate(
            total=Count("ratings"),
            answered=Count("ratings", filter=Q(ratings__score__isnull=False)),
            scored=Count("ratings", filter=Q(ratings__manager_score__isnull=False)),
        )
        .order_by("engineer__last_name", "engineer__first_name", "engineer__username")
    )
    for a in people.iterator(chunk_size=500):
        a.cycle = cycle
        yield Row(a.engineer, a, today)


def stage(row: Row) -> str:
    """Where the person is, for whoever runs the cycle."""
    a = row.assessment
    if row.closed:
        return "Not finished: the cycle is closed"
    if a.status == Status.DRAFT:
        if a.locked:
            return "Past the deadline: locked"
        return "Writing their self-assessment"
    if a.status in UNDER_REVIEW:
        return f"With {a.reviewer} for review" if a.reviewer else "Waiting for a reviewer"
    return {
        "reviewed": "With the calibration committee",
        "calibrated": "Decided; shared when calibration closes",
        "shared": "Results shared",
    }[a.status]

"""The committee's figures, each an aggregate the database computes: outcomes proposed and
decided, self and manager scores per area, managers against everyone, the biggest gaps,
and the people with their decisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, F, Max, Min, Q, Sum
from django.db.models.functions import Abs

from assessments.calibration.filters import (
    Scope,
    person_name,
)
from assessments.models import Assessment, Cycle, Rating
from assessments.permissions import (
    Action,
    allowed,
)
from assessments.progress import published_level
from ladder.formats.document import FLAT_LIST_LABEL
from ladder.models import Level
from ladder.scale import FIRST_STEP, NO_EVIDENCE, Scale

if TYPE_CHECKING:
    from ladder.models import User

# People per page of the committee's list; the figures always cover everyone filtered.
PAGE_SIZE = 50
# Charts are drawn this many SVG units wide, names above their bars, so that one
# layout reads at a phone's width as on a laptop (where CSS caps the width).
CHART_WIDTH = 360
# The people whose self-scores and manager's scores are furthest apart.
GAPS_SHOWN = 10
# A manager whose average is this close to everyone's rates like everyone else.
IN_LINE = 0.1


@dataclass(frozen=True)
class OutcomeRow:
    value: int
    label: str
    meaning: str
    proposed: int
    calibrated: int


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    css: str
    text: str  # written after the bar's end
    title: str  # read out and shown on hover


@dataclass(frozen=True)
class Label:
    x: int
    y: int
    text: str
    css: str = "chart-label"


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart in SVG units, drawn by the template with its text equivalent."""

    width: int
    height: int
    labels: list[Label]
    bars: list[Bar]
    lines: list[tuple[int, int, int, int]] = field(default_factory=list)  # x1, y1, x2, y2
    bar_height: int = 16


@dataclass
class Outcomes:
    total: int
    waiting: int  # reviewed, no decision yet
    decided: int  # calibrated, not yet shared
    shared: int
    raised: int  # decided above the manager's proposal
    lowered: int
    rows: list[OutcomeRow]

    @property
    def kept(self) -> int:
        return self.decided + self.shared - self.raised - self.lowered

    def chart(self) -> Chart:
        """Two bars per outcome under its name: what managers proposed, what was decided."""
        span, row = CHART_WIDTH - 40, 66
        most = max([1, *(r.proposed for r in self.rows), *(r.calibrated for r in self.rows)])
        labels, bars = [], []
        for index, r in enumerate(self.rows):
            top = 4 + index * row
            labels.append(Label(0, top + 14, r.label))
            for offset, count, css, side in (
                (20, r.proposed, "bar-proposed", "proposed"),
                (40, r.calibrated, "bar-calibrated", "decided"),
            ):
                width = round(span * count / most)
                bars.append(
                    Bar(0, top + offset, width, css, str(count), f"{r.label}: {count} {side}")
                )
        return Chart(width=CHART_WIDTH, height=len(self.rows) * row, labels=labels, bars=bars)


def outcomes_of(population: Q, scale: Scale) -> Outcomes:
    """Counts by status and by outcome, proposed and decided: one small GROUP BY."""
    groups = (
        Assessment.objects.filter(population)
        .order_by()
        .values_list("status", "proposed_outcome", "calibrated_outcome")
        .annotate(n=Count("pk"))
    )
    by_status = dict.fromkeys(Assessment.Status.values, 0)
    proposed = dict.fromkeys(scale.outcome_labels, 0)
    calibrated = dict.fromkeys(scale.outcome_labels, 0)
    raised = lowered = 0
    for status, proposal, decision, n in groups:
        by_status[status] += n
        if proposal in proposed:
            proposed[proposal] += n
        if decision in calibrated:
            calibrated[decision] += n
            if proposal is not None and decision > proposal:
                raised += n
            elif proposal is not None and decision < proposal:
                lowered += n
    return Outcomes(
        total=sum(by_status.values()),
        waiting=by_status["reviewed"],
        decided=by_status["calibrated"],
        shared=by_status["shared"],
        raised=raised,
        lowered=lowered,
        rows=[
            OutcomeRow(o.value, o.label, o.meaning, proposed[o.value], calibrated[o.value])
            for o in scale.outcomes
        ],
    )


# ---- area scores: self and manager, per area --------------------------------------------


@dataclass(frozen=True)
class Side:
    """One side's scores in one area: how many of each charted score, and the average."""

    counts: tuple[int, ...]  # of each step of the scale, from the first
    no_evidence: int

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        if not self.total:
            return None
        return sum(step * n for step, n in enumerate(self.counts, start=FIRST_STEP)) / self.total

    @property
    def percents(self) -> list[int]:
        return [round(100 * n / self.total) if self.total else 0 for n in self.counts]


@dataclass(frozen=True)
class AreaScores:
    key: str
    name: str
    self_side: Side
    manager_side: Side


@dataclass
class AreaDistribution:
    areas: list[AreaScores]
    scale: Scale

    def chart(self) -> Chart:
        """Per area, a bar for the self-scores and one for the manager's, split by score."""
        side_label, span, row = 60, CHART_WIDTH - 60 - 36, 66
        labels, bars = [], []
        for index, area in enumerate(self.areas):
            top = 4 + index * row
            labels.append(Label(0, top + 14, area.name))
            for offset, side, name in (
                (20, area.self_side, "self"),
                (40, area.manager_side, "manager"),
            ):
                labels.append(Label(side_label - 6, top + offset + 12, name, "chart-side"))
                x, done = side_label, 0
                for step, count in zip(self.scale.steps, side.counts, strict=True):
                    if not count:
                        continue
                    done += count
                    end = side_label + round(span * done / side.total)
                    share = round(100 * count / side.total)
                    bars.append(
                        Bar(
                            x,
                            top + offset,
                            end - x,
                            f"seg-{self.scale.shade(step.value)}",
                            "",
                            f"{area.name}, {name}: {step.label} {count} ({share}%)",
                        )
                    )
                    x = end
                average = side.average
                labels.append(
                    Label(
                        side_label + span + 6,
                        top + offset + 13,
                        f"{average:.1f}" if average is not None else "—",
                        "chart-value",
                    )
                )
        return Chart(width=CHART_WIDTH, height=len(self.areas) * row, labels=labels, bars=bars)


def areas_of(ratings: Q, scale: Scale) -> AreaDistribution:
    """How often each score was given per area, by the engineers and by their managers."""
    values = [NO_EVIDENCE, *scale.charted]
    columns = {
        **{f"s{v}": Count("pk", filter=Q(score=v)) for v in values},
        **{f"m{v}": Count("pk", filter=Q(manager_score=v)) for v in values},
    }
    rows = (
        Rating.objects.filter(ratings)
        .order_by()
        .values(key=F("behaviour__area__key"))
        .annotate(
            area_name=Max("behaviour__area__name"),
            area_order=Min("behaviour__area__order"),
            **columns,
        )
    )
    areas = [
        AreaScores(
            key=row["key"],
            name=row["area_name"] or FLAT_LIST_LABEL,
            self_side=Side(tuple(row[f"s{v}"] for v in scale.charted), row["s0"]),
            manager_side=Side(tuple(row[f"m{v}"] for v in scale.charted), row["m0"]),
        )
        # The order the levels list their areas in; areas of one key read alike.
        for row in sorted(rows, key=lambda row: (row["area_order"], row["key"]))
    ]
    return AreaDistribution(areas, scale)


# ---- managers: harsher or more lenient than everyone ------------------------------------


@dataclass(frozen=True)
class ManagerFigure:
    id: int
    name: str
    people: int
    ratings: int
    average: float  # the manager's charted scores
    difference: float  # average minus the population's
    self_gap: float | None  # the manager's scores minus their people's own, on the same behaviours

    @property
    def verdict(self) -> str:
        if self.difference <= -IN_LINE:
            return "harsher"
        if self.difference >= IN_LINE:
            return "more lenient"
        return "in line"


@dataclass
class Managers:
    people: int
    ratings: int
    average: float | None
    figures: list[ManagerFigure]
    selected: int | None  # the manager filter, highlighted here rather than applied

    def chart(self) -> Chart:
        """Each manager's difference from everyone's average, left if harsher, right if not."""
        half, row = (CHART_WIDTH - 80) // 2, 44
        centre = CHART_WIDTH // 2
        most = max([0.5, *(abs(f.difference) for f in self.figures)])
        labels, bars = [], []
        for index, f in enumerate(self.figures):
            top = 4 + index * row
            css = "chart-label selected" if f.id == self.selected else "chart-label"
            labels.append(Label(0, top + 14, f"{f.name} ({f.people})", css))
            length = round(half * abs(f.difference) / most)
            x = centre - length if f.difference < 0 else centre
            css = {"harsher": "bar-harsher", "more lenient": "bar-lenient"}.get(f.verdict, "")
            title = (
                f"{f.name}: {f.average:.2f}, {f.difference:+.2f} ({f.verdict}), {f.people} people"
            )
            bars.append(Bar(x, top + 20, max(length, 1), css or "bar-even", "", title))
            labels.append(
                Label(
                    x + length + 6 if f.difference >= 0 else x - 6,
                    top + 33,
                    f"{f.difference:+.1f}",
                    "chart-value" if f.difference >= 0 else "chart-value end",
                )
            )
        bottom = 4 + len(self.figures) * row
        return Chart(
            width=CHART_WIDTH,
            height=bottom + 20,
            labels=[
                *labels,
                Label(centre, bottom + 14, f"everyone: {self.average or 0:.2f}", "chart-tick"),
            ],
            bars=bars,
            lines=[(centre, 18, centre, bottom)],
        )


def managers_of(ratings: Q, names: dict[int, str], selected: int | None) -> Managers:
    """Each manager's average score against the population's, from sums per manager."""
    rows = (
        Rating.objects.filter(ratings, manager_score__gte=FIRST_STEP)
        .order_by()
        .values_list("assessment__reviewer_id")
        .annotate(
            total=Sum("manager_score"),
            n=Count("pk"),
            people=Count("assessment_id", distinct=True),
            gap=Sum(F("manager_score") - F("score"), filter=Q(score__gte=FIRST_STEP)),
            pairs=Count("pk", filter=Q(score__gte=FIRST_STEP)),
        )
    )
    rows = [row for row in rows if row[0] is not None]
    total = sum(row[1] for row in rows)
    count = sum(row[2] for row in rows)
    average = total / count if count else None
    figures = [
        ManagerFigure(
            id=pk,
            name=names.get(pk, "—"),
            people=people,
            ratings=n,
            average=sum_ / n,
            difference=sum_ / n - average,
            self_gap=gap / pairs if pairs else None,
        )
        for pk, sum_, n, people, gap, pairs in rows
    ]
    figures.sort(key=lambda f: (f.difference, f.name))
    return Managers(
        people=sum(f.people for f in figures),
        ratings=count,
        average=average,
        figures=figures,
        selected=selected,
    )


# ---- people: the biggest gaps, and everyone with their decision -------------------------


@dataclass(frozen=True)
class Gap:
    assessment_id: int
    name: str
    reviewer: str
    self_average: float | None
    manager_average: float | None
    lean: float  # self minus manager on average over the pairs: which way, netted out
    differ: int  # pairs where the two scores differ
    pairs: int
    distance: float  # the mean of |self - manager| over the pairs: how far, never netted


# One definition of each figure, used by the packet, this page and the disagreement map
# (assessments.calibration.disagreements): a *pair* is a behaviour both the engineer and
# the manager scored on the scale ("no evidence yet" on either side is not one); pairs
# *differ* when the scores do; the *distance* is the mean difference either way round.


def gaps_of(population: Q, names: dict[int, str]) -> list[Gap]:
    """The people whose own scores and their manager's are furthest apart, either way."""
    rows = (
        Assessment.objects.filter(population)
        .order_by()
        .annotate(
            self_average=Avg("ratings__score", filter=Q(ratings__score__gte=FIRST_STEP)),
            manager_average=Avg(
                "ratings__manager_score", filter=Q(ratings__manager_score__gte=FIRST_STEP)
            ),
            lean=Avg(
                F("ratings__score") - F("ratings__manager_score"),
                filter=Q(
                    ratings__score__gte=FIRST_STEP,
                    ratings__manager_score__gte=FIRST_STEP,
                ),
            ),
            differ=Count(
                "ratings",
                filter=Q(
                    ratings__score__gte=FIRST_STEP,
                    ratings__manager_score__gte=FIRST_STEP,
                )
                & ~Q(ratings__score=F("ratings__manager_score")),
            ),
            pairs=Count(
                "ratings",
                filter=Q(
                    ratings__score__gte=FIRST_STEP,
                    ratings__manager_score__gte=FIRST_STEP,
                ),
            ),
            distance=Avg(
                Abs(F("ratings__score") - F("ratings__manager_score")),
                filter=Q(
                    ratings__score__gte=FIRST_STEP,
                    ratings__manager_score__gte=FIRST_STEP,
                ),
            ),
        )
        .filter(distance__isnull=False)
        .order_by(F("distance").desc(), "pk")
        .values_list(
            "pk",
            "engineer__first_name",
            "engineer__last_name",
            "engineer__username",
            "reviewer_id",
            "self_average",
            "manager_average",
            "lean",
            "differ",
            "pairs",
            "distance",
        )[:GAPS_SHOWN]
    )
    return [
        Gap(pk, person_name(first, last, username), names.get(reviewer, "—"), *figures)
        for pk, first, last, username, reviewer, *figures in rows
    ]


@dataclass(frozen=True)
class Person:
    assessment: Assessment  # with engineer and reviewer
    level: Level
    can_decide: bool
    last_outcome: str = ""  # the shared outcome of the person's previous cycle

    @property
    def chosen(self) -> int | None:
        """The outcome the decision form starts at: the committee's, else the proposal."""
        a = self.assessment
        return a.calibrated_outcome or a.proposed_outcome


def people_of(
    user: User, cycle: Cycle, population: Q, scope: Scope, *, page: int, total: int
) -> tuple[list[Person], int, int]:
    """One page of the people filtered, by name; with the page number and the page count."""
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(page, pages)
    assessments = (
        Assessment.objects.filter(population)
        .select_related("engineer", "reviewer")
        .defer("summary", "summary_html", "return_note", "calibration_reason_html")
        .order_by("engineer__last_name", "engineer__first_name", "engineer__username", "pk")
    )[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    assessments = list(assessments)
    last = _last_outcomes(cycle, [a.engineer_id for a in assessments])
    people = []
    for a in assessments:
        a.cycle = cycle  # the policy reads the cycle: this one, not a query per person
        # Every assessment's level is of the cycle's version; the cache covers one that isn't.
        level = scope.levels.get(a.level_id) or published_level(a.level_id)
        people.append(
            Person(a, level, allowed(user, a, Action.DECIDE), last.get(a.engineer_id, ""))
        )
    return people, page, pages


def _last_outcomes(cycle: Cycle, engineer_ids: list[int]) -> dict[int, str]:
    """Each person's shared outcome in their latest earlier cycle, in its scale's words."""
    if not engineer_ids:
        return {}
    earlier = (
        Assessment.objects.filter(
            engineer_id__in=engineer_ids,
            status=Assessment.Status.SHARED,
            cycle__self_assessment_due__lt=cycle.self_assessment_due,
        )
        .select_related("cycle__framework")
        .only("engineer_id", "calibrated_outcome", "cycle__framework__scale_data")
        .order_by("engineer_id", "-cycle__self_assessment_due")
    )
    found: dict[int, str] = {}
    for a in earlier:
        if a.engineer_id not in found:
            found[a.engineer_id] = a.cycle.framework.scale.outcome_label(a.calibrated_outcome)
    return found

"""The calibration committee's figures, the disagreement map and the results export, as data.

Every figure is an aggregate the database computes (GROUP BY), never ratings read
into Python: one level of a large company is a thousand people and eighty thousand
ratings. So the committee's page runs the same queries whatever the number of
people, and its time follows the time of those aggregates. What the pages count is
decided in one place (permissions.counted): reviewed or later, never the
reader's own assessment. Templates draw the charts from the dataclasses here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from math import ceil
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Avg, Count, F, Q, Sum
from django.db.models.functions import Abs
from django.utils import timezone

from assessments.models import Assessment, Cycle, Rating
from assessments.permissions import (
    Action,
    allowed,
    calibrates,
    can_close_calibration,
    counted,
    others,
    shows_results,
    whole_number,
)
from assessments.progress import published_level
from assessments.scale import CHARTED, OUTCOME_HELP, Outcome, Score
from ladder.areas import AREA_KINDS, AREA_NAMES
from ladder.models import Behaviour, Level
from ladder.spreadsheets import guarded

if TYPE_CHECKING:
    from django.http import QueryDict

    from ladder.models import User

# People per page of the committee's list; the figures always cover everyone filtered.
PAGE_SIZE = 50
# The people whose self-scores and manager's scores are furthest apart.
GAPS_SHOWN = 10
# A manager whose average is this close to everyone's rates like everyone else.
IN_LINE = 0.1
# The disagreement map shows no figure for a behaviour with fewer rated pairs:
# with so few, a figure is about people, not about the wording.
MIN_PAIRS = 5
# Charts are drawn this many SVG units wide, names above their bars, so that one
# layout reads at a phone's width as on a laptop (where CSS caps the width).
CHART_WIDTH = 360
# Filter values longer than this are nobody's level, track or id; cut before echoing.
ECHO_MAX = 40

BOTH_CHARTED = Q(score__gte=Score.NOT_YET, manager_score__gte=Score.NOT_YET)


def _person(first: str, last: str, username: str) -> str:
    """A name as User.__str__ writes it, from values read in an aggregate's row."""
    return f"{first} {last}".strip() or username


# ---- filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class Scope:
    """The cycle's levels and the people who reviewed in it: what filters may name."""

    levels: dict[int, Level]  # the cycle's framework version, with tracks
    managers: dict[int, str]  # reviewers of the assessments the reader may count

    @classmethod
    def of(cls, user: User, cycle: Cycle) -> Scope:
        levels = Level.objects.filter(framework_id=cycle.framework_id).select_related("track")
        reviewers = (
            Assessment.objects.filter(counted(user, cycle), reviewer__isnull=False)
            .order_by()
            .values_list(
                "reviewer_id", "reviewer__first_name", "reviewer__last_name", "reviewer__username"
            )
            .distinct()
        )
        return cls(
            levels={level.pk: level for level in levels},
            managers={pk: _person(*names) for pk, *names in reviewers},
        )

    def level_choices(self) -> list[Choice]:
        codes = sorted({(lv.rank, lv.code) for lv in self.levels.values()})
        return [Choice(code, code) for _rank, code in codes]

    def track_choices(self) -> list[Choice]:
        tracks = sorted({(lv.track.name, lv.track.slug) for lv in self.levels.values()})
        return [Choice(slug, name) for name, slug in tracks]

    def manager_choices(self) -> list[Choice]:
        return [
            Choice(str(pk), name)
            for pk, name in sorted(self.managers.items(), key=lambda item: item[1].casefold())
        ]


@dataclass
class Filters:
    level: str = ""  # a level code, such as IC5, across tracks
    track: str = ""  # a track's slug
    manager: int | None = None  # a reviewer's id
    page: int = 1
    errors: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, params: QueryDict, scope: Scope) -> Filters:
        """The filters asked for; an unknown value is dropped with a message saying so."""
        filters = cls()
        level = params.get("level", "").strip().upper()
        if level and level in {lv.code for lv in scope.levels.values()}:
            filters.level = level
        elif level:
            filters.errors.append(
                f"This cycle has no level “{level[:ECHO_MAX]}”, so every level is shown."
            )
        track = params.get("track", "").strip()
        if track and track in {lv.track.slug for lv in scope.levels.values()}:
            filters.track = track
        elif track:
            filters.errors.append(
                f"This cycle has no track “{track[:ECHO_MAX]}”, so every track is shown."
            )
        manager = params.get("manager", "").strip()
        if whole_number(manager) in scope.managers:
            filters.manager = whole_number(manager)
        elif manager:
            filters.errors.append(
                "Nobody by that id reviewed an assessment in this cycle, so every manager is shown."
            )
        page = params.get("page", "")
        filters.page = whole_number(page) or 1
        return filters

    @property
    def active(self) -> bool:
        return bool(self.level or self.track or self.manager)

    def query(self, **changes) -> str:
        """The query string of these filters with `changes`, for links that keep them."""
        values = {"level": self.level, "track": self.track, "manager": self.manager or ""}
        values.update(changes)
        return urlencode({key: value for key, value in values.items() if value})

    def where(self, base: Q, scope: Scope, prefix: str = "", *, by_manager: bool = True) -> Q:
        """`base` narrowed to these filters; `prefix` as in permissions.counted."""
        level_ids = None
        if self.level:
            level_ids = {pk for pk, lv in scope.levels.items() if lv.code == self.level}
        if self.track:
            on_track = {pk for pk, lv in scope.levels.items() if lv.track.slug == self.track}
            level_ids = on_track if level_ids is None else level_ids & on_track
        where = base
        if level_ids is not None:
            where &= Q(**{f"{prefix}level_id__in": sorted(level_ids)})
        if by_manager and self.manager:
            where &= Q(**{f"{prefix}reviewer_id": self.manager})
        return where


# ---- outcomes: proposed by managers, decided by the committee ---------------------------


@dataclass(frozen=True)
class OutcomeRow:
    value: int
    label: str
    help: str
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


def outcomes_of(population: Q) -> Outcomes:
    """Counts by status and by outcome, proposed and decided: one small GROUP BY."""
    groups = (
        Assessment.objects.filter(population)
        .order_by()
        .values_list("status", "proposed_outcome", "calibrated_outcome")
        .annotate(n=Count("pk"))
    )
    by_status = dict.fromkeys(Assessment.Status.values, 0)
    proposed = dict.fromkeys(Outcome.values, 0)
    calibrated = dict.fromkeys(Outcome.values, 0)
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
            OutcomeRow(int(o), o.label, OUTCOME_HELP[o], proposed[o], calibrated[o])
            for o in Outcome
        ],
    )


# ---- area scores: self and manager, per area --------------------------------------------


@dataclass(frozen=True)
class Side:
    """One side's scores in one area: how many of each charted score, and the average."""

    counts: tuple[int, ...]  # in CHARTED order: not yet, sometimes, consistently, beyond
    no_evidence: int

    @property
    def total(self) -> int:
        return sum(self.counts)

    @property
    def average(self) -> float | None:
        if not self.total:
            return None
        return sum(int(s) * n for s, n in zip(CHARTED, self.counts, strict=True)) / self.total

    @property
    def percents(self) -> list[int]:
        return [round(100 * n / self.total) if self.total else 0 for n in self.counts]


@dataclass(frozen=True)
class AreaScores:
    kind: str
    name: str
    self_side: Side
    manager_side: Side


SCORE_LABELS = [(int(s), s.label) for s in CHARTED]


@dataclass
class AreaDistribution:
    areas: list[AreaScores]

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
                for (score, score_label), count in zip(SCORE_LABELS, side.counts, strict=True):
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
                            f"seg-{score}",
                            "",
                            f"{area.name}, {name}: {score_label} {count} ({share}%)",
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


def areas_of(ratings: Q) -> AreaDistribution:
    """How often each score was given per area, by the engineers and by their managers."""
    columns = {
        **{f"s{int(s)}": Count("pk", filter=Q(score=s)) for s in Score},
        **{f"m{int(s)}": Count("pk", filter=Q(manager_score=s)) for s in Score},
    }
    rows = {
        row["kind"]: row
        for row in Rating.objects.filter(ratings)
        .order_by()
        .values(kind=F("behaviour__area__kind"))
        .annotate(**columns)
    }
    areas = []
    for kind in AREA_KINDS:
        row = rows.get(kind)
        if row is None:
            continue
        areas.append(
            AreaScores(
                kind=kind,
                name=AREA_NAMES[kind],
                self_side=Side(tuple(row[f"s{int(s)}"] for s in CHARTED), row["s0"]),
                manager_side=Side(tuple(row[f"m{int(s)}"] for s in CHARTED), row["m0"]),
            )
        )
    return AreaDistribution(areas)


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
        Rating.objects.filter(ratings, manager_score__gte=Score.NOT_YET)
        .order_by()
        .values_list("assessment__reviewer_id")
        .annotate(
            total=Sum("manager_score"),
            n=Count("pk"),
            people=Count("assessment_id", distinct=True),
            gap=Sum(F("manager_score") - F("score"), filter=Q(score__gte=Score.NOT_YET)),
            pairs=Count("pk", filter=Q(score__gte=Score.NOT_YET)),
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
    gap: float  # self minus manager, over the behaviours both scored
    differ: int  # behaviours where the two scores differ
    pairs: int


def gaps_of(population: Q, names: dict[int, str]) -> list[Gap]:
    """The people whose own scores and their manager's are furthest apart, either way."""
    rows = (
        Assessment.objects.filter(population)
        .order_by()
        .annotate(
            self_average=Avg("ratings__score", filter=Q(ratings__score__gte=Score.NOT_YET)),
            manager_average=Avg(
                "ratings__manager_score", filter=Q(ratings__manager_score__gte=Score.NOT_YET)
            ),
            gap=Avg(
                F("ratings__score") - F("ratings__manager_score"),
                filter=Q(
                    ratings__score__gte=Score.NOT_YET,
                    ratings__manager_score__gte=Score.NOT_YET,
                ),
            ),
            differ=Count(
                "ratings",
                filter=Q(
                    ratings__score__gte=Score.NOT_YET,
                    ratings__manager_score__gte=Score.NOT_YET,
                )
                & ~Q(ratings__score=F("ratings__manager_score")),
            ),
            pairs=Count(
                "ratings",
                filter=Q(
                    ratings__score__gte=Score.NOT_YET,
                    ratings__manager_score__gte=Score.NOT_YET,
                ),
            ),
        )
        .filter(gap__isnull=False)
        .order_by(Abs("gap").desc(), "pk")
        .values_list(
            "pk",
            "engineer__first_name",
            "engineer__last_name",
            "engineer__username",
            "reviewer_id",
            "self_average",
            "manager_average",
            "gap",
            "differ",
            "pairs",
        )[:GAPS_SHOWN]
    )
    return [
        Gap(pk, _person(first, last, username), names.get(reviewer, "—"), *figures)
        for pk, first, last, username, reviewer, *figures in rows
    ]


@dataclass(frozen=True)
class Person:
    assessment: Assessment  # with engineer and reviewer
    level: Level
    can_decide: bool

    @property
    def chosen(self) -> int | None:
        """The outcome the decision form starts at: the committee's, else the proposal."""
        a = self.assessment
        return a.calibrated_outcome or a.proposed_outcome


OUTCOMES = [(int(o), o.label) for o in Outcome]


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
    people = []
    for a in assessments:
        a.cycle = cycle  # the policy reads the cycle: this one, not a query per person
        # Every assessment's level is of the cycle's version; the cache covers one that isn't.
        level = scope.levels.get(a.level_id) or published_level(a.level_id)
        people.append(Person(a, level, allowed(user, a, Action.DECIDE)))
    return people, page, pages


# ---- the committee's page ------------------------------------------------------------------


@dataclass
class CommitteePage:
    cycle: Cycle
    scope: Scope
    filters: Filters
    outcomes: Outcomes
    areas: AreaDistribution
    managers: Managers
    gaps: list[Gap]
    people: list[Person]
    page: int
    pages: int
    can_close: bool
    everyone: Outcomes  # the whole cycle as the reader may count it, for closing
    outcome_choices: list[tuple[int, str]] = field(default_factory=lambda: OUTCOMES)

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.people else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * PAGE_SIZE + len(self.people)


def committee_page(user: User, cycle: Cycle, params: QueryDict) -> CommitteePage:
    """Everything the committee's page shows, in a fixed number of queries."""
    scope = Scope.of(user, cycle)
    filters = Filters.read(params, scope)
    base = counted(user, cycle)
    population = filters.where(base, scope)
    outcomes = outcomes_of(population)
    people, page, pages = people_of(
        user, cycle, population, scope, page=filters.page, total=outcomes.total
    )
    ratings = filters.where(counted(user, cycle, "assessment__"), scope, "assessment__")
    # Managers are compared with everyone at the chosen level and track, so the
    # manager filter marks one of them instead of leaving them alone in the comparison.
    all_managers = filters.where(
        counted(user, cycle, "assessment__"), scope, "assessment__", by_manager=False
    )
    return CommitteePage(
        cycle=cycle,
        scope=scope,
        filters=filters,
        outcomes=outcomes,
        areas=areas_of(ratings),
        managers=managers_of(all_managers, scope.managers, filters.manager),
        gaps=gaps_of(population, scope.managers),
        people=people,
        page=page,
        pages=pages,
        can_close=can_close_calibration(user, cycle),
        everyone=outcomes_of(base) if filters.active else outcomes,
    )


# ---- the disagreement map ---------------------------------------------------------------

# Colour buckets, lowest first: (upper bound, CSS class). Classes, not inline styles.
RATE_BUCKETS = [(0.10, "heat-0"), (0.25, "heat-1"), (0.40, "heat-2"), (0.60, "heat-3")]
DISTANCE_BUCKETS = [(0.25, "heat-0"), (0.50, "heat-1"), (0.75, "heat-2"), (1.00, "heat-3")]
LEAN_EVEN = 0.2
LEAN_STRONG = 0.5
MAP_SORTS = {
    "area": "Ladder order",
    "rate": "How often they differ",
    "distance": "How far apart",
}


def _bucket(value: float, buckets: list[tuple[float, str]]) -> str:
    return next((css for bound, css in buckets if value < bound), "heat-4")


@dataclass(frozen=True)
class Disagreement:
    """Self against manager on one behaviour; figures only with MIN_PAIRS pairs or more."""

    pairs: int
    differ: int
    distance: float  # mean absolute difference, in steps of the scale
    lean: float  # mean of self minus manager: above 0, engineers rate themselves higher

    @property
    def rate(self) -> float:
        return self.differ / self.pairs

    @property
    def percent(self) -> int:
        return round(100 * self.rate)

    @property
    def rate_class(self) -> str:
        return _bucket(self.rate, RATE_BUCKETS)

    @property
    def distance_class(self) -> str:
        return _bucket(self.distance, DISTANCE_BUCKETS)

    @property
    def lean_class(self) -> str:
        if abs(self.lean) < LEAN_EVEN:
            return "lean-even"
        side = "self" if self.lean > 0 else "manager"
        return f"lean-{side}-{2 if abs(self.lean) >= LEAN_STRONG else 1}"

    @property
    def lean_words(self) -> str:
        if abs(self.lean) < LEAN_EVEN:
            return "even"
        return f"{'self' if self.lean > 0 else 'manager'} higher by {abs(self.lean):.1f}"


@dataclass(frozen=True)
class MapRow:
    behaviour_id: int
    text: str
    level: str
    track: str
    area: str
    responsibility: str
    figures: Disagreement | None  # None below MIN_PAIRS: no figure leaves the server
    pairs_below: bool  # fewer than MIN_PAIRS rated pairs


@dataclass(frozen=True)
class MapGroup:
    heading: str
    rows: list[MapRow]


@dataclass
class DisagreementMap:
    cycle: Cycle
    sort: str
    level: str
    levels: list[str]
    groups: list[MapGroup]  # by level and area in ladder order; one group when sorted
    errors: list[str]
    min_pairs: int = MIN_PAIRS
    sorts: dict[str, str] = field(default_factory=lambda: MAP_SORTS)

    @property
    def shown(self) -> int:
        return sum(1 for g in self.groups for r in g.rows if r.figures is not None)

    @property
    def hidden(self) -> int:
        return sum(1 for g in self.groups for r in g.rows if r.figures is None)

    def query(self, **changes) -> str:
        values = {"level": self.level, "sort": self.sort if self.sort != "area" else ""}
        values.update(changes)
        return urlencode({key: value for key, value in values.items() if value})


def disagreement_map(user: User, cycle: Cycle, params: QueryDict) -> DisagreementMap:
    """Per behaviour, how often and how far self and manager differ: aggregates only.

    A pair counts when both scored the behaviour on the scale; "No evidence yet" on
    either side is an answer but not a position, so it is neither agreement nor a gap.
    """
    errors = []
    sort = params.get("sort", "area")
    if sort not in MAP_SORTS:
        errors.append("That is not a way this map sorts, so it is in ladder order.")
        sort = "area"
    assessments = Assessment.objects.filter(counted(user, cycle))
    levels = sorted(
        set(assessments.order_by().values_list("level__rank", "level__code").distinct())
    )
    codes = [code for _rank, code in levels]
    level = params.get("level", "").strip().upper()
    if level and level not in codes:
        errors.append(f"No one at level “{level[:ECHO_MAX]}” counts here, so every level is shown.")
        level = ""

    ratings = Rating.objects.filter(counted(user, cycle, "assessment__"), BOTH_CHARTED)
    behaviours = Behaviour.objects.filter(area__level_id__in=assessments.values("level_id"))
    if level:
        ratings = ratings.filter(behaviour__area__level__code=level)
        behaviours = behaviours.filter(area__level__code=level)
    difference = F("score") - F("manager_score")
    stats = {
        pk: (pairs, differ, distance, lean)
        for pk, pairs, differ, distance, lean in ratings.order_by()
        .values_list("behaviour_id")
        .annotate(
            pairs=Count("pk"),
            differ=Count("pk", filter=~Q(score=F("manager_score"))),
            distance=Avg(Abs(difference)),
            lean=Avg(difference),
        )
    }
    rows = []
    for pk, text, kind, code, track, responsibility in behaviours.order_by(
        "area__level__track__name",
        "area__level__rank",
        "area__level__code",
        "area__order",
        "responsibility__order",
        "responsibility_id",
        "order",
        "pk",
    ).values_list(
        "pk",
        "text",
        "area__kind",
        "area__level__code",
        "area__level__track__name",
        "responsibility__name",
    ):
        pairs, differ, distance, lean = stats.get(pk, (0, 0, 0.0, 0.0))
        enough = pairs >= MIN_PAIRS
        rows.append(
            MapRow(
                behaviour_id=pk,
                text=text,
                level=code,
                track=track,
                area=AREA_NAMES[kind],
                responsibility=responsibility or "",
                figures=Disagreement(pairs, differ, distance, lean) if enough else None,
                pairs_below=not enough,
            )
        )
    if sort == "area":
        groups: dict[str, list[MapRow]] = {}
        several = len({(r.level, r.track) for r in rows}) > 1
        for row in rows:
            where = f"{row.level} {row.track} · " if several else ""
            groups.setdefault(f"{where}{row.area}", []).append(row)
        grouped = [MapGroup(heading, items) for heading, items in groups.items()]
    else:
        measure = (lambda f: f.rate) if sort == "rate" else (lambda f: f.distance)
        # Behaviours without figures go last, in ladder order (a stable sort keeps it).
        ordered = sorted(rows, key=lambda r: -measure(r.figures) if r.figures else 1)
        grouped = [MapGroup("", ordered)]
    return DisagreementMap(
        cycle=cycle, sort=sort, level=level, levels=codes, groups=grouped, errors=errors
    )


# ---- the results export -----------------------------------------------------------------


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else ""


def _average(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else ""


def results_table(user: User, cycle: Cycle) -> Iterator[list[str]]:
    """The cycle's results, a header then one row per assessment, no cell a formula.

    Every assessment of the cycle has a row, so whoever runs it sees who is where.
    The committee also gets the review figures and outcomes once reviewed
    (permissions.shows_results): proposed outcome, its own reason, average scores per
    area. Whoever runs cycles without a seat on the committee reads no scores: they
    get each person's progress, and the calibrated outcome once it is shared with the
    engineer (what they act on). The reader's own row is left out, as on the
    committee's page.
    """
    if not calibrates(user, cycle):
        yield from _progress_table(user, cycle)
        return
    levels = _levels(cycle)
    assessments = _assessments(user, cycle)
    averages: dict[tuple[int, str], tuple[float | None, float | None]] = {
        (pk, kind): (own, manager)
        for pk, kind, own, manager in Rating.objects.filter(counted(user, cycle, "assessment__"))
        .order_by()
        .values_list("assessment_id", "behaviour__area__kind")
        .annotate(
            own=Avg("score", filter=Q(score__gte=Score.NOT_YET)),
            manager=Avg("manager_score", filter=Q(manager_score__gte=Score.NOT_YET)),
        )
    }
    header = [
        *PROGRESS_COLUMNS,
        "Reviewed",
        "Proposed outcome",
        "Calibrated outcome",
        "Calibration reason",
    ]
    for kind in AREA_KINDS:
        header += [f"{AREA_NAMES[kind]} self", f"{AREA_NAMES[kind]} manager"]
    yield [guarded(cell) for cell in header]
    for a in assessments:
        results = shows_results(a.status)
        row = [
            *_progress(a, levels.get(a.level_id)),
            _day(a.reviewed_at) if results else "",
            a.get_proposed_outcome_display() if results and a.proposed_outcome else "",
            a.get_calibrated_outcome_display() if results and a.calibrated_outcome else "",
            a.calibration_reason if results else "",
        ]
        for kind in AREA_KINDS:
            own, manager = averages.get((a.pk, kind), (None, None))
            row += [_average(own), _average(manager)]
        yield [guarded(cell) for cell in row]


PROGRESS_COLUMNS = ["Engineer", "Username", "Level", "Track", "Reviewer", "Status", "Submitted"]


def _progress_table(user: User, cycle: Cycle) -> Iterator[list[str]]:
    """Who is where, for whoever runs the cycle: no score, no reason, outcomes once shared."""
    levels = _levels(cycle)
    yield [guarded(cell) for cell in [*PROGRESS_COLUMNS, "Shared outcome"]]
    for a in _assessments(user, cycle):
        shared = a.results_shared and a.calibrated_outcome is not None
        outcome = a.get_calibrated_outcome_display() if shared else ""
        yield [guarded(cell) for cell in [*_progress(a, levels.get(a.level_id)), outcome]]


def _levels(cycle: Cycle) -> dict[int, Level]:
    levels = Level.objects.filter(framework_id=cycle.framework_id).select_related("track")
    return {level.pk: level for level in levels}


def _assessments(user: User, cycle: Cycle):
    return (
        Assessment.objects.filter(others(user, cycle))
        .select_related("engineer", "reviewer")
        .defer("summary", "summary_html", "return_note", "calibration_reason_html")
        .order_by("engineer__last_name", "engineer__first_name", "engineer__username", "pk")
    )


def _progress(a: Assessment, level: Level | None) -> list[str]:
    return [
        str(a.engineer),
        a.engineer.username,
        level.code if level else "",
        level.track.name if level else "",
        str(a.reviewer) if a.reviewer else "",
        a.get_status_display(),
        _day(a.submitted_at),
    ]

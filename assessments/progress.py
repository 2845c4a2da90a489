"""The assessment page's data: the rubric with each rating in place, progress and the chart."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Q, prefetch_related_objects

from assessments.models import Assessment, Rating
from assessments.scale import CHARTED, HIGHEST, Score
from ladder.models import Area, Behaviour, Level, rubric_prefetches


@dataclass
class Row:
    behaviour: Behaviour
    rating: Rating
    # After a refused plain-form save: what the person sent, shown back to them.
    score: int | None = None
    evidence: str = ""
    conflict: bool = False
    errors: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.score, self.evidence = self.rating.score, self.rating.evidence


@dataclass
class Group:
    name: str  # the responsibility, or "" under a level expectation
    rows: list[Row]
    beside: list[Behaviour] = field(default_factory=list)  # the next level's, if shown


@dataclass
class AreaProgress:
    kind: str
    name: str
    answered: int
    total: int
    average: float | None  # mean of the charted scores, None when none yet

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def bar_width(self) -> float:
        """Share of the chart's width for the average score, 0 to 100."""
        return 0 if self.average is None else round(100 * self.average / HIGHEST, 1)


@dataclass
class Progress:
    areas: list[AreaProgress]

    @property
    def answered(self) -> int:
        return sum(a.answered for a in self.areas)

    @property
    def total(self) -> int:
        return sum(a.total for a in self.areas)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def complete(self) -> bool:
        return self.answered == self.total

    @property
    def remaining(self) -> int:
        return self.total - self.answered

    def chart(self) -> dict:
        """Geometry for the server-drawn SVG bar chart of average self-score per area."""
        label, bars, row = 170, 160, 28
        ticks = [
            {"x": label + round(bars * score / HIGHEST), "value": int(score)} for score in CHARTED
        ]
        rows = [
            {
                "y": 8 + index * row,
                "text_y": 8 + index * row + 15,
                "name": area.name,
                "width": round(bars * area.bar_width / 100),
                "average": area.average,
            }
            for index, area in enumerate(self.areas)
        ]
        return {
            "width": label + bars + 12,
            "height": 8 + len(rows) * row + 24,
            "label": label,
            "bars": bars,
            "axis_y": 8 + len(rows) * row,
            "ticks": ticks,
            "rows": rows,
        }


@dataclass
class Section:
    area: Area
    groups: list[Group]
    progress: AreaProgress


def load_rubric(level: Level) -> None:
    """Prefetch a level's areas, responsibilities and behaviours onto it: 3 queries."""
    prefetch_related_objects([level], *rubric_prefetches())


def sections(assessment: Assessment, beside: Level | None = None) -> list[Section]:
    """The assessment's rubric in ladder order, each behaviour with its rating.

    Loads the level's rubric (3 queries) and the ratings (1 query); progress is
    counted from those rows, not queried again.
    """
    load_rubric(assessment.level)
    ratings = {r.behaviour_id: r for r in assessment.ratings.all()}
    beside_groups = _beside_groups(beside)
    result = []
    for area in assessment.level.areas.all():
        groups = []
        for responsibility, behaviours in area.grouped_behaviours():
            name = responsibility.name if responsibility else ""
            rows = [Row(b, ratings[b.pk]) for b in behaviours if b.pk in ratings]
            groups.append(
                Group(name=name, rows=rows, beside=beside_groups.get((area.kind, name.lower()), []))
            )
        rows = [row for group in groups for row in group.rows]
        result.append(Section(area=area, groups=groups, progress=_area_progress(area, rows)))
    return result


def _area_progress(area: Area, rows: list[Row]) -> AreaProgress:
    charted = [
        row.rating.score for row in rows if row.rating.score not in (None, Score.NO_EVIDENCE)
    ]
    return AreaProgress(
        kind=area.kind,
        name=area.name,
        answered=sum(1 for row in rows if row.rating.is_answered),
        total=len(rows),
        average=sum(charted) / len(charted) if charted else None,
    )


def _beside_groups(level: Level | None) -> dict[tuple[str, str], list[Behaviour]]:
    if level is None:
        return {}
    load_rubric(level)
    found: dict[tuple[str, str], list[Behaviour]] = {}
    for area in level.areas.all():
        for responsibility, behaviours in area.grouped_behaviours():
            name = responsibility.name if responsibility else ""
            found[(area.kind, name.lower())] = behaviours
    return found


def progress_of(assessment: Assessment) -> Progress:
    """Progress per area in one aggregate query, for the autosave response."""
    rows = (
        Rating.objects.filter(assessment=assessment)
        .values("behaviour__area__kind", "behaviour__area__order")
        .annotate(
            total=Count("pk"),
            answered=Count("score"),
            average=Avg("score", filter=Q(score__gte=Score.NOT_YET)),
        )
        .order_by("behaviour__area__order")
    )
    names = dict(Area.Kind.choices)
    return Progress(
        areas=[
            AreaProgress(
                kind=row["behaviour__area__kind"],
                name=names[row["behaviour__area__kind"]],
                answered=row["answered"],
                total=row["total"],
                average=row["average"],
            )
            for row in rows
        ]
    )

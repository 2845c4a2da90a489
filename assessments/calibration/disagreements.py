"""The disagreement map: for each behaviour, how often and how far self and manager differ."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Avg, Count, F, Q
from django.db.models.functions import Abs

from assessments.calibration.filters import ECHO_MAX
from assessments.models import Assessment, Cycle, Rating
from assessments.permissions import (
    counted,
)
from ladder.formats.document import FLAT_LIST_LABEL
from ladder.models import Behaviour
from ladder.scale import FIRST_STEP

if TYPE_CHECKING:
    from django.http import QueryDict

    from ladder.models import User

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

# The disagreement map shows no figure for a behaviour with fewer rated pairs:
# with so few, a figure is about people, not about the wording.
MIN_PAIRS = 5

BOTH_CHARTED = Q(score__gte=FIRST_STEP, manager_score__gte=FIRST_STEP)


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
    for pk, text, area, code, track, responsibility in behaviours.order_by(
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
        "area__name",
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
                area=area or FLAT_LIST_LABEL,
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

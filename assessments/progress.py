"""The assessment page's data: the rubric with each rating in place, progress and the chart.

This is the page people spend the most time in, and the hottest path of the app,
so it avoids work that repeats: a published level never changes, so its outline
(areas, responsibilities, behaviour texts) is built once per process and reused;
ratings are read as plain tuples, not model instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from django.db.models import Avg, Count, Q, prefetch_related_objects
from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import SafeString, mark_safe

from assessments.models import Assessment, Rating
from assessments.scale import CHARTED, HIGHEST, Score
from ladder.models import Area, Level, rubric_prefetches

# ---- the rubric's outline


# The *_html fields are escaped (or rendered) once, when the outline is built, since
# the outline is reused for every view of the level.


@dataclass(frozen=True)
class OutlineBehaviour:
    id: int
    text: str
    text_html: str


@dataclass(frozen=True)
class OutlineGroup:
    name: str  # the responsibility, or "" under a level expectation
    name_html: str
    behaviours: tuple[OutlineBehaviour, ...]


@dataclass(frozen=True)
class OutlineArea:
    kind: str
    name: str
    description_html: str
    groups: tuple[OutlineGroup, ...]


@dataclass(frozen=True)
class LevelRef:
    id: int
    code: str
    title: str


@dataclass(frozen=True)
class Outline:
    areas: tuple[OutlineArea, ...]
    higher: LevelRef | None  # the next level of the track in the same version


# Published levels and their outlines, oldest first; a few hundred is a whole company.
_OUTLINES: dict[tuple[int, datetime], Outline] = {}
_LEVELS: dict[int, Level] = {}
_KEPT = 512


def _keep(cache: dict, key, value) -> None:
    cache[key] = value
    if len(cache) > _KEPT:
        cache.pop(next(iter(cache)), None)


def forget_published_levels() -> None:
    """Empty the caches (tests roll back, and may hand out the same keys again)."""
    _OUTLINES.clear()
    _LEVELS.clear()


def published_level(level_id: int) -> Level:
    """A level with its framework; kept once published, since it can't change after that."""
    level = _LEVELS.get(level_id)
    if level is None:
        level = Level.objects.select_related("framework").get(pk=level_id)
        if level.framework.is_published:
            _keep(_LEVELS, level_id, level)
    return level


def outline_of(level: Level) -> Outline:
    """The level's rubric in ladder order; kept for published levels, which never change."""
    if not level.framework.is_published:
        return _build_outline(level)
    # published_at is part of the key so an outline can only ever be reused for
    # the very version it was built from.
    key = (level.pk, level.framework.published_at)
    outline = _OUTLINES.get(key)
    if outline is None:
        outline = _build_outline(level)
        _keep(_OUTLINES, key, outline)
    return outline


def _build_outline(level: Level) -> Outline:
    prefetch_related_objects([level], *rubric_prefetches())
    higher = (
        Level.objects.filter(
            framework_id=level.framework_id, track_id=level.track_id, rank__gt=level.rank
        )
        .order_by("rank")
        .values_list("pk", "code", "title")
        .first()
    )
    return Outline(
        higher=LevelRef(*higher) if higher else None,
        areas=tuple(
            OutlineArea(
                kind=area.kind,
                name=area.name,
                description_html=linebreaks_filter(area.description) if area.description else "",
                groups=tuple(
                    OutlineGroup(
                        name=responsibility.name if responsibility else "",
                        name_html=escape(responsibility.name) if responsibility else "",
                        behaviours=tuple(
                            OutlineBehaviour(b.pk, b.text, escape(b.text)) for b in behaviours
                        ),
                    )
                    for responsibility, behaviours in area.grouped_behaviours()
                ),
            )
            for area in level.areas.all()
        ),
    )


# ---- ratings, progress and the chart


@dataclass
class RatingState:
    """A rating as read for the page: plain values, no model instance."""

    id: int
    behaviour_id: int
    score: int | None
    evidence: str
    evidence_html: str
    version: int
    # Only a conflict shows when the other save happened, and it reads the row afresh.
    updated_at: datetime | None = None

    FIELDS = ("pk", "behaviour_id", "score", "evidence", "evidence_html", "version")

    @property
    def score_label(self) -> str:
        return Score(self.score).label if self.score is not None else "Not answered"


def rating_states(assessment: Assessment) -> dict[int, RatingState]:
    rows = Rating.objects.filter(assessment=assessment).order_by().values_list(*RatingState.FIELDS)
    return {row[1]: RatingState(*row) for row in rows}


@dataclass
class AreaProgress:
    kind: str
    name: str
    answered: int
    total: int
    average: float | None  # mean of the charted scores, None when none yet

    @property
    def bar_width(self) -> float:
        """Share of the chart's width for the average score, 0 to 100."""
        return 0 if self.average is None else round(100 * self.average / HIGHEST, 1)


def area_progress(area: OutlineArea, scores: list[int | None]) -> AreaProgress:
    charted = [s for s in scores if s is not None and s != Score.NO_EVIDENCE]
    return AreaProgress(
        kind=area.kind,
        name=area.name,
        answered=sum(1 for s in scores if s is not None),
        total=len(scores),
        average=sum(charted) / len(charted) if charted else None,
    )


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
    def remaining(self) -> int:
        return self.total - self.answered

    def area_list(self) -> SafeString:
        """Each area's answered count, linking to the area on the page."""
        items = "".join(
            f'<li><a href="#{a.kind}">{escape(a.name)}</a> '
            f'<span class="muted">{a.answered}/{a.total}</span></li>'
            for a in self.areas
        )
        return mark_safe(f'<ul class="area-progress">{items}</ul>')  # names escaped

    def svg(self) -> SafeString:
        """A bar chart of the average self-score per area, drawn on the server.

        Plain SVG prints well, needs no script, and reads out through its title and
        description; the progress list beside it says the same in words.
        """
        label, bars, row = 192, 150, 28
        axis = 8 + len(self.areas) * row
        parts = [
            f'<svg class="chart" viewBox="0 0 {label + bars + 12} {axis + 24}" width="100%" '
            'role="img" aria-labelledby="chart-title chart-desc">'
            '<title id="chart-title">Average self-score per area</title><desc id="chart-desc">'
        ]
        parts += [
            f"{escape(a.name)}: "
            + ("no scores yet. " if a.average is None else f"{a.average:.1f} of 4. ")
            for a in self.areas
        ]
        parts.append("</desc>")
        for score in CHARTED:
            x = label + round(bars * score / HIGHEST)
            parts.append(
                f'<line x1="{x}" x2="{x}" y1="4" y2="{axis}" class="chart-grid"/>'
                f'<text x="{x}" y="{axis + 18}" class="chart-tick">{int(score)}</text>'
            )
        for index, a in enumerate(self.areas):
            y = 8 + index * row
            width = round(bars * a.bar_width / 100)
            parts.append(
                f'<text x="0" y="{y + 15}" class="chart-label">{escape(a.name)}</text>'
                f'<rect x="{label}" y="{y}" width="{width}" height="18" rx="3" class="chart-bar"/>'
            )
        parts.append("</svg>")
        return mark_safe("".join(parts))  # names are escaped; the rest are numbers


def progress_of(assessment: Assessment) -> Progress:
    """Progress per area for the autosave response, in one query.

    With the level's outline already in memory (the page was viewed), the scores
    alone are read and counted here; otherwise one aggregate query groups them.
    """
    level = _LEVELS.get(assessment.level_id)
    outline = level and _OUTLINES.get((level.pk, level.framework.published_at))
    if outline:
        scores = (
            Rating.objects.filter(assessment=assessment)
            .order_by()
            .values_list("behaviour_id", "score")
        )
        return page_progress(outline, dict(scores))
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


def page_progress(outline: Outline, scores: dict[int, int | None]) -> Progress:
    """Progress per area from scores by behaviour id, already read: no query."""
    return Progress(
        areas=[
            area_progress(
                area, [scores[b.id] for g in area.groups for b in g.behaviours if b.id in scores]
            )
            for area in outline.areas
        ]
    )

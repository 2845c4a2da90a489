"""The assessment page's data: the rubric with each rating in place, progress and the chart.

This is the page people spend the most time in, and the hottest path of the app,
so it avoids work that repeats: a published level never changes, so its outline
(areas, responsibilities, behaviour texts) is built once per process and reused;
ratings are read as plain tuples, not model instances.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Max, prefetch_related_objects
from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import SafeString

from assessments.models import Assessment, Rating
from ladder.models import DataEpoch, Framework, Level, rubric_prefetches
from ladder.scale import NO_EVIDENCE, Scale

# ---- the rubric's outline


@dataclass(frozen=True)
class OutlineBehaviour:
    id: int
    text: str
    examples: tuple[str, ...] = ()  # help shown with it, not rated


@dataclass(frozen=True)
class OutlineGroup:
    name: str  # the responsibility, or "" under a level expectation
    behaviours: tuple[OutlineBehaviour, ...]


@dataclass(frozen=True)
class OutlineArea:
    id: int
    key: str
    name: str
    group: str  # the name of the group it is in, or ""
    description: str
    # The description as paragraphs, escaped: made once with the outline, which is kept.
    description_html: SafeString
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
    scale: Scale  # the version's rating and outcome scales


# Published levels and their outlines, oldest first; a few hundred is a whole company.
_OUTLINES: dict[tuple[int, datetime], Outline] = {}
_LEVELS: dict[int, Level] = {}
_KEPT = 512


def _keep(cache: dict, key, value) -> None:
    cache[key] = value
    if len(cache) > _KEPT:
        cache.pop(next(iter(cache)), None)


# The newest published version number per framework, and when it was read. A new
# version can be published at any time; a page may learn of it a minute late.
_NEWEST: dict[str, tuple[int | None, float]] = {}
NEWEST_VERSION_SECONDS = 60


# The database's epoch (ladder.models.DataEpoch) as last read, and when. A restore from
# a backup changes it; the caches above are emptied within EPOCH_SECONDS of that.
_UNREAD = object()
_epoch: list = [_UNREAD, float("-inf")]
EPOCH_SECONDS = 1.0


def forget_published_levels() -> None:
    """Empty the caches (tests roll back, and may hand out the same keys again)."""
    _OUTLINES.clear()
    _LEVELS.clear()
    _NEWEST.clear()


def _same_database() -> None:
    """Empty the caches if the database was restored since they were filled.

    One small query a second at most, whatever the traffic.
    """
    now = time.monotonic()
    if now - _epoch[1] < EPOCH_SECONDS:
        return
    value = DataEpoch.objects.values_list("value", flat=True).first()
    if _epoch[0] is not _UNREAD and value != _epoch[0]:
        forget_published_levels()
    _epoch[:] = [value, now]


def newer_version(framework: Framework) -> int | None:
    """The newest version of this framework published after it, if any; read once a minute."""
    _same_database()
    now = time.monotonic()
    newest, read_at = _NEWEST.get(framework.slug, (None, -NEWEST_VERSION_SECONDS))
    if now - read_at >= NEWEST_VERSION_SECONDS:
        newest = (
            Framework.objects.published()
            .filter(slug=framework.slug)
            .aggregate(newest=Max("version"))["newest"]
        )
        _NEWEST[framework.slug] = (newest, now)
    return newest if newest is not None and newest > framework.version else None


def published_level(level_id: int) -> Level:
    """A level with its framework and track; kept once published, since it can't change."""
    _same_database()
    level = _LEVELS.get(level_id)
    if level is None:
        level = Level.objects.select_related("framework", "track").get(pk=level_id)
        if level.framework.is_published:
            _keep(_LEVELS, level_id, level)
    return level


def scale_of(assessment: Assessment) -> Scale:
    """The scales of the assessment's framework version, kept with its published level."""
    return published_level(assessment.level_id).framework.scale


def outline_of(level: Level) -> Outline:
    """The level's rubric in ladder order; kept for published levels, which never change."""
    if not level.framework.is_published:
        return _build_outline(level)
    _same_database()
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
        scale=level.framework.scale,
        areas=tuple(
            OutlineArea(
                id=area.pk,
                key=area.key,
                name=area.label,
                group=area.group.name if area.group is not None else "",
                description=area.description,
                description_html=linebreaks_filter(area.description),
                groups=tuple(
                    OutlineGroup(
                        name=responsibility.name if responsibility else "",
                        behaviours=tuple(
                            OutlineBehaviour(b.pk, b.text, tuple(b.examples)) for b in behaviours
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
    # The scale's labels, shared by every row of the page.
    labels: dict[int, str] = field(kw_only=True, repr=False, compare=False)
    # evidence_html is still the plain paragraphs saved while typing (Rating.evidence_plain).
    evidence_plain: bool = field(default=False, kw_only=True)

    FIELDS = ("pk", "behaviour_id", "score", "evidence", "evidence_html", "version")

    @property
    def score_label(self) -> str:
        return "Not answered" if self.score is None else self.labels.get(self.score, "")


def rating_states(assessment: Assessment) -> dict[int, RatingState]:
    from assessments.sql import rating_rows

    columns = ("id", *RatingState.FIELDS[1:], "evidence_plain")
    labels = scale_of(assessment).labels
    return {
        row[1]: RatingState(*row[:-1], evidence_plain=row[-1], labels=labels)
        for row in rating_rows(assessment.pk, columns)
    }


@dataclass
class AreaProgress:
    key: str
    name: str
    answered: int
    total: int
    average: float | None  # mean of the charted scores, None when none yet
    highest: int  # the scale's top step, the chart's full width

    @property
    def bar_width(self) -> float:
        """Share of the chart's width for the average score, 0 to 100."""
        return 0 if self.average is None else round(100 * self.average / self.highest, 1)


def area_progress(area: OutlineArea, scores: list[int | None], scale: Scale) -> AreaProgress:
    charted = [s for s in scores if s is not None and s != NO_EVIDENCE]
    return AreaProgress(
        key=area.key,
        name=area.name,
        answered=sum(1 for s in scores if s is not None),
        total=len(scores),
        average=sum(charted) / len(charted) if charted else None,
        highest=scale.highest,
    )


@dataclass
class Progress:
    areas: list[AreaProgress]
    scale: Scale
    # The first behaviour without an answer, in ladder order; None when all are answered.
    first_unanswered: int | None = None

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

    def chart(self) -> Chart:
        """Where the bars and grid lines of the average-score chart go, in SVG units. A
        name too long for its column takes two lines, and its row the room for them."""
        label, bars, row, line = 192, 150, 28, 19
        placed, top = [], 8
        for a in self.areas:
            lines = label_lines(a.name, PROGRESS_LABEL_CHARACTERS)
            height = row + line * (len(lines) - 1)
            placed.append(
                ChartBar(
                    area=a,
                    lines=tuple((text, top + 15 + n * line) for n, text in enumerate(lines)),
                    x=label,
                    y=top + (height - row) // 2,
                    width=round(bars * a.bar_width / 100),
                )
            )
            top += height
        return Chart(
            highest=self.scale.highest,
            width=label + bars + 12,
            height=top + 24,
            axis=top,
            ticks=[
                (score, label + round(bars * score / self.scale.highest))
                for score in self.scale.charted
            ],
            bars=placed,
        )


# How many characters of an area's name a chart's label column holds on one line: the
# progress chart's 192 units at 17px, the packet's 168 at 13px (assessments.packets.chart),
# for the widest letters a name is likely to have, capitals and m's included.
PROGRESS_LABEL_CHARACTERS = 18


def label_lines(name: str, characters: int) -> tuple[str, ...]:
    """An area's name as one line, or two broken between words, each at most `characters`
    long; what two lines can't hold ends in an ellipsis (the chart's description and the
    list beside it give the whole name)."""
    lines, current = [], ""
    for word in name.split():
        if current and len(current) + 1 + len(word) > characters:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    lines.append(current)
    lines = [text if len(text) <= characters else text[: characters - 1] + "…" for text in lines]
    if len(lines) > 2:
        lines = [lines[0], lines[1][: characters - 1].rstrip() + "…"]
    return tuple(lines)


@dataclass(frozen=True)
class ChartBar:
    area: AreaProgress
    lines: tuple[tuple[str, int], ...]  # the name's lines, each with its baseline
    x: int
    y: int
    width: int


@dataclass(frozen=True)
class Chart:
    """A bar chart of the average self-score per area, drawn by the template as SVG.

    Plain SVG prints well, needs no script, and reads out through its title and
    description; the progress list beside it says the same in words.
    """

    highest: int
    width: int
    height: int
    axis: int
    ticks: list[tuple[int, int]]  # (score, x)
    bars: list[ChartBar]


def progress_of(assessment: Assessment) -> Progress:
    """Progress per area for the panel's refresh: the level's kept outline and the scores."""
    outline = outline_of(published_level(assessment.level_id))
    scores = (
        Rating.objects.filter(assessment=assessment).order_by().values_list("behaviour_id", "score")
    )
    return page_progress(outline, dict(scores))


def page_progress(outline: Outline, scores: dict[int, int | None]) -> Progress:
    """Progress per area from scores by behaviour id, already read: no query."""
    in_order = [
        [b.id for g in area.groups for b in g.behaviours if b.id in scores]
        for area in outline.areas
    ]
    unanswered = (pk for ids in in_order for pk in ids if scores[pk] is None)
    return Progress(
        areas=[
            area_progress(area, [scores[pk] for pk in ids], outline.scale)
            for area, ids in zip(outline.areas, in_order, strict=True)
        ],
        scale=outline.scale,
        first_unanswered=next(unanswered, None),
    )

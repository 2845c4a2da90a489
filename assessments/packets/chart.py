"""The roll-ups of a packet: each area's average self-score and manager's score, and the
paired-bar chart of them that the packet template draws as SVG."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.progress import label_lines
from ladder.scale import Scale


@dataclass(frozen=True)
class AreaRollup:
    """One area's average self-score and manager's score, charted scores only."""

    key: str
    name: str
    behaviours: int
    self_average: float | None
    manager_average: float | None

    @property
    def difference(self) -> float | None:
        """The manager's average less the engineer's: negative where the manager rates lower."""
        if self.self_average is None or self.manager_average is None:
            return None
        return round(self.manager_average - self.self_average, 1)


@dataclass(frozen=True)
class RollupBar:
    rollup: AreaRollup
    lines: tuple[tuple[str, int], ...]  # the name's lines, each with its baseline
    self_y: int
    self_width: int
    manager_y: int
    manager_width: int


@dataclass(frozen=True)
class RollupChart:
    """Self and manager averages per area as paired bars, drawn by the template as SVG."""

    width: int
    height: int
    axis: int
    left: int  # where the bars start
    bar_height: int
    ticks: list[tuple[int, int]]  # (score, x)
    bars: list[RollupBar]


LABEL_WIDTH, BARS_WIDTH, ROW, BAR = 168, 240, 38, 13
# Characters of an area's name on one line of the label column (see progress.label_lines).
LABEL_CHARACTERS = 21


def _label(name: str, top: int) -> tuple[tuple[str, int], ...]:
    """The name beside its two bars: one line at their middle, or two lines across them."""
    lines = label_lines(name, LABEL_CHARACTERS)
    if len(lines) == 1:
        return ((lines[0], top + BAR + 4),)
    return tuple((text, top + 11 + n * 15) for n, text in enumerate(lines))


def rollup_chart(rollups: list[AreaRollup], scale: Scale) -> RollupChart:
    axis = 6 + len(rollups) * ROW
    highest = scale.highest

    def width(average: float | None) -> int:
        return 0 if average is None else round(BARS_WIDTH * average / highest)

    return RollupChart(
        width=LABEL_WIDTH + BARS_WIDTH + 14,
        height=axis + 22,
        axis=axis,
        left=LABEL_WIDTH,
        bar_height=BAR,
        ticks=[(s, LABEL_WIDTH + round(BARS_WIDTH * s / highest)) for s in scale.charted],
        bars=[
            RollupBar(
                rollup=r,
                lines=_label(r.name, 6 + i * ROW),
                self_y=6 + i * ROW,
                self_width=width(r.self_average),
                manager_y=6 + i * ROW + BAR + 2,
                manager_width=width(r.manager_average),
            )
            for i, r in enumerate(rollups)
        ],
    )

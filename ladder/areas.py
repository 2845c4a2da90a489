"""The areas a level's rubric is written in, their order and their names.

One framework's vocabulary (the IC5 seed's eight areas: three level expectations,
five pillars), read by the models, the formats and the pages from here alone.
"""

AREA_KINDS: tuple[str, ...] = (
    "scope",
    "reach",
    "levers",
    "results",
    "direction",
    "talent",
    "culture",
    "craft",
)
EXPECTATION_KINDS: tuple[str, ...] = AREA_KINDS[:3]
PILLAR_KINDS: tuple[str, ...] = AREA_KINDS[3:]
AREA_NAMES: dict[str, str] = {
    "scope": "Scope",
    "reach": "Collaborative Reach",
    "levers": "Impact Levers",
    "results": "Results",
    "direction": "Direction",
    "talent": "Talent",
    "culture": "Culture",
    "craft": "Craft",
}
# Decoration only: the parser ignores emoji in headings.
PILLAR_EMOJI: dict[str, str] = {
    "results": "🏆",
    "direction": "🌟",
    "talent": "🌳",
    "culture": "🌈",
    "craft": "🦉",
}

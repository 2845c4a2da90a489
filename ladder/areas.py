"""The default framework's vocabulary: the IC5 seed's eight areas, three level
expectations and five pillars, their keys, names and emoji.

A framework's areas are its own data (ladder.models.Area); this is what the page
readers know of the default one's shape, and the keys and names its areas were given.
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

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


def merged_order(sequences) -> list[str]:
    """Keys of several ordered lists (a track's levels' areas, say) merged in reading
    order: a key first met in a later list goes right after the key before it there, or
    first if it comes first there (tests/ladder/frameworks/README.md, rule 14)."""
    merged: list[str] = []
    for sequence in sequences:
        previous = None
        for key in sequence:
            if key not in merged:
                merged.insert(merged.index(previous) + 1 if previous is not None else 0, key)
            previous = key
    return merged

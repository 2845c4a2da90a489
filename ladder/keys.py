"""Stable keys across versions: a re-imported page's bullets keep the keys they had.

Keys are what compare versions and levels ("what changed from v3 to v4"), so a bullet
that merely moved or was reworded must keep its key, and a new one must never take a
key that meant something else before.
"""

from __future__ import annotations

from dataclasses import replace

from ladder.formats.document import AreaDoc, LevelDoc, derived_key
from ladder.rubric_text import plain

# Share of words two wordings need in common to count as the same behaviour reworded.
CARRY_KEY_SIMILARITY = 0.5
# An area with more reworded pairs to weigh than this (a real one has a few hundred
# at most) keeps keys for unchanged wordings only, so a huge page stays linear.
CARRY_KEY_MAX_PAIRS = 40_000


def carry_keys(doc: LevelDoc, before: LevelDoc | None) -> LevelDoc:
    """Give a page's key-less bullets the keys their behaviours already have.

    A bullet without a key comment gets a key from its position, so inserting one
    bullet would shift every key after it and break version comparisons. Instead,
    such a bullet takes the key of the behaviour in `before` with the same text, or
    else with much the same words; only genuinely new bullets get new keys.
    """
    if before is None:
        return doc
    old_areas = {area.key: area for area in before.areas}
    return replace(
        doc,
        areas=tuple(
            _carry_area_keys(area, old_areas[area.key]) if area.key in old_areas else area
            for area in doc.areas
        ),
    )


def _carry_area_keys(area: AreaDoc, before: AreaDoc) -> AreaDoc:
    slots = [(None, i, b) for i, b in enumerate(area.behaviours, start=1)] + [
        (r.name, i, b) for r in area.responsibilities for i, b in enumerate(r.behaviours, start=1)
    ]
    old = {b.key: b.text for b in before.all_behaviours}
    chosen: dict[int, str] = {}
    free = dict(old)
    # A key that differs from the positional one was written on purpose: keep it.
    for n, (owner, index, b) in enumerate(slots):
        if b.key != derived_key(area.key, owner, index):
            chosen[n] = b.key
            free.pop(b.key, None)
    by_text: dict[str, list[str]] = {}
    for key, text in free.items():
        by_text.setdefault(text, []).append(key)
    for n, (_owner, _index, b) in enumerate(slots):
        if n not in chosen and by_text.get(b.text):
            key = by_text[b.text].pop(0)
            chosen[n] = key
            del free[key]
    _carry_reworded(slots, chosen, free)
    # New behaviours never take a key that meant something else before.
    taken = set(old) | set(chosen.values())
    next_number: dict[str | None, int] = {}
    for n, (owner, _index, _b) in enumerate(slots):
        if n not in chosen:
            number = next_number.get(owner, 1)
            while (key := derived_key(area.key, owner, number)) in taken:
                number += 1
            chosen[n] = key
            taken.add(key)
            next_number[owner] = number + 1

    keys = iter(chosen[n] for n in range(len(slots)))
    return replace(
        area,
        behaviours=tuple(replace(b, key=next(keys)) for b in area.behaviours),
        responsibilities=tuple(
            replace(r, behaviours=tuple(replace(b, key=next(keys)) for b in r.behaviours))
            for r in area.responsibilities
        ),
    )


def _carry_reworded(slots: list, chosen: dict[int, str], free: dict[str, str]) -> None:
    """Give reworded behaviours the key of the old wording most like theirs, best first.

    Alike means the share of distinct words in common, in any order (two wordings of
    one behaviour move words about); the same old key is worth a little more.
    """
    waiting = [n for n in range(len(slots)) if n not in chosen]
    if not waiting or not free or len(waiting) * len(free) > CARRY_KEY_MAX_PAIRS:
        return
    old_words = [(key, _words(text)) for key, text in free.items()]
    scored = []
    for n in waiting:
        behaviour = slots[n][2]
        words = _words(behaviour.text)
        for key, other in old_words:
            score = 2 * len(words & other) / ((len(words) + len(other)) or 1)
            if key == behaviour.key:
                score += 0.1
            if score >= CARRY_KEY_SIMILARITY:
                scored.append((score, n, key))
    scored.sort(key=lambda row: (-row[0], row[1], row[2]))
    for _score, n, key in scored:
        if n not in chosen and key in free:
            chosen[n] = key
            del free[key]


def _words(text: str) -> frozenset[str]:
    return frozenset(plain(text).lower().split())

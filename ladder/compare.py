"""Behaviour-by-behaviour comparison of two levels, or of one level in two versions.

Versions are compared by the behaviours' stable keys, so a reworded behaviour shows
as changed rather than as one removed and one added. Two levels of a track are
written separately, so there behaviours are paired by how alike their words are,
with a small preference for the same key and responsibility.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from enum import StrEnum
from itertools import count

from ladder.formats.document import FLAT_LIST_LABEL, LevelDoc
from ladder.models import Area, Behaviour, Level
from ladder.rubric_text import plain

# Below this share of common words two behaviours are treated as different ones.
SIMILARITY_THRESHOLD = 0.5

_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")
# Matching costs about the product of the two texts' lengths in tokens; beyond this
# (two texts of some 150 words each, longer than any behaviour of a real ladder) the
# whole old text is shown replaced by the new, so a page of long texts stays quick.
DIFF_BUDGET = 90_000


class Status(StrEnum):
    SAME = "same"
    CHANGED = "changed"
    ADDED = "added"
    REMOVED = "removed"
    MOVED = "moved"  # here from another area, in the same words
    MOVED_AWAY = "moved-away"  # from here to another area (shown there as MOVED)


@dataclass(frozen=True)
class Segment:
    kind: str  # "same", "added" or "removed"
    text: str


@dataclass
class BehaviourChange:
    status: Status
    before: Behaviour | None
    after: Behaviour | None
    segments: list[Segment] = field(default_factory=list)
    moved_from: str = ""  # the area it was in, when moved here
    moved_to: str = ""  # the area it is in now, when moved away


@dataclass
class GroupChange:
    """The behaviours of one responsibility (or of a whole level expectation)."""

    name: str
    changes: list[BehaviourChange]
    note: list[Segment] = field(default_factory=list)

    @property
    def status(self) -> Status:
        statuses = {change.status for change in self.changes}
        if not statuses:
            return Status.SAME
        if statuses <= {Status.ADDED}:
            return Status.ADDED
        if statuses <= {Status.REMOVED}:
            return Status.REMOVED
        return Status.SAME if statuses == {Status.SAME} else Status.CHANGED


@dataclass
class AreaChange:
    key: str
    name: str  # the newer one's, when renamed
    subgrouped: bool
    description: list[Segment]
    groups: list[GroupChange]
    note: list[Segment] = field(default_factory=list)
    status: Status = Status.SAME  # ADDED or REMOVED for a whole area, else SAME
    old_name: str = ""  # the older one's
    category: str = ""  # the group above it (AreaGroup), "" for none: the newer one's
    old_category: str = ""

    @property
    def changed_name(self) -> bool:
        return bool(self.old_name) and self.old_name != self.name

    @property
    def changed_category(self) -> bool:
        return self.status == Status.SAME and self.old_category != self.category

    def count(self, status: Status) -> int:
        return sum(1 for g in self.groups for c in g.changes if c.status == status)

    @property
    def unchanged(self) -> bool:
        texts = [self.description, self.note, *(g.note for g in self.groups)]
        described_alike = all(segment.kind == "same" for text in texts for segment in text)
        return (
            described_alike
            and not self.changed_name
            and not self.changed_category
            and self.status == Status.SAME
            and all(g.status == Status.SAME for g in self.groups)
        )


@dataclass
class Comparison:
    before: Level
    after: Level
    summary: list[Segment]
    areas: list[AreaChange]

    def count(self, status: str) -> int:
        return sum(area.count(Status(status)) for area in self.areas)

    @property
    def added(self) -> int:
        return self.count(Status.ADDED)

    @property
    def changed(self) -> int:
        return self.count(Status.CHANGED)

    @property
    def removed(self) -> int:
        return self.count(Status.REMOVED)

    @property
    def same(self) -> int:
        return self.count(Status.SAME)

    @property
    def moved(self) -> int:
        return self.count(Status.MOVED)


def word_diff(before: str, after: str) -> list[Segment]:
    """The words of after, with what was removed from before and added in after marked."""
    a, b = _TOKENS.findall(plain(before)), _TOKENS.findall(plain(after))
    segments: list[Segment] = []
    if len(a) * len(b) > DIFF_BUDGET:
        before, after = "".join(a), "".join(b)
        if before == after:
            return [Segment("same", after)]
        return [
            Segment(kind, text) for kind, text in (("removed", before), ("added", after)) if text
        ]
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            segments.append(Segment("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(Segment("removed", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(Segment("added", "".join(b[j1:j2])))
    return segments


def similarity(before: str, after: str, floor: float = 0.0) -> float:
    """Share of words in common, 0 to 1; below `floor` only an upper bound is returned."""
    return similarities(after, [before], floor)[0]


def similarities(text: str, others: list[str], floor: float = 0.0) -> list[float]:
    """similarity(other, text) for each of others, indexing text's words only once."""
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    matcher.set_seq2(plain(text).lower().split())
    scores = []
    for other in others:
        matcher.set_seq1(plain(other).lower().split())
        # The cheap upper bounds settle most pairs that could never reach the floor.
        if matcher.real_quick_ratio() < floor or matcher.quick_ratio() < floor:
            scores.append(matcher.quick_ratio())
        else:
            scores.append(matcher.ratio())
    return scores


def compare_versions(before: Level, after: Level) -> Comparison:
    """The same level in two versions, matched by behaviour key."""
    return _compare(before, after, by_key=True)


def compare_levels(lower: Level, higher: Level) -> Comparison:
    """Two levels of a track: what the higher one adds or changes."""
    return _compare(lower, higher, by_key=False)


def _compare(before: Level, after: Level, *, by_key: bool) -> Comparison:
    before_areas = {area.key: area for area in before.areas.all()}
    after_areas = {area.key: area for area in after.areas.all()}
    # The newer level's order; areas only the older one has come last.
    keys = list(after_areas) + [key for key in before_areas if key not in after_areas]
    areas = [
        _compare_area(before_areas.get(key), after_areas.get(key), by_key=by_key) for key in keys
    ]
    _find_moves(areas)
    return Comparison(
        before=before,
        after=after,
        summary=word_diff(before.summary, after.summary),
        areas=areas,
    )


def _find_moves(areas: list[AreaChange]) -> None:
    """A behaviour gone from one area and new in another, in the same words, was moved:
    it reads as moved (from where), not as one removed and another added."""
    gone: dict[str, list[tuple[AreaChange, BehaviourChange]]] = {}
    for area in areas:
        for group in area.groups:
            for change in group.changes:
                if change.status == Status.REMOVED:
                    gone.setdefault(plain(change.before.text), []).append((area, change))
    if not gone:
        return
    for area in areas:
        for group in area.groups:
            for index, change in enumerate(group.changes):
                if change.status != Status.ADDED:
                    continue
                words = plain(change.after.text)
                elsewhere = [found for found in gone.get(words, []) if found[0] is not area]
                if not elsewhere:
                    continue
                old_area, removed = elsewhere[0]
                gone[words].remove(elsewhere[0])
                removed.status, removed.moved_to = Status.MOVED_AWAY, area.name
                group.changes[index] = BehaviourChange(
                    Status.MOVED,
                    removed.before,
                    change.after,
                    [Segment("same", words)],
                    moved_from=old_area.name,
                )


def _group_names(area: Area | None) -> dict[int, str]:
    """Each behaviour's sub-group name; "" in an area without sub-groups."""
    if area is None:
        return {}
    names = {r.id: r.name for r in area.responsibilities.all()}
    return {b.pk: names.get(b.responsibility_id, "") for b in area.behaviours.all()}


def _compare_area(before: Area | None, after: Area | None, *, by_key: bool) -> AreaChange:
    old = list(before.behaviours.all()) if before else []
    new = list(after.behaviours.all()) if after else []
    old_group = _group_names(before)
    new_group = _group_names(after)
    pairs = _pair(old, new, old_group, new_group, by_key=by_key)

    paired_old = {b.pk for b, _ in pairs.values()}
    groups: dict[str, list[BehaviourChange]] = {}
    # Groups follow the newer level's order; anything only in the older one comes last.
    for r in after.responsibilities.all() if after else []:
        groups[r.name] = []
    for b in new:
        match = pairs.get(b.pk)
        if match is None:
            change = BehaviourChange(Status.ADDED, None, b, [Segment("added", plain(b.text))])
        elif match[0].text == b.text:
            change = BehaviourChange(Status.SAME, match[0], b, [Segment("same", plain(b.text))])
        else:
            change = BehaviourChange(Status.CHANGED, match[0], b, word_diff(match[0].text, b.text))
        groups.setdefault(new_group[b.pk], []).append(change)
    for b in old:
        if b.pk not in paired_old:
            change = BehaviourChange(Status.REMOVED, b, None, [Segment("removed", plain(b.text))])
            groups.setdefault(old_group[b.pk], []).append(change)

    old_notes = {r.name: r.note for r in before.responsibilities.all()} if before else {}
    new_notes = {r.name: r.note for r in after.responsibilities.all()} if after else {}
    latest = after or before
    return AreaChange(
        key=latest.key,
        name=latest.name or FLAT_LIST_LABEL,
        old_name=(before.name or FLAT_LIST_LABEL) if before else "",
        category=_category(after),
        old_category=_category(before),
        status=Status.REMOVED if after is None else Status.ADDED if before is None else Status.SAME,
        subgrouped=latest.subgrouped,
        description=word_diff(
            before.description if before else "", after.description if after else ""
        ),
        groups=[
            GroupChange(name, changes, word_diff(old_notes.get(name, ""), new_notes.get(name, "")))
            for name, changes in groups.items()
            if changes
        ],
        note=word_diff(before.note if before else "", after.note if after else ""),
    )


def _category(area: Area | None) -> str:
    return area.group.name if area is not None and area.group is not None else ""


def _pair(
    old: list[Behaviour],
    new: list[Behaviour],
    old_group: dict[int, str],
    new_group: dict[int, str],
    *,
    by_key: bool,
) -> dict[int, tuple[Behaviour, Behaviour]]:
    """Pairs keyed by the newer behaviour's pk: (older, newer)."""
    pairs: dict[int, tuple[Behaviour, Behaviour]] = {}
    # Unchanged wording is the surest match of all, whatever the keys say.
    unmatched_old = {}
    for b in old:
        unmatched_old.setdefault(b.text, []).append(b)
    for b in new:
        if unmatched_old.get(b.text):
            pairs[b.pk] = (unmatched_old[b.text].pop(0), b)
    paired = {o.pk for o, _ in pairs.values()}
    old = [b for b in old if b.pk not in paired]
    new = [b for b in new if b.pk not in pairs]
    if by_key:
        old_by_key = {b.key: b for b in old}
        for b in new:
            if b.key in old_by_key:
                pairs[b.pk] = (old_by_key.pop(b.key), b)
        old = list(old_by_key.values())
        new = [b for b in new if b.pk not in pairs]

    scored = []
    for o in old:
        for n in new:
            same_group = old_group[o.pk].lower() == new_group[n.pk].lower()
            # Two levels: alike words under another sub-group are another behaviour
            # ("Hiring" is not "Org Strategy"); across versions a behaviour may move.
            if not by_key and not same_group:
                continue
            score = similarity(o.text, n.text, floor=SIMILARITY_THRESHOLD - 0.2)
            if o.key == n.key:
                score += 0.1
            if same_group:
                score += 0.1
            if score >= SIMILARITY_THRESHOLD:
                scored.append((score, o.order, n.order, o, n))
    # Greedy best-first: good enough for a few dozen behaviours and easy to follow.
    scored.sort(key=lambda row: (-row[0], row[1], row[2]))
    used: set[int] = set()
    for _score, _o_order, _n_order, o, n in scored:
        if o.pk in used or n.pk in pairs:
            continue
        used.add(o.pk)
        pairs[n.pk] = (o, n)
    return pairs


# ------------------------------------------------------------------ documents, not rows


class _Rows(list):
    """A list that answers .all(), as the prefetched relations of saved levels do."""

    def all(self):
        return self


@dataclass
class _DocBehaviour:
    pk: int
    key: str
    text: str
    order: int
    responsibility_id: int | None


@dataclass
class _DocResponsibility:
    id: int
    name: str
    note: str


@dataclass
class _DocArea:
    key: str
    name: str
    subgrouped: bool
    description: str
    note: str
    behaviours: _Rows
    responsibilities: _Rows
    group: _DocGroup | None = None


@dataclass
class _DocGroup:
    name: str


@dataclass
class _DocLevel:
    code: str
    title: str
    summary: str
    areas: _Rows


def _as_level(doc: LevelDoc | None, ids: count) -> _DocLevel:
    if doc is None:
        return _DocLevel("", "", "", _Rows())
    areas = _Rows()
    for area in doc.areas:
        behaviours, responsibilities = _Rows(), _Rows()
        for b in area.behaviours:
            behaviours.append(_DocBehaviour(next(ids), b.key, b.text, len(behaviours), None))
        for r in area.responsibilities:
            row = _DocResponsibility(next(ids), r.name, r.note)
            responsibilities.append(row)
            for b in r.behaviours:
                behaviours.append(_DocBehaviour(next(ids), b.key, b.text, len(behaviours), row.id))
        areas.append(
            _DocArea(
                area.key,
                area.name,
                area.subgrouped,
                area.description,
                area.note,
                behaviours,
                responsibilities,
                _DocGroup(area.group) if area.group else None,
            )
        )
    return _DocLevel(doc.code, doc.title, doc.summary, areas)


def compare_documents(before: LevelDoc | None, after: LevelDoc) -> Comparison:
    """A page about to be imported against the level it would replace, matched by key."""
    ids = count(1)
    return _compare(_as_level(before, ids), _as_level(after, ids), by_key=True)

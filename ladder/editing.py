"""Editing a draft level in place: one row's words at a time, and the order of its items.

Saves follow the rule ratings follow (assessments/services.py): each names the version
of the row it started from, and one conditional UPDATE writes only if nobody saved
since, so two people (or two tabs) can't silently overwrite each other; the loser gets
the row as it now is and chooses. The models' own rules still apply: the same
whitespace normalisation as their save(), their clean(), and their refusal to change
a published version (the queryset's update() locks the version's row and refuses).

Order is positional and kept dense after every add, delete and move: a behaviour's
`order` is its position in its area (the expectation's behaviours, then each
responsibility's in responsibility order, as ladder.services.create_levels writes
them), a responsibility's its position in its pillar. Structural changes lock the
version's row first, so two moves at once are applied one after the other.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F

from ladder import wording
from ladder.formats.document import (
    KEY_MAX_LENGTH,
    MAX_AREAS_PER_LEVEL,
    MAX_GROUPS_PER_LEVEL,
    area_key,
    derived_key,
    normalise_text,
)
from ladder.models import (
    Area,
    AreaGroup,
    Behaviour,
    Framework,
    Level,
    Responsibility,
    lock_frameworks,
    one_line,
)
from ladder.scale import Scale
from ladder.scale import problems as scale_problems

# What the editor's boxes allow (ladder.editor_views.LIMITS): the checks' own limits.
BEHAVIOUR_MAX, NAME_MAX = wording.BEHAVIOUR_MAX, wording.NAME_MAX
TITLE_MAX, LONG_TEXT_MAX = wording.TITLE_MAX, wording.LONG_TEXT_MAX

# The rows that can be edited, by the name the editor's addresses use.
KINDS: dict[str, type[models.Model]] = {
    "level": Level,
    "area": Area,
    "responsibility": Responsibility,
    "behaviour": Behaviour,
}


class DeletedElsewhereError(ValidationError):
    """The row was deleted (by another request) after this one found it."""

    def __init__(self, what: str = "This item"):
        super().__init__(f"{what} was deleted elsewhere; reload the page.", code="deleted")


@dataclass(frozen=True)
class SaveResult:
    """What happened to a save: the row as it now is, and whether it was written."""

    row: models.Model
    saved: bool  # False when nothing had changed, or on a conflict
    conflict: bool = False  # someone saved the row since the version the save started from


@dataclass(frozen=True)
class DeletedBehaviour:
    """A behaviour as it was when deleted: enough to show it and to add it back."""

    text: str
    key: str
    position: int  # within its expectation or responsibility
    area_id: int
    responsibility_id: int | None


@dataclass(frozen=True)
class DeletedResponsibility:
    name: str
    note: str
    position: int  # within its pillar
    area_id: int
    behaviours: tuple[tuple[str, str], ...]  # (text, key), in order


# ---- one row's words


def save_level(*, level: Level, title: str, summary: str, base_version: int) -> SaveResult:
    """Save a level's title and summary if nobody saved them since `base_version`."""
    wording.check_characters(title, "title", "The title")
    wording.check_characters(summary, "summary", "The summary")
    values = {"title": one_line(title), "summary": one_line(summary)}
    wording.require(values["title"], "title", "Give the level a title.")
    wording.require(values["summary"], "summary", "Write the level's summary; it can't be empty.")
    wording.limit(values["title"], "title", TITLE_MAX, "The title")
    wording.limit(values["summary"], "summary", LONG_TEXT_MAX, "The summary")
    return _save_row(level, values, base_version)


def save_area(
    *, area: Area, name: str, description: str, note: str, base_version: int
) -> SaveResult:
    """Save an area's name (its key stays, so versions still pair it), its description
    (the intro of one with sub-groups) and its note."""
    what = "The intro" if area.subgrouped else "The description"
    name = one_line(name)
    wording.check_area_name(name, area=area)
    wording.check_characters(description, "description", what)
    wording.check_characters(note, "note", "The note")
    values = {
        "name": name,
        "description": normalise_text(description),
        "note": normalise_text(note),
    }
    wording.limit(values["description"], "description", LONG_TEXT_MAX, what)
    wording.limit(values["note"], "note", LONG_TEXT_MAX, "The note")
    return _save_row(area, values, base_version)


def save_responsibility(
    *, responsibility: Responsibility, name: str, note: str, base_version: int
) -> SaveResult:
    """Save a responsibility's name and note if nobody saved them since `base_version`."""
    wording.check_characters(name, "name", "The name")
    wording.check_characters(note, "note", "The note")
    values = {"name": one_line(name), "note": normalise_text(note)}
    wording.check_name(
        values["name"],
        area_id=responsibility.area_id,
        area=responsibility.area,
        exclude=responsibility.pk,
    )
    wording.limit(values["note"], "note", LONG_TEXT_MAX, "The note")
    return _save_row(responsibility, values, base_version)


def save_behaviour(*, behaviour: Behaviour, text: str, key: str, base_version: int) -> SaveResult:
    """Save a behaviour's text and key if nobody saved them since `base_version`."""
    wording.check_characters(text, "text", "The behaviour")
    wording.check_characters(key, "key", "The key")
    values = {"text": one_line(text), "key": key.strip()}
    wording.check_text(values["text"])
    wording.check_key(values["key"], area=behaviour.area, exclude=behaviour.pk)
    return _save_row(behaviour, values, base_version)


def _save_row(row: models.Model, values: dict[str, str], base_version: int) -> SaveResult:
    model = type(row)
    if row.version == base_version and all(getattr(row, f) == v for f, v in values.items()):
        return SaveResult(row=row, saved=False)
    candidate = copy.copy(row)
    for field, value in values.items():
        setattr(candidate, field, value)
    _full_clean(candidate, edited=values.keys())
    try:
        with transaction.atomic():
            written = model.objects.filter(pk=row.pk, version=base_version).update(
                **values, version=F("version") + 1
            )
    except IntegrityError:
        # The uniqueness checks above ran before the write: someone took the key or
        # name in between. The database refused it; say so rather than fail.
        raise ValidationError(TAKEN_MESSAGE, code="unique") from None
    if written:
        for field, value in values.items():
            setattr(row, field, value)
        row.version = base_version + 1
        return SaveResult(row=row, saved=True)
    current = model.objects.filter(pk=row.pk).first()
    if current is None:
        raise DeletedElsewhereError(wording.what_of(row))
    if all(getattr(current, f) == v for f, v in values.items()):
        # The row already says exactly this (a retried save whose answer was lost):
        # nothing to choose between, so no conflict.
        return SaveResult(row=current, saved=False)
    return SaveResult(row=current, saved=False, conflict=True)


TAKEN_MESSAGE = "Someone has just used that key or name elsewhere in this area; choose another."


def _save_new(row: models.Model) -> None:
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        raise ValidationError(TAKEN_MESSAGE, code="unique") from None


def _full_clean(row: models.Model, *, edited) -> None:
    """The model's own validation of the edited fields, and its clean()."""
    untouched = [f.name for f in row._meta.concrete_fields if f.name not in edited]
    row.full_clean(exclude=untouched)


# ---- adding


def add_behaviour(
    *,
    area: Area,
    responsibility: Responsibility | None = None,
    text: str,
    key: str = "",
    position: int | None = None,
) -> Behaviour:
    """Add a behaviour to an expectation or a responsibility, at `position` (default: last).

    `key` is one to keep when adding a deleted behaviour back: used if no other
    behaviour of the area has taken it meanwhile, else a fresh key is derived. Adding
    the words back must not fail because of a key nobody typed.
    """
    wording.check_characters(text, "text", "The behaviour")
    text = one_line(text)
    wording.check_text(text)
    with transaction.atomic():
        lock_frameworks([area.level.framework_id])
        if responsibility and not Responsibility.objects.filter(pk=responsibility.pk).exists():
            raise DeletedElsewhereError(wording.what_of(responsibility))
        key = key.strip()
        if wording.CONTROL_CHARACTERS.search(key):
            key = ""
        if key and (wording.key_error(key) or area.behaviours.filter(key=key).exists()):
            key = ""
        behaviour = Behaviour(area=area, responsibility=responsibility, text=text, key=key)
        behaviour.order = 32_000  # last until _arrange gives it its place
        _full_clean(behaviour, edited={"text", "responsibility", "area"})
        _save_new(behaviour)
        group = _group_ids(area, responsibility.pk if responsibility else None)
        group.remove(behaviour.pk)
        group.insert(_clamp(position, len(group)), behaviour.pk)
        _arrange(area, group=(responsibility.pk if responsibility else None, group))
    return behaviour


def add_responsibility(
    *,
    area: Area,
    name: str,
    note: str = "",
    position: int | None = None,
    behaviours: tuple[tuple[str, str], ...] = (),
) -> Responsibility:
    """Add a responsibility to a pillar at `position` (default: last), with behaviours if given.

    Behaviours come with a deleted responsibility being added back: (text, key) pairs,
    keys kept where still free, as add_behaviour does.
    """
    wording.check_characters(name, "name", "The name")
    wording.check_characters(note, "note", "The note")
    if len(behaviours) > wording.ADD_BEHAVIOURS_MAX:
        raise ValidationError(
            f"A responsibility can be added with at most {wording.ADD_BEHAVIOURS_MAX} behaviours "
            f"at once (this has {len(behaviours):,}); add the rest one by one.",
            code="max_length",
        )
    for text, _key in behaviours:
        wording.check_characters(text, "text", "A behaviour")
    name, note = one_line(name), normalise_text(note)
    if not area.subgrouped:
        raise ValidationError(f"{area.name}'s behaviours sit directly under it, in no sub-group.")
    wording.check_name(name, area_id=area.pk, area=area, exclude=None)
    wording.limit(note, "note", LONG_TEXT_MAX, "The note")
    texts = [one_line(text) for text, _key in behaviours]
    for text in texts:
        wording.check_text(text)
    with transaction.atomic():
        lock_frameworks([area.level.framework_id])
        responsibility = Responsibility(area=area, name=name, note=note, order=32_000)
        _full_clean(responsibility, edited={"name", "note", "area"})
        _save_new(responsibility)
        # Keys come from the area's keys read once, not a query per behaviour: kept
        # keys first (they were written on purpose), then fresh ones for the rest.
        taken = set(area.behaviours.values_list("key", flat=True))
        keys = []
        for _text, key in behaviours:
            key = key.strip()
            keep = (
                key
                if key
                and key not in taken
                and not wording.CONTROL_CHARACTERS.search(key)
                and not wording.key_error(key)
                else ""
            )
            taken.add(keep)
            keys.append(keep)
        number = 1
        for i, key in enumerate(keys):
            if not key:
                while (key := derived_key(area.key, responsibility.name, number)) in taken:
                    number += 1
                keys[i] = key
                taken.add(key)
        Behaviour.objects.bulk_create(
            Behaviour(area=area, responsibility=responsibility, text=text, key=key, order=32_000)
            for text, key in zip(texts, keys, strict=True)
        )
        order = _responsibility_ids(area)
        order.remove(responsibility.pk)
        order.insert(_clamp(position, len(order)), responsibility.pk)
        _arrange(area, responsibilities=order)
    return responsibility


# ---- deleting


def delete_behaviour(*, behaviour: Behaviour) -> DeletedBehaviour:
    """Delete a behaviour; what it said comes back, so it can be shown and added back."""
    with transaction.atomic():
        area = behaviour.area
        lock_frameworks([area.level.framework_id])
        current = Behaviour.objects.filter(pk=behaviour.pk).first()
        if current is None:
            raise DeletedElsewhereError(wording.what_of(behaviour))
        group = _group_ids(area, current.responsibility_id)
        deleted = DeletedBehaviour(
            text=current.text,
            key=current.key,
            position=group.index(current.pk),
            area_id=area.pk,
            responsibility_id=current.responsibility_id,
        )
        current.delete()
        _arrange(area)
    return deleted


def delete_responsibility(*, responsibility: Responsibility) -> DeletedResponsibility:
    """Delete a responsibility and its behaviours; what they said comes back."""
    with transaction.atomic():
        area = responsibility.area
        lock_frameworks([area.level.framework_id])
        current = Responsibility.objects.filter(pk=responsibility.pk).first()
        if current is None:
            raise DeletedElsewhereError(wording.what_of(responsibility))
        deleted = DeletedResponsibility(
            name=current.name,
            note=current.note,
            position=_responsibility_ids(area).index(current.pk),
            area_id=area.pk,
            behaviours=tuple(current.behaviours.order_by("order", "pk").values_list("text", "key")),
        )
        current.delete()
        _arrange(area)
    return deleted


# ---- moving


def move_behaviour(*, behaviour: Behaviour, to: int | None = None, step: int = 0) -> list[int]:
    """Move a behaviour within its group, to a position or by `step`; the group's new order.

    The position is worked out from the database inside the lock, not from what the
    page showed, so a move made elsewhere meanwhile is built on rather than undone.
    """
    with transaction.atomic():
        area = behaviour.area
        lock_frameworks([area.level.framework_id])
        found = list(
            Behaviour.objects.filter(pk=behaviour.pk).values_list("responsibility_id", flat=True)
        )
        if not found:
            raise DeletedElsewhereError(wording.what_of(behaviour))
        group_id = found[0]
        group = _group_ids(area, group_id)
        now = group.index(behaviour.pk)
        group.remove(behaviour.pk)
        group.insert(_clamp(now + step if to is None else to, len(group)), behaviour.pk)
        _arrange(area, group=(group_id, group))
    return group


def move_responsibility(
    *, responsibility: Responsibility, to: int | None = None, step: int = 0
) -> list[int]:
    """Move a responsibility within its pillar, with its behaviours; the pillar's new order."""
    with transaction.atomic():
        area = responsibility.area
        lock_frameworks([area.level.framework_id])
        order = _responsibility_ids(area)
        if responsibility.pk not in order:
            raise DeletedElsewhereError(wording.what_of(responsibility))
        now = order.index(responsibility.pk)
        order.remove(responsibility.pk)
        order.insert(_clamp(now + step if to is None else to, len(order)), responsibility.pk)
        _arrange(area, responsibilities=order)
    return order


def _clamp(position: int | None, length: int) -> int:
    return length if position is None else max(0, min(position, length))


def _responsibility_ids(area: Area) -> list[int]:
    return list(
        Responsibility.objects.filter(area=area)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )


def _group_ids(area: Area, responsibility_id: int | None) -> list[int]:
    return list(
        Behaviour.objects.filter(area=area, responsibility_id=responsibility_id)
        .order_by("order", "pk")
        .values_list("pk", flat=True)
    )


def _arrange(
    area: Area,
    *,
    group: tuple[int | None, list[int]] | None = None,
    responsibilities: list[int] | None = None,
) -> None:
    """Number the area's responsibilities and behaviours 0, 1, 2… in ladder order.

    `group` gives one group's behaviours (by responsibility id, None for an
    expectation) in their new order, `responsibilities` the pillar's; everything else
    keeps its order. Only rows whose number changes are written.
    """
    rows = list(Responsibility.objects.filter(area=area).order_by("order", "pk"))
    if responsibilities is not None:
        rank = {pk: i for i, pk in enumerate(responsibilities)}
        rows.sort(key=lambda r: rank[r.pk])
    behaviours = list(Behaviour.objects.filter(area=area).order_by("order", "pk"))
    groups: dict[int | None, list[Behaviour]] = {None: []}
    for r in rows:
        groups[r.pk] = []
    for b in behaviours:
        groups.setdefault(b.responsibility_id, []).append(b)
    if group is not None:
        group_id, ids = group
        rank = {pk: i for i, pk in enumerate(ids)}
        groups[group_id].sort(key=lambda b: rank[b.pk])
    sequence = [b for members in groups.values() for b in members]

    moved_rows = [r for i, r in enumerate(rows) if r.order != i]
    for i, r in enumerate(rows):
        r.order = i
    moved = [b for i, b in enumerate(sequence) if b.order != i]
    for i, b in enumerate(sequence):
        b.order = i
    if moved_rows:
        Responsibility.objects.bulk_update(moved_rows, ["order"])
    if moved:
        Behaviour.objects.bulk_update(moved, ["order"])


class ScaleChangedElsewhereError(ValidationError):
    """The draft's scale was saved by someone else after this person read it."""

    def __init__(self):
        super().__init__(
            "Someone saved this draft's scale since you opened it; here it is as it is now. "
            "Make your change again.",
            code="stale",
        )


@transaction.atomic
def save_scale(*, framework_id: int, scale: Scale, based_on: dict) -> None:
    """Write a draft's scales, if they are still those the person started from (`based_on`).

    The draft's row is locked first, as every write to a version is, so a publication
    can't slip in between; a published version is refused there.
    """
    problems = scale_problems(scale)
    if problems:
        raise ValidationError(problems)
    lock_frameworks([framework_id])
    current = Framework.objects.filter(pk=framework_id).values_list("scale_data", flat=True).get()
    if current != based_on:
        raise ScaleChangedElsewhereError()
    Framework.objects.filter(pk=framework_id).update(scale_data=scale.to_data())


# ---- a level's areas and their groups
#
# Areas are kept in one dense order, the areas of a group next to each other (a page
# shows a group's areas under its name), and groups ordered as their areas come. A group
# left with no areas goes. Each change locks the version's row first.


def add_area(*, level: Level, name: str, group_name: str = "", subgrouped: bool = False) -> Area:
    """A new area at the end of its group (or of the level), with no behaviours yet."""
    name, group_name = one_line(name), one_line(group_name)
    _check_new_area_name(level, name)
    _check_group_name(group_name)
    with transaction.atomic():
        lock_frameworks([level.framework_id])
        areas = list(Area.objects.filter(level=level).order_by("order", "pk"))
        if any(not area.name for area in areas):
            raise ValidationError(
                "This level is a list of behaviours in no area; it can't also have areas."
            )
        if len(areas) >= MAX_AREAS_PER_LEVEL:
            raise ValidationError(f"A level has at most {MAX_AREAS_PER_LEVEL} areas.")
        taken = {area.key for area in areas}
        key, number = area_key(name), 2
        while key in taken:
            key, number = f"{area_key(name)[: KEY_MAX_LENGTH - 4]}-{number}", number + 1
        group = _group_named(level, group_name)
        area = Area.objects.create(
            level=level, name=name, key=key, group=group, subgrouped=subgrouped, order=32_000
        )
        _arrange_areas(level, _placed_last_in_group([*areas, area], area))
    return area


def delete_area(*, area: Area) -> int:
    """Delete an area with everything in it; how many behaviours went with it."""
    with transaction.atomic():
        level = area.level
        lock_frameworks([level.framework_id])
        current = Area.objects.filter(pk=area.pk).first()
        if current is None:
            raise DeletedElsewhereError(f"The area “{area.label}”")
        count = current.behaviours.count()
        current.delete()
        _arrange_areas(level, list(Area.objects.filter(level=level).order_by("order", "pk")))
    return count


def move_area(*, area: Area, step: int) -> None:
    """Move an area one place up (-1) or down (1) among the areas of its group."""
    with transaction.atomic():
        level = area.level
        lock_frameworks([level.framework_id])
        areas = list(Area.objects.filter(level=level).order_by("order", "pk"))
        index = next((i for i, a in enumerate(areas) if a.pk == area.pk), None)
        if index is None:
            raise DeletedElsewhereError(f"The area “{area.label}”")
        other = index + step
        if not 0 <= other < len(areas) or areas[other].group_id != areas[index].group_id:
            where = "group" if areas[index].group_id else "level"
            end = "first" if step < 0 else "last"
            raise ValidationError(
                f"“{area.label}” is already {end} in its {where}"
                + (
                    "; move the group, or put the area in another group."
                    if where == "group"
                    else "."
                )
            )
        areas[index], areas[other] = areas[other], areas[index]
        _arrange_areas(level, areas)


def regroup_area(*, area: Area, group_name: str) -> None:
    """Put an area in the group of that name (made if new; "" for none), last in it."""
    group_name = one_line(group_name)
    _check_group_name(group_name)
    with transaction.atomic():
        level = area.level
        lock_frameworks([level.framework_id])
        areas = list(Area.objects.filter(level=level).order_by("order", "pk"))
        current = next((a for a in areas if a.pk == area.pk), None)
        if current is None:
            raise DeletedElsewhereError(f"The area “{area.label}”")
        current.group = _group_named(level, group_name)
        current.save(update_fields=["group"])
        _arrange_areas(level, _placed_last_in_group(areas, current))


def save_group(*, group: AreaGroup, name: str, description: str) -> None:
    """Rename or describe a group of areas."""
    name = one_line(name)
    wording.require(name, "name", "Give the group a name.")
    _check_group_name(name)
    wording.check_characters(description, "description", "The description")
    description = normalise_text(description)
    wording.limit(description, "description", LONG_TEXT_MAX, "The description")
    with transaction.atomic():
        lock_frameworks([group.level.framework_id])
        taken = AreaGroup.objects.filter(level_id=group.level_id).exclude(pk=group.pk)
        if any(
            other.casefold() == name.casefold() for other in taken.values_list("name", flat=True)
        ):
            raise ValidationError({"name": f"The level already has a group named “{name}”."})
        if not AreaGroup.objects.filter(pk=group.pk).update(name=name, description=description):
            raise DeletedElsewhereError(f"The group “{group.name}”")


def move_group(*, group: AreaGroup, step: int) -> None:
    """Move a group, with all its areas, past the group (or ungrouped areas) beside it."""
    with transaction.atomic():
        level = group.level
        lock_frameworks([level.framework_id])
        blocks: list[list[Area]] = []
        for area in Area.objects.filter(level=level).order_by("order", "pk"):
            if not blocks or blocks[-1][0].group_id != area.group_id:
                blocks.append([])
            blocks[-1].append(area)
        index = next((i for i, b in enumerate(blocks) if b[0].group_id == group.pk), None)
        if index is None:
            raise DeletedElsewhereError(f"The group “{group.name}”")
        other = index + step
        if not 0 <= other < len(blocks):
            raise ValidationError(
                f"“{group.name}” is already {'first' if step < 0 else 'last'} in the level."
            )
        blocks[index], blocks[other] = blocks[other], blocks[index]
        _arrange_areas(level, [area for block in blocks for area in block])


def ungroup(*, group: AreaGroup) -> int:
    """Take a group's areas out of it, where they stand, and drop the group; how many."""
    with transaction.atomic():
        level = group.level
        lock_frameworks([level.framework_id])
        areas = list(Area.objects.filter(level=level).order_by("order", "pk"))
        if not any(area.group_id == group.pk for area in areas):
            raise DeletedElsewhereError(f"The group “{group.name}”")
        freed = Area.objects.filter(level=level, group_id=group.pk).update(group=None)
        for area in areas:
            if area.group_id == group.pk:
                area.group_id = None
        _arrange_areas(level, areas)
    return freed


def delete_group(*, group: AreaGroup) -> tuple[int, int]:
    """Delete a group with its areas and everything in them; how many areas and
    behaviours went with it."""
    with transaction.atomic():
        level = group.level
        lock_frameworks([level.framework_id])
        inside = Area.objects.filter(level=level, group_id=group.pk)
        areas = inside.count()
        if not areas:
            raise DeletedElsewhereError(f"The group “{group.name}”")
        behaviours = Behaviour.objects.filter(area__in=inside).count()
        inside.delete()
        _arrange_areas(level, list(Area.objects.filter(level=level).order_by("order", "pk")))
    return areas, behaviours


def _check_new_area_name(level: Level, name: str) -> None:
    wording.require(name, "name", "Give the area a name.")
    wording.limit(name, "name", NAME_MAX, "A name")
    wording.check_characters(name, "name", "The name")
    names = Area.objects.filter(level=level).values_list("name", flat=True)
    if any(other.casefold() == name.casefold() for other in names):
        raise ValidationError({"name": f"The level already has an area named “{name}”."})


def _check_group_name(name: str) -> None:
    wording.limit(name, "group", NAME_MAX, "A group's name")
    wording.check_characters(name, "group", "The group's name")


def _group_named(level: Level, name: str) -> AreaGroup | None:
    if not name:
        return None
    groups = list(AreaGroup.objects.filter(level=level))
    found = next((g for g in groups if g.name.casefold() == name.casefold()), None)
    if found is not None:
        return found
    if len(groups) >= MAX_GROUPS_PER_LEVEL:
        raise ValidationError(f"A level has at most {MAX_GROUPS_PER_LEVEL} groups of areas.")
    return AreaGroup.objects.create(level=level, name=name, order=32_000)


def _placed_last_in_group(areas: list[Area], moved: Area) -> list[Area]:
    """The areas with `moved` taken out and put after the last area of its group."""
    rest = [a for a in areas if a.pk != moved.pk]
    same = [i for i, a in enumerate(rest) if a.group_id == moved.group_id]
    at = same[-1] + 1 if same and moved.group_id is not None else len(rest)
    return [*rest[:at], moved, *rest[at:]]


def _arrange_areas(level: Level, areas: list[Area]) -> None:
    """Number the areas in this order, then order the groups as their areas come and
    drop any group left without areas."""
    for position, area in enumerate(areas):
        area.order = position
    Area.objects.bulk_update(areas, ["order"])
    firsts: dict[int, int] = {}
    for position, area in enumerate(areas):
        if area.group_id is not None:
            firsts.setdefault(area.group_id, position)
    groups = list(AreaGroup.objects.filter(level=level))
    empty = [g.pk for g in groups if g.pk not in firsts]
    if empty:
        AreaGroup.objects.filter(pk__in=empty).delete()
    kept = sorted((g for g in groups if g.pk in firsts), key=lambda g: firsts[g.pk])
    for position, group in enumerate(kept):
        group.order = position
    AreaGroup.objects.bulk_update(kept, ["order"])

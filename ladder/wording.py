"""What editors type, checked before anything is written: limits, invisible characters,
names and keys, each refused with a message for the people who write the ladder."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models

from ladder.formats.document import (
    AREA_NAME_MAX_LENGTH,
    BEHAVIOUR_MAX_LENGTH,
    KEY_MAX_LENGTH,
    TEXT_MAX_LENGTH,
)
from ladder.models import Area, Behaviour, Level, Responsibility

# What people may type, in characters. Names and titles match their columns; the
# others keep a page readable and a save small, and are the importer's limits too.
BEHAVIOUR_MAX = BEHAVIOUR_MAX_LENGTH
NAME_MAX = AREA_NAME_MAX_LENGTH  # an area's or a sub-group's, as the importer allows
TITLE_MAX = 160
LONG_TEXT_MAX = TEXT_MAX_LENGTH
# Behaviours in one "add responsibility" (a deleted one added back): far more than any
# responsibility has, and few enough that one request stays quick.
ADD_BEHAVIOURS_MAX = 200

# Control characters nobody types: PostgreSQL refuses NUL in text, and exports (and
# the pages people read) can't carry the others. Tab, newline and carriage return are
# whitespace the normalisation handles.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def what_of(row: models.Model) -> str:
    return {
        Behaviour: "This behaviour",
        Responsibility: "This responsibility",
        Area: "This area",
        Level: "This level",
    }.get(type(row), "This item")


def check_characters(value: str, field: str, what: str) -> None:
    """Refuse control characters (NUL and the like) before anything reaches a query."""
    found = CONTROL_CHARACTERS.search(value)
    if found:
        raise ValidationError(
            {
                field: f"{what} contains an invisible control character "
                f"(U+{ord(found.group()):04X}); remove it (retype the text if it was pasted)."
            },
            code="invalid",
        )


def require(value: str, field: str, message: str) -> None:
    if not value:
        raise ValidationError({field: message}, code="required")


def limit(value: str, field: str, limit: int, what: str) -> None:
    if len(value) > limit:
        raise ValidationError(
            {field: f"{what} can be at most {limit:,} characters (this has {len(value):,})."},
            code="max_length",
        )


def check_text(text: str) -> None:
    require(text, "text", "Write the behaviour; it can't be empty.")
    limit(text, "text", BEHAVIOUR_MAX, "A behaviour")


def check_name(name: str, *, area_id: int, area: Area, exclude: int | None) -> None:
    require(name, "name", "Give the responsibility a name.")
    limit(name, "name", NAME_MAX, "A name")
    check_characters(name, "name", "The name")
    clash = Responsibility.objects.filter(area_id=area_id, name=name).exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(
            {"name": f"{area.name} already has a responsibility named “{name}”."}, code="unique"
        )


def check_area_name(name: str, *, area: Area) -> None:
    """A new name for an area: given (unless it is a flat list's, which has none), not too
    long, and not another area's of the level."""
    if not area.name:
        if name:
            raise ValidationError(
                {"name": "A list of behaviours in no area has no name."}, code="invalid"
            )
        return
    require(name, "name", "Give the area a name.")
    limit(name, "name", NAME_MAX, "A name")
    check_characters(name, "name", "The name")
    others = Area.objects.filter(level_id=area.level_id).exclude(pk=area.pk)
    if any(other.casefold() == name.casefold() for other in others.values_list("name", flat=True)):
        raise ValidationError(
            {"name": f"The level already has an area named “{name}”."}, code="unique"
        )


def key_error(key: str) -> str | None:
    if len(key) > KEY_MAX_LENGTH:
        return f"A key can be at most {KEY_MAX_LENGTH} characters (this has {len(key)})."
    try:
        # The model's own validator, so the two can't disagree about what a key is.
        for validator in Behaviour._meta.get_field("key").validators:
            validator(key)
    except ValidationError as error:
        return " ".join(error.messages)
    return None


def check_key(key: str, *, area: Area, exclude: int) -> None:
    if not key:
        raise ValidationError({"key": "Keep a key: versions are compared by it."}, code="required")
    check_characters(key, "key", "The key")
    error = key_error(key)
    if error:
        raise ValidationError({"key": error}, code="invalid")
    if Behaviour.objects.filter(area=area, key=key).exclude(pk=exclude).exists():
        raise ValidationError(
            {
                "key": f"Another behaviour in {area.name} has the key “{key}”; keys are unique "
                "in an area."
            },
            code="unique",
        )

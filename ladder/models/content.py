"""What a framework version holds: levels, their area groups, areas, responsibilities and
behaviours.

Every row here belongs to one framework version and is frozen with it once it is
published: FrameworkContent's save() and delete() and FrameworkContentQuerySet's bulk
writes lock the versions a write touches (lock_frameworks, in framework.py) and refuse
published ones, so no form, admin page or script can get around it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.db.models import Q
from django.urls import reverse

from ladder.areas import AREA_NAMES
from ladder.formats.document import (
    AREA_NAME_MAX_LENGTH,
    FLAT_LIST_LABEL,
    KEY_MAX_LENGTH,
    area_key,
    derived_key,
    normalise_text,
)
from ladder.formats.inline import area_kind
from ladder.models.framework import Framework, Track, lock_frameworks
from ladder.rubric_text import plain


def frameworks_of(model: type[models.Model], ids) -> set[int]:
    """The framework versions that rows of a framework model (or Framework) belong to."""
    ids = {pk for pk in ids if pk is not None}
    if not ids:
        return set()
    if model is Framework:
        return ids
    rows = model._base_manager.filter(pk__in=ids).values_list(model.framework_path, flat=True)
    return set(rows)


def _content_foreign_keys(model: type[models.Model]):
    """The model's foreign keys that point into a framework version."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.many_to_one
        and (field.related_model is Framework or issubclass(field.related_model, FrameworkContent))
    ]


def _target_frameworks(model: type[models.Model], values: dict) -> set[int]:
    """Frameworks that the foreign-key values about to be written point into."""
    found: set[int] = set()
    for field in _content_foreign_keys(model):
        for key in (field.name, field.attname):
            if key in values and values[key] is not None:
                target = values[key]
                found |= frameworks_of(field.related_model, [getattr(target, "pk", target)])
    return found


class FrameworkContentQuerySet(models.QuerySet):
    """Bulk writes refuse rows in, or links into, a published version.

    Content models use this as their base manager too, so related managers
    (`area.behaviours.add(...)`) and cascades go through the same checks.
    """

    def update(self, **kwargs):
        with transaction.atomic(using=self.db):
            own = set(self.values_list(self.model.framework_path, flat=True))
            lock_frameworks(own | _target_frameworks(self.model, kwargs))
            return super().update(**kwargs)

    def delete(self):
        with transaction.atomic(using=self.db):
            lock_frameworks(self.values_list(self.model.framework_path, flat=True))
            return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        with transaction.atomic(using=self.db):
            targets: set[int] = set()
            for field in _content_foreign_keys(self.model):
                ids = [getattr(obj, field.attname) for obj in objs]
                targets |= frameworks_of(field.related_model, ids)
            lock_frameworks(targets)
            return super().bulk_create(objs, *args, **kwargs)


class FrameworkContent(models.Model):
    """Base for rows inside a framework version: frozen once the version is published."""

    # The lookup from this model to its Framework, e.g. "area__level__framework".
    framework_path: str = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        with transaction.atomic():
            self._lock_own_frameworks()
            super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            self._lock_own_frameworks()
            return super().delete(*args, **kwargs)

    def _lock_own_frameworks(self) -> None:
        fields = _content_foreign_keys(type(self))
        values = {field.attname: getattr(self, field.attname) for field in fields}
        # Where the row is going, and where it is now: moving a row out of a
        # published version changes that version too.
        frameworks = _target_frameworks(type(self), values)
        if self.pk is not None:
            frameworks |= frameworks_of(type(self), [self.pk])
        lock_frameworks(frameworks)


class LevelQuerySet(FrameworkContentQuerySet):
    def published(self):
        return self.filter(framework__status=Framework.Status.PUBLISHED)

    def with_rubric(self):
        """Everything a level page shows, in four queries whatever the size of the level."""
        return self.select_related("framework", "track").prefetch_related(*rubric_prefetches())


def rubric_prefetches() -> list[models.Prefetch]:
    """A level's areas (with their groups), responsibilities and behaviours in ladder
    order: three queries."""
    return [
        models.Prefetch("areas", queryset=Area.objects.select_related("group").order_by("order")),
        # New rows default to order 0: the primary key keeps ties in a fixed order.
        models.Prefetch(
            "areas__responsibilities", queryset=Responsibility.objects.order_by("order", "pk")
        ),
        models.Prefetch("areas__behaviours", queryset=Behaviour.objects.order_by("order", "pk")),
    ]


class Level(FrameworkContent):
    """A level of one track in one framework version, e.g. IC5 Staff Machine Learning Engineer."""

    framework_path = "framework"

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="levels")
    code = models.CharField(
        max_length=12,
        validators=[
            RegexValidator(r"^[A-Za-z]+[0-9]+\Z", "Use letters then a number, such as IC5 or M4.")
        ],
        help_text="Letters then a number, such as IC5 or M4.",
    )
    rank = models.PositiveIntegerField(
        editable=False, help_text="The number in the code; orders levels within a track."
    )
    title = models.CharField(
        max_length=160, help_text="For example “Staff Machine Learning Engineer”."
    )
    summary = models.TextField(
        help_text="The one-line statement at the top of the level page, in the first person."
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = LevelQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["framework", "track", "rank", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "track", "code"], name="level_unique_code_per_track"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args, **kwargs):
        self.code = self.code.strip().upper()
        self.rank = level_rank(self.code)
        self.title = one_line(self.title)
        self.summary = one_line(self.summary)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "ladder:level",
            args=[self.framework.slug, self.framework.version, self.track.slug, self.code],
        )

    def area_layout(self) -> list[AreaRun]:
        """The prefetched areas as a page lays them out (see AreaRun): no queries."""
        runs: list[AreaRun] = []
        for area in self.areas.all():
            if not runs or runs[-1].group_id != area.group_id:
                runs.append(AreaRun(area.group, []))
            parts = runs[-1].parts
            if not parts or parts[-1][0] != area.subgrouped:
                parts.append((area.subgrouped, []))
            parts[-1][1].append(area)
        return runs


@dataclass
class AreaRun:
    """Areas next to each other on a page that share a group (or have none): `parts` are
    their runs without sub-groups (shown side by side as cards) and with (one section
    each), in order."""

    group: AreaGroup | None
    parts: list[tuple[bool, list[Area]]]

    @property
    def group_id(self) -> int | None:
        return self.group.pk if self.group is not None else None


def one_line(text: str) -> str:
    return " ".join(text.split())


def level_rank(code: str) -> int:
    # ASCII digits only: "²".isdigit() is true, but int() refuses it.
    digits = "".join(ch for ch in code if ch in "0123456789")
    return int(digits) if digits else 0


class AreaGroup(FrameworkContent):
    """A category above some of a level's areas, such as "Technical skills" over four."""

    framework_path = "level__framework"

    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="area_groups")
    name = models.CharField(max_length=AREA_NAME_MAX_LENGTH)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = FrameworkContentQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["level", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["level", "name"], name="area_group_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = one_line(self.name)
        self.description = normalise_text(self.description)
        super().save(*args, **kwargs)


class Area(FrameworkContent):
    """What a level is rated on, such as Scope or Communication: behaviours sit directly
    under it, or under named sub-groups (its responsibilities) when it is `subgrouped`."""

    framework_path = "level__framework"

    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="areas")
    key = models.CharField(
        max_length=KEY_MAX_LENGTH,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9.-]*\Z",
                "Lower-case letters, digits, dots and hyphens, starting with a letter or digit.",
            )
        ],
        help_text="Pairs the area with itself at other levels and in other versions; it "
        "stays when the area is renamed.",
    )
    name = models.CharField(max_length=AREA_NAME_MAX_LENGTH)
    group = models.ForeignKey(
        AreaGroup, null=True, blank=True, on_delete=models.SET_NULL, related_name="areas"
    )
    subgrouped = models.BooleanField(
        default=False,
        help_text="Behaviours sit under named sub-groups (responsibilities), not directly "
        "under the area.",
    )
    order = models.PositiveSmallIntegerField(default=0)
    description = models.TextField(
        blank=True,
        help_text="The area's description or intro text, paragraphs separated by a blank line.",
    )
    note = models.TextField(
        blank=True,
        help_text="Areas without sub-groups: text after the bullets, such as a footnote. "
        "With sub-groups, notes belong to a sub-group.",
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = FrameworkContentQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["level", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["level", "key"], name="area_unique_key_per_level"),
            models.UniqueConstraint(fields=["level", "name"], name="area_unique_name_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.level.code} · {self.label}"

    def save(self, *args, **kwargs):
        self.name = one_line(self.name)
        if not self.key:
            self.key = area_key(self.name)
        self.description = normalise_text(self.description)
        self.note = normalise_text(self.note)
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        """The name shown: that of a flat list's unnamed area is "Behaviours"."""
        return self.name or FLAT_LIST_LABEL

    def clean(self):
        if self.note.strip() and self.subgrouped:
            raise ValidationError(
                {"note": f"{self.name} has sub-groups: its notes belong to them."}
            )

    def grouped_behaviours(self) -> list[tuple[Responsibility | None, list[Behaviour]]]:
        """Behaviours under their responsibility, from prefetched rows (no queries)."""
        behaviours = list(self.behaviours.all())
        if not self.subgrouped:
            return [(None, behaviours)]
        return [
            (r, [b for b in behaviours if b.responsibility_id == r.id])
            for r in self.responsibilities.all()
        ]


class Responsibility(FrameworkContent):
    """A named sub-group of an area's behaviours, such as Impact or Decision Making."""

    framework_path = "area__level__framework"

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="responsibilities")
    name = models.CharField(max_length=AREA_NAME_MAX_LENGTH)
    order = models.PositiveSmallIntegerField(default=0)
    note = models.TextField(
        blank=True, help_text="Text after the behaviours, such as a footnote or “See also …”."
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = FrameworkContentQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["area", "order", "pk"]
        verbose_name_plural = "responsibilities"
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="responsibility_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = one_line(self.name)
        self.note = normalise_text(self.note)
        super().save(*args, **kwargs)

    def clean(self):
        if self.area_id and not self.area.subgrouped:
            raise ValidationError(
                f"{self.area.name}'s behaviours sit directly under it, in no sub-group."
            )
        in_default = self.area_id and self.area.key in AREA_NAMES
        if in_default and area_kind(self.name) is not None:
            # A page of the default framework would read "**Craft**" as the Craft pillar,
            # not as a responsibility; a framework of its own reads it as a sub-group.
            raise ValidationError({"name": "An area's name can't also name a responsibility."})


class Behaviour(FrameworkContent):
    """One rubric item: a key behaviour, rated in self-assessments."""

    framework_path = "area__level__framework"

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="behaviours")
    responsibility = models.ForeignKey(
        Responsibility,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="behaviours",
        help_text="Required in an area with sub-groups; empty in the others.",
    )
    key = models.CharField(
        max_length=KEY_MAX_LENGTH,
        blank=True,
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9.-]*\Z",
                "Lower-case letters, digits, dots and hyphens, starting with a letter or digit.",
            )
        ],
        help_text="Stable identifier used to compare versions and levels. Keep it when "
        "rewording; leave empty on a new behaviour to get one.",
    )
    text = models.TextField(
        help_text="In the first person, as the ladder writes it. [words](https://…) makes a link."
    )
    examples = models.JSONField(
        default=list,
        blank=True,
        help_text="“For example …” items shown with the behaviour as help; not rated.",
    )
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position within the area; behaviours are listed by this number."
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = FrameworkContentQuerySet.as_manager()

    class Meta:
        base_manager_name = "objects"
        ordering = ["area", "order", "pk"]
        constraints = [
            # Keys are what versions are compared by, so one may not repeat in an area.
            models.UniqueConstraint(fields=["area", "key"], name="behaviour_unique_key_per_area"),
            models.CheckConstraint(
                condition=~Q(text=""),
                name="behaviour_text_not_empty",
                violation_error_message="Write the behaviour; it can't be empty.",
            ),
        ]

    def __str__(self) -> str:
        words = plain(self.text)
        return words if len(words) <= 80 else words[:79] + "…"

    def save(self, *args, **kwargs):
        # A behaviour is one bullet: a blank line inside it would split it in two.
        self.text = one_line(self.text)
        if not self.key:
            self.key = self._free_key()
        super().save(*args, **kwargs)

    def clean(self):
        if not self.area_id:
            return
        if not self.area.subgrouped and self.responsibility_id:
            raise ValidationError(
                {"responsibility": f"{self.area.name} behaviours sit directly under the area."}
            )
        if self.area.subgrouped:
            if not self.responsibility_id:
                raise ValidationError(
                    {"responsibility": f"Choose the {self.area.name} responsibility it belongs to."}
                )
            if self.responsibility.area_id != self.area_id:
                raise ValidationError(
                    {"responsibility": "That responsibility belongs to another area."}
                )

    def _free_key(self) -> str:
        name = self.responsibility.name if self.responsibility_id else None
        taken = set(Behaviour.objects.filter(area_id=self.area_id).values_list("key", flat=True))
        number = 1
        while derived_key(self.area.key, name, number) in taken:
            number += 1
        return derived_key(self.area.key, name, number)

"""The career framework as data: versions, tracks, levels, areas, responsibilities, behaviours.

A framework version is a draft until it is published; after that nothing in it may
change, because review cycles pin a version and ratings must keep pointing at the
exact wording they were given against. That rule is enforced here, in save(),
delete() and the querysets' bulk update/delete, so no form, admin page or script
can get around it.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ladder.ladder_format import (
    AREA_KINDS,
    AREA_NAMES,
    EXPECTATION_KINDS,
    derived_key,
    normalise_text,
)


class PublishedFrameworkError(ValidationError):
    """Raised on any attempt to change content of a published framework version."""

    def __init__(self, framework: Framework | None = None):
        where = f" ({framework})" if framework is not None else ""
        super().__init__(
            f"This framework version is published{where} and can no longer be changed. "
            "Create a new draft from it to make edits.",
            code="published",
        )


class FrameworkQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Framework.Status.PUBLISHED)

    def drafts(self):
        return self.filter(status=Framework.Status.DRAFT)

    def update(self, **kwargs):
        # A bulk update may only move drafts; publishing goes through publish().
        if self.published().exists():
            raise PublishedFrameworkError()
        return super().update(**kwargs)

    def delete(self):
        if self.published().exists():
            raise PublishedFrameworkError()
        return super().delete()


class Framework(models.Model):
    """One version of a named career framework: a draft, or published and frozen."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    name = models.CharField(max_length=120, help_text="For example “Engineering Career Framework”.")
    slug = models.SlugField(max_length=120, editable=False)
    version = models.PositiveIntegerField(
        help_text="Numbered per framework name; a draft holds the number it will publish as."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.DRAFT, editable=False)
    notes = models.TextField(
        blank=True, help_text="What changed in this version, for the people reading the ladder."
    )
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = FrameworkQuerySet.as_manager()

    class Meta:
        ordering = ["name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="framework_unique_version"),
            # Editing happens on exactly one draft per framework at a time.
            models.UniqueConstraint(
                fields=["slug"], condition=Q(status="draft"), name="framework_one_draft"
            ),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="framework_published_at_matches_status",
            ),
        ]

    def __str__(self) -> str:
        state = "draft" if self.is_draft else "published"
        return f"{self.name} v{self.version} ({state})"

    def save(self, *args, **kwargs):
        self.slug = slugify(self.name)
        if self.pk is not None and _framework_is_published(self.pk):
            raise PublishedFrameworkError(self)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("ladder:framework", args=[self.slug, self.version])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def delete(self, *args, **kwargs):
        if _framework_is_published(self.pk):
            raise PublishedFrameworkError(self)
        return super().delete(*args, **kwargs)

    def publish(self) -> None:
        """Freeze this draft as its version; from now on it can only be read."""
        if not self.is_draft:
            raise PublishedFrameworkError(self)
        if not self.levels.exists():
            raise ValidationError("A framework version needs at least one level to be published.")
        self.status = self.Status.PUBLISHED
        self.published_at = timezone.now()
        # Framework.save() refuses published rows, and the row is still a draft in
        # the database here, so the ordinary save path does the transition.
        self.save(update_fields=["status", "published_at"])

    @classmethod
    def next_version_number(cls, slug: str) -> int:
        latest = cls.objects.filter(slug=slug).aggregate(latest=Max("version"))["latest"]
        return (latest or 0) + 1


def _framework_is_published(framework_id: int | None) -> bool:
    if framework_id is None:
        return False
    return Framework.objects.filter(pk=framework_id, status=Framework.Status.PUBLISHED).exists()


class Track(models.Model):
    """A career track such as Machine Learning or Software; shared by all versions."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class FrameworkContentQuerySet(models.QuerySet):
    """Bulk writes on framework content refuse rows that belong to a published version."""

    framework_path: str = ""

    def _touches_published(self) -> bool:
        return self.filter(
            **{f"{self.framework_path}__status": Framework.Status.PUBLISHED}
        ).exists()

    def update(self, **kwargs):
        if self._touches_published():
            raise PublishedFrameworkError()
        return super().update(**kwargs)

    def delete(self):
        if self._touches_published():
            raise PublishedFrameworkError()
        return super().delete()


class FrameworkContent(models.Model):
    """Base for rows inside a framework version: frozen once the version is published."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self._refuse_if_published()
        super().save(*args, **kwargs)

    def framework_id_for_lock(self) -> int | None:
        raise NotImplementedError

    def _refuse_if_published(self) -> None:
        framework_id = self.framework_id_for_lock()
        if _framework_is_published(framework_id):
            raise PublishedFrameworkError()
        # A row moved out of a published version is a change to that version too.
        if self.pk is not None:
            stored = type(self)._base_manager.filter(pk=self.pk).first()
            if stored is not None and _framework_is_published(stored.framework_id_for_lock()):
                raise PublishedFrameworkError()

    def delete(self, *args, **kwargs):
        self._refuse_if_published()
        return super().delete(*args, **kwargs)


class LevelQuerySet(FrameworkContentQuerySet):
    framework_path = "framework"

    def published(self):
        return self.filter(framework__status=Framework.Status.PUBLISHED)

    def with_rubric(self):
        """Everything a level page shows, in four queries whatever the size of the level."""
        return self.select_related("framework", "track").prefetch_related(
            models.Prefetch("areas", queryset=Area.objects.order_by("order")),
            models.Prefetch(
                "areas__responsibilities", queryset=Responsibility.objects.order_by("order")
            ),
            models.Prefetch("areas__behaviours", queryset=Behaviour.objects.order_by("order")),
        )


class Level(FrameworkContent):
    """A level of one track in one framework version, e.g. IC5 Staff Machine Learning Engineer."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="levels")
    track = models.ForeignKey(Track, on_delete=models.PROTECT, related_name="levels")
    code = models.CharField(max_length=12, help_text="Short code such as IC5 or M4.")
    rank = models.PositiveIntegerField(
        editable=False, help_text="The number in the code; orders levels within a track."
    )
    title = models.CharField(
        max_length=160, help_text="For example “Staff Machine Learning Engineer”."
    )
    summary = models.TextField(
        help_text="The one-line statement at the top of the level page, in the first person."
    )

    objects = LevelQuerySet.as_manager()

    class Meta:
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
        self.title = normalise_text(self.title)
        self.summary = normalise_text(self.summary)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "ladder:level",
            args=[self.framework.slug, self.framework.version, self.track.slug, self.code],
        )

    def framework_id_for_lock(self) -> int | None:
        return self.framework_id


def level_rank(code: str) -> int:
    digits = "".join(ch for ch in code if ch.isdigit())
    return int(digits) if digits else 0


class AreaQuerySet(FrameworkContentQuerySet):
    framework_path = "level__framework"


class Area(FrameworkContent):
    """One of the eight areas of a level: three level expectations and five pillars."""

    class Kind(models.TextChoices):
        SCOPE = "scope", AREA_NAMES["scope"]
        REACH = "reach", AREA_NAMES["reach"]
        LEVERS = "levers", AREA_NAMES["levers"]
        RESULTS = "results", AREA_NAMES["results"]
        DIRECTION = "direction", AREA_NAMES["direction"]
        TALENT = "talent", AREA_NAMES["talent"]
        CULTURE = "culture", AREA_NAMES["culture"]
        CRAFT = "craft", AREA_NAMES["craft"]

    level = models.ForeignKey(Level, on_delete=models.CASCADE, related_name="areas")
    kind = models.CharField(max_length=12, choices=Kind)
    order = models.PositiveSmallIntegerField(editable=False)
    description = models.TextField(
        blank=True,
        help_text="Expectations: the one-line italic description. Pillars: the intro text, "
        "paragraphs separated by a blank line.",
    )

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["level", "order"]
        constraints = [
            models.UniqueConstraint(fields=["level", "kind"], name="area_unique_kind_per_level"),
        ]

    def __str__(self) -> str:
        return f"{self.level.code} · {self.name}"

    def save(self, *args, **kwargs):
        self.order = AREA_KINDS.index(self.kind)
        self.description = normalise_text(self.description)
        super().save(*args, **kwargs)

    @property
    def name(self) -> str:
        return self.get_kind_display()

    @property
    def is_expectation(self) -> bool:
        return self.kind in EXPECTATION_KINDS

    def framework_id_for_lock(self) -> int | None:
        return Level.objects.filter(pk=self.level_id).values_list("framework_id", flat=True).first()

    def grouped_behaviours(self) -> list[tuple[Responsibility | None, list[Behaviour]]]:
        """Behaviours under their responsibility, from prefetched rows (no queries)."""
        behaviours = list(self.behaviours.all())
        if self.is_expectation:
            return [(None, behaviours)]
        return [
            (r, [b for b in behaviours if b.responsibility_id == r.id])
            for r in self.responsibilities.all()
        ]


class ResponsibilityQuerySet(FrameworkContentQuerySet):
    framework_path = "area__level__framework"


class Responsibility(FrameworkContent):
    """A responsibility within a pillar, such as Impact or Decision Making."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="responsibilities")
    name = models.CharField(max_length=120)
    order = models.PositiveSmallIntegerField(default=0)

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        ordering = ["area", "order"]
        verbose_name_plural = "responsibilities"
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="responsibility_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name = normalise_text(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        if self.area_id and self.area.is_expectation:
            raise ValidationError(
                f"{self.area.name} is a level expectation; responsibilities belong to pillars."
            )

    def framework_id_for_lock(self) -> int | None:
        return (
            Area.objects.filter(pk=self.area_id)
            .values_list("level__framework_id", flat=True)
            .first()
        )


class BehaviourQuerySet(FrameworkContentQuerySet):
    framework_path = "area__level__framework"


class Behaviour(FrameworkContent):
    """One rubric item: a key behaviour, rated in self-assessments."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="behaviours")
    responsibility = models.ForeignKey(
        Responsibility,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="behaviours",
        help_text="Required in pillars; empty for the level expectations.",
    )
    key = models.SlugField(
        max_length=64,
        blank=True,
        help_text="Stable identifier used to compare versions and levels. Keep it when "
        "rewording; leave empty on a new behaviour to get one.",
    )
    text = models.TextField(help_text="In the first person, as the ladder writes it.")
    order = models.PositiveSmallIntegerField(
        default=0, help_text="Position within the area; behaviours are listed by this number."
    )

    objects = BehaviourQuerySet.as_manager()

    class Meta:
        ordering = ["area", "order"]
        constraints = [
            # Keys are what versions are compared by, so one may not repeat in an area.
            models.UniqueConstraint(fields=["area", "key"], name="behaviour_unique_key_per_area"),
            models.CheckConstraint(condition=~Q(text=""), name="behaviour_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text if len(self.text) <= 80 else self.text[:79] + "…"

    def save(self, *args, **kwargs):
        self.text = normalise_text(self.text)
        if not self.key:
            self.key = self._free_key()
        super().save(*args, **kwargs)

    def clean(self):
        if not self.area_id:
            return
        if self.area.is_expectation and self.responsibility_id:
            raise ValidationError(
                {"responsibility": f"{self.area.name} behaviours sit directly under the area."}
            )
        if not self.area.is_expectation:
            if not self.responsibility_id:
                raise ValidationError(
                    {"responsibility": f"Choose the {self.area.name} responsibility it belongs to."}
                )
            if self.responsibility.area_id != self.area_id:
                raise ValidationError(
                    {"responsibility": "That responsibility belongs to another area."}
                )

    def framework_id_for_lock(self) -> int | None:
        return (
            Area.objects.filter(pk=self.area_id)
            .values_list("level__framework_id", flat=True)
            .first()
        )

    def _free_key(self) -> str:
        name = self.responsibility.name if self.responsibility_id else None
        taken = set(Behaviour.objects.filter(area_id=self.area_id).values_list("key", flat=True))
        number = 1
        while derived_key(self.area.kind, name, number) in taken:
            number += 1
        return derived_key(self.area.kind, name, number)


class User(AbstractUser):
    """A person in the organisation, with their place in the org chart."""

    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="Who this person reports to.",
    )
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    level_code = models.CharField(
        max_length=12, blank=True, help_text="Current level, such as IC5; matches a level code."
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(manager=models.F("id")), name="user_not_own_manager"
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        self.level_code = self.level_code.strip().upper()
        # Walk up the chain so nobody ends up (indirectly) managing themselves.
        seen = {self.pk}
        boss = self.manager
        while boss is not None:
            if boss.pk in seen:
                raise ValidationError({"manager": "That would make a reporting loop."})
            seen.add(boss.pk)
            boss = boss.manager

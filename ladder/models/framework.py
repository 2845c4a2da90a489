"""Framework versions and tracks, and the rule that a published version is frozen.

A framework version is a draft until it is published; after that nothing in it may
change, because review cycles pin a version and ratings must keep pointing at the
exact wording they were given against. Framework's save(), delete() and queryset, and
lock_frameworks() (which every write to a version's content takes), enforce it, so no
form, admin page or script can get around it.
"""

from __future__ import annotations

from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from ladder.scale import Scale, default_scale_data


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
    scale_data = models.JSONField(
        default=default_scale_data,
        editable=False,
        help_text="The rating and outcome scales (ladder.scale), frozen with the version.",
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
                fields=["slug"],
                condition=Q(status="draft"),
                name="framework_one_draft",
                violation_error_message="This framework already has a draft; edit that one "
                "or publish it first.",
            ),
            models.CheckConstraint(
                condition=Q(status="draft", published_at__isnull=True)
                | Q(status="published", published_at__isnull=False),
                name="framework_published_at_matches_status",
                violation_error_message="A published version records when it was published, "
                "and a draft has no such date.",
            ),
        ]

    def __str__(self) -> str:
        state = "draft" if self.is_draft else "published"
        return f"{self.name} v{self.version} ({state})"

    def save(self, *args, **kwargs):
        self.slug = slugify(self.name)
        with transaction.atomic():
            if self.pk is not None:
                lock_frameworks([self.pk])
            super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("ladder:framework", args=[self.slug, self.version])

    def clean(self):
        self.slug = slugify(self.name)
        if not self.slug:
            raise ValidationError({"name": "Use some letters or digits (a–z, 0–9) in the name."})
        others = Framework.objects.filter(slug=self.slug).exclude(pk=self.pk)
        clash = others.exclude(name=self.name).first()
        if clash is not None:
            raise ValidationError({"name": f"Too close to “{clash.name}”; choose another name."})
        if self.is_draft and others.drafts().exists():
            raise ValidationError(
                {"name": f"{self.name} already has a draft; edit that one or publish it first."}
            )

    @cached_property
    def scale(self) -> Scale:
        """The answers people give in cycles on this version, and the outcomes."""
        return Scale.from_data(self.scale_data)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def delete(self, *args, **kwargs):
        with transaction.atomic():
            lock_frameworks([self.pk])
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


def lock_frameworks(framework_ids) -> None:
    """Lock framework rows until the transaction ends; refuse if any is published.

    Every write to framework content goes through here inside its transaction, and
    publish() locks the same row, so an edit and a publication can never interleave:
    whichever comes second sees the other's outcome.
    """
    ids = {pk for pk in framework_ids if pk is not None}
    if not ids:
        return
    statuses = set(
        Framework.objects.select_for_update().filter(pk__in=ids).values_list("status", flat=True)
    )
    if Framework.Status.PUBLISHED in statuses:
        raise PublishedFrameworkError()


class Track(models.Model):
    """A career track such as Machine Learning or Software; shared by all versions."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(
        max_length=80, unique=True, help_text="The track's part of page addresses."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        if self._renamed_while_published():
            raise ValidationError(self.FROZEN_MESSAGE)
        super().save(*args, **kwargs)

    FROZEN_MESSAGE = (
        "Published versions use this track, and their pages and exports must keep its "
        "name and address. Create a new track for new wording."
    )

    def clean(self):
        if not (self.slug or slugify(self.name)):
            raise ValidationError({"name": "Use some letters or digits (a–z, 0–9) in the name."})
        if self._renamed_while_published():
            raise ValidationError(self.FROZEN_MESSAGE)

    def _renamed_while_published(self) -> bool:
        if self.pk is None:
            return False
        stored = Track.objects.filter(pk=self.pk).values_list("name", "slug").first()
        return (
            stored != (self.name, self.slug)
            and self.levels.filter(framework__status=Framework.Status.PUBLISHED).exists()
        )

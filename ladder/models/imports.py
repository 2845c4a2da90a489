"""Ladder files uploaded in the browser, waiting between the dry run and the confirmation."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from ladder.models.framework import Framework
from ladder.models.people import User


class ImportBatchQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(status=ImportBatch.Status.PENDING)

    def stale(self, now=None):
        """Pending batches nobody confirmed within a day: their report is long out of date."""
        from datetime import timedelta

        cutoff = (now or timezone.now()) - timedelta(hours=ImportBatch.PENDING_HOURS)
        return self.pending().filter(created_at__lt=cutoff)


class ImportBatch(models.Model):
    """Ladder files uploaded in the browser, kept between the dry run and the confirmation.

    The files are kept as they came and read again at confirmation, so what is written
    is what the report showed, unless the framework changed in between (the digest).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        APPLIED = "applied", "Imported"

    PENDING_HOURS = 24

    uploaded_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    framework_name = models.CharField(max_length=120)
    track = models.CharField(
        max_length=80, blank=True, help_text="Overrides the track the pages name; blank keeps it."
    )
    # [{"name": "ic5.md", "text": "…"}]: UTF-8 files decode and encode back byte for
    # byte, and anything else was refused before a batch is made.
    files = models.JSONField(default=list)
    digest = models.CharField(max_length=64, help_text="The plan the person last saw.")
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    framework = models.ForeignKey(
        Framework, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        indexes = [
            # Serves ImportBatch.objects.stale(), run at every upload.
            models.Index(fields=["status", "created_at"], name="importbatch_status_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", applied_at__isnull=True)
                | Q(status="applied", applied_at__isnull=False),
                name="importbatch_applied_at_matches_status",
                violation_error_message="An applied import records when it was applied.",
            ),
        ]

    def __str__(self) -> str:
        return f"{len(self.files)} file(s) for {self.framework_name} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("ladder:import-report", args=[self.pk])

    @property
    def is_applied(self) -> bool:
        return self.status == self.Status.APPLIED

    @property
    def file_names(self) -> list[str]:
        return [item["name"] for item in self.files]

    def uploads(self) -> list[tuple[str, bytes]]:
        """The files as they were uploaded: (name, bytes)."""
        return [(item["name"], item["text"].encode("utf-8")) for item in self.files]

    def mark_applied(self, framework: Framework | None) -> None:
        """Record where the files went; their text is in the framework now, so drop it."""
        self.status = self.Status.APPLIED
        self.framework = framework
        self.applied_at = timezone.now()
        self.files = [{"name": name, "text": ""} for name in self.file_names]
        self.save(update_fields=["status", "framework", "applied_at", "files"])

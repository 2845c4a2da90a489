"""Review cycles, self-assessments and their ratings."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from assessments.scale import Score
from ladder.markdown import render_markdown
from ladder.models import Behaviour, Framework, Level

# Long enough for a thorough note with links; short enough to keep a packet readable.
EVIDENCE_MAX_LENGTH = 10_000


class CycleQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Cycle.Status.OPEN)


class Cycle(models.Model):
    """A review cycle, pinned to one published framework version, with its deadlines."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    name = models.CharField(max_length=120, help_text="For example “2026 H2 review”.")
    framework = models.ForeignKey(
        Framework,
        on_delete=models.PROTECT,
        related_name="cycles",
        help_text="The published version whose wording every rating in this cycle uses.",
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.PLANNED)
    self_assessment_due = models.DateField(
        help_text="Engineers submit their self-assessment by this day."
    )
    manager_review_due = models.DateField(help_text="Managers finish their reviews by this day.")
    calibration_due = models.DateField(
        help_text="The committee records calibrated outcomes by this day."
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-self_assessment_due", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(self_assessment_due__lte=F("manager_review_due"))
                & Q(manager_review_due__lte=F("calibration_due")),
                name="cycle_deadlines_in_order",
                violation_error_message="Deadlines go in order: self-assessment, then manager "
                "review, then calibration.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        # The order of the deadlines is checked with the constraint cycle_deadlines_in_order,
        # which model validation runs after this; checking here too showed its message twice.
        if self.framework_id and not self.framework.is_published:
            raise ValidationError(
                {"framework": "A cycle pins a published version, so ratings keep their wording."}
            )

    def level_for(self, user) -> Level | None:
        """The level of this cycle's framework version that matches the person's level."""
        if not user.track_id or not user.level_code:
            return None
        return Level.objects.filter(
            framework_id=self.framework_id, track_id=user.track_id, code=user.level_code
        ).first()


class AssessmentQuerySet(models.QuerySet):
    def for_page(self):
        """What every assessment view needs besides the ratings and the level, in one query.

        The level comes from assessments.progress.published_level(), which keeps
        published levels in memory; joining it here would cost more than the row.
        """
        return self.select_related("cycle", "engineer")


class Assessment(models.Model):
    """One engineer's self-assessment in one cycle, for one level."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        REVIEWED = "reviewed", "Reviewed"
        CALIBRATED = "calibrated", "Calibrated"

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="assessments")
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["cycle", "engineer"], name="assessment_one_per_cycle"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="assessment_submitted_has_time",
                violation_error_message="A submitted assessment needs the time it was submitted.",
            ),
        ]
        indexes = [
            # The manager's home page lists reports' assessments in the open cycle.
            models.Index(fields=["cycle", "status"], name="assessment_cycle_status"),
        ]

    def __str__(self) -> str:
        return f"{self.engineer} · {self.cycle} · {self.level.code}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def unanswered(self):
        return self.ratings.filter(score__isnull=True)

    def submit(self, *, by) -> None:
        """Send a complete draft to the manager; from now on the engineer can only read it."""
        from assessments.notifications import notify_manager_of_submission
        from assessments.permissions import Action, allowed, refusal

        with transaction.atomic():
            self._reload_locked()
            if not allowed(by, self, Action.SUBMIT):
                raise PermissionDenied(refusal(self, Action.SUBMIT))
            missing = self.unanswered().count()
            if missing:
                raise ValidationError(
                    f"{missing} behaviour{'s' if missing != 1 else ''} still need a score "
                    "(or “No evidence yet”) before you can submit."
                )
            self.status = self.Status.SUBMITTED
            self.submitted_at = timezone.now()
            self.save(update_fields=["status", "submitted_at"])
            # The submission stands even if the mail server is down; that failure is logged.
            transaction.on_commit(lambda: notify_manager_of_submission(self), robust=True)

    def return_to_draft(self, *, by, note: str) -> None:
        """The manager sends a submission back to the engineer, saying why."""
        from assessments.notifications import notify_engineer_of_return
        from assessments.permissions import Action, allowed, refusal

        note = note.strip()
        with transaction.atomic():
            self._reload_locked()
            if not allowed(by, self, Action.RETURN):
                raise PermissionDenied(refusal(self, Action.RETURN))
            if not note:
                raise ValidationError(
                    "Say what should change, so the engineer knows why it came back."
                )
            self.status = self.Status.DRAFT
            self.submitted_at = None
            self.returned_at = timezone.now()
            self.return_note = note
            self.save(update_fields=["status", "submitted_at", "returned_at", "return_note"])
            transaction.on_commit(lambda: notify_engineer_of_return(self), robust=True)

    def _reload_locked(self) -> None:
        # Decide on the row as it is now, and hold it until the change commits, so a
        # submit and a return (or a save and a submit) can't cross.
        fresh = Assessment.objects.select_for_update().get(pk=self.pk)
        self.status, self.submitted_at = fresh.status, fresh.submitted_at


class Rating(models.Model):
    """The engineer's score and evidence for one behaviour of their assessment.

    `version` goes up by one on every save; a save must name the version it was
    based on, so a stale tab gets a conflict instead of overwriting newer work.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    behaviour = models.ForeignKey(Behaviour, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField(choices=Score, null=True, blank=True)
    evidence = models.TextField(blank=True, max_length=EVIDENCE_MAX_LENGTH)
    # Rendered and sanitised once on save, not on every page view.
    evidence_html = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        # No joins in the default order: the autosave path looks ratings up by key.
        ordering = ["assessment", "behaviour"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "behaviour"], name="rating_one_per_behaviour"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=4),
                name="rating_score_on_scale",
                violation_error_message="Choose one of the scale's answers, from “No evidence "
                "yet” to “Beyond this level”, or leave the behaviour unanswered.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.behaviour.key}"

    @property
    def score_label(self) -> str:
        return self.get_score_display() if self.score is not None else "Not answered"


def evidence_html(text: str) -> str:
    return render_markdown(text) if text.strip() else ""

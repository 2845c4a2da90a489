"""Review cycles, self-assessments and their ratings."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from ladder.models import Area, Behaviour, Framework, Level
from ladder.safe_markdown import render_markdown, render_plain
from ladder.scale import FIRST_STEP, MAX_OUTCOMES, MAX_STEPS, NO_EVIDENCE, Scale

# Long enough for a thorough note with links; short enough to keep a packet readable.
EVIDENCE_MAX_LENGTH = 10_000
# A manager's summary and a committee's reason: a page at most.
SUMMARY_MAX_LENGTH = 10_000
# Peer input: a cycle asks each engineer for up to this many colleagues, and shows
# anonymous input to the engineer only once at least ANONYMOUS_FEWEST of them answered.
PEERS_MOST = 10
ANONYMOUS_FEWEST = 3
# Why someone declines a request: a sentence or two.
DECLINE_MAX_LENGTH = 1_000


class CycleQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Cycle.Status.OPEN)


def reminder_schedule(value: str) -> tuple[int, ...]:
    """'7, 1' as (7, 1): days before a deadline, each 1 to 60, at most five, largest first."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    if len(parts) > 5 or not all(p.isascii() and p.isdigit() and len(p) <= 2 for p in parts):
        raise ValidationError(
            "Write up to five whole numbers of days, separated by commas, such as “7, 1”."
        )
    days = sorted({int(p) for p in parts}, reverse=True)
    if any(not 1 <= day <= 60 for day in days):
        raise ValidationError("Each reminder is 1 to 60 days before the deadline.")
    return tuple(days)


class Cycle(models.Model):
    """A review cycle, pinned to one published framework version, with its deadlines."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    class Phase(models.TextChoices):
        # In this order; results are shared when the committee closes calibration.
        SELF_ASSESSMENT = "self_assessment", "Self-assessment"
        MANAGER_REVIEW = "manager_review", "Manager review"
        CALIBRATION = "calibration", "Calibration"

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
    calibrators = models.ForeignKey(
        Group,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="calibrated_cycles",
        help_text="The group whose members sit on this cycle's calibration committee. They "
        "read the packets of every reviewed assessment in the cycle, except their own.",
    )
    calibration_closed_at = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="When the committee closed calibration and the results were shared.",
    )
    phase = models.CharField(
        max_length=16,
        choices=Phase,
        default=Phase.SELF_ASSESSMENT,
        editable=False,
        help_text="Moved on by whoever runs the cycle, from its page, in order.",
    )
    self_enrolment = models.BooleanField(
        "anyone at its levels may start",
        default=True,
        help_text="Off: only the people enrolled from the cycle's page take part.",
    )
    reminder_days = models.CharField(
        "remind, days before each deadline",
        max_length=20,
        default="7, 1",
        blank=True,
        validators=[reminder_schedule],
        help_text="Whoever hasn't finished their part is e-mailed on these days, by the "
        "worker. Empty: no reminders before deadlines.",
    )
    remind_overdue = models.BooleanField(
        "remind the day after a deadline",
        default=True,
        help_text="Whoever is overdue is reminded once, the day after.",
    )
    chat_webhook_url = models.URLField(
        "chat webhook",
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text="A Slack or Microsoft Teams incoming webhook: the cycle's announcements "
        "and reminders are posted there too. E-mail never waits for it.",
    )
    # Peer input (assessments.peers). Database defaults too: during a deploy, processes
    # of the version before these fields insert cycles without them.
    peers_min = models.PositiveSmallIntegerField(
        "colleagues to nominate, at least",
        default=0,
        db_default=0,
        help_text="Each engineer nominates colleagues for peer input on their framework's "
        "areas; their manager approves. 0 and 0: no peer input in this cycle.",
    )
    peers_max = models.PositiveSmallIntegerField(
        "colleagues to nominate, at most", default=0, db_default=0, help_text=f"Up to {PEERS_MOST}."
    )
    peers_anonymous = models.BooleanField(
        "peer input is anonymous to the engineer",
        default=True,
        db_default=True,
        help_text="The engineer reads it without names, in an order that says nothing, and "
        f"only when at least {ANONYMOUS_FEWEST} colleagues answered.",
    )
    upward_input = models.BooleanField(
        "ask reports for upward input",
        default=False,
        db_default=False,
        help_text="A manager's reports give input on the manager's own assessment, asked by "
        "the manager's reviewer; the manager reads it without names, as peer input.",
    )
    peer_names_to_reviewers = models.BooleanField(
        "the manager and the committee see who wrote what",
        default=False,
        db_default=False,
        help_text="Off: they read peer input without names too.",
    )
    peers_by_behaviour = models.BooleanField(
        "colleagues answer each behaviour",
        default=False,
        db_default=False,
        help_text="Off: one answer per area of the engineer's level, as most cycles ask. On: "
        "one per behaviour, a longer page for each colleague.",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = CycleQuerySet.as_manager()

    class Meta:
        ordering = ["-self_assessment_due", "name"]
        permissions = [
            (
                "run_cycles",
                "Can run review cycles: enrol people, remind, extend deadlines, move phases",
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(self_assessment_due__lte=F("manager_review_due"))
                & Q(manager_review_due__lte=F("calibration_due")),
                name="cycle_deadlines_in_order",
                violation_error_message="Deadlines go in order: self-assessment, then manager "
                "review, then calibration.",
            ),
            models.CheckConstraint(
                condition=Q(peers_min__lte=F("peers_max")) & Q(peers_max__lte=PEERS_MOST),
                name="cycle_peers_in_bounds",
                violation_error_message=f"Ask for at most as many colleagues as at least, and "
                f"no more than {PEERS_MOST}.",
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

    @property
    def calibration_closed(self) -> bool:
        return self.calibration_closed_at is not None

    @property
    def phase_label(self) -> str:
        if self.calibration_closed:
            return "Results shared"
        if self.status == self.Status.PLANNED:
            return "Not open yet"
        return self.get_phase_display()

    @property
    def next_phase(self) -> str | None:
        """The phase after this one, or None once calibration is the last left to close."""
        order = list(self.Phase.values)
        index = order.index(self.phase)
        return order[index + 1] if index + 1 < len(order) else None

    def drafts_locked(self, extended_to=None, today=None) -> bool:
        """Whether drafts can no longer change: past the deadline (or this person's
        extension), or the cycle moved on to manager review without them."""
        today = today or timezone.localdate()
        if extended_to is not None and today <= extended_to:
            return False
        return self.phase != self.Phase.SELF_ASSESSMENT or today > self.self_assessment_due

    @property
    def asks_peers(self) -> bool:
        return self.peers_max > 0

    @property
    def peers_wanted(self) -> str:
        """How many colleagues to nominate, in words: "3 to 6", "up to 5", "4"."""
        if self.peers_min == self.peers_max:
            return str(self.peers_max)
        if not self.peers_min:
            return f"up to {self.peers_max}"
        return f"{self.peers_min} to {self.peers_max}"

    @property
    def schedule(self) -> tuple[int, ...]:
        try:
            return reminder_schedule(self.reminder_days)
        except ValidationError:
            return ()

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
        return self.select_related("cycle", "engineer", "reviewer")


class Assessment(models.Model):
    """One engineer's self-assessment in one cycle, for one level."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        IN_REVIEW = "in_review", "In review"
        REVIEWED = "reviewed", "Reviewed"
        CALIBRATED = "calibrated", "Calibrated"
        SHARED = "shared", "Shared"

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="assessments")
    engineer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assessments"
    )
    level = models.ForeignKey(Level, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(max_length=12, choices=Status, default=Status.DRAFT)
    submitted_at = models.DateTimeField(null=True, blank=True)
    returned_at = models.DateTimeField(null=True, blank=True)
    return_note = models.TextField(blank=True)
    # Fixed when the assessment is submitted: changing someone's manager afterwards
    # moves nothing. Moving a review is its own recorded act (assessments.workflow).
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reviews",
    )
    # The reviewer's own manager when the reviewer was fixed, who reads the review
    # (skip-level). Fixed with it, for the same reason: a later change to the org
    # chart gives nobody access.
    skip_reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The manager's review as a whole; the per-behaviour part is on each Rating.
    summary = models.TextField(blank=True, max_length=SUMMARY_MAX_LENGTH)
    summary_html = models.TextField(blank=True, editable=False)
    # Outcomes and scores are values on the cycle's framework's scales (ladder.scale),
    # checked against them where they are saved; the constraints bound any scale.
    proposed_outcome = models.PositiveSmallIntegerField(null=True, blank=True)
    # Goes up on every save of the summary or the proposed outcome, as Rating.version does.
    review_version = models.PositiveIntegerField(default=0)
    review_saved_at = models.DateTimeField(null=True, blank=True)
    review_started_at = models.DateTimeField(null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # The committee's decision.
    calibrated_outcome = models.PositiveSmallIntegerField(null=True, blank=True)
    calibration_reason = models.TextField(blank=True, max_length=SUMMARY_MAX_LENGTH)
    calibration_reason_html = models.TextField(blank=True, editable=False)
    calibrated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    calibrated_at = models.DateTimeField(null=True, blank=True)
    shared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Who enrolled the person (None: they started it themselves).
    enrolled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A later self-assessment deadline for this person alone, given by whoever runs the cycle.
    extended_to = models.DateField(null=True, blank=True)
    # The person's latest submitted assessment of an earlier cycle, found at enrolment,
    # so the pages that show it beside this one look for nothing when there is none.
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

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
            models.CheckConstraint(
                condition=~Q(status__in=["reviewed", "calibrated", "shared"])
                | Q(proposed_outcome__isnull=False, reviewed_at__isnull=False),
                name="assessment_reviewed_has_outcome",
                violation_error_message="A finished review needs a proposed outcome.",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["calibrated", "shared"])
                | Q(calibrated_outcome__isnull=False, calibrated_at__isnull=False),
                name="assessment_calibrated_has_outcome",
                violation_error_message="A calibrated assessment needs the committee's outcome.",
            ),
            models.CheckConstraint(
                condition=Q(proposed_outcome__isnull=True)
                | Q(proposed_outcome__gte=FIRST_STEP, proposed_outcome__lte=MAX_OUTCOMES),
                name="assessment_proposed_outcome_on_scale",
                violation_error_message="Choose one of the scale's outcomes.",
            ),
            models.CheckConstraint(
                condition=Q(calibrated_outcome__isnull=True)
                | Q(calibrated_outcome__gte=FIRST_STEP, calibrated_outcome__lte=MAX_OUTCOMES),
                name="assessment_calibrated_outcome_on_scale",
                violation_error_message="Choose one of the scale's outcomes.",
            ),
        ]
        indexes = [
            # The manager's home page lists reports' assessments in the open cycle.
            models.Index(fields=["cycle", "status"], name="assessment_cycle_status"),
            # The manager's dashboard: the reviews assigned to them, per cycle.
            models.Index(fields=["reviewer", "cycle"], name="assessment_reviewer_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.engineer} · {self.cycle} · {self.level.code}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:assessment", args=[self.pk])

    def get_review_url(self) -> str:
        return reverse("assessments:review", args=[self.pk])

    def get_packet_url(self) -> str:
        return reverse("assessments:packet", args=[self.pk])

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    def unanswered(self):
        return self.ratings.filter(score__isnull=True)

    @property
    def results_shared(self) -> bool:
        return self.status == self.Status.SHARED

    @property
    def self_assessment_due(self):
        """The day this person's self-assessment is due: the cycle's, or their extension."""
        due = self.cycle.self_assessment_due
        return max(due, self.extended_to) if self.extended_to else due

    @property
    def locked(self) -> bool:
        """A draft past its deadline (no extension) or left behind by the cycle's phase."""
        return self.is_draft and self.cycle.drafts_locked(self.extended_to)


class Rating(models.Model):
    """The engineer's score and evidence for one behaviour of their assessment.

    `version` goes up by one on every save; a save must name the version it was
    based on, so a stale tab gets a conflict instead of overwriting newer work.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="ratings")
    behaviour = models.ForeignKey(Behaviour, on_delete=models.PROTECT, related_name="ratings")
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    evidence = models.TextField(blank=True, max_length=EVIDENCE_MAX_LENGTH)
    # Rendered and sanitised once on save, not on every page view.
    evidence_html = models.TextField(blank=True, editable=False)
    # True while evidence_html holds the evidence as plain paragraphs (evidence_as_typed):
    # saved as its writer types, its Markdown rendered when they leave the row, open
    # the page again or submit (assessments.services).
    # A database default too: during a deploy, processes of the version before this
    # field insert ratings without it.
    evidence_plain = models.BooleanField(default=False, db_default=False, editable=False)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    # The manager's side, with its own version: the engineer's saves and the
    # manager's never touch the same columns, so they never conflict.
    manager_score = models.PositiveSmallIntegerField(null=True, blank=True)
    manager_comment = models.TextField(blank=True, max_length=EVIDENCE_MAX_LENGTH)
    manager_comment_html = models.TextField(blank=True, editable=False)
    manager_version = models.PositiveIntegerField(default=0)
    manager_updated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # No joins in the default order: the autosave path looks ratings up by key.
        ordering = ["assessment", "behaviour"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "behaviour"], name="rating_one_per_behaviour"
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=NO_EVIDENCE, score__lte=MAX_STEPS),
                name="rating_score_on_scale",
                violation_error_message="Choose one of the scale's answers, or leave the "
                "behaviour unanswered.",
            ),
            models.CheckConstraint(
                condition=Q(manager_score__isnull=True)
                | Q(manager_score__gte=NO_EVIDENCE, manager_score__lte=MAX_STEPS),
                name="rating_manager_score_on_scale",
                violation_error_message="Choose one of the scale's answers for the manager's "
                "score, or leave it unreviewed.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} · {self.behaviour.key}"

    @property
    def score_label(self) -> str:
        return self.scale.label(self.score, "Not answered")

    @property
    def manager_score_label(self) -> str:
        return self.scale.label(self.manager_score, "Not reviewed")

    @property
    def scale(self) -> Scale:
        """The scale of the cycle's framework version: for the odd label, such as a conflict's."""
        return self.assessment.cycle.framework.scale


class Event(models.Model):
    """One change to an assessment after it was submitted: who, when, what, from and to.

    Written in the same transaction as the change (assessments.workflow), never
    edited afterwards: the admin shows it read-only and the app has no way to change it.
    """

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        RETURNED = "returned", "Returned to draft"
        REVIEW_STARTED = "review_started", "Review started"
        MANAGER_SCORE = "manager_score", "Manager's score"
        MANAGER_COMMENT = "manager_comment", "Manager's comment"
        SUMMARY = "summary", "Summary"
        PROPOSED_OUTCOME = "proposed_outcome", "Proposed outcome"
        REVIEW_FINISHED = "review_finished", "Review finished"
        REVIEW_REOPENED = "review_reopened", "Review reopened"
        CALIBRATED = "calibrated", "Calibrated outcome"
        SHARED = "shared", "Results shared"
        REVIEWER_CHANGED = "reviewer_changed", "Reviewer changed"
        # Before submission: who will review it, and who reads it as skip-level.
        MANAGER_CHANGED = "manager_changed", "Manager changed"
        SKIP_MANAGER_CHANGED = "skip_manager_changed", "Manager's manager changed"
        EXTENDED = "extended", "More time given"

    # What calibrators may read of a history: the decisions, not the drafting.
    DECISIONS = (Kind.REVIEW_FINISHED, Kind.CALIBRATED, Kind.SHARED)

    assessment = models.ForeignKey(Assessment, on_delete=models.PROTECT, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind)
    behaviour = models.ForeignKey(
        Behaviour, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    old = models.TextField(blank=True)
    new = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["assessment", "at"], name="event_assessment_at")]

    def __str__(self) -> str:
        return f"{self.assessment_id} · {self.get_kind_display()} · {self.at:%Y-%m-%d %H:%M}"


def evidence_html(text: str) -> str:
    return render_markdown(text) if text.strip() else ""


def evidence_as_typed(text: str) -> str:
    """The evidence as plain paragraphs, while its Markdown waits to be rendered."""
    return render_plain(text) if text.strip() else ""


class PacketJobQuerySet(models.QuerySet):
    def unfinished(self):
        """Jobs waiting for a worker or being written."""
        return self.filter(status__in=PacketJob.UNFINISHED)


class PacketJob(models.Model):
    """A background job that writes the calibration packets of many people into one PDF.

    The page that asked for it polls this row for progress, so the job survives the
    person closing the tab; the file is served only to whoever asked for it. A person
    has at most one unfinished job of each scope: asking again joins it.
    """

    class Scope(models.TextChoices):
        TEAM = "team", "My team"
        LEVEL = "level", "One level"
        CYCLE = "cycle", "The whole cycle"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Writing packets"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="packet_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="packet_jobs"
    )
    scope = models.CharField(max_length=8, choices=Scope)
    # For the level scope: which level of the cycle's framework.
    level = models.ForeignKey(Level, null=True, blank=True, on_delete=models.CASCADE)
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="packets/", blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Written as the job moves on; a job whose heartbeat stops was killed mid-way.
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # The assessments whose packets the file holds: its download is checked against
    # each again, so a right lost since (a review moved, a seat on the committee
    # given up) also closes the file.
    included = models.JSONField(default=list, blank=True, editable=False)

    UNFINISHED = [Status.QUEUED, Status.RUNNING]

    objects = PacketJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(scope="level") | Q(level__isnull=False),
                name="packetjob_level_scope_names_level",
                violation_error_message="A job for one level must name the level.",
            ),
            # Each job holds a worker for minutes: one person queueing many would keep
            # everyone else's waiting. Two requests at the same moment can't both pass
            # this, and the index serves the look-up of a person's unfinished job.
            models.UniqueConstraint(
                fields=["requested_by", "scope"],
                condition=Q(status__in=["queued", "running"]),
                name="packetjob_one_unfinished_per_person_and_scope",
                violation_error_message=(
                    "This person already has packets of this scope being written."
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"Packets · {self.cycle} · {self.get_scope_display()} · {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("assessments:packet-job", args=[self.pk])

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    def asks_for(self, cycle: Cycle, level: Level | None) -> bool:
        """Whether this job writes these packets (its scope being the one asked for)."""
        return self.cycle_id == cycle.pk and self.level_id == (level.pk if level else None)


class CommitteeChange(models.Model):
    """Someone joined or left a cycle's calibration committee: who, by whose hand, when.

    A seat on a committee reads every reviewed person's evidence and comments, so the
    change is kept where the committee reads it (its page), and they are told.
    Written by assessments.roles, never edited.
    """

    class Kind(models.TextChoices):
        JOINED = "joined", "Joined"
        LEFT = "left", "Left"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="committee_changes")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=8, choices=Kind)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        # The committee's page lists a cycle's newest changes.
        indexes = [models.Index(fields=["cycle", "at"], name="committeechange_cycle_at")]

    def __str__(self) -> str:
        return f"{self.member} {self.get_kind_display().lower()} · {self.cycle}"


class Reminder(models.Model):
    """One reminder to one person about one deadline, written before it is sent.

    Its key is unique per person and cycle, so a reminder is sent once: a worker
    restarted mid-way, or two of them, find the row and skip it.
    Scheduled keys read "self_assessment:2026-12-10:7" (the deadline, its day, the days
    before it, or -1 for the day after); one asked for by hand, "asked:2026-12-06".
    """

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="reminders")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    key = models.CharField(max_length=60)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "person", "key"],
                name="reminder_once_per_person_and_key",
                violation_error_message="This reminder was sent to this person already.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.cycle} · {self.key}"


class ChatPost(models.Model):
    """A message for a cycle's chat channel (its incoming webhook), posted by the worker.

    Kept so the cycle's page can say whether the channel hears it; a failing webhook is
    tried again a few times, and e-mail never waits for it. Scheduled posts have a key,
    unique per cycle, so the same reminder is never posted twice.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting"
        SENT = "sent", "Posted"
        FAILED = "failed", "Failed"

    cycle = models.ForeignKey(Cycle, on_delete=models.CASCADE, related_name="chat_posts")
    key = models.CharField(max_length=60, blank=True)
    text = models.TextField()
    status = models.CharField(max_length=8, choices=Status, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "key"],
                condition=~Q(key=""),
                name="chatpost_once_per_key",
                violation_error_message="This message was posted to the cycle's channel already.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.cycle} · {self.text[:60]}"


class PeopleImport(models.Model):
    """An org chart file uploaded in the browser, kept between its dry run and its
    confirmation. Its text is read again when confirmed, against the people as they
    are then; the report's digest says whether that plan is still the one shown."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        APPLYING = "applying", "Being applied"
        APPLIED = "applied", "Applied"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    file_name = models.CharField(max_length=200)
    text = models.TextField()
    # Columns chosen by hand for fields the header didn't name clearly: {"email": "Courriel"}.
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.CharField(max_length=200, blank=True)
    # Confirmed: the plan its uploader read (its digest), whether they ticked the
    # guardrail, when the worker was asked to apply it, and why it was refused if it was.
    digest = models.CharField(max_length=64, blank=True, editable=False)
    confirmed = models.BooleanField(default=False, editable=False)
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    error = models.CharField(max_length=500, blank=True, editable=False)
    # The people this file created, to invite them; and when they were invited.
    created = models.JSONField(default=list, blank=True, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} · {self.get_status_display()}"


class HRPartner(models.Model):
    """An HR partner's part of the company: a department, or everyone under a manager.

    Within it they follow cycles (who takes part, where each stands), enrol and remind
    people, give more time, and read the packets and outcomes of people whose review is
    finished: never a draft, never anyone outside it, never their own. Granted by
    someone who manages people, never by the partner themselves (assessments.roles).
    """

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hr_scopes"
    )
    department = models.CharField(
        max_length=120,
        blank=True,
        help_text="Everyone in this department (as the org chart names it).",
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="Or everyone under this manager, directly or not.",
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = "HR partner"
        ordering = ["person__last_name", "person__first_name", "department"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(department="") & Q(manager__isnull=False))
                | (~Q(department="") & Q(manager__isnull=True)),
                name="hrpartner_department_or_manager",
                violation_error_message="Choose a department or a manager, not both.",
            ),
            models.UniqueConstraint(
                fields=["person", "department"],
                condition=Q(manager__isnull=True),
                name="hrpartner_once_per_department",
                violation_error_message="This person is already HR partner for that department.",
            ),
            models.UniqueConstraint(
                fields=["person", "manager"],
                name="hrpartner_once_per_manager",
                violation_error_message="This person is already HR partner for that team.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.scope_label}"

    @property
    def scope_label(self) -> str:
        if self.department:
            return f"the {self.department} department"
        return f"everyone under {self.manager}"


class ScimToken(models.Model):
    """A bearer token for the company's identity provider to provision people over SCIM.

    Only its SHA-256 digest is kept; the token itself is shown once, when made. Acts
    with the rights of whoever made it: the directory can't do what they couldn't.
    """

    name = models.CharField(max_length=100, help_text="Such as “Okta” or “Entra ID”.")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(
        null=True, blank=True, help_text="Set to stop the token working; it is kept on record."
    )

    class Meta:
        verbose_name = "SCIM token"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class DirectoryEntry(models.Model):
    """A person as the identity provider last described them over SCIM.

    The provider reads back what it wrote, so the resource is kept as sent; the
    person's own fields (name, e-mail, department, manager…) are updated from it, and
    where Ladder changed one since (an org chart file, the admin), Ladder's value
    is what the provider reads. Deprovisioned people are deactivated, never deleted.
    """

    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="directory"
    )
    external_id = models.CharField(max_length=255, blank=True, db_index=True)
    resource = models.JSONField(default=dict)
    # The person's fields as the last SCIM write left them: what changed since is Ladder's.
    synced = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now)
    deprovisioned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "directory entries"

    def __str__(self) -> str:
        return f"{self.person} · {self.external_id or 'no external id'}"


def _shuffled() -> int:
    return secrets.randbelow(2**31)


class PeerRequest(models.Model):
    """A colleague asked for input on one person's assessment.

    The engineer nominates, their reviewer approves (or removes, or adds someone); the
    colleague answers per area of the engineer's level, or declines with a reason. Who
    wrote what is kept here only: the pages decide who may read it (assessments.peers).
    """

    class Status(models.TextChoices):
        NOMINATED = "nominated", "Waiting for the manager’s approval"
        ASKED = "asked", "Asked"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"
        REMOVED = "removed", "Removed"

    class Kind(models.TextChoices):
        PEER = "peer", "Peer input"
        # A report about their manager, on the manager's own assessment: always without
        # names to the manager.
        UPWARD = "upward", "Upward input"

    # Counted against the cycle's limit: everyone not declined or removed.
    STANDING = (Status.NOMINATED, Status.ASKED, Status.ANSWERED)

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="peer_requests"
    )
    peer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="peer_requests"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.NOMINATED)
    kind = models.CharField(max_length=8, choices=Kind, default=Kind.PEER, db_default=Kind.PEER)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whoever approved, added or removed it: the reviewer.
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.TextField(blank=True, max_length=DECLINE_MAX_LENGTH)
    # Comments are listed in this order where names are not shown: random, fixed when
    # the request is made, so it says nothing of who wrote first, or who was asked first.
    shuffle = models.PositiveIntegerField(default=_shuffled, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Never shown to the engineer: timing could say who wrote what.
    answered_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["assessment", "shuffle"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "peer"],
                name="peerrequest_once_per_person",
                violation_error_message="This colleague is already on the list.",
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answered_at__isnull=False),
                name="peerrequest_answered_has_time",
                violation_error_message="An answered request needs the time it was answered.",
            ),
        ]
        indexes = [
            # A person's home lists what they were asked.
            models.Index(fields=["peer", "status"], name="peerrequest_peer_status"),
        ]

    def __str__(self) -> str:
        # Nothing of who or on whom: the admin lists these where it lists what protects a
        # person from deletion, and an admin reads no one's peer input.
        return "A request for peer input"

    def get_absolute_url(self) -> str:
        return reverse("assessments:peer-input", args=[self.pk])


class PeerAnswer(models.Model):
    """A colleague's answer on one area, or on one behaviour where the cycle asks so: a
    step of the framework's scale or "not seen", and evidence. Saved as they go, with a
    version, as a Rating is."""

    request = models.ForeignKey(PeerRequest, on_delete=models.CASCADE, related_name="answers")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    # Set where the cycle asks per behaviour (Cycle.peers_by_behaviour); the area is its.
    behaviour = models.ForeignKey(
        Behaviour, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    not_seen = models.BooleanField(default=False)
    evidence = models.TextField(blank=True, max_length=EVIDENCE_MAX_LENGTH)
    evidence_html = models.TextField(blank=True, editable=False)
    version = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["request", "area__order", "behaviour__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["request", "area"],
                condition=Q(behaviour__isnull=True),
                name="peeranswer_one_per_area",
                violation_error_message="This request already has an answer on that area.",
            ),
            models.UniqueConstraint(
                fields=["request", "behaviour"],
                condition=Q(behaviour__isnull=False),
                name="peeranswer_one_per_behaviour",
                violation_error_message="This request already has an answer on that behaviour.",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True)
                | Q(score__gte=FIRST_STEP, score__lte=MAX_STEPS, not_seen=False),
                name="peeranswer_score_on_scale",
                violation_error_message="Choose one of the scale's steps, or “not seen”.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.area.key}"

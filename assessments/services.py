"""Writes on assessments: starting one, and the engineer's and the reviewer's saves.

Status changes (submit, return, finish, decide...) live in assessments.workflow.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments import sql, workflow
from assessments.cycles import blank_ratings, fixed_reviewer
from assessments.models import Assessment, Cycle, Event, Rating, evidence_as_typed, evidence_html
from assessments.permissions import UNDER_REVIEW, Action, refusal
from assessments.previous import earlier_ones
from assessments.progress import scale_of
from ladder.models import User
from ladder.scale import is_pair


def start_assessment(*, cycle: Cycle, engineer: User) -> Assessment:
    """The engineer's assessment for this cycle, created with a blank rating per behaviour."""
    try:
        return _start(cycle=cycle, engineer=engineer)
    except IntegrityError:
        # A double click: the other request created it a moment ago.
        return Assessment.objects.get(cycle=cycle, engineer=engineer)


@transaction.atomic
def _start(*, cycle: Cycle, engineer: User) -> Assessment:
    if cycle.status != Cycle.Status.OPEN:
        raise ValidationError(f"{cycle} is not open for self-assessments.")
    existing = Assessment.objects.filter(cycle=cycle, engineer=engineer).first()
    if existing is not None:
        return existing
    if not cycle.self_enrolment:
        raise ValidationError(
            f"You aren't enrolled in {cycle}. Whoever runs the cycle enrols people; ask them "
            "if you should take part."
        )
    if cycle.drafts_locked():
        raise ValidationError(f"Self-assessments for {cycle} are closed: it's too late to start.")
    level = cycle.level_for(engineer)
    if level is None:
        raise ValidationError(
            "Your level and track aren't set, or this cycle's framework has no such level. "
            "Ask your Ladder admin to set them."
        )
    # Enrolled by their own hand: the reviewer is fixed now, as for everyone enrolled
    # (assessments.cycles).
    assessment = Assessment.objects.create(
        cycle=cycle,
        engineer=engineer,
        level=level,
        previous_id=earlier_ones(cycle, [engineer.pk]).get(engineer.pk),
        **fixed_reviewer(engineer),
    )
    blank_ratings([assessment])
    return assessment


@dataclass(frozen=True)
class SaveResult:
    rating: Rating
    saved: bool  # False when nothing had changed
    conflict: bool = False  # the rating moved on since `base_version`
    score_changed: bool = False


def save_rating(
    *, rating: Rating, score: int | None, evidence: str, base_version: int, typing: bool = False
) -> SaveResult:
    """Save a score and evidence if nobody saved this rating since `base_version`.

    One conditional UPDATE does the check and the write, so two tabs (or two
    server processes) can't both win: the loser gets the current row back.

    `typing`: the page saves while its writer pauses in the text, and again when they
    leave the row. Rendering the Markdown was a fifth of a save's CPU, paid on every
    pause; a save while typing stores the text as plain paragraphs instead (safe, and
    every word of it) and the save on leaving renders it, even when nothing else
    changed. Whatever is left plain is rendered when the page is opened again
    (render_plain_evidence) or the draft submitted.
    """
    if (rating.score, rating.evidence, rating.version) == (score, evidence, base_version):
        if rating.evidence_plain and not typing:
            _render_left_plain(rating)
        return SaveResult(rating=rating, saved=False)
    if rating.version != base_version:
        # Stale already as read: the UPDATE below can't match, so don't pay for
        # rendering the evidence (the costly part of a save) just to throw it away.
        return _not_saved(rating, score=score, evidence=evidence)
    now = timezone.now()
    if evidence == rating.evidence and (typing or not rating.evidence_plain):
        # A score-only change keeps the HTML, rendered or not.
        html, plain = rating.evidence_html, rating.evidence_plain
    elif typing:
        html, plain = evidence_as_typed(evidence), bool(evidence.strip())
    else:
        html, plain = evidence_html(evidence), False
    updated = sql.update_rating_if_current(
        rating=rating,
        score=score,
        evidence=evidence,
        html=html,
        plain=plain,
        base_version=base_version,
        now=now,
    )
    if updated:
        score_changed = score != rating.score
        rating.score, rating.evidence, rating.evidence_html = score, evidence, html
        rating.evidence_plain = plain
        rating.version, rating.updated_at = base_version + 1, now
        return SaveResult(rating=rating, saved=True, score_changed=score_changed)
    current = Rating.objects.select_related("assessment").get(pk=rating.pk)
    return _not_saved(current, score=score, evidence=evidence)


def _render_left_plain(rating: Rating) -> None:
    """Render the Markdown of evidence saved while typing; the rating shows it after."""
    html = evidence_html(rating.evidence)
    if sql.store_rendered_evidence(rating.pk, rating.version, html):
        rating.evidence_html, rating.evidence_plain = html, False


def _not_saved(current: Rating, *, score: int | None, evidence: str) -> SaveResult:
    """Why a save didn't write, given the rating as it now is (with its assessment)."""
    if not current.assessment.is_draft:
        raise PermissionDenied(refusal(current.assessment, Action.EDIT))
    if (current.score, current.evidence) == (score, evidence):
        # The row already says exactly this (a retried save whose answer was lost):
        # nothing to choose between, so no conflict. The lost answer may have been
        # the one to tell the page that its progress changed, so this one says so.
        return SaveResult(rating=current, saved=False, score_changed=True)
    return SaveResult(rating=current, saved=False, conflict=True)


# ---- the reviewer's side


@dataclass
class ReviewState:
    """The reviewer's side of one behaviour, in the names the row and conflict templates read.

    `score`, `evidence` and `version` are the manager's; the engineer's score and
    rendered evidence come along for the review page.
    """

    id: int
    behaviour_id: int | str
    score: int | None
    evidence: str
    evidence_html: str
    version: int
    updated_at: object = None
    self_score: int | None = None
    self_evidence_html: str = ""

    FIELDS = (
        "pk",
        "behaviour_id",
        "manager_score",
        "manager_comment",
        "manager_comment_html",
        "manager_version",
        "manager_updated_at",
        "score",
        "evidence_html",
    )
    # The scale's labels, shared by every row of the page.
    labels: dict[int, str] = field(kw_only=True, repr=False, compare=False)

    @property
    def score_label(self) -> str:
        return self.labels.get(self.score, "Not reviewed")

    @property
    def self_score_label(self) -> str:
        return self.labels.get(self.self_score, "Not answered")

    @property
    def gap(self) -> int | None:
        """How many steps the two scores are apart, once both are on the scale: a pair,
        as every figure counts one ("no evidence yet" on either side is none)."""
        if not is_pair(self.self_score, self.score):
            return None
        return abs(self.score - self.self_score)

    @classmethod
    def of(cls, rating: Rating) -> ReviewState:
        """The reviewer's side of a saved rating (the engineer's isn't read by saves)."""
        labels = scale_of(rating.assessment).labels
        return cls(*(getattr(rating, f) for f in cls.FIELDS[:7]), labels=labels)


# The review page's columns, in ReviewState's order; when each was saved is read only
# for a conflict, from the row itself.
PAGE_COLUMNS = (
    "id",
    "behaviour_id",
    "manager_score",
    "manager_comment",
    "manager_comment_html",
    "manager_version",
    "NULL",
    "score",
    "evidence_html",
)


def review_states(assessment: Assessment) -> dict[int, ReviewState]:
    labels = scale_of(assessment).labels
    return {
        row[1]: ReviewState(*row, labels=labels)
        for row in sql.rating_rows(assessment.pk, PAGE_COLUMNS)
    }


def save_review_rating(
    *, rating: Rating, by: User, score: int | None, comment: str, base_version: int
) -> SaveResult:
    """Save the reviewer's score and comment on one behaviour, if unchanged since base_version.

    The engineer's columns and version are untouched: the two sides never conflict.
    The change and its history (and, on the first save, the start of the review) are
    written in one transaction.
    """
    before = (rating.manager_score, rating.manager_comment)
    if (*before, rating.manager_version) == (score, comment, base_version):
        return SaveResult(rating=rating, saved=False)
    if rating.manager_version != base_version:
        return _review_not_saved(rating, by=by, score=score, comment=comment)
    now = timezone.now()
    same_text = comment == rating.manager_comment
    html = rating.manager_comment_html if same_text else evidence_html(comment)
    # Everything is prepared before the transaction, which then holds SQLite's write
    # lock only for these statements. History rows as plain values: this runs for
    # every pause in a manager's typing.
    events = []
    if score != rating.manager_score:
        scale = scale_of(rating.assessment)
        old, new = scale.label(rating.manager_score), scale.label(score)
        events.append((Event.Kind.MANAGER_SCORE, old, new, rating.behaviour_id))
    if not same_text:
        events.append(
            (Event.Kind.MANAGER_COMMENT, rating.manager_comment, comment, rating.behaviour_id)
        )
    with transaction.atomic():
        updated = sql.update_review_if_current(
            rating=rating,
            by=by,
            score=score,
            comment=comment,
            html=html,
            base=base_version,
            now=now,
            open_statuses=UNDER_REVIEW,
        )
        if updated:
            if rating.assessment.status == Assessment.Status.SUBMITTED:
                started = workflow.start_review(rating.assessment_id, by)
                if started:
                    events.insert(0, (started.kind, started.old, started.new, None))
            sql.insert_events(rating.assessment_id, by.pk, events, now)
    if updated:
        rating.manager_score, rating.manager_comment = score, comment
        rating.manager_comment_html = html
        rating.manager_version, rating.manager_updated_at = base_version + 1, now
        return SaveResult(rating=rating, saved=True, score_changed=score != before[0])
    current = Rating.objects.select_related("assessment__cycle").get(pk=rating.pk)
    return _review_not_saved(current, by=by, score=score, comment=comment)


def _review_not_saved(current: Rating, *, by: User, score, comment) -> SaveResult:
    """Why a review save didn't write, given the rating and its assessment as they are now."""
    if current.assessment.status not in UNDER_REVIEW or current.assessment.reviewer_id != by.pk:
        raise PermissionDenied(refusal(current.assessment, Action.REVIEW))
    if (current.manager_score, current.manager_comment) == (score, comment):
        return SaveResult(rating=current, saved=False)
    return SaveResult(rating=current, saved=False, conflict=True)


@dataclass
class SummaryState:
    """The review's summary and proposed outcome, in the names the row templates read."""

    score: int | None
    evidence: str
    evidence_html: str
    version: int
    updated_at: object = None
    behaviour_id: str = "summary"
    outcome_labels: dict[int, str] = field(kw_only=True, repr=False, compare=False)

    @property
    def score_label(self) -> str:
        if self.score is None:
            return "No outcome proposed"
        return self.outcome_labels.get(self.score, "")

    @classmethod
    def of(cls, assessment: Assessment) -> SummaryState:
        return cls(
            score=assessment.proposed_outcome,
            evidence=assessment.summary,
            evidence_html=assessment.summary_html,
            version=assessment.review_version,
            updated_at=assessment.review_saved_at,
            outcome_labels=scale_of(assessment).outcome_labels,
        )


@dataclass(frozen=True)
class SummaryResult:
    state: SummaryState
    saved: bool
    conflict: bool = False


def save_review_summary(
    *, assessment: Assessment, by: User, summary: str, outcome: int | None, base_version: int
) -> SummaryResult:
    """Save the review's summary and proposed outcome if unchanged since base_version."""
    before = SummaryState.of(assessment)
    if (before.evidence, before.score, before.version) == (summary, outcome, base_version):
        return SummaryResult(state=before, saved=False)
    now = timezone.now()
    html = assessment.summary_html if summary == assessment.summary else evidence_html(summary)
    with transaction.atomic():
        updated = Assessment.objects.filter(
            pk=assessment.pk,
            review_version=base_version,
            reviewer_id=by.pk,
            status__in=UNDER_REVIEW,
        ).update(
            summary=summary,
            summary_html=html,
            proposed_outcome=outcome,
            review_version=base_version + 1,
            review_saved_at=now,
        )
        if updated:
            started = workflow.start_review(assessment.pk, by)
            events = [started] if started else []
            if summary != before.evidence:
                events.append(
                    workflow.record(assessment.pk, by, Event.Kind.SUMMARY, before.evidence, summary)
                )
            if outcome != before.score:
                events.append(
                    workflow.record(
                        assessment.pk,
                        by,
                        Event.Kind.PROPOSED_OUTCOME,
                        "" if before.score is None else before.score_label,
                        scale_of(assessment).outcome_label(outcome),
                    )
                )
            Event.objects.bulk_create(events)
    if updated:
        labels = scale_of(assessment).outcome_labels
        state = SummaryState(outcome, summary, html, base_version + 1, now, outcome_labels=labels)
        return SummaryResult(state=state, saved=True)
    current = Assessment.objects.select_related("cycle").get(pk=assessment.pk)
    if current.status not in UNDER_REVIEW or current.reviewer_id != by.pk:
        raise PermissionDenied(refusal(current, Action.REVIEW))
    state = SummaryState.of(current)
    if (state.evidence, state.score) == (summary, outcome):
        return SummaryResult(state=state, saved=False)
    return SummaryResult(state=state, saved=False, conflict=True)

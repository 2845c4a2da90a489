"""Every status change of an assessment, in one place: views, the admin and commands call here.

Each change runs in one transaction that locks the assessment's row, asks
permissions.allowed() whether the person may make it now, writes the change and
its history (Event) and queues its e-mail. The job is a row in the same database
(django-tasks-db), so the e-mail is queued exactly when the change commits.

    draft ──submit──▶ submitted ──first review save──▶ in review ──finish──▶ reviewed
      ▲                  │                                │  ▲                 │
      └──────return──────┴────────────────────────────────┘  └────reopen───────┤
                                                                               ▼
                                      shared ◀──close calibration── calibrated ◀─decide
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from assessments import sql
from assessments.models import SUMMARY_MAX_LENGTH, Assessment, Cycle, Event, Rating, evidence_html
from assessments.peers import nominated_fewer_than_asked
from assessments.permissions import (
    UNDER_REVIEW,
    Action,
    allowed,
    calibrates,
    refusal,
    reviewer_refusal,
)
from assessments.progress import scale_of
from assessments.tasks import notify, tell_managers_of_results
from ladder.models import User

Status = Assessment.Status


def _locked(assessment: Assessment) -> Assessment:
    """The assessment as it is now, its row held until the change commits.

    Deciding on a fresh row means two requests (a submit and a return, a finish and a
    reopen) can't both act on what each read before the other wrote.
    """
    # The cycle's row is held too: closing calibration holds it, so no change to an
    # assessment can slip in while the cycle closes (a review finished just after the
    # committee counted what waits would never be decided).
    fresh = (
        Assessment.objects.select_for_update(of=("self", "cycle"))
        .select_related("cycle", "engineer", "reviewer")
        .get(pk=assessment.pk)
    )
    fresh.level = assessment.level
    return fresh


def _manager_of(person_id: int | None) -> int | None:
    if person_id is None:
        return None
    return User.objects.filter(pk=person_id).values_list("manager_id", flat=True).first()


def _check(by: User, assessment: Assessment, action: Action) -> None:
    if not allowed(by, assessment, action):
        raise PermissionDenied(refusal(assessment, action))


def record(assessment_id: int, by: User | None, kind: str, old="", new="", behaviour_id=None):
    """A row of history, unsaved; callers write several at once."""
    return Event(
        assessment_id=assessment_id,
        actor=by,
        kind=kind,
        old="" if old is None else str(old),
        new="" if new is None else str(new),
        behaviour_id=behaviour_id,
    )


def render_plain_evidence(assessment_id: int) -> dict[int, str]:
    """Render every rating of the assessment still shown as plain paragraphs; the new
    HTML by rating id. Few or none: only rows left before their writer moved on."""
    rendered = {}
    rows = Rating.objects.filter(assessment_id=assessment_id, evidence_plain=True).values_list(
        "pk", "version", "evidence"
    )
    for pk, version, evidence in rows:
        html = evidence_html(evidence)
        if sql.store_rendered_evidence(pk, version, html):
            rendered[pk] = html
    return rendered


def submit(assessment: Assessment, *, by: User) -> Assessment:
    """Send a complete draft to the manager, who becomes its reviewer from now on."""
    with transaction.atomic():
        current = _locked(assessment)
        _check(by, current, Action.SUBMIT)
        missing = current.unanswered().count()
        if missing:
            no_evidence = scale_of(current).no_evidence
            also = f" (or “{no_evidence.label}”)" if no_evidence else ""
            raise ValidationError(
                f"{missing} behaviour{'s' if missing != 1 else ''} still need a score"
                f"{also} before you can submit."
            )
        fewer = nominated_fewer_than_asked(current)
        if fewer:
            raise ValidationError(fewer)
        # Evidence saved while typing and never left: its reader sees it rendered.
        render_plain_evidence(current.pk)
        current.status = Status.SUBMITTED
        current.submitted_at = timezone.now()
        # The reviewer is fixed at the first submission: the manager at this moment,
        # whatever the org chart says later. A resubmission after a return keeps it
        # (and a review moved on the record stays moved).
        if current.reviewer_id is None:
            current.reviewer_id = (
                User.objects.filter(pk=current.engineer_id)
                .values_list("manager_id", flat=True)
                .get()
            )
            current.skip_reviewer_id = _manager_of(current.reviewer_id)
        current.save(update_fields=["status", "submitted_at", "reviewer", "skip_reviewer"])
        record(current.pk, by, Event.Kind.SUBMITTED, "Draft", "Submitted").save()
        notify.enqueue("submitted", current.pk)
    return current


def return_to_draft(assessment: Assessment, *, by: User, note: str) -> Assessment:
    """The reviewer sends a submission back to the engineer, saying why."""
    note = note.strip()
    with transaction.atomic():
        current = _locked(assessment)
        _check(by, current, Action.RETURN)
        if not note:
            raise ValidationError("Say what should change, so the engineer knows why it came back.")
        old = current.get_status_display()
        current.status = Status.DRAFT
        current.submitted_at = None
        current.returned_at = timezone.now()
        current.return_note = note
        current.save(update_fields=["status", "submitted_at", "returned_at", "return_note"])
        record(current.pk, by, Event.Kind.RETURNED, old, note).save()
        notify.enqueue("returned", current.pk)
    return current


def start_review(assessment_id: int, by: User) -> Event | None:
    """Mark a submitted assessment as in review (the reviewer's first save), inside that save.

    One conditional UPDATE, so of two first saves only one records the start. Returns
    the history row, unsaved, for the caller to write with its own.
    """
    started = Assessment.objects.filter(
        pk=assessment_id, status=Status.SUBMITTED, reviewer_id=by.pk
    ).update(status=Status.IN_REVIEW, review_started_at=timezone.now())
    if not started:
        return None
    return record(assessment_id, by, Event.Kind.REVIEW_STARTED, "Submitted", "In review")


def finish_review(assessment: Assessment, *, by: User) -> Assessment:
    """The reviewer is done: every behaviour scored, a proposed outcome chosen."""
    with transaction.atomic():
        current = _locked(assessment)
        _check(by, current, Action.REVIEW)
        missing = current.ratings.filter(manager_score__isnull=True).count()
        problems = []
        if missing:
            problems.append(
                f"{missing} behaviour{'s' if missing != 1 else ''} still need your score."
            )
        if current.proposed_outcome is None:
            problems.append("Choose a proposed outcome.")
        if problems:
            raise ValidationError(" ".join(problems))
        old = current.get_status_display()
        current.status = Status.REVIEWED
        current.reviewed_at = timezone.now()
        current.review_started_at = current.review_started_at or current.reviewed_at
        current.save(update_fields=["status", "reviewed_at", "review_started_at"])
        record(
            current.pk,
            by,
            Event.Kind.REVIEW_FINISHED,
            old,
            scale_of(current).outcome_label(current.proposed_outcome),
        ).save()
        notify.enqueue("review_finished", current.pk)
    return current


def reopen_review(assessment: Assessment, *, by: User) -> Assessment:
    """The reviewer takes a finished review back, until the committee has decided."""
    with transaction.atomic():
        current = _locked(assessment)
        _check(by, current, Action.REOPEN)
        current.status = Status.IN_REVIEW
        current.reviewed_at = None
        current.save(update_fields=["status", "reviewed_at"])
        record(current.pk, by, Event.Kind.REVIEW_REOPENED, "Reviewed", "In review").save()
    return current


def record_decision(assessment: Assessment, *, by: User, outcome: int, reason: str) -> Assessment:
    """A calibrator records the committee's outcome and why; it can change until closing."""
    reason = reason.strip()
    with transaction.atomic():
        current = _locked(assessment)
        _check(by, current, Action.DECIDE)
        scale = scale_of(current)
        if outcome not in scale.outcome_labels:
            raise ValidationError("Choose one of the outcomes.")
        if not reason:
            raise ValidationError("Give the committee's reason; the manager and engineer read it.")
        if len(reason) > SUMMARY_MAX_LENGTH:
            raise ValidationError(f"The reason can be at most {SUMMARY_MAX_LENGTH} characters.")
        old = scale.outcome_label(current.calibrated_outcome)
        current.status = Status.CALIBRATED
        current.calibrated_outcome = outcome
        current.calibration_reason = reason
        current.calibration_reason_html = evidence_html(reason)
        current.calibrated_by = by
        current.calibrated_at = timezone.now()
        current.save(
            update_fields=[
                "status",
                "calibrated_outcome",
                "calibration_reason",
                "calibration_reason_html",
                "calibrated_by",
                "calibrated_at",
            ]
        )
        record(
            current.pk,
            by,
            Event.Kind.CALIBRATED,
            old,
            f"{scale.outcome_label(outcome)}: {reason}",
        ).save()
    return current


def close_calibration(cycle: Cycle, *, by: User, confirmed: bool = False) -> int:
    """Close the cycle and share every decided outcome with its engineer.

    Refused while a reviewed assessment still waits for a decision (closing would leave
    it with no outcome for good), and unless the person confirmed, having been shown who
    is unfinished: their drafts and reviews stay as they are, read-only, for good.
    Returns how many results were shared.
    """
    with transaction.atomic():
        current = Cycle.objects.select_for_update().get(pk=cycle.pk)
        if not calibrates(by, current):
            raise PermissionDenied("Only the cycle's calibrators close its calibration.")
        if current.calibration_closed:
            raise ValidationError("Calibration of this cycle is already closed.")
        # Every change to an assessment holds the cycle's row (_locked), so nothing
        # changes under this count until the cycle is closed.
        waiting = current.assessments.filter(status=Status.REVIEWED).count()
        if waiting:
            raise ValidationError(
                f"{waiting} reviewed assessment{'s' if waiting != 1 else ''} still "
                f"need{'s' if waiting == 1 else ''} the committee's outcome."
            )
        if not confirmed:
            raise ValidationError(
                "Nothing was closed: tick the box to confirm that the cycle closes for "
                "everyone, the unfinished included."
            )
        now = timezone.now()
        current.calibration_closed_at = now
        current.status = Cycle.Status.CLOSED
        current.save(update_fields=["calibration_closed_at", "status"])
        ids = list(
            current.assessments.select_for_update()
            .filter(status=Status.CALIBRATED)
            .values_list("pk", flat=True)
        )
        Assessment.objects.filter(pk__in=ids).update(status=Status.SHARED, shared_at=now)
        Event.objects.bulk_create(
            record(pk, by, Event.Kind.SHARED, "Calibrated", "Shared") for pk in ids
        )
        # The managers first: they hear of their reports' results before the reports do.
        if ids:
            tell_managers_of_results.enqueue(ids)
        for pk in ids:
            notify.enqueue("shared", pk)
    cycle.calibration_closed_at, cycle.status = now, Cycle.Status.CLOSED
    return len(ids)


def unfinished(cycle: Cycle, *, reader: User, named: int | None = None) -> list[Assessment]:
    """Who in the cycle has no outcome on the way (a draft, or a review not finished),
    by name, for whoever closes it; the reader's own is left out, as everywhere.
    `named`: only the first so many (the page counts the rest, unfinished_count)."""
    found = (
        _unfinished(cycle, reader)
        .select_related("engineer", "reviewer")
        .only("status", "engineer", "reviewer", "cycle_id")
        .order_by("engineer__last_name", "engineer__first_name", "engineer__username")
    )
    return list(found if named is None else found[:named])


def unfinished_count(cycle: Cycle, *, reader: User) -> int:
    return _unfinished(cycle, reader).count()


def _unfinished(cycle: Cycle, reader: User):
    return cycle.assessments.filter(status__in=[Status.DRAFT, *UNDER_REVIEW]).exclude(
        engineer=reader
    )


def reassign_reviewer(assessment: Assessment, *, by: User, to: User) -> Assessment:
    """Move a review to another person, on the record; the engineer and both are told."""
    with transaction.atomic():
        current = _locked(assessment)
        _check(by, current, Action.REASSIGN)
        if to.pk == current.engineer_id:
            raise ValidationError("Nobody reviews their own assessment.")
        # Whoever runs cycles has no right to evidence; naming oneself, or one's own
        # report (one would read it as skip-level), would make one.
        reason = reviewer_refusal(by, to)
        if reason:
            raise ValidationError(reason)
        if not to.is_active:
            raise ValidationError(f"{to} can't sign in, so can't review.")
        if to.pk == current.reviewer_id:
            raise ValidationError(f"{to} already reviews this assessment.")
        previous = current.reviewer
        current.reviewer = to
        current.skip_reviewer_id = to.manager_id
        current.save(update_fields=["reviewer", "skip_reviewer"])
        record(
            current.pk,
            by,
            Event.Kind.REVIEWER_CHANGED,
            previous or "nobody",
            to,
        ).save()
        notify.enqueue("reviewer_changed", current.pk, previous.pk if previous else None)
    return current


def agree_with_engineer(
    assessment: Assessment, *, by: User, behaviour_ids: list[int] | None = None
) -> int:
    """The reviewer gives the engineer's own answer as their score on every behaviour
    they haven't scored yet (of `behaviour_ids`, or all); recorded as the reviewer's own
    scores, one history row each. Returns how many behaviours were scored."""
    with transaction.atomic():
        current = _locked(assessment)
        _check(by, current, Action.REVIEW)
        # Held until the scores are written: an autosave of one of these rows waits, then
        # finds the version moved on and offers its choice (assessments.services).
        rows = Rating.objects.select_for_update().filter(
            assessment=current, manager_score__isnull=True, score__isnull=False
        )
        if behaviour_ids is not None:
            rows = rows.filter(behaviour_id__in=behaviour_ids)
        rows = list(rows.order_by("pk"))
        if not rows:
            return 0
        now = timezone.now()
        labels = scale_of(current).labels
        for rating in rows:
            rating.manager_score = rating.score
            rating.manager_version += 1
            rating.manager_updated_at = now
        Rating.objects.bulk_update(rows, ["manager_score", "manager_version", "manager_updated_at"])
        started = start_review(current.pk, by)
        events = [started] if started else []
        events += [
            record(
                current.pk,
                by,
                Event.Kind.MANAGER_SCORE,
                "",
                labels.get(r.score, ""),
                r.behaviour_id,
            )
            for r in rows
        ]
        Event.objects.bulk_create(events)
    return len(rows)

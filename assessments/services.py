"""Writes on assessments: starting one and saving a rating (submit and return are model methods)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from assessments.models import Assessment, Cycle, Rating, evidence_html
from assessments.permissions import Action, refusal
from ladder.models import Behaviour, User


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
    level = cycle.level_for(engineer)
    if level is None:
        raise ValidationError(
            "Your level and track aren't set, or this cycle's framework has no such level. "
            "Ask your Ladder admin to set them."
        )
    assessment = Assessment.objects.create(cycle=cycle, engineer=engineer, level=level)
    Rating.objects.bulk_create(
        Rating(assessment=assessment, behaviour_id=pk)
        for pk in Behaviour.objects.filter(area__level=level).values_list("pk", flat=True)
    )
    return assessment


@dataclass(frozen=True)
class SaveResult:
    rating: Rating
    saved: bool  # False when nothing had changed
    conflict: bool = False  # the rating moved on since `base_version`
    score_changed: bool = False


def save_rating(
    *, rating: Rating, score: int | None, evidence: str, base_version: int
) -> SaveResult:
    """Save a score and evidence if nobody saved this rating since `base_version`.

    One conditional UPDATE does the check and the write, so two tabs (or two
    server processes) can't both win: the loser gets the current row back.
    """
    if (rating.score, rating.evidence, rating.version) == (score, evidence, base_version):
        return SaveResult(rating=rating, saved=False)
    if rating.version != base_version:
        # Stale already as read: the UPDATE below can't match, so don't pay for
        # rendering the evidence (the costly part of a save) just to throw it away.
        return _not_saved(rating, score=score, evidence=evidence)
    now = timezone.now()
    # Rendering is the costly part of a save; a score-only change keeps the HTML.
    html = rating.evidence_html if evidence == rating.evidence else evidence_html(evidence)
    updated = _conditional_update(
        rating=rating, score=score, evidence=evidence, html=html, base_version=base_version, now=now
    )
    if updated:
        score_changed = score != rating.score
        rating.score, rating.evidence, rating.evidence_html = score, evidence, html
        rating.version, rating.updated_at = base_version + 1, now
        return SaveResult(rating=rating, saved=True, score_changed=score_changed)
    current = Rating.objects.select_related("assessment").get(pk=rating.pk)
    return _not_saved(current, score=score, evidence=evidence)


def _not_saved(current: Rating, *, score: int | None, evidence: str) -> SaveResult:
    """Why a save didn't write, given the rating as it now is (with its assessment)."""
    if not current.assessment.is_draft:
        raise PermissionDenied(refusal(current.assessment, Action.EDIT))
    if (current.score, current.evidence) == (score, evidence):
        # The row already says exactly this (a retried save whose answer was lost):
        # nothing to choose between, so no conflict.
        return SaveResult(rating=current, saved=False)
    return SaveResult(rating=current, saved=False, conflict=True)


def _conditional_update(*, rating, score, evidence, html, base_version, now) -> int:
    """UPDATE the rating if it is still at base_version and its assessment still a draft.

    Written as SQL, not through the ORM: this statement runs for every keystroke
    pause of everyone before a deadline, its shape never changes, and compiling it
    was the largest part of an autosave's time (bench/autosave.py). Plain SQL that
    SQLite and PostgreSQL both run.
    """
    # On PostgreSQL, FOR SHARE makes the check wait for a submit that holds the
    # assessment's row and then see its outcome; SQLite runs one writer at a time.
    share = " FOR SHARE" if connection.vendor == "postgresql" else ""
    sql = (
        f"UPDATE {Rating._meta.db_table} "
        "SET score = %s, evidence = %s, evidence_html = %s, version = version + 1, updated_at = %s "
        "WHERE id = %s AND version = %s AND EXISTS ("
        f"SELECT 1 FROM {Assessment._meta.db_table} WHERE id = %s AND status = %s{share})"
    )
    params = [
        score,
        evidence,
        html,
        connection.ops.adapt_datetimefield_value(now),
        rating.pk,
        base_version,
        rating.assessment_id,
        Assessment.Status.DRAFT.value,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount

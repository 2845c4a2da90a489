"""Writes on assessments: starting one, saving a rating, submitting, returning."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, F
from django.utils import timezone

from assessments.models import Assessment, Cycle, Rating, evidence_html
from assessments.permissions import Action, refusal
from ladder.models import Behaviour, User


@transaction.atomic
def start_assessment(*, cycle: Cycle, engineer: User) -> Assessment:
    """The engineer's assessment for this cycle, created with a blank rating per behaviour."""
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
    now = timezone.now()
    # Rendering is the costly part of a save; a score-only change keeps the HTML.
    html = rating.evidence_html if evidence == rating.evidence else evidence_html(evidence)
    still_a_draft = Exists(
        Assessment.objects.filter(pk=rating.assessment_id, status=Assessment.Status.DRAFT)
    )
    updated = (
        Rating.objects.filter(still_a_draft, pk=rating.pk, version=base_version)
        .order_by()
        .update(
            score=score,
            evidence=evidence,
            evidence_html=html,
            version=F("version") + 1,
            updated_at=now,
        )
    )
    if updated:
        score_changed = score != rating.score
        rating.score, rating.evidence, rating.evidence_html = score, evidence, html
        rating.version, rating.updated_at = base_version + 1, now
        return SaveResult(rating=rating, saved=True, score_changed=score_changed)
    current = Rating.objects.select_related("assessment").get(pk=rating.pk)
    if not current.assessment.is_draft:
        raise PermissionDenied(refusal(current.assessment, Action.EDIT))
    return SaveResult(rating=current, saved=False, conflict=True)

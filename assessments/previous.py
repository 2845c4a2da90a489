"""The person's previous cycle, beside this one: outcome, area averages, matched behaviours.

Behaviours are matched by their stable keys (area key, behaviour key), which carry over
from one framework version to the next, so a reworded behaviour still finds its past
answers; one new since has none. What each reader sees of the past is what they may
read of it now: the engineer reads their manager's scores and the outcome only if
that cycle's results were shared with them; managers and the committee read scores
and the shared outcome, never the evidence or comments.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments.models import Assessment, Rating, evidence_html
from ladder.scale import FIRST_STEP, Scale


@dataclass
class PastArea:
    name: str
    own: float | None
    manager: float | None


@dataclass
class PastBehaviour:
    area: str
    text: str
    own: str
    manager: str


@dataclass
class Past:
    assessment: Assessment
    outcome: str  # the shared outcome's label, or "" when not shared
    areas: list[PastArea] = field(default_factory=list)
    behaviours: list[PastBehaviour] = field(default_factory=list)
    manager_scores: bool = False  # whether this reader sees the manager's side
    matched: int = 0  # behaviours of this cycle that had an answer then

    @property
    def cycle(self):
        return self.assessment.cycle


def earlier_ones(cycle, engineer_ids: list[int] | None = None) -> dict[int, int]:
    """Each person's latest assessment from a cycle before this one that reached their
    manager, by engineer id (of `engineer_ids`, or everyone): what enrolment records as
    each one's previous."""
    rows = Assessment.objects.filter(
        cycle__self_assessment_due__lt=cycle.self_assessment_due
    ).exclude(status=Assessment.Status.DRAFT)
    if engineer_ids is not None:
        rows = rows.filter(engineer_id__in=engineer_ids)
    found: dict[int, int] = {}
    for engineer_id, pk in rows.order_by(
        "engineer_id", "-cycle__self_assessment_due", "-pk"
    ).values_list("engineer_id", "pk"):
        found.setdefault(engineer_id, pk)
    return found


def previous_assessment(assessment: Assessment) -> Assessment | None:
    """The previous assessment recorded at enrolment; no query when there is none."""
    if assessment.previous_id is None:
        return None
    return (
        Assessment.objects.select_related("cycle__framework", "level")
        .filter(pk=assessment.previous_id)
        .first()
    )


def _key(area_key: str, behaviour_key: str) -> tuple[str, str]:
    return (area_key, behaviour_key)


def past_for(assessment: Assessment, *, engineer_reads: bool) -> Past | None:
    """The previous cycle as this reader may see it, or None if there was none."""
    before = previous_assessment(assessment)
    if before is None:
        return None
    shared = before.status == Assessment.Status.SHARED
    scale: Scale = before.cycle.framework.scale
    manager_side = shared or not engineer_reads
    rows = list(
        Rating.objects.filter(assessment=before)
        .order_by("behaviour__area__order", "behaviour__area__pk", "behaviour__order", "pk")
        .values_list(
            "behaviour__area__key",
            "behaviour__area__name",
            "behaviour__key",
            "behaviour__text",
            "score",
            "manager_score",
        )
    )
    now_keys = set(
        Rating.objects.filter(assessment=assessment).values_list(
            "behaviour__area__key", "behaviour__key"
        )
    )
    areas: dict[str, list] = {}
    behaviours = []
    matched = 0
    for area_key, area_name, key, text, own, manager in rows:
        manager = manager if manager_side else None
        sums = areas.setdefault(area_name, [[], []])
        if own is not None and own >= FIRST_STEP:
            sums[0].append(own)
        if manager is not None and manager >= FIRST_STEP:
            sums[1].append(manager)
        if _key(area_key, key) in now_keys:
            matched += own is not None
            behaviours.append(
                PastBehaviour(
                    area_name,
                    text,
                    scale.label(own, "Not answered"),
                    scale.label(manager, "Not reviewed") if manager_side else "",
                )
            )
    return Past(
        assessment=before,
        outcome=scale.outcome_label(before.calibrated_outcome) if shared else "",
        areas=[
            PastArea(name, _mean(own), _mean(manager)) for name, (own, manager) in areas.items()
        ],
        behaviours=behaviours,
        manager_scores=manager_side,
        matched=matched,
    )


def _mean(values: list[int]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def carry_over_evidence(assessment: Assessment) -> int:
    """Copy the previous cycle's evidence into this draft's behaviours that have none yet,
    matched by key; scores stay for the engineer to give again. Returns how many.

    Each row changes like any save (its version goes up), so an open tab sees a conflict
    rather than overwriting the copied text unseen.
    """
    before = previous_assessment(assessment)
    if before is None:
        return 0
    past = {
        _key(area, key): (evidence, html)
        for area, key, evidence, html in Rating.objects.filter(assessment=before)
        .exclude(evidence="")
        .values_list("behaviour__area__key", "behaviour__key", "evidence", "evidence_html")
    }
    now = timezone.now()
    copied = 0
    with transaction.atomic():
        empty = Rating.objects.select_for_update().filter(
            assessment=assessment, evidence="", assessment__status=Assessment.Status.DRAFT
        )
        for pk, area, key in empty.values_list("pk", "behaviour__area__key", "behaviour__key"):
            found = past.get(_key(area, key))
            if found is None:
                continue
            text, html = found
            copied += Rating.objects.filter(pk=pk, evidence="").update(
                evidence=text,
                # Rendered when it was saved; rendered now if it never was.
                evidence_html=html or evidence_html(text),
                version=F("version") + 1,
                updated_at=now,
            )
    return copied

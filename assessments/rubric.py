"""The assessment page's rubric: what templates/jinja2/assessments/assessment_rubric.html is given.

A level has up to about 80 behaviours, each a small form with five answers. Django's
template language spent three quarters of the page's time on those rows, so the page
is a Jinja2 template and the rows are macros (templates/jinja2/assessments/macros/rows.html).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse

from assessments.models import EVIDENCE_MAX_LENGTH
from assessments.progress import Outline, RatingState


@dataclass
class Refused:
    """A plain-form save that didn't go through: what was sent, and why, shown in its row."""

    behaviour_id: int
    score: int | None
    evidence: str
    conflict: bool = False
    errors: list[str] = field(default_factory=list)


def rubric_context(
    request,
    assessment,
    outline: Outline,
    ratings: dict[int, RatingState],
    *,
    editable: bool,
    refused: Refused | None = None,
    beside: Outline | None = None,
    beside_code: str = "",
) -> dict:
    """What templates/jinja2/assessments/assessment_rubric.html needs for every area and row."""
    return {
        "outline": outline,
        "ratings": ratings,
        "editable": editable,
        "refused": refused,
        "scale": outline.scale,
        "evidence_max": EVIDENCE_MAX_LENGTH,
        # One reverse() for the page, not one per row.
        "save_prefix": reverse("assessments:save", args=[assessment.pk, 0])[: -len("0/")],
        "beside_groups": (
            {(a.key, g.name.lower()): g for a in beside.areas for g in a.groups} if beside else {}
        ),
        "beside_code": beside_code,
    }

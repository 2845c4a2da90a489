"""The assessment page's rubric (areas, groups, rating rows), written out in Python.

A level has up to about 80 behaviours, each a small form with five answers. Rendered
by the template engine this was three quarters of the page's time (bench/
assessment_page.py: 40 ms for 80 rows against 2.4 ms for a one-row view). Here the
pieces that repeat (the answer groups, the CSRF field, the URL) are built once and
each row is one format string. Everything written goes through escape().
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from html import escape

from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from assessments.models import EVIDENCE_MAX_LENGTH
from assessments.progress import Outline, OutlineBehaviour, OutlineGroup, RatingState
from assessments.scale import HELP, Score

EVIDENCE_PLACEHOLDER = "What you did, with links: design docs, PRs, launch metrics"


@cache
def _answers(checked: int | None) -> str:
    """The five answers as radio buttons, one of them checked; six variants in all."""
    return "".join(
        f'<label class="score-option" title="{escape(HELP[score])}">'
        f'<input type="radio" name="score" value="{int(score)}"'
        f"{' checked' if score == checked else ''}> {escape(score.label)}</label>"
        for score in Score
    )


@dataclass
class Refused:
    """A plain-form save that didn't go through: what was sent, and why, shown in its row."""

    behaviour_id: int
    score: int | None
    evidence: str
    conflict: bool = False
    errors: list[str] = field(default_factory=list)


class RubricWriter:
    """Writes the rubric of one assessment page for one request."""

    def __init__(self, request, assessment, *, editable: bool, refused: Refused | None = None):
        self.request = request
        self.assessment = assessment
        self.editable = editable
        self.refused = refused
        self.csrf = (
            f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(get_token(request))}">'
        )
        # One reverse() for the page, not one per row.
        self.save_prefix = reverse("assessments:save", args=[assessment.pk, 0])[: -len("0/")]

    def write(
        self,
        outline: Outline,
        ratings: dict[int, RatingState],
        beside: Outline | None = None,
        beside_code: str = "",
    ) -> SafeString:
        """Every area with its groups and rows; the next level's beside each group if asked."""
        row = self.editable_row if self.editable else self.readonly_row
        beside_groups = (
            {(a.kind, g.name.lower()): g for a in beside.areas for g in a.groups} if beside else {}
        )
        out = []
        for area in outline.areas:
            out.append(
                f'<section class="pillar" id="{area.kind}" aria-labelledby="{area.kind}-heading">'
                f'<h2 id="{area.kind}-heading" class="section-heading">{escape(area.name)}</h2>'
            )
            if area.description_html:
                out.append(f'<div class="description">{area.description_html}</div>')
            for group in area.groups:
                out.append(
                    f'<section class="rating-group{" with-beside" if beside else ""}">'
                    '<div class="rating-group-main">'
                )
                if group.name_html:
                    out.append(f"<h3>{group.name_html}</h3>")
                out.extend(row(b, ratings[b.id]) for b in group.behaviours if b.id in ratings)
                out.append("</div>")
                if beside:
                    other = beside_groups.get((area.kind, group.name.lower()))
                    out.append(self.beside(beside_code, group.name, other))
                out.append("</section>")
            out.append("</section>")
        return mark_safe("".join(out))  # every value above is escaped

    def beside(self, code: str, name: str, other: OutlineGroup | None) -> str:
        label = escape(f"{code} {name}".strip())
        behaviours = other.behaviours if other else ()
        items = "".join(f"<li>{b.text_html}</li>" for b in behaviours) or (
            f'<li class="muted">Nothing listed here at {escape(code)}.</li>'
        )
        return (
            f'<aside class="beside" aria-label="{label}"><h4>At {escape(code)}</h4>'
            f"<ul>{items}</ul></aside>"
        )

    def editable_row(self, b: OutlineBehaviour, rating: RatingState) -> str:
        url = f"{self.save_prefix}{b.id}/"
        score, evidence, state, state_class, conflict = rating.score, rating.evidence, "", "", ""
        refused = self.refused if self.refused and self.refused.behaviour_id == b.id else None
        if refused:
            score, evidence, state_class = refused.score, refused.evidence, " failed"
            if refused.errors:
                state = escape(" ".join(refused.errors))
            else:
                state = "Not saved: changed elsewhere"
            if refused.conflict:
                conflict = render_to_string(
                    "assessments/_conflict.html",
                    {"current": rating, "behaviour_id": b.id},
                    request=self.request,
                )
        # A textarea drops one leading newline; the one written first keeps the person's.
        return (
            f'<div class="rating{" has-conflict" if conflict else ""}" id="b-{b.id}">'
            f'<form method="post" action="{url}" id="rating-{b.id}" class="rating-form" '
            f'hx-post="{url}" hx-trigger="submit, input delay:1s, change, save-now" '
            f'hx-swap="none" hx-sync="this:queue last" data-rating="{rating.id}" '
            f'data-behaviour="{b.id}">{self.csrf}'
            f'<input type="hidden" name="version" value="{rating.version}" id="version-{b.id}">'
            f'<fieldset class="score"><legend class="behaviour-text">{b.text_html}</legend>'
            f'<div class="score-options">{_answers(score)}</div></fieldset>'
            f'<div class="evidence"><label for="evidence-{b.id}">Evidence</label>'
            f'<textarea id="evidence-{b.id}" name="evidence" rows="3" '
            f'maxlength="{EVIDENCE_MAX_LENGTH}" placeholder="{EVIDENCE_PLACEHOLDER}">\n'
            f"{escape(evidence)}</textarea></div>"
            f'<div class="row-footer"><span class="save-state{state_class}" id="state-{b.id}" '
            f'role="status">{state}</span>'
            f'<button type="submit" class="button small">Save</button></div>'
            f'<div id="conflict-{b.id}">{conflict}</div></form>'
            # Rendered evidence was sanitised on save; hx-disable keeps any htmx
            # attribute that might still be in it from ever running.
            f'<div class="evidence-preview" id="preview-{b.id}" hx-disable>'
            f"{rating.evidence_html}</div></div>"
        )

    def readonly_row(self, b: OutlineBehaviour, rating: RatingState) -> str:
        score = "none" if rating.score is None else rating.score
        return (
            f'<div class="rating readonly" id="b-{b.id}">'
            f'<p class="behaviour-text">{b.text_html}</p>'
            f'<p class="score-chip score-{score}">{escape(rating.score_label)}</p>'
            f'<div class="evidence-preview" hx-disable>{rating.evidence_html}</div></div>'
        )


def saved_fragment(rating) -> SafeString:
    """The answer to a successful autosave: out-of-band updates only.

    The new version, the saved state, an emptied conflict box and the rendered
    evidence; the form itself is never sent back, so nothing typed meanwhile is lost.
    """
    b = rating.behaviour_id
    return mark_safe(  # the time is a number; evidence_html was sanitised on save
        f'<input type="hidden" name="version" value="{rating.version}" id="version-{b}" '
        'hx-swap-oob="true">'
        f'<span class="save-state saved" id="state-{b}" role="status" hx-swap-oob="true">'
        f"Saved {timezone.localtime(rating.updated_at):%H:%M}</span>"
        f'<div id="conflict-{b}" hx-swap-oob="true"></div>'
        f'<div class="evidence-preview" id="preview-{b}" hx-disable hx-swap-oob="true">'
        f"{rating.evidence_html}</div>"
    )

"""The engineer's own copy of their assessment, to keep: as Markdown, and the data its PDF reads.

Every behaviour of the level in ladder order with the engineer's answer and evidence;
the manager's side (scores, comments, summary, outcome) only when the engineer may read
it (Action.READ_REVIEW: once results are shared). The caller decides that and says so
with `with_review`; without it the manager's columns are not even read.

What people wrote is Markdown already. In the Markdown copy it goes into fenced blocks
longer than any run of backticks inside, so nothing anyone wrote (a heading, an unclosed
fence, raw HTML) can change the document's own structure; names and the ladder's
wording, which sit in headings and list items, are escaped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from django.template.defaultfilters import date as format_date
from django.template.loader import render_to_string
from django.utils import timezone

from assessments.models import Assessment, Rating
from assessments.packets.content import PAPERS
from assessments.progress import outline_of, published_level
from ladder.rubric_text import plain
from ladder.scale import Scale


@dataclass(frozen=True)
class ExportRow:
    text: str
    score: int | None
    evidence: str
    evidence_html: str
    manager_score: int | None = None
    comment: str = ""
    comment_html: str = ""
    labels: dict[int, str] = field(kw_only=True, repr=False, compare=False)  # the scale's

    @property
    def score_label(self) -> str:
        return "Not answered" if self.score is None else self.labels.get(self.score, "")

    @property
    def manager_label(self) -> str:
        if self.manager_score is None:
            return "Not reviewed"
        return self.labels.get(self.manager_score, "")


@dataclass(frozen=True)
class ExportGroup:
    name: str
    rows: list[ExportRow]


@dataclass(frozen=True)
class ExportArea:
    key: str
    name: str
    groups: list[ExportGroup]


@dataclass(frozen=True)
class Export:
    assessment: Assessment
    engineer: str
    areas: list[ExportArea]
    with_review: bool
    exported_at: datetime
    scale: Scale

    @property
    def level(self):
        return self.assessment.level

    @property
    def proposed_outcome(self) -> str:
        value = self.assessment.proposed_outcome
        return self.scale.outcome_label(value) if self.with_review else ""

    @property
    def calibrated_outcome(self) -> str:
        value = self.assessment.calibrated_outcome
        return self.scale.outcome_label(value) if self.with_review else ""


SELF_FIELDS = ("behaviour_id", "score", "evidence", "evidence_html")
REVIEW_FIELDS = ("manager_score", "manager_comment", "manager_comment_html")


def export_of(assessment: Assessment, *, with_review: bool) -> Export:
    """The engineer's copy of an assessment read with Assessment.objects.for_page()."""
    fields = SELF_FIELDS + (REVIEW_FIELDS if with_review else ())
    rows = Rating.objects.filter(assessment_id=assessment.pk).order_by().values_list(*fields)
    ratings = {row[0]: row[1:] for row in rows}
    outline = outline_of(published_level(assessment.level_id))
    areas = [
        ExportArea(
            key=area.key,
            name=area.name,
            groups=[
                ExportGroup(
                    name=group.name,
                    rows=[
                        ExportRow(b.text, *ratings[b.id], labels=outline.scale.labels)
                        for b in group.behaviours
                        if b.id in ratings
                    ],
                )
                for group in area.groups
            ],
        )
        for area in outline.areas
    ]
    return Export(
        assessment=assessment,
        engineer=str(assessment.engineer),
        areas=areas,
        with_review=with_review,
        exported_at=timezone.now(),
        scale=outline.scale,
    )


def export_html(export: Export, *, paper: str = "a4") -> str:
    """The copy as a document of its own, for the PDF renderer."""
    context = {"e": export, "paper": paper if paper in PAPERS else "a4"}
    return render_to_string("assessments/assessment_pdf.html", context, using="jinja2")


# ---- Markdown

# Characters that would start markup in a heading or a list item, for python-markdown
# (with its "extra" extensions: tables, attribute lists) and CommonMark alike.
_SPECIAL = re.compile(r"([\\`*_{}\[\]#|>!])")
_BACKTICKS = re.compile(r"`+")


def inline(text: str) -> str:
    """One line of plain text, safe to put in a heading or a list item."""
    text = " ".join(text.split()).replace("&", "&amp;").replace("<", "&lt;")
    return _SPECIAL.sub(r"\\\1", text)


def fenced(text: str) -> str:
    """Markdown someone wrote, shown as written in a block that nothing in it can close."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip("\n")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}markdown\n{text}\n{fence}"


def _when(moment: datetime | None) -> str:
    return format_date(timezone.localtime(moment), "j F Y, H:i") if moment else ""


def export_markdown(export: Export) -> str:
    """The copy as one Markdown document."""
    a = export.assessment
    level = a.level
    facts = [
        ("Level", f"{level.code} {level.title}"),
        ("Track", level.track.name),
        ("Cycle", a.cycle.name),
        ("Framework", f"{level.framework.name} v{level.framework.version}"),
        ("Status", a.get_status_display()),
        ("Submitted", _when(a.submitted_at)),
        ("Reviewer", str(a.reviewer) if a.reviewer_id else ""),
        ("Exported", _when(export.exported_at)),
    ]
    blocks = [f"# Self-assessment: {inline(export.engineer)}"]
    blocks.append("\n".join(f"- **{name}:** {inline(value)}" for name, value in facts if value))
    for area in export.areas:
        blocks.append(f"## {inline(area.name)}")
        for group in area.groups:
            if group.name:
                blocks.append(f"### {inline(group.name)}")
            for row in group.rows:
                blocks.extend(_behaviour(row, with_review=export.with_review))
    if export.with_review:
        blocks.extend(_review(export))
    return "\n\n".join(blocks) + "\n"


def _behaviour(row: ExportRow, *, with_review: bool) -> list[str]:
    blocks = [f"#### {inline(plain(row.text))}", f"Your answer: **{inline(row.score_label)}**"]
    blocks.extend(["Your evidence:", fenced(row.evidence)] if row.evidence.strip() else [])
    if with_review:
        blocks.append(f"Manager's score: **{inline(row.manager_label)}**")
        if row.comment.strip():
            blocks.extend(["Manager's comment:", fenced(row.comment)])
    return blocks


def _review(export: Export) -> list[str]:
    a = export.assessment
    blocks = ["## Manager's review"]
    if export.proposed_outcome:
        blocks.append(f"Proposed outcome: **{inline(export.proposed_outcome)}**")
    if a.summary.strip():
        blocks.extend(["Summary:", fenced(a.summary)])
    if export.calibrated_outcome:
        blocks.append("## Outcome")
        blocks.append(f"Calibrated outcome: **{inline(export.calibrated_outcome)}**")
        if a.calibration_reason.strip():
            blocks.extend(["The committee's reason:", fenced(a.calibration_reason)])
    return blocks

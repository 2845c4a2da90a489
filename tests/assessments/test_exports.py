"""The engineer's own copy of their assessment, as Markdown and as PDF, to keep."""

import html
import re

import markdown
import pytest
from django.urls import reverse

from assessments import workflow
from assessments.exports import fenced, inline
from assessments.models import Assessment, Rating, evidence_html
from assessments.permissions import LARGEST_ID
from tests.assessments.test_packets import in_ladder_order, pdf_pages, pdf_words, write
from tests.default_scale import Outcome

pytestmark = pytest.mark.django_db


def md_url(assessment) -> str:
    return reverse("assessments:export-markdown", args=[assessment.pk])


def pdf_url(assessment) -> str:
    return reverse("assessments:export-pdf", args=[assessment.pk])


def rendered(text: str) -> str:
    """The Markdown as python-markdown (the app's own renderer, with its extensions) reads it."""
    return markdown.markdown(text, extensions=["extra", "sane_lists"])


def headings(page: str, level: int) -> list[str]:
    found = re.findall(rf"<h{level}>(.*?)</h{level}>", page, flags=re.S)
    return [html.unescape(text) for text in found]


@pytest.fixture
def shared(reviewed, calibrators, calibrator, cycle):
    workflow.record_decision(
        reviewed, by=calibrator, outcome=Outcome.STRONG, reason="Above peers on *Craft*."
    )
    workflow.close_calibration(cycle, by=calibrator, confirmed=True)
    reviewed.refresh_from_db()
    return reviewed


def test_the_engineer_downloads_every_behaviour_with_their_answer_and_evidence(
    client, engineer, assessment
):
    ratings = in_ladder_order(assessment)
    write(ratings[0], score=3, evidence="Led the **ranking** rewrite: [doc](https://d.example/1)")
    write(ratings[1], score=0)
    client.force_login(engineer)
    response = client.get(md_url(assessment))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    name = f"self-assessment-2026-h2-review-ic5-{engineer.first_name}-{engineer.last_name}"
    assert response["Content-Disposition"] == f'attachment; filename="{name.lower()}.md"'
    text = response.content.decode()
    assert text.startswith(f"# Self-assessment: {engineer.first_name} {engineer.last_name}\n")
    assert "- **Level:** IC5 Staff Machine Learning Engineer\n" in text
    assert "- **Cycle:** 2026 H2 review\n" in text
    # The evidence as written, in Markdown, and each answer by its label.
    assert (
        "Your answer: **Consistently**\n\nYour evidence:\n\n```markdown\n"
        "Led the **ranking** rewrite: [doc](https://d.example/1)\n```"
    ) in text
    assert "Your answer: **No evidence yet**" in text
    assert text.count("Your answer: **Not answered**") == 56
    page = rendered(text)
    assert headings(page, 4) == [r.behaviour.text for r in ratings]
    assert headings(page, 2) == [
        "Scope",
        "Collaborative Reach",
        "Impact Levers",
        "Results",
        "Direction",
        "Talent",
        "Culture",
        "Craft",
    ]


def test_the_managers_review_stays_out_until_results_are_shared(
    client, engineer, reviewed, tmp_path
):
    first = in_ladder_order(reviewed)[0]
    write(first, manager_comment="Not seen this half.")
    Assessment.objects.filter(pk=reviewed.pk).update(summary="Keep going.")
    client.force_login(engineer)
    text = client.get(md_url(reviewed)).content.decode()
    for hidden in ("Not seen this half", "Keep going", "Manager's", "Proposed", "At level"):
        assert hidden not in text
    words = pdf_words(client.get(pdf_url(reviewed)).content, tmp_path)
    assert "Not seen this half" not in words
    assert "Manager:" not in words


def test_once_shared_the_copy_holds_the_review_and_the_outcome(client, engineer, shared, tmp_path):
    first = in_ladder_order(shared)[0]
    write(first, manager_score=2, manager_comment="Not seen *this* half.")
    Assessment.objects.filter(pk=shared.pk).update(
        summary="Keep going.", summary_html=evidence_html("Keep going.")
    )
    client.force_login(engineer)
    text = client.get(md_url(shared)).content.decode()
    assert "Manager's score: **Sometimes**\n\nManager's comment:\n\n```markdown\n" in text
    assert "Not seen *this* half." in text
    assert "## Manager's review\n\nProposed outcome: **At level**" in text
    assert "Summary:\n\n```markdown\nKeep going.\n```" in text
    assert "## Outcome\n\nCalibrated outcome: **Strong at level**" in text
    assert "```markdown\nAbove peers on *Craft*.\n```" in text
    words = pdf_words(client.get(pdf_url(shared)).content, tmp_path)
    assert "Manager: Sometimes" in words
    assert "Not seen this half." in words
    assert "Calibrated outcome: Strong at level" in words
    assert "Above peers on Craft." in words


HOSTILE_MARKDOWN = """# Not a heading of the copy

```
an unclosed fence, and below it a longer one

````
## Still my evidence
<div>
<script>alert(1)</script>

[ref]: https://evil.example
---
Setext heading?
===
"""


def test_markdown_people_wrote_cannot_change_the_structure_of_the_copy(
    client, engineer, assessment
):
    ratings = in_ladder_order(assessment)
    write(ratings[0], score=3, evidence=HOSTILE_MARKDOWN)
    write(ratings[1], score=2, evidence="Trailing fence ```")
    client.force_login(engineer)
    text = client.get(md_url(assessment)).content.decode()
    page = rendered(text)
    assert headings(page, 1) == [f"Self-assessment: {engineer}"]
    assert len(headings(page, 2)) == 8
    assert headings(page, 4) == [r.behaviour.text for r in ratings]
    assert "<script>" not in page  # kept as text in a code block, not as a tag
    code = re.findall(r"<code[^>]*>(.*?)</code>", page, flags=re.S)
    assert html.unescape(code[0]).strip("\n") == HOSTILE_MARKDOWN.strip("\n")
    assert "Trailing fence ```" in html.unescape(code[1])


def test_names_and_wording_with_markdown_characters_stay_plain_text(client, engineer, assessment):
    engineer.first_name = "*Ana* [me](javascript:x) <b>#1</b> {: .x}"
    engineer.save(update_fields=["first_name"])
    client.force_login(engineer)
    page = rendered(client.get(md_url(assessment)).content.decode())
    assert headings(page, 1) == [f"Self-assessment: {engineer}"]
    assert "<a" not in page.split("</h1>")[0]


def test_fences_are_longer_than_any_run_of_backticks_inside():
    assert fenced("a ``` b ````` c").startswith("``````markdown\n")
    assert fenced("plain").startswith("```markdown\n")
    assert fenced("\r\nwindows\r\nlines\r\n") == "```markdown\nwindows\nlines\n```"
    assert inline("a_b *c* [d] #e <f> & g\nh") == r"a\_b \*c\* \[d\] \#e &lt;f\> &amp; g h"


def test_the_pdf_copy_has_every_behaviour_and_the_engineers_name_on_every_page(
    client, engineer, assessment, tmp_path
):
    ratings = in_ladder_order(assessment)
    write(ratings[0], score=3, evidence="Led the **ranking** rewrite.")
    client.force_login(engineer)
    response = client.get(pdf_url(assessment))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith('.pdf"')
    pages = pdf_pages(response.content, tmp_path)
    assert len(pages) > 2
    for number, page in enumerate(pages, 1):
        assert str(engineer) in page.splitlines()[0]
        assert f"Page {number} of {len(pages)}" in page
        assert "your own copy" in page
    words = pdf_words(response.content, tmp_path)
    for rating in (ratings[0], ratings[29], ratings[-1]):
        assert " ".join(rating.behaviour.text.split()) in words
    assert "You: Consistently Led the ranking rewrite." in words


# ---- who may download it


@pytest.mark.parametrize("url", [md_url, pdf_url])
def test_only_the_engineer_downloads_their_copy(
    client,
    reviewed,
    engineer,
    peer,
    manager,
    other_manager,
    calibrator,
    calibrators,
    admin_user,
    url,
):
    target = url(reviewed)
    assert client.get(target).status_code == 302
    expected = {
        engineer: 200,
        manager: 403,  # reads the assessment, but the copy is the engineer's
        calibrator: 403,
        peer: 404,
        other_manager: 404,
        admin_user: 404,
    }
    got = {}
    for person in expected:
        client.force_login(person)
        got[person] = client.get(target).status_code
    assert got == expected


def test_a_draft_can_be_kept_too_and_no_one_else_sees_it(client, engineer, manager, assessment):
    client.force_login(engineer)
    assert client.get(md_url(assessment)).status_code == 200
    client.force_login(manager)
    assert client.get(md_url(assessment)).status_code == 404


@pytest.mark.parametrize("name", ["assessments:export-markdown", "assessments:export-pdf"])
def test_export_ids_beyond_any_row_are_not_found(client, engineer, name):
    client.force_login(engineer)
    for pk in (LARGEST_ID, LARGEST_ID + 1, 10**30):
        assert client.get(reverse(name, args=[pk])).status_code == 404


def test_the_copy_reads_a_fixed_number_of_rows(
    client, engineer, assessment, django_assert_num_queries
):
    client.force_login(engineer)
    client.get(md_url(assessment))
    with django_assert_num_queries(3):
        assert client.get(md_url(assessment)).status_code == 200
    assert Rating.objects.filter(assessment=assessment).count() == 58


def test_the_engineer_finds_their_copy_on_their_page_and_the_manager_does_not(
    client, engineer, manager, submitted
):
    client.force_login(engineer)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert f'href="{md_url(submitted)}">Markdown</a>' in page
    assert f'href="{pdf_url(submitted)}">PDF</a>' in page
    client.force_login(manager)
    page = client.get(submitted.get_absolute_url()).content.decode()
    assert md_url(submitted) not in page

"""Text between a level's summary and its first area, in a company's own ladder: it joins
the summary, as the README says, and the reader warns at its line (issue 17: "joins the
summary silently, though the README promises a warning")."""

from io import StringIO

import pytest
from django.core.management import call_command

from ladder.formats import html
from ladder.formats.document import Problem
from ladder.formats.markdown import read
from ladder.models import Level

PAGE = """\
# E2 Engineer

track: Web

***I build features on my own.***

We review this ladder every spring.

Ask your manager about anything unclear.

## Delivery

- I ship features of a few weeks
"""

SUMMARY = (
    "I build features on my own. We review this ladder every spring. "
    "Ask your manager about anything unclear."
)


def warning(filename: str, line: int, text: str) -> Problem:
    return Problem(filename, line, f"text {text!r} before the first area joins the summary")


@pytest.mark.no_database
def test_text_after_the_summary_joins_it_with_a_warning_at_its_line():
    [page] = read(PAGE, "e2.md")
    assert page.doc.summary == SUMMARY
    assert page.warnings == (
        warning("e2.md", 7, "We review this ladder every spring."),
        warning("e2.md", 9, "Ask your manager about anything unclear."),
    )
    assert str(page.warnings[0]) == (
        "e2.md:7: text 'We review this ladder every spring.' before the first area joins "
        "the summary"
    )
    assert [area.name for area in page.doc.areas] == ["Delivery"]


@pytest.mark.no_database
def test_a_long_text_is_named_by_its_first_words():
    long = "We review this ladder every spring with every team lead and the whole staff group."
    [page] = read(PAGE.replace("We review this ladder every spring.", long), "e2.md")
    assert page.warnings[0] == warning("e2.md", 7, long[:47] + "...")
    assert long in page.doc.summary


@pytest.mark.no_database
def test_the_summary_alone_brings_no_warning():
    [page] = read(
        "# E2 Engineer\n\ntrack: Web\n\n***I build.***\n\n## Delivery\n\n- I ship\n", "e2.md"
    )
    assert page.doc.summary == "I build."
    assert page.warnings == ()


@pytest.mark.no_database
def test_a_flat_list_warns_too():
    [page] = read(PAGE.replace("## Delivery\n\n", ""), "e2.md")
    assert [area.name for area in page.doc.areas] == [""]
    assert page.doc.summary == SUMMARY
    assert [w.line for w in page.warnings] == [7, 9]


@pytest.mark.no_database
def test_an_html_page_warns_at_the_line_of_its_paragraph():
    page = """<!doctype html>
<html><body><main>
<h1>E2 Engineer</h1>
<!-- track: Web -->
<p class="summary"><em>I build features on my own.</em></p>
<p>We review this ladder every spring.</p>
<h2>Delivery</h2>
<ul><li>I ship features of a few weeks</li></ul>
</main></body></html>
"""
    [read_page] = html.read(page, "e2.html")
    assert (
        read_page.doc.summary == "I build features on my own. We review this ladder every spring."
    )
    assert read_page.warnings == (warning("e2.html", 6, "We review this ladder every spring."),)


@pytest.mark.django_db
def test_the_import_command_says_the_warning_and_stores_the_whole_summary(tmp_path):
    path = tmp_path / "e2.md"
    path.write_text(PAGE, encoding="utf-8")
    err = StringIO()
    call_command("import_ladder", str(path), framework="Web", stdout=StringIO(), stderr=err)
    assert err.getvalue().splitlines() == [
        f"warning: {path}:7: text 'We review this ladder every spring.' before the first area "
        "joins the summary",
        f"warning: {path}:9: text 'Ask your manager about anything unclear.' before the first "
        "area joins the summary",
    ]
    assert Level.objects.get(code="E2").summary == SUMMARY


FILE_OF_LEVELS = """\
---
track: Web
---
# E1 Engineer

***I learn the product.***

Interns start here.

## Delivery

- I ship small fixes

# E2 Senior Engineer

***I build features on my own.***

We review this ladder every spring.

## Delivery

- I ship features of a few weeks
"""


@pytest.mark.no_database
def test_in_a_file_of_levels_each_level_carries_its_own_warning():
    first, second = read(FILE_OF_LEVELS, "web.md")
    assert first.doc.summary == "I learn the product. Interns start here."
    assert second.doc.summary == "I build features on my own. We review this ladder every spring."
    assert first.warnings == (warning("web.md", 8, "Interns start here."),)
    assert second.warnings == (warning("web.md", 18, "We review this ladder every spring."),)


UNREAD_KEY = "front matter key 'colour' is not read; Ladder reads track, level, title, grouping"


@pytest.mark.no_database
def test_a_warning_about_the_front_matter_goes_with_the_first_level_alone():
    first, second = read(FILE_OF_LEVELS.replace("---\n#", "colour: blue\n---\n#", 1), "web.md")
    assert first.warnings == (
        Problem("web.md", 3, UNREAD_KEY),
        warning("web.md", 9, "Interns start here."),
    )
    assert second.warnings == (warning("web.md", 19, "We review this ladder every spring."),)


@pytest.mark.no_database
def test_in_a_table_of_levels_a_warning_about_the_front_matter_is_kept_with_the_first():
    table = """\
---
colour: blue
---
# Web ladder

| Area | E1 Engineer | E2 Senior Engineer |
| --- | --- | --- |
| Delivery | I ship small fixes | I ship features |
"""
    first, second = read(table, "web.md")
    assert first.warnings == (Problem("web.md", 2, UNREAD_KEY),)
    assert second.warnings == ()


@pytest.mark.no_database
@pytest.mark.parametrize(
    "summary",
    [
        "**_I build features on my own._**",
        "__*I build features on my own.*__",
        "***I build features on my own.***",
        "_**I build features on my own.**_",
        "*__I build features on my own.__*",
    ],
)
def test_a_summary_in_bold_and_italics_either_way_round_is_the_summary(summary):
    [page] = read(PAGE.replace("***I build features on my own.***", summary), "e2.md")
    assert page.doc.summary == SUMMARY
    assert [area.name for area in page.doc.areas] == ["Delivery"]


@pytest.mark.no_database
@pytest.mark.parametrize(
    "summary",
    [
        "<strong><em>I build features on my own.</em></strong>",
        "<em><strong>I build features on my own.</strong></em>",
    ],
)
def test_an_html_summary_in_bold_and_italics_is_the_summary(summary):
    page = f"""<h1>E2 Engineer</h1>
<!-- track: Web -->
<p>{summary}</p>
<h2>Delivery</h2>
<ul><li>I ship features of a few weeks</li></ul>
"""
    [read_page] = html.read(page, "e2.html")
    assert read_page.doc.summary == "I build features on my own."
    assert [area.name for area in read_page.doc.areas] == ["Delivery"]

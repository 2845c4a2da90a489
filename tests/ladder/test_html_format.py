"""The HTML ladder format: reading web pages by the Markdown rules, and writing them back."""

import random
import re
import sys
import time

import pytest

from ladder import rubric_text
from ladder.areas import AREA_KINDS, EXPECTATION_KINDS
from ladder.formats.document import (
    AreaDoc,
    BehaviourDoc,
    LadderFormatError,
    LevelDoc,
    ResponsibilityDoc,
    derived_key,
    derived_track,
    normalise_text,
)
from ladder.formats.html import html_to_lines, parse_html, render_html
from ladder.formats.inline import area_kind
from ladder.formats.markdown import parse_page
from tests.conftest import SEED_PATH

pytestmark = pytest.mark.no_database


BODY = """\
<h1>IC4 Machine Learning Engineer</h1>
<p><strong><em>I deliver multi-team goals</em></strong></p>
<h2>Scope</h2>
<p><em>Area of ownership and level of autonomy</em></p>
<ul>
  <li>I deliver multi-team goals</li>
  <li>I exhibit a high standard of technical judgement</li>
</ul>
<h2>Collaborative Reach</h2>
<ul><li>I influence the roadmap of my team</li></ul>
<h2>Impact Levers</h2>
<ul><li>Mentorship - I mentor engineers on my team</li></ul>
<h2><img src="trophy.png" alt="trophy"> Results</h2>
<p><strong>Impact</strong></p>
<ul><li>I identify opportunities that have team-wide impact</li></ul>
<p><strong>Ownership</strong></p>
<ul><li>I have a sense of responsibility for my area</li></ul>
<h2>Direction</h2>
<p><strong>Strategy</strong></p>
<ul><li>I contribute to the technical vision of my team</li></ul>
<h2>Talent</h2>
<p><strong>Hiring</strong></p>
<ul><li>I take part in interviews</li></ul>
<h2>Culture</h2>
<p><strong>Collaboration</strong></p>
<ul><li>I work well across teams</li></ul>
<h2>Craft</h2>
<p>I ensure the quality of ML systems for my team.</p>
<p><strong>Code Fluency</strong></p>
<ul><li>I write clear code</li></ul>
"""

MARKDOWN = """\
# IC4 Machine Learning Engineer

***I deliver multi-team goals***

**Scope**
_Area of ownership and level of autonomy_

- I deliver multi-team goals
- I exhibit a high standard of technical judgement

**Collaborative Reach**

- I influence the roadmap of my team

**Impact Levers**

- Mentorship - I mentor engineers on my team

## Results

**Impact**

- I identify opportunities that have team-wide impact

**Ownership**

- I have a sense of responsibility for my area

## Direction

**Strategy**

- I contribute to the technical vision of my team

## Talent

**Hiring**

- I take part in interviews

## Culture

**Collaboration**

- I work well across teams

## Craft

I ensure the quality of ML systems for my team.

**Code Fluency**

- I write clear code
"""


def page(body: str, *, head: str = "", title: str = "Ladder") -> str:
    return (
        "<!DOCTYPE html>\n<html lang='en'>\n<head><meta charset='utf-8'>"
        f"<title>{title}</title>{head}</head>\n<body>\n{body}</body>\n</html>\n"
    )


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line containing needle."""
    for number, line in enumerate(text.split("\n"), 1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def texts(doc: LevelDoc) -> list[str]:
    return [b.text for area in doc.areas for b in area.all_behaviours]


def every_text(doc: LevelDoc) -> str:
    """Everything the document holds as words, for looking for what must not be there."""
    parts = [doc.code, doc.title, doc.track, doc.summary]
    for area in doc.areas:
        parts += [area.description, area.note, *(b.text for b in area.all_behaviours)]
        parts += [r.name for r in area.responsibilities]
        parts += [r.note for r in area.responsibilities]
        parts += [b.key for b in area.all_behaviours]
    return "\n".join(parts)


def with_scope(body: str, scope_items: str) -> str:
    """BODY with the Scope bullets replaced."""
    return re.sub(r"(<h2>Scope</h2>.*?)<ul>.*?</ul>", rf"\1{scope_items}", body, flags=re.S)


# --------------------------------------------------------------------------- shapes


def test_headings_bold_names_and_lists_read_like_the_same_markdown():
    parsed = parse_html(page(BODY), "page.html")
    assert parsed.doc == parse_page(MARKDOWN, "page.md").doc
    assert parsed.warnings == ()


def test_area_name_and_description_in_one_bold_paragraph():
    body = BODY.replace(
        "<h2>Scope</h2>\n<p><em>Area of ownership and level of autonomy</em></p>",
        "<p><strong>Scope</strong> <em>Area of ownership and level of autonomy</em></p>",
    ).replace(
        "<h2>Collaborative Reach</h2>",
        "<p><strong>Collaborative Reach:</strong> Organizational reach</p>",
    )
    doc = parse_html(page(body)).doc
    assert doc.area("scope").description == "Area of ownership and level of autonomy"
    assert doc.area("reach").description == "Organizational reach"
    assert doc.area("reach").behaviours[0].text == "I influence the roadmap of my team"


def test_nested_list_items_are_each_a_behaviour():
    body = with_scope(
        BODY, "<ul><li>First<ul><li>Inner one</li><li>Inner two</li></ul></li><li>Last</li></ul>"
    )
    assert [b.text for b in parse_html(page(body)).doc.area("scope").behaviours] == [
        "First",
        "Inner one",
        "Inner two",
        "Last",
    ]


def test_a_bold_item_holding_a_list_names_a_responsibility_with_a_warning():
    body = BODY.replace(
        "<p><strong>Hiring</strong></p>\n<ul><li>I take part in interviews</li></ul>",
        "<ul>\n<li><strong>Hiring</strong>\n<ul><li>I take part in interviews</li>"
        "<li>I write up my feedback</li></ul></li>\n</ul>",
    )
    parsed = parse_html(page(body), "notion.html")
    talent = parsed.doc.area("talent")
    assert [(r.name, [b.text for b in r.behaviours]) for r in talent.responsibilities] == [
        ("Hiring", ["I take part in interviews", "I write up my feedback"])
    ]
    warning_line = line_of(page(body), "<li><strong>Hiring")
    assert [(w.line, "responsibility" in w.message) for w in parsed.warnings] == [
        (warning_line, True)
    ]


WIKI_BODY = """\
<h1>IC5 Staff Machine Learning Engineer</h1>
<p><strong><em>I set the strategy</em></strong>  <strong><em>and deliver it</em></strong></p>
<table>
  <tr><th></th><th></th><th></th></tr>
  <tr>
    <th><strong>Scope</strong><br><br><em>Area of ownership</em></th>
    <th><strong>Collaborative</strong>  <strong>Reach</strong><br><br>
      <em>Organizational reach</em></th>
    <th><strong>Impact Levers</strong><br><br><em>Technical levers</em></th>
  </tr>
  <tr>
    <td><ul><li>I deliver goals</li><li>I exhibit judgement</li></ul></td>
    <td>I influence roadmaps<br><br>I exercise judgement</td>
    <td><ul><li>Domain Expertise - I demonstrate depth</li></ul></td>
  </tr>
</table>
<h2><img alt="trophy" src="t.png">  Results</h2>
<table>
  <tr><td><strong>Responsibility</strong></td>
    <td><strong>Key</strong> <strong>B</strong><strong>ehaviors</strong></td></tr>
  <tr><td><strong>Impact</strong></td><td><ul>
    <li>I identify opportunities <a href="https://example.com/x|y">that matter</a></li>
    <li>I execute large projects</li></ul></td></tr>
  <tr><td><strong>Ownership</strong></td><td><ul><li>I act on opportunities</li></ul></td></tr>
</table>
<h2>Direction</h2>
<table><tr><td><strong>Agility</strong></td><td><ul><li>I introduce change</li></ul></td></tr>
</table>
<h2>Talent</h2>
<table><tr><td><strong>Hiring</strong></td><td><ul><li>I take part in hiring</li></ul></td></tr>
</table>
<h2>Culture</h2>
<table><tr><td><strong>Collaboration</strong></td><td><ul><li>I break down silos</li></ul></td>
</tr></table>
<h2>Craft</h2>
<p>I ensure the quality of ML systems.</p>
<p>I have system design skills.</p>
<table>
  <tr><td><strong>Code</strong> <strong>F</strong><strong>luency</strong></td>
    <td><ul><li>I write clear code</li></ul></td></tr>
</table>
<p>* <strong>ML lifecycle</strong> refers to training and serving.</p>
"""


def test_wiki_tables_read_like_the_wiki_export():
    doc = parse_html(page(WIKI_BODY), "wiki.html").doc
    assert doc.summary == "I set the strategy and deliver it"
    assert [doc.area(k).description for k in EXPECTATION_KINDS] == [
        "Area of ownership",
        "Organizational reach",
        "Technical levers",
    ]
    assert [b.text for b in doc.area("reach").behaviours] == [
        "I influence roadmaps",
        "I exercise judgement",
    ]
    results = doc.area("results")
    assert [r.name for r in results.responsibilities] == ["Impact", "Ownership"]
    assert results.responsibilities[0].behaviours[0].text == (
        "I identify opportunities [that matter](https://example.com/x%7Cy)"
    )
    craft = doc.area("craft")
    assert (
        craft.description == "I ensure the quality of ML systems.\n\nI have system design skills."
    )
    assert craft.responsibilities[0].name == "Code Fluency"
    assert craft.responsibilities[0].note == "\\* ML lifecycle refers to training and serving."[1:]


def test_table_errors_point_at_the_row_in_the_html():
    body = WIKI_BODY.replace(
        "<li>I act on opportunities</li></ul></td>",
        "<li>I act</li></ul></td><td>extra</td>",
    )
    text = page(body)
    with pytest.raises(LadderFormatError) as raised:
        parse_html(text, "wiki.html")
    assert [e.line for e in raised.value.errors] == [line_of(text, "<strong>Ownership")]
    assert "3 cells" in raised.value.errors[0].message


DEFINITIONS_BODY = """\
<h1>IC3 Data Scientist</h1>
<dl>
  <dt>Scope</dt><dd><em>Area of ownership</em><ul><li>I own analyses</li></ul></dd>
  <dt>Collaborative Reach</dt><dd><ul><li>I work with my team</li></ul></dd>
  <dt>Impact Levers</dt><dd><ul><li>Analysis - I answer questions</li></ul></dd>
</dl>
<h2>Results</h2>
<dl>
  <dt>Impact</dt><dd><ul><li>I ship analyses that matter</li></ul>
    <p>See also <a href="values.html">our values</a>.</p></dd>
  <dt><strong>Ownership:</strong></dt><dd><ul><li>I own my dashboards</li></ul></dd>
</dl>
<h2>Direction</h2><dl><dt>Strategy</dt><dd><ul><li>I suggest questions</li></ul></dd></dl>
<h2>Talent</h2><dl><dt>Hiring</dt><dd><ul><li>I interview</li></ul></dd></dl>
<h2>Culture</h2><dl><dt>Collaboration</dt><dd><ul><li>I share findings</li></ul></dd></dl>
<h2>Craft</h2><dl><dt>Statistics</dt><dd><ul><li>I pick sound methods</li></ul></dd></dl>
"""


def test_definition_lists_name_areas_and_responsibilities():
    doc = parse_html(page(DEFINITIONS_BODY)).doc
    assert doc.area("scope").description == "Area of ownership"
    assert [b.text for b in doc.area("scope").behaviours] == ["I own analyses"]
    results = doc.area("results")
    assert [r.name for r in results.responsibilities] == ["Impact", "Ownership"]
    assert results.responsibilities[0].note == "See also [our values](values.html)."


CHROME = """\
<header><nav><ul><li>Home</li><li>Ladders</li></ul></nav><h1>IC9 Site Banner</h1></header>
<aside><ul><li>Related page</li></ul></aside>
<script>document.write("<li>I am a script</li>")</script>
<form><ul><li>Search item</li></ul><button>Go</button></form>
"""


def test_page_chrome_is_skipped_and_only_main_is_read():
    text = page(
        CHROME
        + "<p>Before main</p>\n<main>\n"
        + BODY
        + "</main>\n<footer><ul><li>Terms</li></ul></footer>\n"
    )
    parsed = parse_html(text)
    assert parsed.doc == parse_page(MARKDOWN).doc
    words = every_text(parsed.doc)
    for chrome in ("Home", "Ladders", "Related", "script", "Search", "Terms", "Before", "IC9"):
        assert chrome not in words


def test_role_main_counts_as_main():
    text = page(
        CHROME + "<div>\n<h1>IC1 Decoy Engineer</h1></div>\n<div role='main'>\n" + BODY + "</div>\n"
    )
    assert parse_html(text).doc == parse_page(MARKDOWN).doc


def test_without_main_the_first_article_is_read():
    text = page("<article>\n" + BODY + "</article>\n<article><h1>IC9 Other</h1></article>\n")
    assert parse_html(text).doc == parse_page(MARKDOWN).doc


def test_without_main_or_article_the_body_is_read_without_its_chrome():
    assert parse_html(page(CHROME + BODY)).doc == parse_page(MARKDOWN).doc


def test_a_header_inside_the_article_is_its_content():
    body = BODY.replace(
        "<h1>IC4 Machine Learning Engineer</h1>",
        "<header><h1>IC4 Machine Learning Engineer</h1></header>",
    )
    text = page("<header><nav>Site</nav></header>\n<article>\n" + body + "</article>\n")
    assert parse_html(text).doc == parse_page(MARKDOWN).doc


def test_characters_that_are_markdown_stay_characters():
    item = (
        "<li>I use **bold**, _x_, # and 1. and &lt;br&gt; &lt;!-- key: a --&gt; | "
        "[a](b) and \\ as they are</li>"
    )
    doc = parse_html(page(with_scope(BODY, f"<ul>{item}</ul>"))).doc
    expected = "I use **bold**, _x_, # and 1. and <br> <!-- key: a --> | [a](b) and \\ as they are"
    behaviour = doc.area("scope").behaviours[0]
    assert behaviour.text == rubric_text.escape(expected)
    assert behaviour.key == "scope-1"


def test_a_heading_keeps_a_trailing_hash_and_a_title_its_leading_dash():
    body = BODY.replace("IC4 Machine Learning Engineer", "IC4 - - C# Engineer #")
    doc = parse_html(page(body)).doc
    assert doc.title == "- C# Engineer #"


def test_links_keep_their_address_and_other_schemes_only_their_words():
    items = (
        "<ul><li>See <a href='values.html'>our values</a></li>"
        "<li>Read <a href='https://example.com/a b(c)'>the guide</a></li>"
        "<li>Mail <a href='mailto:x@example.com'>us</a></li>"
        "<li>Click <a href=' JaVa&#x09;Script:alert(1)'>here</a></li>"
        "<li>Open <a href='data:text/html,x'>this</a></li></ul>"
    )
    doc = parse_html(page(with_scope(BODY, items))).doc
    assert [b.text for b in doc.area("scope").behaviours] == [
        "See [our values](values.html)",
        "Read [the guide](https://example.com/a%20b%28c%29)",
        "Mail [us](mailto:x@example.com)",
        "Click here",
        "Open this",
    ]


def test_key_comments_stay_with_their_bullet_and_a_track_comment_overrides():
    body = with_scope(
        BODY,
        "<ul><li>I deliver goals <!-- key: deliver --></li>"
        "<li><strong>Lead</strong><ul><li>Nested</li></ul><!--key:lead--></li></ul>",
    ).replace("</h1>", "</h1>\n<!-- track: ML Platform -->", 1)
    doc = parse_html(page(body)).doc
    assert [(b.text, b.key) for b in doc.area("scope").behaviours] == [
        ("I deliver goals", "deliver"),
        ("Lead", "lead"),
        ("Nested", "scope-3"),
    ]
    assert doc.track == "ML Platform"


def test_track_argument_overrides_the_page():
    assert parse_html(page(BODY), track=" Data  Platform ").doc.track == "Data Platform"


# --------------------------------------------------------------------------- errors and warnings


def test_errors_point_at_the_lines_of_the_html():
    body = with_scope(
        BODY, "<ul>\n<li>Fine</li>\n<li>  </li>\n<li>Bad key <!-- key: Not Valid --></li>\n</ul>"
    )
    body = body.replace(
        "<h2>Culture</h2>\n<p><strong>Collaboration</strong></p>\n"
        "<ul><li>I work well across teams</li></ul>\n",
        "",
    )
    text = page(body)
    with pytest.raises(LadderFormatError) as raised:
        parse_html(text, "broken.html")
    errors = raised.value.errors
    assert [(e.filename, e.line) for e in errors] == [
        ("broken.html", line_of(text, "<li>  </li>")),
        ("broken.html", line_of(text, "Bad key")),
        ("broken.html", line_of(text, "I write clear code")),
    ]
    assert "empty bullet" in errors[0].message
    assert "malformed key" in errors[1].message
    assert "Culture" in errors[2].message


def test_warnings_point_at_the_lines_of_the_html():
    body = BODY.replace("<h2>Scope</h2>", "<h2>Level expectations</h2>\n<h3>Scope</h3>")
    text = page(body)
    parsed = parse_html(text, "grouped.html")
    assert [(w.filename, w.line) for w in parsed.warnings] == [
        ("grouped.html", line_of(text, "Level expectations"))
    ]


def test_a_page_without_a_level_heading_is_refused_at_its_first_content():
    text = page("<main>\n<p>Just words</p>\n</main>\n")
    with pytest.raises(LadderFormatError) as raised:
        parse_html(text)
    assert raised.value.errors[0].line == line_of(text, "Just words")


def test_a_nul_byte_is_refused_with_its_line():
    with pytest.raises(LadderFormatError) as raised:
        parse_html("<p>a</p>\n<p>b\x00</p>", "nul.html")
    assert (raised.value.line, "NUL" in raised.value.message) == (2, True)


# --------------------------------------------------------------------------- hostile pages

HOSTILE = """\
<script>alert('script')</script>
<style>body { background: url(evil-style) }</style>
<iframe src="evil-frame" srcdoc="<li>evil srcdoc</li>">evil iframe</iframe>
<noscript><li>evil noscript</li></noscript>
<template><li>evil template</li></template>
<svg><script>alert('svg')</script><text>evil svg</text></svg>
<object data="evil-object">evil object</object>
<textarea><li>evil textarea</li></textarea>
<img src=x onerror="alert('onerror')">
"""


def test_a_hostile_page_leaves_nothing_of_its_scripts_in_any_text():
    body = BODY.replace("</h1>", "</h1>\n" + HOSTILE, 1)
    body = body.replace(
        "<li>I write clear code</li>",
        "<li onmouseover=\"alert('mouse')\">I write clear code<script>alert('inline')</script>"
        "<a href=\"javascript:alert('href')\">!</a></li>",
    )
    doc = parse_html(page(body, head="<script>alert('head')</script>")).doc
    words = every_text(doc)
    assert "alert" not in words
    assert "evil" not in words
    assert "javascript" not in words.lower()
    assert doc.area("craft").responsibilities[0].behaviours[0].text == "I write clear code!"


def test_stray_character_references_do_not_turn_the_rest_into_text():
    body = BODY.replace("I deliver multi-team goals</li>", "I deliver &#; goals &#xZ;</li>")
    doc = parse_html(page(body)).doc
    assert doc.area("scope").behaviours[0].text == "I deliver &#; goals &#xZ;"
    assert doc.area("craft").responsibilities[0].name == "Code Fluency"


def test_an_unterminated_tag_ends_the_page_as_in_a_browser():
    lines = html_to_lines("<h1>IC1 A</h1>\n<p>kept</p>\n<p>kept too <a href='x\n<p>swallowed</p>")
    assert [text for _n, text in lines if text] == ["# IC1 A", "kept", "kept too"]


@pytest.mark.parametrize("shape", ["<div>", "<ul>", "<ul><li>x", "<table><tr><td>w", "<b>"])
def test_deeply_nested_elements_do_not_exhaust_the_stack(shape):
    # Ten times Python's recursion limit: a reader that recursed per element would fail,
    # and indentation growing with depth would write tens of millions of characters.
    html = shape * (10 * sys.getrecursionlimit())
    lines = html_to_lines(html)
    # Indentation is capped: nested lists must not make the output quadratic.
    assert max((len(text) for _n, text in lines), default=0) < 200_000
    assert sum(len(text) for _n, text in lines) < 4 * len(html)


def test_a_page_inside_a_hundred_thousand_divs_is_read():
    text = page("<div>" * 100_000 + BODY + "</div>" * 100_000)
    assert parse_html(text).doc == parse_page(MARKDOWN).doc


def _seconds(convert, text: str, runs: int) -> float:
    """The best of runs, in this process's CPU time: on a busy machine the wall clock
    counts the time other processes run, more for a long run than for a short one."""
    best = float("inf")
    for _ in range(runs):
        started = time.process_time()
        convert(text)
        best = min(best, time.process_time() - started)
    return best


@pytest.mark.parametrize(
    "unit",
    [
        "a<",  # a start tag that never ends
        "<a b='x' ",  # attributes without a closing >
        "</",
        "<!--",
        "<?",
        "<![CDATA[",
        "<!D ",
        "&#",
        "<a b='x>' ",
    ],
)
def test_unterminated_markup_takes_time_linear_in_its_length(unit):
    small = unit * (20_000 // len(unit))
    large = unit * (200_000 // len(unit))
    ratio = _seconds(html_to_lines, large, 2) / max(_seconds(html_to_lines, small, 3), 0.005)
    # Linear is about 10; Python 3.13.0's html.parser on its own is 50 to 140.
    assert ratio < 25


@pytest.mark.parametrize("unit", ["&lt;!--", "![", "[a](", "&lt;br", "**_", "\\"])
def test_markdown_look_alikes_in_page_text_are_read_in_linear_time(unit):
    def read(words: str) -> None:
        parse_html(page(with_scope(BODY, f"<ul><li>{words}</li></ul>")))

    small = unit * (20_000 // len(unit))
    large = unit * (200_000 // len(unit))
    assert _seconds(read, large, 2) / max(_seconds(read, small, 3), 0.005) < 25


def test_a_two_megabyte_page_converts_in_time_linear_in_its_size():
    chunk = (
        "<h3>Responsibility <em>name</em></h3>\n<p>Some <strong>bold</strong> words and "
        "<a href='x.html'>a link</a> with * and # kept.</p>\n<ul><li>I ship <b>code</b></li>"
        "<li>I review</li></ul>\n<table><tr><td>a</td><td><ul><li>b</li></ul></td></tr></table>\n"
    )
    small = page(chunk * (200_000 // len(chunk)))
    large = page(chunk * (2_000_000 // len(chunk)))
    # One run of the large page: CPU time, not the wall clock, so other processes add nothing.
    ratio = _seconds(html_to_lines, large, 1) / _seconds(html_to_lines, small, 3)
    assert ratio < 20


# --------------------------------------------------------------------------- writing


def seed() -> LevelDoc:
    return parse_page(SEED_PATH.read_text(encoding="utf-8"), SEED_PATH.name).doc


def test_seed_survives_writing_and_reading_html_without_warnings():
    parsed = parse_html(render_html(seed()), "seed.html")
    assert parsed.doc == seed()
    assert parsed.warnings == ()


def test_rendered_page_is_a_whole_readable_document():
    html = render_html(seed())
    assert html.startswith("<!DOCTYPE html>\n<html lang=")
    assert '<meta charset="utf-8">' in html
    assert "<title>IC5 Staff Machine Learning Engineer</title>" in html
    assert "<h1>IC5 Staff Machine Learning Engineer</h1>" in html
    assert html.count("<h2>") == 8
    assert "<dt><strong>Code Fluency</strong></dt>" in html
    assert html.rstrip().endswith("</html>")
    assert "<!--" not in html  # every key is the one its position gives, the track the title's


def test_rendered_page_escapes_texts_and_writes_every_link():
    doc = seed()
    scope = doc.area("scope")
    behaviours = (
        BehaviourDoc("I write <script>alert(1)</script> & more", "scope-1"),
        BehaviourDoc("I personify " + rubric_text.link("our values", "values.html"), "scope-2"),
    )
    doc = _replace_area(doc, AreaDoc("scope", scope.description, behaviours))
    html = render_html(doc)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in html
    assert '<a href="values.html">our values</a>' in html
    assert parse_html(html).doc == doc


def test_links_a_browser_would_run_are_written_as_their_words():
    doc = seed()
    scope = doc.area("scope")
    text = "Click " + rubric_text.link("here", "javascript:alert%281%29")
    behaviours = (BehaviourDoc(text, "scope-1"), scope.behaviours[1])
    html = render_html(_replace_area(doc, AreaDoc("scope", scope.description, behaviours)))
    assert "javascript" not in html
    assert "<li>Click here</li>" in html


def test_keys_and_track_are_written_in_comments_only_when_they_differ():
    doc = seed()
    scope = doc.area("scope")
    behaviours = (BehaviourDoc(scope.behaviours[0].text, "goals"), scope.behaviours[1])
    doc = _replace_area(doc, AreaDoc("scope", scope.description, behaviours))
    doc = LevelDoc(doc.code, doc.title, "ML <Platform> -->", doc.summary, doc.areas)
    html = render_html(doc)
    assert html.count("<!-- key:") == 1
    assert "<!-- key: goals --></li>" in html
    assert "<!-- track: ML \\<Platform\\> --\\> -->" in html
    assert parse_html(html).doc == doc


def _replace_area(doc: LevelDoc, new: AreaDoc) -> LevelDoc:
    areas = tuple(new if area.key == new.key else area for area in doc.areas)
    return LevelDoc(doc.code, doc.title, doc.track, doc.summary, areas)


# Letters, and every character that means something to Markdown, HTML or CSV.
WORDS = [
    "I", "ship", "goals", "Scope", "Results", "snake_case", "a*b", "**", "_", "__", "\\",
    "#", "C#", "|", "<br>", "<b>", "<!--", "-->", "&amp;", "&", "&#;", "[", "]", "(x)",
    "`code`", "1.", "-", "+", ">", "=", "@", "'", '"', ",", ";", "—", "“q”", "日本", "🦉",
]  # fmt: skip
STARTS = ["- ", "* ", "# ", "1. ", "= ", "+ ", "@", "'", "--- ", ": ", "> ", "track: "]
ENDS = [":", "::", " #", "\\", "*", "_", "|"]
URLS = ["values.html", "https://example.com/a_b?c=1&d=2", "#top", "mailto:x@example.com"]


def random_plain(rng: random.Random, low: int = 1, high: int = 6) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(low, high)))
    if rng.random() < 0.3:
        text = rng.choice(STARTS) + text
    if rng.random() < 0.3:
        text += rng.choice(ENDS)
    return normalise_text(text).replace("\n\n", " ") or "x"


def random_rubric(rng: random.Random) -> str:
    pieces = [rubric_text.escape(random_plain(rng))]
    if rng.random() < 0.4:
        pieces.append(rubric_text.link(random_plain(rng, 1, 3), rng.choice(URLS)))
        if rng.random() < 0.5:
            pieces.append(rubric_text.escape(random_plain(rng, 1, 2)))
    return " ".join(pieces)


def random_paragraphs(rng: random.Random, most: int, make) -> str:
    return "\n\n".join(make(rng) for _ in range(rng.randint(0, most)))


def random_behaviours(rng: random.Random, kind: str, owner: str | None):
    items = []
    for index in range(1, rng.randint(1, 3) + 1):
        key = (
            derived_key(kind, owner, index) if rng.random() < 0.8 else f"k{rng.randint(0, 999)}.x-y"
        )
        items.append(BehaviourDoc(random_rubric(rng), key))
    return tuple(items)


def random_area(rng: random.Random, kind: str) -> AreaDoc:
    while True:
        description = random_paragraphs(rng, 2, random_plain)
        if kind in EXPECTATION_KINDS:
            note = random_paragraphs(rng, 2, random_rubric)
            area = AreaDoc(kind, description, random_behaviours(rng, kind, None), note=note)
        else:
            names = []
            for _ in range(rng.randint(1, 3)):
                name = random_plain(rng, 1, 3)
                if area_kind(name) is None and name.casefold() not in {n.casefold() for n in names}:
                    names.append(name)
            if not names:
                continue
            responsibilities = tuple(
                ResponsibilityDoc(
                    name,
                    random_behaviours(rng, kind, name),
                    random_paragraphs(rng, 2, random_rubric),
                )
                for name in names
            )
            area = AreaDoc(kind, description, (), responsibilities)
        keys = [b.key for b in area.all_behaviours]
        if len(set(keys)) == len(keys):
            return area


def random_level(rng: random.Random, code: str | None = None) -> LevelDoc:
    title = random_plain(rng, 1, 4)
    return LevelDoc(
        code=code or rng.choice(["IC", "M", "L", "SWE"]) + str(rng.randint(1, 12)),
        title=title,
        track=derived_track(title) if rng.random() < 0.5 else random_plain(rng, 1, 3),
        summary=random_plain(rng, 1, 10) if rng.random() < 0.8 else "",
        areas=tuple(random_area(rng, kind) for kind in AREA_KINDS),
    )


def test_random_documents_survive_writing_and_reading_html():
    rng = random.Random(20261123)
    for number in range(60):
        doc = random_level(rng)
        html = render_html(doc)
        assert parse_html(html, f"random-{number}.html").doc == doc, f"document {number}:\n{html}"

"""Evidence Markdown is rendered, then cleaned to an allow-list."""

import pytest

from ladder.safe_markdown import render_markdown
from tests.test_markdown_hostile import LIMIT, ordinary_evidence


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("[doc](https://example.com/d)", 'href="https://example.com/d"'),
        ("[plain](http://example.com)", 'href="http://example.com"'),
        ("[mail](mailto:a@example.com)", 'href="mailto:a@example.com"'),
        ("[rel](/ladder/)", 'href="/ladder/"'),
        ("- one\n- two", "<li>two</li>"),
        ("`code`", "<code>code</code>"),
        ("```\nblock\n```", "<pre><code>block"),
    ],
)
def test_allowed_markdown_survives(text, kept):
    assert kept in render_markdown(text)


@pytest.mark.parametrize(
    ("text", "gone"),
    [
        ("[x](javascript:alert(1))", "javascript:"),
        ("[x](data:text/html,hi)", "data:"),
        ("[x](//evil.example/p)", "evil.example"),
        ('<a href="&#1;//evil.example">x</a>', "evil.example"),
        ('<a href="/&#9;/evil.example">x</a>', "evil.example"),
        ('<a href="/&#10;/evil.example">x</a>', "evil.example"),
        ("[x](\x01//evil.example)", "evil.example"),
        ('<a href="\\\\evil.example">x</a>', "evil.example"),
        ("<script>alert(1)</script>", "<script"),
        ('<a href="https://x.test" onclick="steal()">x</a>', "onclick"),
        ('<div hx-get="/admin/" hx-trigger="load">x</div>', "hx-"),
        ("![tracker](https://evil.example/pixel.png)", "<img"),
        ("<iframe src='https://x.test'></iframe>", "<iframe"),
        ("<style>body{display:none}</style>", "<style"),
    ],
)
def test_dangerous_markup_is_removed(text, gone):
    assert gone not in render_markdown(text)


def test_links_open_safely():
    html = render_markdown("[doc](https://example.com)")
    assert 'rel="noopener noreferrer nofollow"' in html


REL = 'rel="noopener noreferrer nofollow"'


@pytest.mark.parametrize(
    ("text", "link"),
    [
        (
            "PR: https://github.com/org/repo/pull/123",
            '<a href="https://github.com/org/repo/pull/123" {rel}>'
            "https://github.com/org/repo/pull/123</a>",
        ),
        ("http://example.com/x", '<a href="http://example.com/x" {rel}>http://example.com/x</a>'),
        ("www.example.com/x", '<a href="https://www.example.com/x" {rel}>www.example.com/x</a>'),
        ("see https://x.org/a.", '<a href="https://x.org/a" {rel}>https://x.org/a</a>.</p>'),
        ("(see https://x.org/a)", '<a href="https://x.org/a" {rel}>https://x.org/a</a>)</p>'),
        ("is https://x.org/a, or", '<a href="https://x.org/a" {rel}>https://x.org/a</a>, or'),
        (
            "https://en.wikipedia.org/wiki/Foo_(bar)",
            '<a href="https://en.wikipedia.org/wiki/Foo_(bar)" {rel}>'
            "https://en.wikipedia.org/wiki/Foo_(bar)</a>",
        ),
        (
            "https://x.org/a_b_c_d",
            '<a href="https://x.org/a_b_c_d" {rel}>https://x.org/a_b_c_d</a>',
        ),
        ("https://x.org/?a=1&b=2", '<a href="https://x.org/?a=1&amp;b=2" {rel}>'),
        ("- https://x.org/a", '<li><a href="https://x.org/a" {rel}>https://x.org/a</a></li>'),
        ("**https://x.org/a**", '<strong><a href="https://x.org/a" {rel}>'),
    ],
)
def test_bare_links_become_links(text, link):
    assert link.format(rel=REL) in render_markdown(text)


@pytest.mark.parametrize(
    "text",
    [
        "`https://x.org/a`",
        "```\nhttps://x.org/a\n```",
        "    https://x.org/a",
        "http://",
        "www.",
        "xhttps://x.org/a",
        "//x.org/a",
        "name@www.x.org",
    ],
)
def test_code_and_almost_addresses_stay_text(text):
    assert "<a" not in render_markdown(text)


@pytest.mark.parametrize(
    ("text", "link"),
    [
        ("[the PR](https://x.org/a)", '<a href="https://x.org/a" {rel}>the PR</a>'),
        ("<https://x.org/a>", '<a href="https://x.org/a" {rel}>https://x.org/a</a>'),
        (
            "[https://x.org/a](https://y.org/b)",
            '<a href="https://y.org/b" {rel}>https://x.org/a</a>',
        ),
        ('<a href="https://x.org/a">https://x.org/a</a>', '<a href="https://x.org/a" {rel}>'),
        ("[x]: https://x.org/a\n\nsee [x]", '<a href="https://x.org/a" {rel}>x</a>'),
    ],
)
def test_links_already_written_are_not_linked_again(text, link):
    html = render_markdown(text)
    assert link.format(rel=REL) in html
    assert html.count("<a ") == 1


def test_a_note_with_fifty_links_in_one_paragraph_renders_them_all():
    text = " ".join(
        f"Reviewed [design {i}](https://docs.example.com/{i}) with the team." for i in range(50)
    )
    assert render_markdown(text).count("<a ") == 50


def test_a_note_with_fifty_links_in_a_list_renders_them_all():
    text = "\n".join(
        f"- [PR {i}](https://git.example.com/pull/{i}) and https://x.org/{i}" for i in range(50)
    )
    html = render_markdown(text)
    assert html.count("<li>") == 50
    assert html.count("<a ") == 100


def test_ordinary_evidence_at_the_limit_renders_as_markdown():
    html = render_markdown(ordinary_evidence(LIMIT))
    for tag in ("<ul>", "<li>", "<strong>", "<em>", "<code>", "<blockquote>"):
        assert tag in html
    assert html.count("<a ") > 60


def test_the_seed_ladder_renders_as_markdown(seed_text):
    html = render_markdown(seed_text)
    assert "<h2>" in html
    assert "<table>" in html


def test_a_note_with_code_footnotes_abbreviations_and_some_html_renders_as_markdown():
    blocks = "\n\n".join(
        f"```python\nprint({i})\n```\n\nStep {i}[^{i}] by the ML team." for i in range(12)
    )
    notes = "\n".join(f"[^{i}]: Ticket {i}." for i in range(12))
    text = f"{blocks}\n\n{notes}\n\n*[ML]: Machine learning\n\nSee <b>this</b> &amp; that."
    html = render_markdown(text)
    assert html.count("<pre><code>") == 12
    assert '<abbr title="Machine learning">ML</abbr>' in html
    assert "<b>this</b> &amp; that" in html
    assert html.count("<sup>") == 12


def test_pathological_text_is_shown_as_plain_paragraphs():
    text = "First line\nsecond line\n\n" + "[" * 9000 + "\n\nsee https://x.org/a."
    html = render_markdown(text)
    assert html.startswith("<p>First line<br>\nsecond line</p>")
    assert "[" * 9000 in html
    assert f'<a href="https://x.org/a" {REL}>https://x.org/a</a>.</p>' in html


def test_plain_paragraphs_are_escaped():
    html = render_markdown("[" * 9000 + " <b>bold</b> & <script>x</script>")
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;" in html


@pytest.mark.parametrize(
    "text", ["1. " * 3333, "- " * 4999 + "a", ">" * 10000, "a\n:   b\n" * 1250]
)
def test_deep_nesting_renders_without_recursion_error(text):
    assert render_markdown(text).startswith("<p>")


def test_a_refused_text_leaves_the_next_one_alone():
    render_markdown("- " * 4999 + "a")
    render_markdown("[" * 10000)
    html = render_markdown("- one\n- two\n\n        code\n")
    assert "<li>one</li>" in html
    assert "<pre><code>code" in html


def test_nested_lists_and_quotes_people_write_render_as_markdown():
    lists = "".join("    " * depth + "- item\n" for depth in range(8))
    quotes = "".join(">" * depth + " said\n" for depth in range(1, 9))
    assert render_markdown(lists).count("<ul>") == 8
    assert render_markdown(quotes).count("<blockquote>") == 8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mentored 3 engineers:\n1. Sam\n2. Kim",
            "<p>Mentored 3 engineers:</p>\n<ol>\n<li>Sam</li>\n<li>Kim</li>\n</ol>",
        ),
        (
            "Shipped:\n- the API\n- the docs",
            "<p>Shipped:</p>\n<ul>\n<li>the API</li>\n<li>the docs</li>\n</ul>",
        ),
        # Inside fenced code, and a list already apart, nothing changes.
        ("```\nnotes:\n- not a list\n```", "<pre><code>notes:\n- not a list\n</code></pre>"),
        ("Shipped:\n\n- the API", "<p>Shipped:</p>\n<ul>\n<li>the API</li>\n</ul>"),
    ],
)
def test_a_list_straight_after_a_line_of_text_is_a_list(text, expected):
    assert str(render_markdown(text)) == expected

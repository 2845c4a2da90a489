"""Evidence Markdown is rendered, then cleaned to an allow-list."""

import pytest

from ladder.markdown import render_markdown


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

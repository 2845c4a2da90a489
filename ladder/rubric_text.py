"""Rubric text: the words of behaviours and notes, with the links their authors wrote.

Ladder pages link from inside a behaviour ("I personify [our core values](values.html)").
The stored form keeps those links and nothing else of Markdown:

- ``[label](url)`` is a link;
- a backslash makes the next ``\\``, ``[`` or ``]`` a plain character;
- every other character stands for itself.

So a text without brackets or backslashes, which is almost every behaviour, is stored
exactly as it reads. Comparisons and keys use ``plain()``, the words alone; pages use
``to_html()``, which links only to absolute web and mail addresses and shows any other
link (relative ones, which can't resolve here, and hostile schemes) as its label.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markupsafe import Markup
from markupsafe import escape as html_escape

__all__ = ["escape", "link", "paragraphs_html", "plain", "segments", "to_html"]

# A label is escapes or anything but brackets and backslashes; an address has no
# spaces, brackets, parentheses or angle brackets (the importer takes such addresses
# only in their <...> form and stores them percent-encoded).
_LINK = re.compile(r"\[((?:\\.|[^\\\[\]])*)\]\(([^\s()<>\[\]\\]*)\)")
_ESCAPE = re.compile(r"\\(.)")
_SPECIAL = re.compile(r"([\\\[\]])")
_SAFE_URL = re.compile(r"(?:https?://[^/\s]|mailto:[^\s@]+@)", re.IGNORECASE)


def escape(literal: str) -> str:
    """The stored form of plain characters: brackets and backslashes escaped."""
    return _SPECIAL.sub(r"\\\1", literal)


def link(label: str, url: str) -> str:
    """The stored form of one link; ``url`` must already be free of spaces and brackets."""
    return f"[{escape(label)}]({url})"


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)


def segments(text: str) -> list[tuple[str, str | None]]:
    """The text as (words, address) pieces: address None for plain runs, in order."""
    pieces: list[tuple[str, str | None]] = []
    start = 0
    for match in _LINK.finditer(text):
        # An escaped "[" before the match means the match began inside plain text.
        if _odd_backslashes_before(text, match.start()):
            continue
        if match.start() > start:
            pieces.append((_unescape(text[start : match.start()]), None))
        pieces.append((_unescape(match.group(1)), match.group(2)))
        start = match.end()
    if start < len(text):
        pieces.append((_unescape(text[start:]), None))
    return pieces


def _odd_backslashes_before(text: str, index: int) -> bool:
    run = 0
    while index - run > 0 and text[index - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def plain(text: str) -> str:
    """The words alone: links replaced by their labels, escapes undone."""
    if "[" not in text and "\\" not in text:
        return text
    return "".join(words for words, _url in segments(text))


@lru_cache(maxsize=8192)
def to_html(text: str) -> Markup:
    """Escaped HTML; links only to absolute http(s) and mailto addresses."""
    if "[" not in text and "\\" not in text:
        return html_escape(text)
    out = []
    for words, url in segments(text):
        shown = html_escape(words)
        if url is not None and _SAFE_URL.match(url):
            out.append(Markup('<a href="{}" rel="nofollow noopener">{}</a>').format(url, shown))
        else:
            out.append(shown)
    return Markup("").join(out)


def paragraphs_html(text: str) -> Markup:
    """A note of one or more paragraphs (separated by a blank line) as <p> elements."""
    return Markup("").join(
        Markup("<p>{}</p>").format(to_html(part)) for part in text.split("\n\n") if part.strip()
    )

"""What people wrote, made short: the plain text of sanitised HTML, cut at a sentence or a word."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _TextOf(HTMLParser):
    """The words of sanitised HTML, with a space where one block ends and the next begins."""

    BLOCKS = frozenset(
        {"p", "br", "li", "ul", "ol", "blockquote", "pre", "hr", "table", "tr", "td", "th"}
        | {"h1", "h2", "h3", "h4", "h5", "h6"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        # List items run on in one line, so each keeps a mark of where it starts.
        if tag == "li":
            self.parts.append(" • ")
        elif tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_endtag(self, tag) -> None:
        if tag in self.BLOCKS:
            self.parts.append(" ")

    def handle_data(self, data) -> None:
        self.parts.append(data)


def plain_text(html: str) -> str:
    """The readable text of sanitised HTML (evidence_html and the like), on one line."""
    if not html:
        return ""
    parser = _TextOf()
    parser.feed(html)
    parser.close()
    return " ".join("".join(parser.parts).split())


_SENTENCE_END = re.compile(r"[.!?…][)\"'”’]?(?=\s)")


def shorten(text: str, limit: int) -> tuple[str, bool]:
    """text cut to at most `limit` characters at a sentence or word end; whether it was cut.

    A cut never splits a word: it ends after the last whole sentence if that keeps most
    of the room, else after the last whole word, with an ellipsis.
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text, False
    room = text[: limit + 1]
    sentences = [m.end() for m in _SENTENCE_END.finditer(room)]
    if sentences and sentences[-1] >= limit * 0.6:
        return room[: sentences[-1]], True
    space = room.rfind(" ", 0, limit)
    # One long word (an address pasted whole) is cut where it must be.
    cut = room[:space] if space > limit // 3 else room[: limit - 1]
    return cut.rstrip(" ,;:-–—(") + "…", True

"""Markdown lines and table cells built from a page's inline content."""

from __future__ import annotations

import re

from ladder.formats.inline import escape_markdown

# Words made of letters, digits, spaces and punctuation that is never Markdown markup
# need no escaping; most text of a page is like that, and escaping goes character by
# character.
_PLAIN_WORDS = re.compile(r"(?:[^\W_]|[ .,;:'\"?/()%])*")


class Line:
    """One Markdown line, or one table cell, being built from inline content.

    Bold, emphasis and links are written lazily, when words arrive, so an empty element
    leaves nothing behind and spaces stay outside the markers ("**a** b", not "**a **b").
    """

    def __init__(self, number: int | None, prefix: str = "", *, cell=False, heading=False):
        self.number = number
        self.prefix = prefix
        self.cell = cell
        self.heading = heading
        self.pieces: list[str] = []
        self.marks: list[tuple[str, int | None, str | None]] = []  # kind, index, address
        self.comments: list[str] = []
        self.space = False  # whitespace seen since the last words
        self.start = True  # the next words begin the line, or a <br>-separated piece
        self.words = False  # words written since the line began
        self.broken = True  # nothing written since the last paragraph break of a cell
        self.last = ""  # the last character written
        self.emphasis_closed: tuple[int, int, bool] | None = None
        self.emitted: int | None = None  # where the last line built here went
        self.nested = False  # a list item holding a list of its own

    def _put(self, piece: str) -> int:
        self.pieces.append(piece)
        self.last = piece[-1]
        return len(self.pieces) - 1

    def write(self, words: str, *, bold: bool, emphasis: bool, link: str | None) -> None:
        escaped = self._escape(words)
        self._close_unwanted(bold, emphasis, link)
        if self.space and self.pieces:
            self._put(" ")
        self.space = False
        have = {kind for kind, _index, _url in self.marks}
        if link is not None and "link" not in have:
            self.marks.append(("link", self._put("["), link))
        if bold and "bold" not in have:
            self.marks.append(("bold", self._put("**"), None))
        if emphasis and "emphasis" not in have:
            # An underscore between two letters or digits is a character, not emphasis.
            inside_word = self.last.isalnum() and escaped[0].isalnum()
            self.marks.append(("emphasis", None if inside_word else self._put("_"), None))
        closed = self.emphasis_closed
        if closed and closed[1] == len(self.pieces) - 1 and closed[2] and escaped[0].isalnum():
            self.pieces[closed[0]] = self.pieces[closed[1]] = ""  # "_a_b" would keep both
        self.emphasis_closed = None
        self._put(escaped)
        self.start = self.broken = False
        self.words = True

    def _escape(self, words: str) -> str:
        if _PLAIN_WORDS.fullmatch(words) and not (self.start and words[0].isdigit()):
            return words
        if self.heading:
            # An unescaped # at the end of a heading line would be read as its closing.
            parts = words.split("#")
            text = "\\#".join(
                escape_markdown(part, line_start=self.start and not index)
                for index, part in enumerate(parts)
            )
        else:
            text = escape_markdown(words, line_start=self.start)
        return text.replace("]", "\\]")  # a bare ] would end a link's label

    def _close_unwanted(self, bold: bool, emphasis: bool, link: str | None) -> None:
        wanted = {"bold": bold, "emphasis": emphasis}
        for depth, (kind, _index, url) in enumerate(self.marks):
            if (url != link) if kind == "link" else not wanted[kind]:
                self._close(depth)
                return

    def _close(self, depth: int = 0) -> None:
        for kind, index, url in reversed(self.marks[depth:]):
            if kind == "link":
                self._put(f"]({url})")
            elif kind == "bold":
                self._put("**")
            elif index is not None:
                before_word = self.last.isalnum()
                self.emphasis_closed = (index, self._put("_"), before_word)
        del self.marks[depth:]

    def _end_piece(self) -> None:
        """Close what is open and write the key comments, before a cell's <br>."""
        self._close()
        if self.comments:
            self._put(" " + " ".join(self.comments))
            self.comments.clear()
        self.space = False
        self.start = True

    def br(self) -> None:
        self._end_piece()
        self._put("<br>")

    def paragraph(self) -> None:
        """A paragraph break inside a cell: a gap between <br>-separated pieces."""
        if not self.broken:
            self._end_piece()
            self._put("<br><br>")
            self.broken = True

    def item(self) -> None:
        """A list item inside a cell: "* text", after a <br> unless it comes first."""
        self._end_piece()
        if self.pieces:
            self._put("<br>")
        self._put("* ")
        self.broken = False

    def finish(self) -> str | None:
        """The line as Markdown (None if it holds nothing), and a fresh start."""
        self._close()
        if not self.words and not self.comments and not self.cell:
            return None
        text = self.prefix + "".join(self.pieces)
        if self.comments:
            text += " " + " ".join(self.comments)
        self.pieces, self.comments, self.emphasis_closed = [], [], None
        self.space, self.start, self.words, self.broken, self.last = False, True, False, True, ""
        return text


class Table:
    def __init__(self):
        self.rows: list[tuple[int, list[str]]] = []
        self.row: tuple[int, list[str]] | None = None

    def start_row(self, number: int) -> None:
        self.end_row()
        self.row = (number, [])

    def add_cell(self, number: int, text: str) -> None:
        if self.row is None:
            self.row = (number, [])
        self.row[1].append(text)

    def end_row(self) -> None:
        if self.row is not None and self.row[1]:
            self.rows.append(self.row)
        self.row = None

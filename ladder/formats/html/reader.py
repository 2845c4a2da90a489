"""A web page's elements, in document order, as the numbered Markdown lines of a level.

Only the page's ``main`` (or ``[role=main]``), else its first ``article``, is read;
navigation, scripts, forms and other chrome are skipped. Text is escaped, so a ``*`` or
``#`` typed in a page stays a character, and every line keeps the number of the HTML
line it came from.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import Comment, NavigableString, Tag
from bs4.element import PreformattedString

from ladder.formats.document import ParsedPage
from ladder.formats.html.lines import Line, Table
from ladder.formats.html.page import content_root, link_address, read_soup
from ladder.formats.markdown import parse_lines

# Page chrome and elements without readable text; nothing inside them is read.
_SKIPPED = frozenset(
    {
        "aside",
        "audio",
        "base",
        "button",
        "canvas",
        "dialog",
        "embed",
        "form",
        "frame",
        "frameset",
        "head",
        "iframe",
        "img",
        "input",
        "link",
        "map",
        "math",
        "meta",
        "nav",
        "noembed",
        "noframes",
        "noscript",
        "object",
        "picture",
        "script",
        "select",
        "style",
        "svg",
        "template",
        "textarea",
        "title",
        "video",
    }
)
# A header or footer is the page's banner unless it sits in sectioning content, where
# it belongs to that article or section (HTML's own rule for the banner landmark).
_CHROME_UNLESS_SECTIONED = frozenset({"header", "footer"})
_SECTIONING = frozenset({"article", "main", "section"})
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_LISTS = frozenset({"dir", "menu", "ol", "ul"})
_BLOCKS = frozenset(
    {
        "address",
        "article",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "div",
        "dl",
        "fieldset",
        "figcaption",
        "figure",
        "header",
        "footer",
        "hgroup",
        "hr",
        "html",
        "legend",
        "main",
        "p",
        "pre",
        "search",
        "section",
        "summary",
    }
)
_BOLD = frozenset({"b", "strong"})
_EMPHASIS = frozenset({"em", "i"})
_CELLS = frozenset({"td", "th"})
# Nesting deeper than this is written at this indentation: the parser reads every
# bullet at any depth as one behaviour, and unbounded indentation would make a page of
# nested lists quadratic in size.
_MAX_INDENT = 8
_COMMENT_KIND = re.compile(r"(key|track|grouping)\b", re.IGNORECASE)
# C0 controls other than whitespace, and DEL: never text anyone typed.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1b\x7f]")
# Words made of letters, digits, spaces and punctuation that is never Markdown markup
# What to do when an element ends, innermost last.
_Undo = tuple[Callable[[], None], ...]


class _Reader:
    """Turns the elements of a page, met in document order, into Markdown lines."""

    def __init__(self):
        self.out: list[tuple[int, str]] = []
        self.line: Line | None = None  # the line open outside tables
        self.items: list[Line] = []  # open list items, innermost last
        self.cells: list[Line] = []  # open table cells, innermost last
        self.tables: list[Table] = []
        self.flat_tables = 0  # tables inside a cell, read as that cell's words
        self.lists = 0
        self.owners = 0  # open li, h1-h6 and dt: blocks inside them stay on their line
        self.sections = 0
        self.bold = 0
        self.emphasis = 0
        self.link: str | None = None
        self.number = 1  # the source line of the last element entered

    # ---- output

    def emit(self, number: int, text: str) -> int:
        self.out.append((number, text))
        return len(self.out) - 1

    def blank(self) -> None:
        # A blank line between blocks keeps a paragraph from running into what follows
        # (a "---" under it would make it a heading).
        if self.out and self.out[-1][1]:
            self.emit(self.out[-1][0], "")

    def end_line(self) -> None:
        """Write the open line; an item's line stays open for words after its nested list."""
        line = self.line
        if line is None:
            return
        text = line.finish()
        if text is not None:
            line.emitted = self.emit(line.number or self.number, text)
        if self.items and line is self.items[-1]:
            line.prefix = " " * len(line.prefix)  # words after a nested list continue it
            line.number = None
        else:
            self.line = None

    def block_break(self) -> None:
        self.end_line()
        self.blank()

    def soft_break(self) -> None:
        target = self.cells[-1] if self.cells else self.line
        if target is not None:
            target.space = True

    # ---- document order

    def enter(self, tag: Tag) -> _Undo | None:
        """Start an element: what to do when it ends, or None to leave it unread."""
        name = tag.name
        self.number = tag.sourceline or self.number
        if name in _SKIPPED or (name in _CHROME_UNLESS_SECTIONED and not self.sections):
            return None
        if name in _SECTIONING:
            self.sections += 1
            return (self.close_section, *self.open_element(tag))
        return self.open_element(tag)

    def open_element(self, tag: Tag) -> _Undo:
        name = tag.name
        if name in _HEADINGS:
            return self.open_owner("#" * _HEADINGS[name] + " ", heading=True)
        if name == "dt":
            self.bold += 1
            return (self.close_bold, *self.open_owner(""))
        if name == "li":
            return self.open_item()
        if name in _LISTS:
            return self.open_list()
        if name == "table":
            return self.open_table()
        if name == "tr":
            return self.open_row()
        if name in _CELLS:
            return self.open_cell()
        if name == "br":
            if self.cells:
                self.cells[-1].br()
            else:
                self.soft_break()
            return ()
        if name in _BLOCKS:
            return self.open_block()
        if name in _BOLD:
            self.bold += 1
            return (self.close_bold,)
        if name in _EMPHASIS:
            self.emphasis += 1
            return (self.close_emphasis,)
        if name == "a" and self.link is None:
            href = tag.get("href")
            if isinstance(href, str) and (url := link_address(href, in_cell=bool(self.cells))):
                self.link = url
                return (self.close_link,)
        return ()

    def leave(self, undo: tuple[Callable[[], None], ...]) -> None:
        for close in reversed(undo):
            close()

    def open_block(self) -> _Undo:
        if self.cells:
            self.cells[-1].paragraph()
            return (self.close_cell_paragraph,)
        if self.owners:
            self.soft_break()
            return (self.close_soft,)
        self.block_break()
        return (self.close_block,)

    def close_cell_paragraph(self) -> None:
        if self.cells:
            self.cells[-1].paragraph()

    def close_soft(self) -> None:
        self.soft_break()

    def close_block(self) -> None:
        self.block_break()

    def open_owner(self, prefix: str, *, heading: bool = False) -> _Undo:
        """A heading or a definition term: one line of its own, unless inside another."""
        if self.cells or self.owners:
            return self.open_block()
        self.block_break()
        self.line = Line(self.number, prefix, heading=heading)
        self.owners += 1
        return (self.close_owner,)

    def close_owner(self) -> None:
        self.owners -= 1
        self.block_break()

    def open_item(self) -> _Undo:
        if self.cells:
            self.cells[-1].item()
            return ()
        self.end_line()
        depth = min(max(self.lists, 1) - 1, _MAX_INDENT)
        self.line = Line(self.number, "  " * depth + "- ")
        self.items.append(self.line)
        self.owners += 1
        return (self.close_item,)

    def close_item(self) -> None:
        line = self.items[-1]
        if line.emitted is None and not (line.words or line.comments or line.nested):
            # An empty item is an empty bullet, which the parser refuses; one holding
            # only a nested list just indents it.
            line.emitted = self.emit(line.number or self.number, line.prefix)
        self.end_line()
        self.items.pop()
        self.owners -= 1
        self.line = self.items[-1] if self.items else None

    def open_list(self) -> _Undo:
        if self.cells:
            return (self.close_cell_paragraph,)
        if self.owners:
            self.end_line()  # an item's own words come before its nested list
            if self.items:
                self.items[-1].nested = True
        else:
            self.block_break()
        self.lists += 1
        return (self.close_list,)

    def close_list(self) -> None:
        self.lists -= 1
        if not self.items:
            self.block_break()

    def open_table(self) -> _Undo:
        if self.cells:
            self.flat_tables += 1
            self.cells[-1].paragraph()
            return (self.close_flat_table,)
        self.block_break()
        self.tables.append(Table())
        return (self.close_table,)

    def close_flat_table(self) -> None:
        self.flat_tables -= 1
        self.cells[-1].paragraph()

    def close_table(self) -> None:
        table = self.tables.pop()
        table.end_row()
        self.block_break()  # a caption, or words misplaced between rows, come first
        if not table.rows:
            return
        header_number, header = table.rows[0]
        self.emit(header_number, "| " + " | ".join(header) + " |")
        self.emit(header_number, "|" + " --- |" * len(header))
        for number, cells in table.rows[1:]:
            self.emit(number, "| " + " | ".join(cells) + " |")
        self.blank()

    def open_row(self) -> _Undo:
        if self.flat_tables:
            self.cells[-1].br()
            return ()
        if not self.tables:
            return ()
        self.tables[-1].start_row(self.number)
        return (self.close_row,)

    def close_row(self) -> None:
        if self.tables:
            self.tables[-1].end_row()

    def open_cell(self) -> _Undo:
        if self.flat_tables:
            self.cells[-1].space = True
            return ()
        if not self.tables:
            return self.open_block()
        self.cells.append(Line(self.number, cell=True))
        return (self.close_cell,)

    def close_cell(self) -> None:
        cell = self.cells.pop()
        self.tables[-1].add_cell(cell.number, cell.finish() or "")

    def close_section(self) -> None:
        self.sections -= 1

    def close_bold(self) -> None:
        self.bold -= 1

    def close_emphasis(self) -> None:
        self.emphasis -= 1

    def close_link(self) -> None:
        self.link = None

    # ---- leaves

    def text(self, value: str) -> None:
        if _CONTROLS.search(value):
            value = _CONTROLS.sub("", value)
        words = " ".join(value.split())
        target = self.cells[-1] if self.cells else self.line
        if not words:
            if value and target is not None:
                target.space = True
            return
        if target is None:
            target = self.line = Line(self.number)
        elif target.number is None:
            target.number = self.number
        if value[0].isspace():
            target.space = True
        target.write(words, bold=self.bold > 0, emphasis=self.emphasis > 0, link=self.link)
        if value[-1].isspace():
            target.space = True

    def comment(self, value: str) -> None:
        """Key comments stay with their bullet, a track or grouping comment is a line; others
        are notes."""
        content = " ".join(value.split())
        kind = _COMMENT_KIND.match(content)
        if kind is None:
            return
        markdown = f"<!-- {content} -->"
        if kind.group(1).lower() == "key" and self.cells:
            self.cells[-1].comments.append(markdown.replace("|", "\\|"))
        elif kind.group(1).lower() == "key" and self.items:
            item = self.items[-1]
            if item.words or item.emitted is None:
                item.comments.append(markdown)
            else:  # after a nested list: the bullet it belongs to is already written
                number, text = self.out[item.emitted]
                self.out[item.emitted] = (number, f"{text} {markdown}")
        elif not self.cells:
            self.block_break()
            self.emit(self.number, markdown)
            self.blank()


def _walk(root: Tag, reader: _Reader) -> None:
    """Visit the tree in document order with an explicit stack: pages nest without limit."""
    stack: list = [root]
    while stack:
        node = stack.pop()
        if type(node) is tuple:
            reader.leave(node)
        elif isinstance(node, Tag):
            undo = reader.enter(node)
            if undo is not None:
                stack.append(undo)
                stack.extend(reversed(node.contents))
        elif isinstance(node, Comment):
            reader.comment(node)
        elif isinstance(node, NavigableString) and not isinstance(node, PreformattedString):
            reader.text(node)


def html_to_lines(html: str, *, filename: str = "<string>") -> list[tuple[int, str]]:
    """A web page as (source line, Markdown line) pairs that ``parse_lines`` reads.

    Only the page's ``main`` (or ``[role=main]``), else its first ``article``, is read;
    navigation, scripts, forms and other chrome are skipped. ``filename`` names the page
    in the errors raised for input that isn't a page at all.
    """
    reader = _Reader()
    _walk(content_root(read_soup(html, filename)), reader)
    reader.block_break()
    while reader.out and not reader.out[-1][1]:
        reader.out.pop()
    return reader.out


def parse_html(text: str, filename: str = "<string>", *, track: str | None = None) -> ParsedPage:
    """Read one HTML level page by the Markdown rules; ``track`` overrides the page's own.

    Raises LadderFormatError with every error found, each at its line in the HTML.
    """
    return parse_lines(html_to_lines(text, filename=filename), filename, track=track)


# --------------------------------------------------------------------------- writing

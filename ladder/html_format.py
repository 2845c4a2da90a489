"""Read and write career-ladder level pages as HTML.

Reading turns a web page into numbered Markdown lines and hands them to
``ladder_format.parse_lines``, so an HTML page follows the same rules as a Markdown one
and every error or warning points at the line of the HTML file it comes from. The page
is parsed by BeautifulSoup on the standard library's ``html.parser`` and walked without
recursion; text is escaped, so a ``*`` or ``#`` typed in a page stays a character.

Writing renders ``templates/jinja2/ladder/export_page.html``: a whole page that reads
back to the same document, ``parse_html(render_html(doc)).doc == doc``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import charref as _CHARREF  # the pattern html.parser itself matches
from urllib.parse import quote, urlsplit

from bs4 import BeautifulSoup, Comment, NavigableString, Tag
from bs4.builder._htmlparser import BeautifulSoupHTMLParser, HTMLParserTreeBuilder
from bs4.element import PreformattedString
from bs4.exceptions import ParserRejectedMarkup
from django.template.loader import get_template

from ladder import rubric_text
from ladder.ladder_format import (
    PILLAR_EMOJI,
    LadderFormatError,
    LevelDoc,
    ParsedPage,
    derived_key,
    derived_track,
    escape_markdown,
    parse_lines,
)

__all__ = ["html_to_lines", "parse_html", "render_html"]

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
_LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_COMMENT_KIND = re.compile(r"(key|track)\b", re.IGNORECASE)
# C0 controls other than whitespace, and DEL: never text anyone typed.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1b\x7f]")
# Words made of letters, digits, spaces and punctuation that is never Markdown markup
# need no escaping; most text of a page is like that, and escaping goes character by
# character.
_PLAIN_WORDS = re.compile(r"(?:[^\W_]|[ .,;:'\"?/()%])*")
# What to do when an element ends, innermost last.
_Undo = tuple[Callable[[], None], ...]


# --------------------------------------------------------------------------- parsing


class _LinearParser(BeautifulSoupHTMLParser):
    """html.parser as BeautifulSoup drives it, ending the page inside an unterminated tag.

    Python 3.13.0's HTMLParser reads a construct that never ends (a ``<`` whose tag,
    comment or declaration has no closing ``>``) as text up to the next ``>`` and tries
    again at the next ``<``, each time scanning to the end of the input: quadratic
    (CPython gh-135462, fixed in 3.13.5). HTML5 ends the document inside such a
    construct, which is what this does once all the input has been fed.
    """

    _at_end = False

    def close(self) -> None:
        self._at_end = True
        super().close()

    def _or_rest(self, end: int) -> int:
        return len(self.rawdata) if end < 0 and self._at_end else end

    def parse_starttag(self, i):
        return self._or_rest(super().parse_starttag(i))

    def parse_endtag(self, i):
        return self._or_rest(super().parse_endtag(i))

    def parse_comment(self, i, report=1):
        return self._or_rest(super().parse_comment(i, report))

    def parse_pi(self, i):
        return self._or_rest(super().parse_pi(i))

    def parse_html_declaration(self, i):
        if self.rawdata.startswith("<![", i):
            # HTML5 reads <![CDATA[...]> in a page as a bogus comment ending at the first
            # ">"; html.parser would raise on an unknown keyword and look for "]]>".
            return self._or_rest(self.parse_bogus_comment(i))
        return self._or_rest(super().parse_html_declaration(i))


class _LinearTreeBuilder(HTMLParserTreeBuilder):
    def feed(self, markup, _parser_class=_LinearParser) -> None:
        super().feed(markup, _parser_class=_LinearParser)


def _defuse_charrefs(html: str) -> str:
    """Escape every "&#" that doesn't start a character reference html.parser matches.

    On Python 3.13.0 such an "&#" makes HTMLParser stop parsing and hand the rest of the
    page over as text (CPython gh-135462), so "&#;" would turn the page after it into
    words. Browsers show it as the characters it is, and so does "&amp;#".
    """
    if "&#" not in html:
        return html
    parts = html.split("&#")
    out = [parts[0]]
    position = len(parts[0])
    for part in parts[1:]:
        out.append("&#" if _CHARREF.match(html, position) else "&amp;#")
        out.append(part)
        position += 2 + len(part)
    return "".join(out)


def _soup(html: str, filename: str) -> BeautifulSoup:
    if "\x00" in html:
        line = html.count("\n", 0, html.index("\x00")) + 1
        raise LadderFormatError(filename, line, "NUL byte in the text; is this a text file?")
    html = _defuse_charrefs(html.removeprefix("\ufeff"))
    try:
        return BeautifulSoup(html, builder=_LinearTreeBuilder(multi_valued_attributes=None))
    except ParserRejectedMarkup as error:
        raise LadderFormatError(filename, 1, f"not readable as HTML: {error}") from None


def _content_root(soup: BeautifulSoup) -> Tag:
    """The page's first main (or [role=main]), else its first article, else the whole page."""
    article = None
    for node in soup.descendants:
        if type(node) is not Tag:
            continue
        role = node.get("role")
        if node.name == "main" or (isinstance(role, str) and role.strip().lower() == "main"):
            return node
        if article is None and node.name == "article":
            article = node
    return article or soup


def _followable(href: str) -> bool:
    """Whether a link may be followed from a page: relative, web or mail addresses only.

    Other schemes (javascript:, data:, ...) would run in the browser of whoever opens an
    exported page, so those links are read, and written, as their words alone.
    """
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return False
    return not scheme or scheme in _LINK_SCHEMES


def _link_address(href: str, *, in_cell: bool) -> str | None:
    """The address to keep for a link, spaces and brackets quoted; None to keep only words."""
    href = href.strip()
    if not href or not _followable(href):
        return None
    special = "()<>[]\\|" if in_cell else "()<>[]\\"  # | would split a table row
    return "".join(quote(c) if c.isspace() or c in special else c for c in href)


class _Line:
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


class _Table:
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


class _Reader:
    """Turns the elements of a page, met in document order, into Markdown lines."""

    def __init__(self):
        self.out: list[tuple[int, str]] = []
        self.line: _Line | None = None  # the line open outside tables
        self.items: list[_Line] = []  # open list items, innermost last
        self.cells: list[_Line] = []  # open table cells, innermost last
        self.tables: list[_Table] = []
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
            if isinstance(href, str) and (url := _link_address(href, in_cell=bool(self.cells))):
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
        self.line = _Line(self.number, prefix, heading=heading)
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
        self.line = _Line(self.number, "  " * depth + "- ")
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
        self.tables.append(_Table())
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
        self.cells.append(_Line(self.number, cell=True))
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
            target = self.line = _Line(self.number)
        elif target.number is None:
            target.number = self.number
        if value[0].isspace():
            target.space = True
        target.write(words, bold=self.bold > 0, emphasis=self.emphasis > 0, link=self.link)
        if value[-1].isspace():
            target.space = True

    def comment(self, value: str) -> None:
        """Key comments stay with their bullet, a track comment is a line; others are notes."""
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
    _walk(_content_root(_soup(html, filename)), reader)
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


def _track_comment(doc: LevelDoc) -> str | None:
    """The track as the comment's Markdown text, if the title doesn't imply it.

    Escaped for Markdown, ">" included, so it can neither close the comment nor read back
    differently; HTML escaping would not do, as a comment's text is never unescaped.
    """
    if doc.track == derived_track(doc.title):
        return None
    return escape_markdown(doc.track).replace(">", "\\>")


def render_html(doc: LevelDoc) -> str:
    """A whole web page for one level, which ``parse_html`` reads back unchanged."""
    template = get_template("ladder/export_page.html", using="jinja2")
    return template.render(
        {
            "doc": doc,
            "track_comment": _track_comment(doc),
            "pillar_emoji": PILLAR_EMOJI,
            "segments": rubric_text.segments,
            "followable": _followable,
            "derived_key": derived_key,
        }
    )

"""Read and write career-ladder level pages as Markdown.

Two page shapes are read: the wiki export (a table of level expectations, then one
setext-headed table of responsibilities per pillar) and hand-written heading-and-list
Markdown. ``render_ladder`` always writes the second shape, escaping whatever the parser
would otherwise read as markup, so that ``parse_ladder(render_ladder(doc)) == doc`` for
any document whose texts are normalised the way the parser normalises them.

Reading is two passes: ``tokens.tokenize`` turns lines into block tokens (headings,
tables, bullets, bold name lines, paragraphs, comments) and ``parser.Parser`` walks
them, recording what it reads in its ``state.ReadState``.
"""

from __future__ import annotations

from dataclasses import replace

from ladder.formats.document import LadderFormatError, LevelDoc, ParsedPage, collapse
from ladder.formats.markdown.parser import Parser
from ladder.formats.markdown.tokens import tokenize
from ladder.formats.markdown.writer import render_ladder

__all__ = ["parse_ladder", "parse_lines", "parse_page", "read", "render_ladder", "write"]


def parse_ladder(text: str, filename: str = "<string>") -> LevelDoc:
    """Parse a level page in either the wiki-export or the heading-and-list shape."""
    return parse_page(text, filename).doc


def parse_page(text: str, filename: str = "<string>", *, track: str | None = None) -> ParsedPage:
    """Read one Markdown level page; ``track`` overrides the page's own and the derived one.

    Raises LadderFormatError with every error found; warnings come back with the page.
    """
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise LadderFormatError(filename, line, "NUL byte in the text; is this a text file?")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return parse_lines(list(enumerate(lines, 1)), filename, track=track)


def parse_lines(
    lines: list[tuple[int, str]], filename: str = "<string>", *, track: str | None = None
) -> ParsedPage:
    """Read a level page given as (line number, Markdown line) pairs.

    The HTML reader turns a web page into such lines, each numbered with the line of
    the element it came from, so both formats follow the same rules and errors point
    into the file the person gave.
    """
    last_line = lines[-1][0] if lines else 1
    parser = Parser(filename, max(last_line, 1))
    doc = parser.parse(tokenize(lines))
    if track is not None:
        doc = replace(doc, track=collapse(track))
    return ParsedPage(filename, doc, tuple(parser.warnings))


def read(text: str, filename: str, *, track: str | None = None) -> list[ParsedPage]:
    """The level of one Markdown file, as the format registry reads every format."""
    return [parse_page(text, filename, track=track)]


def write(doc: LevelDoc) -> str:
    """One level as a Markdown page, as the format registry writes every page format."""
    return render_ladder(doc)

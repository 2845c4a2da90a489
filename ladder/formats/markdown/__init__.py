"""Read and write career-ladder level pages as Markdown.

Pages of the default framework come in two shapes, read by ``parser.Parser``: the
wiki export (a table of level expectations, then one setext-headed table of
responsibilities per pillar) and hand-written heading-and-list Markdown. A company's
own ladder (its own areas, groups and sub-groups, several levels to a file) is read by
``tiers.TierReader``; ``tiers.in_default_shape`` tells them apart by the page below its
front matter, which either reader reads.
``render_ladder`` always writes the heading-and-list shape, escaping whatever the
parser would otherwise read as markup, so that ``parse_ladder(render_ladder(doc)) ==
doc`` for any document whose texts are normalised the way the parser normalises them.

Reading is two passes: ``tokens.tokenize`` turns lines into block tokens (headings,
tables, bullets, bold name lines, paragraphs, comments), then a reader walks them.
"""

from __future__ import annotations

from dataclasses import replace

from ladder.formats.document import LadderFormatError, LevelDoc, ParsedPage, collapse
from ladder.formats.markdown.parser import Parser
from ladder.formats.markdown.tiers import TierReader, front_matter, in_default_shape
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
    return parse_lines(_lines(text, filename), filename, track=track)


def _lines(text: str, filename: str) -> list[tuple[int, str]]:
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise LadderFormatError(filename, line, "NUL byte in the text; is this a text file?")
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return list(enumerate(lines, 1))


def parse_lines(
    lines: list[tuple[int, str]], filename: str = "<string>", *, track: str | None = None
) -> ParsedPage:
    """Read a level page given as (line number, Markdown line) pairs.

    The HTML reader turns a web page into such lines, each numbered with the line of
    the element it came from, so both formats follow the same rules and errors point
    into the file the person gave.
    """
    pages = parse_all_lines(lines, filename, track=track)
    if len(pages) > 1:
        raise LadderFormatError(
            filename, 1, f"the page holds {len(pages)} levels; import it as a file of levels"
        )
    return pages[0]


def parse_all_lines(
    lines: list[tuple[int, str]], filename: str = "<string>", *, track: str | None = None
) -> list[ParsedPage]:
    """Every level of a page given as (line number, Markdown line) pairs: the default
    framework's shapes read by ``Parser``, a company's own by ``TierReader``."""
    last_line = max(lines[-1][0] if lines else 1, 1)
    front, rest, errors, warnings = front_matter(lines, filename)
    tokens = tokenize(rest)
    # The page below the front matter decides: a page of the default framework's shapes
    # with front matter is still one.
    if in_default_shape(tokens, front_matter=bool(front or errors or warnings)):
        reader = Parser(filename, last_line, front)
    else:
        reader = TierReader(filename, front)
    reader.errors += errors
    reader.warnings += warnings
    pages = reader.read(tokens)
    if track is not None:
        pages = [replace(page, doc=replace(page.doc, track=collapse(track))) for page in pages]
    return pages


def read(text: str, filename: str, *, track: str | None = None) -> list[ParsedPage]:
    """The levels of one Markdown file, as the format registry reads every format."""
    return parse_all_lines(_lines(text, filename), filename, track=track)


def write(doc: LevelDoc) -> str:
    """One level as a Markdown page, as the format registry writes every page format."""
    return render_ladder(doc)

"""Read and write career-ladder level pages as HTML.

Reading (``reader``) turns a web page into numbered Markdown lines and hands them to
the Markdown parser, so an HTML page follows the same rules as a Markdown one and every
error or warning points at the line of the HTML file it comes from. The page is parsed
by BeautifulSoup on the standard library's ``html.parser`` and walked without recursion
(``page``); text is escaped, so a ``*`` or ``#`` typed in a page stays a character.

Writing (``writer``) renders ``templates/jinja2/ladder/export_page.html``: a whole page
that reads back to the same document, ``parse_html(render_html(doc)).doc == doc``.
"""

from __future__ import annotations

from ladder.formats.document import LevelDoc, ParsedPage
from ladder.formats.html.reader import html_to_lines, parse_html
from ladder.formats.html.writer import render_html

__all__ = ["html_to_lines", "parse_html", "read", "render_html", "write"]


def read(text: str, filename: str, *, track: str | None = None) -> list[ParsedPage]:
    """The level of one HTML file, as the format registry reads every format."""
    return [parse_html(text, filename, track=track)]


def write(doc: LevelDoc) -> str:
    """One level as a web page, as the format registry writes every page format."""
    return render_html(doc)

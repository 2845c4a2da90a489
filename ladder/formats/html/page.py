"""Reading a web page at all: a bounded, linear parse, the part of it that is content,
and which of its links may be kept.
"""

from __future__ import annotations

from html.parser import charref as _CHARREF  # the pattern html.parser itself matches
from urllib.parse import quote, urlsplit

from bs4 import BeautifulSoup, Tag
from bs4.builder._htmlparser import BeautifulSoupHTMLParser, HTMLParserTreeBuilder
from bs4.exceptions import ParserRejectedMarkup

from ladder.formats.document import LadderFormatError

_LINK_SCHEMES = frozenset({"http", "https", "mailto"})


class LinearParser(BeautifulSoupHTMLParser):
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


class LinearTreeBuilder(HTMLParserTreeBuilder):
    def feed(self, markup, _parser_class=LinearParser) -> None:
        super().feed(markup, _parser_class=LinearParser)


def defuse_charrefs(html: str) -> str:
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


def read_soup(html: str, filename: str) -> BeautifulSoup:
    if "\x00" in html:
        line = html.count("\n", 0, html.index("\x00")) + 1
        raise LadderFormatError(filename, line, "NUL byte in the text; is this a text file?")
    html = defuse_charrefs(html.removeprefix("\ufeff"))
    try:
        return BeautifulSoup(html, builder=LinearTreeBuilder(multi_valued_attributes=None))
    except ParserRejectedMarkup as error:
        raise LadderFormatError(filename, 1, f"not readable as HTML: {error}") from None


def content_root(soup: BeautifulSoup) -> Tag:
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


def followable(href: str) -> bool:
    """Whether a link may be followed from a page: relative, web or mail addresses only.

    Other schemes (javascript:, data:, ...) would run in the browser of whoever opens an
    exported page, so those links are read, and written, as their words alone.
    """
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return False
    return not scheme or scheme in _LINK_SCHEMES


def link_address(href: str, *, in_cell: bool) -> str | None:
    """The address to keep for a link, spaces and brackets quoted; None to keep only words."""
    href = href.strip()
    if not href or not followable(href):
        return None
    special = "()<>[]\\|" if in_cell else "()<>[]\\"  # | would split a table row
    return "".join(quote(c) if c.isspace() or c in special else c for c in href)

"""Markdown to safe HTML: python-markdown renders, nh3 keeps only an allow-list.

python-markdown passes raw HTML and javascript: links straight through, so its
output is never trusted as it stands.

It is also slow on some shapes of input, quadratic on runs of `[` (its issue
#798), on unclosed code fences, on headings and reference definitions peeled
one at a time off a long block, and worse on others: 9,999 `[` took 25 s, and
deeply nested lists raised RecursionError. Text that would cost more than a
small, fixed budget is shown as plain paragraphs instead, still sanitised and
still with its links; the text itself is kept as written either way. Two
guards decide, both linear: a look at the text before python-markdown sees it,
for the parts of python-markdown that run as one regular expression or in the
standard library's HTML parser and can't be stopped half-way; and a work meter
inside python-markdown for everything else, which stops the render as soon as
the budget is spent.
"""

import html
import re
import threading
import xml.etree.ElementTree as etree

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown.blockparser import BlockParser
from markdown.blockprocessors import BlockProcessor
from markdown.extensions import Extension
from markdown.extensions.tables import TableProcessor
from markdown.inlinepatterns import InlineProcessor
from markdown.preprocessors import Preprocessor
from markdown.util import HTML_PLACEHOLDER_RE, INLINE_PLACEHOLDER, AtomicString

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
# Images are left out on purpose: they would leak readers' addresses to whoever
# hosts them, and make the PDF renderer fetch URLs.
URL_SCHEMES = {"http", "https", "mailto"}

# python-markdown may spend this much work on one text, in microseconds of CPU
# as the meter below estimates them; past that the text is shown as plain
# paragraphs. Ordinary evidence at the 10,000-character limit (prose, lists,
# fifty links, emphasis, code, quotes) spends about 14,000, a list of 330 links
# about 37,000. python-markdown's quadratic paths would spend millions, and
# are stopped after a few tens of milliseconds.
WORK_BUDGET = 40_000

# How deep python-markdown may parse blocks within blocks: a quote takes one
# level, a list two, so this is about sixteen nested lists, far beyond what
# people write. Each level costs stack frames, and thousands of them raised
# RecursionError.
MAX_NESTING = 32

# python-markdown finds code fences with one regular expression that rescans the
# rest of the text from every fence-like line, and hl_lines="…" in a fence
# makes it backtrack across lines (13 s for ten of them). Real notes hold a few
# fences and never hl_lines, which does nothing here.
MAX_FENCE_LINES = 40

# python-markdown hands the whole text to the standard library's HTML parser,
# which costs a few microseconds for every "<" and "&", tens for every tag, and
# rescans from each tag to the next ">" (this caps the total of those
# distances). Evidence hardly has raw tags at all; these count code too, which
# is simpler and still far above what a pasted snippet holds.
MAX_MARKUP_CHARACTERS = 2_000
MAX_TAGS = 200
MAX_TAG_SCAN = 200_000

# Footnote references to one note, and abbreviation definitions, each cost
# python-markdown a pass over all the others.
MAX_FOOTNOTE_REFERENCES = 100
MAX_ABBREVIATIONS = 30


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _links_filter(tag: str, attribute: str, value: str) -> str | None:
    # nh3 passes relative links through, and counts "//host/path" among them;
    # that one leads off-site with no scheme to check, so it goes. Browsers drop
    # tabs and newlines from URLs and read "\\" as "/", so the check does too, and
    # a link with any other control character in it is not a link anyone wrote.
    if attribute != "href":
        return value
    seen = value.replace("\t", "").replace("\n", "").replace("\r", "").strip()
    if _CONTROL.search(seen) or seen.replace("\\", "/").startswith("//"):
        return None
    return value


# Built once: nh3.clean() builds the same rules again on every call, which took half of
# its time on a save's evidence.
_CLEANER = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    link_rel="noopener noreferrer nofollow",
    attribute_filter=_links_filter,
    strip_comments=True,
)


def _clean(markup: str) -> SafeString:
    return mark_safe(_CLEANER.clean(markup))


# --- bare links ------------------------------------------------------------------------

# An address someone pasted: http(s):// or www., a letter or digit, then anything
# up to a space, an angle bracket, a double quote or a backtick. One bounded
# character class, so matching is linear; the lookbehind keeps it from starting
# inside a word, a path or an e-mail address. python-markdown's placeholders
# (\x02…\x03, for code spans, links and raw HTML it has already dealt with) are
# control characters and end a match too.
_BARE_URL = (
    r"(?<![^\W_]|[/.@+-])(?i:https?://|www\.)[^\W_]"
    r"[^\s<>\"`\x00-\x1f\x7f]{0,2000}"
)
_BARE_URL_RE = re.compile(_BARE_URL)
# Punctuation that ends a sentence rather than an address.
_TRAILING = frozenset(".,:;!?*_~'")
_CLOSERS = {")": "(", "]": "["}


def _trim_url(url: str) -> str:
    """The address without the sentence punctuation or unmatched bracket that follows it."""
    unmatched = {close: url.count(close) - url.count(open_) for close, open_ in _CLOSERS.items()}
    end = len(url)
    while end:
        last = url[end - 1]
        if last in _TRAILING:
            end -= 1
        elif unmatched.get(last, 0) > 0:
            unmatched[last] -= 1
            end -= 1
        else:
            break
    return url[:end]


def _href(url: str) -> str:
    return url if url.lower().startswith(("http://", "https://")) else f"https://{url}"


class _BareLinkProcessor(InlineProcessor):
    # Never inside a link: python-markdown hands a link's text back to the
    # patterns after it with "a" among the ancestors.
    ANCESTOR_EXCLUDES = ("a",)

    def handleMatch(
        self, m: re.Match[str], data: str
    ) -> tuple[etree.Element | None, int | None, int | None]:
        if self._starts_raw_link(data, m.start(0)):
            return None, None, None
        url = _trim_url(m.group(0))
        link = etree.Element("a", {"href": _href(url)})
        link.text = AtomicString(url)
        return link, m.start(0), m.start(0) + len(url)

    def _starts_raw_link(self, data: str, start: int) -> bool:
        """Whether the address is the text of a raw <a href="…"> written just before it."""
        # By now a raw tag is a placeholder for a placeholder: the inline
        # processor stashes the HTML stash's key.
        before = _INLINE_BEFORE.search(data, max(0, start - 32), start)
        if before is None:
            return False
        stashed = self.md.treeprocessors["inline"].stashed_nodes.get(before.group(1))
        key = HTML_PLACEHOLDER_RE.fullmatch(stashed) if isinstance(stashed, str) else None
        if key is None:
            return False
        raw = self.md.htmlStash.rawHtmlBlocks[int(key.group(1))]
        return isinstance(raw, str) and _RAW_LINK.match(raw) is not None


_INLINE_BEFORE = re.compile(INLINE_PLACEHOLDER % r"(\d+)" + r"\s*\Z")
_RAW_LINK = re.compile(r"<a[\s>]", re.IGNORECASE)


class _BareLinks(Extension):
    """Makes pasted addresses links; code spans and links already made are placeholders by then."""

    def extendMarkdown(self, md: markdown_lib.Markdown) -> None:
        # After raw HTML (so an address inside a tag stays put) and before
        # emphasis (so underscores in an address don't become <em>).
        md.inlinePatterns.register(_BareLinkProcessor(_BARE_URL, md), "bare_link", 85)


# A list item: up to three spaces, a bullet or a number of up to three digits, a space.
_LIST_ITEM = re.compile(r" {0,3}(?:[-*+]|\d{1,3}[.)]) ")


class _ListPreprocessor(Preprocessor):
    """A blank line before a list that starts straight after a line of text.

    People write "Mentored 3 engineers:" and the list on the next line; Markdown wants
    a blank line between, and without one the list reads as one run-on paragraph.
    Fenced code is a placeholder by now, and a line already in a list or indented
    under one is left as it is.
    """

    def run(self, lines: list[str]) -> list[str]:
        out: list[str] = []
        previous = ""
        for line in lines:
            if (
                _LIST_ITEM.match(line)
                and previous.strip()
                and not previous[0].isspace()
                and not _LIST_ITEM.match(previous)
            ):
                out.append("")
            out.append(line)
            previous = line
        return out


class _ListsAfterText(Extension):
    def extendMarkdown(self, md: markdown_lib.Markdown) -> None:
        # After fenced code (25) and raw HTML (20) have set their blocks aside.
        md.preprocessors.register(_ListPreprocessor(md), "lists_after_text", 15)


# --- the work meter --------------------------------------------------------------------


class _OverBudget(Exception):
    """python-markdown has spent the render's budget, or nested too deep."""


# What python-markdown's steps cost, in microseconds of CPU, as fitted on
# bench/markdown_render.py's shapes with Python 3.13 and Markdown 3.11. The
# bench prints units beside milliseconds, to check them on another machine.
_PASS = 2.0  # an inline pattern's pass over a paragraph
_MATCH = 20.0  # an inline match that makes an element, and later that element's HTML
_MISS = 1.0  # a match that the pattern turns down
_REBUILD = 1 / 4000  # per character of the paragraph, which each match copies
_SCAN = 1 / 6  # per character walked by the link-text and code-span scanners
_LINK_SCAN = 1 / 4  # per character walked by the scanner for a link's (…), which does more
_TEST = 1.0  # a block processor's test
_RUN = 2.0  # a block processor's run
_BLOCK = 1 / 500  # per character of the block that a test or a run searches
_LINE = 1 / 20  # per line of it: most of the searches try each line start
_TABLE_LINE = 1 / 16  # per line, for the tables extension's test, which splits the block


class _WorkMeter(Extension):
    """Charges python-markdown's work against WORK_BUDGET and stops it when that runs out.

    It wraps methods of this one Markdown instance's own processors, at the
    places where python-markdown's work grows with the input: block tests and
    runs (once per block, and again for the rest of a block each time one is
    peeled off its top), inline passes and matches, and the characters that the
    link and code-span scanners walk one at a time. Scans are charged after
    they happen, so a render overruns by at most one scan of one paragraph.
    """

    def __init__(self) -> None:
        super().__init__()
        self.left = float(WORK_BUDGET)
        self.depth = 0
        self._counted, self._count = "", 0

    def reset(self) -> None:
        self.left = float(WORK_BUDGET)
        self.depth = 0

    def spend(self, microseconds: float) -> None:
        self.left -= microseconds
        if self.left < 0:
            raise _OverBudget

    def extendMarkdown(self, md: markdown_lib.Markdown) -> None:
        md.registerExtension(self)
        self._meter_nesting(md.parser)
        for processor in md.parser.blockprocessors:
            self._meter_block(processor)
        for pattern in md.inlinePatterns:
            if isinstance(pattern, InlineProcessor):
                self._meter_inline(pattern)

    def _meter_nesting(self, parser: BlockParser) -> None:
        parse_blocks = parser.parseBlocks

        def metered(parent, blocks):
            self.depth += 1
            try:
                if self.depth > MAX_NESTING:
                    raise _OverBudget
                return parse_blocks(parent, blocks)
            finally:
                self.depth -= 1

        parser.parseBlocks = metered

    def _meter_block(self, processor: BlockProcessor) -> None:
        test, run = processor.test, processor.run
        per_line = _LINE + (_TABLE_LINE if isinstance(processor, TableProcessor) else 0)

        def metered_test(parent, block):
            self.spend(_TEST + len(block) * _BLOCK + self._lines(block) * per_line)
            return test(parent, block)

        def metered_run(parent, blocks):
            block = blocks[0] if blocks else ""
            self.spend(_RUN + len(block) * _BLOCK + self._lines(block) * _LINE)
            return run(parent, blocks)

        processor.test, processor.run = metered_test, metered_run

    def _lines(self, block: str) -> int:
        # Every processor tests the same block in turn; count its lines once.
        if block is not self._counted:
            self._counted, self._count = block, block.count("\n")
        return self._count

    def _meter_inline(self, pattern: InlineProcessor) -> None:
        compiled, handle = pattern.getCompiledRegExp, pattern.handleMatch

        # python-markdown asks for the expression once per pass over a paragraph.
        def metered_compiled():
            self.spend(_PASS)
            return compiled()

        def metered_handle(m, data):
            result = handle(m, data)
            self.spend((_MISS if result[0] is None else _MATCH) + len(data) * _REBUILD)
            return result

        pattern.getCompiledRegExp, pattern.handleMatch = metered_compiled, metered_handle
        if hasattr(pattern, "getText"):
            self._meter_link_scanners(pattern)
        if hasattr(pattern, "find_code_spans"):
            self._meter_code_spans(pattern)

    def _meter_link_scanners(self, pattern: InlineProcessor) -> None:
        get_text, get_link = pattern.getText, pattern.getLink

        def metered_text(data, index):
            result = get_text(data, index)
            self.spend((result[1] - index) * _SCAN)
            return result

        def metered_link(data, index):
            result = get_link(data, index)
            if data.startswith("(", index):
                end = _link_scan_end(data, index, result[2], result[3])
                self.spend((end - index) * _LINK_SCAN)
            return result

        pattern.getText, pattern.getLink = metered_text, metered_link

    def _meter_code_spans(self, pattern: InlineProcessor) -> None:
        find = pattern.find_code_spans

        def metered(start, text):
            found = find(start, text)
            # A span closed by a run as long as its opening one ends the scan
            # there; any other outcome walked to the end of the paragraph.
            ticks = _TICKS.match(text, start).end() - start
            exact = found[1] is not None and found[0] - start == ticks
            self.spend(((found[1] if exact else len(text)) - start) * _SCAN)
            return found

        pattern.find_code_spans = metered


_TICKS = re.compile("`*")


def _link_scan_end(data: str, start: int, end: int, closed: bool) -> int:
    """Where python-markdown's scan for the end of a link's (…) stopped."""
    if not closed:
        return len(data)
    # A title whose quote never closed walks on to the end of the paragraph and
    # steps back; a title that closed ends with its quote just before the ")".
    inside = data[start : end - 1]
    if ("'" in inside or '"' in inside) and inside.rstrip(" ")[-1:] not in ("'", '"'):
        return len(data)
    return end


# --- the look before python-markdown ---------------------------------------------------

_FENCE_LINE = re.compile(r"^(?:`{3}|~{3})[^\n]*", re.MULTILINE)
_TAG_START = re.compile(r"<[A-Za-z/!?]")
_ABBREVIATION = re.compile(r"^[ ]{0,3}\*\[", re.MULTILINE)


def _too_costly_to_parse(text: str) -> bool:
    """Whether python-markdown would stall on text where the meter can't stop it."""
    fences = _FENCE_LINE.findall(text)
    if len(fences) > MAX_FENCE_LINES or any("hl_lines" in fence for fence in fences):
        return True
    if text.count("<") + text.count("&") > MAX_MARKUP_CHARACTERS:
        return True
    if text.count("[^") > MAX_FOOTNOTE_REFERENCES:
        return True
    if len(_ABBREVIATION.findall(text)) > MAX_ABBREVIATIONS:
        return True
    tags, scan = _tag_scan(text)
    return tags > MAX_TAGS or scan > MAX_TAG_SCAN


def _tag_scan(text: str) -> tuple[int, int]:
    """How many raw tags text has, and how far the HTML parser looks ahead from them in all."""
    tags, total, closing = 0, 0, -1
    for tag in _TAG_START.finditer(text):
        tags += 1
        start = tag.start()
        if text[start + 1] == "!":
            # Comments and declarations end at "-->" or "]]>", not the next ">".
            total += len(text) - start
            continue
        if closing < start:
            closing = text.find(">", start)
            if closing < 0:
                closing = len(text)
        total += closing - start
    return tags, total


# --- plain paragraphs ------------------------------------------------------------------

_BLANK_LINES = re.compile(r"\n[ \t]*\n[\s]*")


def _plain_html(text: str) -> str:
    """text as escaped paragraphs with its line breaks kept and its bare links made links."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = _BLANK_LINES.split(text.strip())
    return "\n".join(
        "<p>" + "<br>\n".join(_linked(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
        if paragraph
    )


def _linked(line: str) -> str:
    parts, done = [], 0
    for m in _BARE_URL_RE.finditer(line):
        url = _trim_url(m.group())
        parts.append(html.escape(line[done : m.start()]))
        parts.append(f'<a href="{html.escape(_href(url))}">{html.escape(url)}</a>')
        done = m.start() + len(url)
    parts.append(html.escape(line[done:]))
    return "".join(parts)


# --- rendering -------------------------------------------------------------------------

_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    # Building a Markdown instance loads its extensions and costs as much as the
    # conversion itself; each thread keeps one and resets it between texts.
    if not hasattr(_local, "markdown"):
        _local.markdown = markdown_lib.Markdown(
            # The meter goes last, so that it meters every other extension's processors too.
            extensions=["extra", "sane_lists", _BareLinks(), _ListsAfterText(), _WorkMeter()],
            output_format="html",
        )
    return _local.markdown.reset()


def _markdown_html(text: str) -> str | None:
    """text through python-markdown, or None when that would cost more than the budget."""
    if _too_costly_to_parse(text):
        return None
    try:
        return _converter().convert(text)
    except (_OverBudget, RecursionError):
        _forget_converter()
        return None
    except Exception:
        _forget_converter()
        raise


def _forget_converter() -> None:
    # A conversion stopped half-way leaves the parser's state behind (its stack
    # of open lists, say), and reset() doesn't clear it: reused, the instance
    # would parse every later text in this thread wrongly.
    del _local.markdown


def render_plain(text: str) -> SafeString:
    """text as sanitised plain paragraphs with its links, without parsing any Markdown.

    Linear and cheap: what a row shows while its writer is still typing, until the
    Markdown is rendered (assessments.services.save_rating).
    """
    return _clean(_plain_html(text))


def render_markdown(text: str) -> SafeString:
    """Render Markdown and sanitise it; the result is safe to put in a page."""
    markup = _markdown_html(text)
    return _clean(_plain_html(text) if markup is None else markup)

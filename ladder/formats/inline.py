"""Inline Markdown, the text of every format: read into stored text, and written back.

All three formats carry a behaviour's words the same way, as inline Markdown (a CSV
cell and an HTML page's text are turned into it before reading), so reading strips
bold, emphasis, escapes, images and comments, and keeps links in the stored form of
``ladder.rubric_text``; writing escapes whatever a reader would otherwise take for
markup.
"""

from __future__ import annotations

import re

from ladder import rubric_text
from ladder.areas import AREA_NAMES
from ladder.formats.document import collapse

# Alternatives are tried left to right at each position, so an escape is consumed
# before the character after the backslash could be read as markup.
INLINE_TOKEN = re.compile(
    r"""
    (?P<escape>\\[!-/:-@\[-`{-~])
  | (?P<comment><!--(?:(?!<!--).)*?-->)
  | (?P<br><br\s*/?>)
  | (?P<image>!\[[^\[\]]*\]\([^()\n]*\))
  | (?P<link>\[(?P<label>(?:\\.|[^\\\[\]])*)\]
        \(\s*(?:<(?P<angled>[^<>\n]*)>
              |(?P<url>[^\s()<>\[\]]*(?:\([^\s()<>\[\]]*\)[^\s()<>\[\]]*)*))
        (?:\s+(?:"[^"]*"|'[^']*'))?\s*\))
  | (?P<autolink><(?P<auto>(?:https?|mailto):[^\s<>]*)>)
  | (?P<strong>\*\*)
  | (?P<emph>[*_])
  | (?P<text>[^\\<!*_\[]+|.)
    """,
    re.VERBOSE | re.IGNORECASE | re.DOTALL,
)


def is_escaped(text: str, index: int) -> bool:
    """Whether text[index] is preceded by an odd number of backslashes."""
    run = 0
    while index - run > 0 and text[index - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def _is_literal_marker(text: str, index: int) -> bool:
    """Whether the * or _ at text[index] is a plain character rather than emphasis."""
    before = text[index - 1] if index > 0 else " "
    after = text[index + 1] if index + 1 < len(text) else " "
    inside_word = before.isalnum() and after.isalnum()
    standalone = before.isspace() and after.isspace()
    return inside_word or standalone


def clean_inline(text: str, *, links: bool = False) -> str:
    """Strip inline Markdown (bold, emphasis, escapes, <br>, comments, images); collapse spaces.

    Links become their label; with ``links`` they are kept, and the result is rubric
    text in its stored form (see ladder.rubric_text): links as ``[label](url)``,
    other brackets and backslashes escaped.
    """
    literal = rubric_text.escape if links else str
    parts = []
    for match in INLINE_TOKEN.finditer(text):
        kind = match.lastgroup
        if kind == "escape":
            parts.append(literal(match.group()[1]))
        elif kind == "br":
            parts.append(" ")
        elif kind == "emph":
            if _is_literal_marker(text, match.start()):
                parts.append(match.group())
        elif kind == "text":
            parts.append(literal(match.group()))
        elif kind in ("link", "autolink"):
            label = clean_inline(match.group("label")) if kind == "link" else match.group("auto")
            url = _link_address(match)
            if not links:
                parts.append(label)
            elif label and url:
                parts.append(rubric_text.link(label, url))
            else:
                parts.append(literal(label))  # "[words]()" links nowhere: keep the words
        # comments, images and ** carry no content
    return collapse("".join(parts))


def _link_address(match: re.Match) -> str:
    """A link's address with spaces, brackets and parentheses percent-encoded."""
    url = match.group("auto") or match.group("angled") or match.group("url") or ""
    return url.strip().translate(_URL_QUOTES)


_URL_QUOTES = str.maketrans(
    {" ": "%20", "\n": "%20", "(": "%28", ")": "%29", "[": "%5B", "]": "%5D", "\\": "%5C"}
)


def area_kind(name: str) -> str | None:
    """The area kind a name means ("Collaborative Reach" -> "reach"), or None."""
    return kind_named(clean_inline(name))


def kind_named(name: str) -> str | None:
    """The area kind a heading or bold line names, ignoring case, emoji and punctuation."""
    words = re.sub(r"[\W_]+", " ", name.lower()).split()
    return _KIND_BY_NAME.get(" ".join(words))


_KIND_BY_NAME = {name.lower(): kind for kind, name in AREA_NAMES.items()}


def split_inline(text: str, separator: str) -> list[str]:
    """Split text at unescaped <br> tags (separator "br") or pipes (separator "|")."""
    pieces, start = [], 0
    if separator == "|":
        for index, char in enumerate(text):
            if char == "|" and not is_escaped(text, index):
                pieces.append(text[start:index])
                start = index + 1
    else:
        for match in INLINE_TOKEN.finditer(text):
            if match.lastgroup == "br":
                pieces.append(text[start : match.start()])
                start = match.end()
    pieces.append(text[start:])
    return pieces


# --------------------------------------------------------------------------- keys, track


# --------------------------------------------------------------------------- writing

_ALWAYS_ESCAPED = frozenset("\\*<|`[")
# At the start of a line these would begin a list, heading, quote, fence or underline.
_LINE_START_ESCAPED = frozenset("-+>=~#")
_ORDERED_LIST_MARKER = re.compile(r"[0-9]{1,9}[.)]")


def escape_markdown(text: str, *, line_start: bool = False, heading: bool = False) -> str:
    """Plain text as Markdown that the parser reads back as the same characters.

    Everything a reader would otherwise take for markup is backslash-escaped; more at
    the start of a line (``line_start``) and in a heading (``heading``).
    """
    out = []
    for index, char in enumerate(text):
        if char in _ALWAYS_ESCAPED or (char == "#" and heading):
            out.append("\\" + char)
        elif char == "_" and not (
            0 < index < len(text) - 1 and text[index - 1].isalnum() and text[index + 1].isalnum()
        ):
            out.append("\\_")  # snake_case stays readable; any other _ could be emphasis
        else:
            out.append(char)
    if text and out[0] == text[0]:
        if (line_start and text[0] in _LINE_START_ESCAPED) or (heading and text[0] in "-:"):
            out[0] = "\\" + text[0]
        elif line_start and (marker := _ORDERED_LIST_MARKER.match(text)):
            out[marker.end() - 1] = "\\" + text[marker.end() - 1]
    return "".join(out)


def rubric_markdown(text: str, *, line_start: bool = False) -> str:
    """Stored rubric text (words and links, see ladder.rubric_text) as inline Markdown."""
    out = []
    for words, url in rubric_text.segments(text):
        if url is None:
            out.append(escape_markdown(words, line_start=line_start and not out))
        else:
            label = escape_markdown(words).replace("]", "\\]")  # a bare ] would end the label
            out.append(f"[{label}]({url})")
    return "".join(out)

"""The first pass over a Markdown page: lines into block tokens, and table rows into cells.

A token is a heading, a table, a bullet, a bold name line, a paragraph, a comment, a
rule or a blank line; ``parser.Parser`` gives them meaning. Table cells keep their
inline Markdown, split at unescaped pipes and ``<br>`` tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ladder.formats.inline import clean_inline, is_escaped, split_inline

BLANK, RULE, COMMENT, HEADING, TABLE, BULLET, NAME, PARA = (
    "blank",
    "rule",
    "comment",
    "heading",
    "table",
    "bullet",
    "name",
    "para",
)

_ATX = re.compile(r"(#{1,6})(?=\s|$)")
_ATX_CLOSING = re.compile(r"(?:^|\s+)#+\s*$")
_SETEXT_UNDERLINE = re.compile(r"=+|-{2,}")
_THEMATIC_BREAK = re.compile(r"(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,}")
_COMMENT_LINE = re.compile(r"<!--.*-->", re.DOTALL)
_BULLET_MARKER = re.compile(r"(?:[-*+]|[0-9]{1,9}[.)])(?:\s+|$)")
_SEPARATOR_CELL = re.compile(r":?-+:?")


@dataclass
class Token:
    kind: str
    line: int
    text: str = ""
    level: int = 0
    rows: list[tuple[int, str]] = field(default_factory=list)


def without_colon(text: str) -> str:
    """Drop one unescaped trailing colon: "**Impact:**" and "## Results:" name Impact, Results."""
    text = text.rstrip()
    if text.endswith(":") and not is_escaped(text, len(text) - 1):
        return text[:-1]
    return text


def bold_body(line: str) -> str | None:
    """The text between the outer ** (or __) of a bold name line, or None if it isn't one."""
    line = without_colon(line)
    for mark in ("**", "__"):
        if (
            len(line) > 4
            and line.startswith(mark)
            and line.endswith(mark)
            and not is_escaped(line, len(line) - 2)
            and not _bold_italic(line, mark)
        ):
            return without_colon(line[2:-2])
    return None


def _bold_italic(line: str, mark: str) -> bool:
    """Whether a bold line is in italics too: "***text***" (as render_ladder writes a
    summary), or "**_text_**" and "__*text*__" (as a wiki export and an HTML page's
    <strong><em> do). That is the emphasised summary, not a name. The other nesting,
    "_**text**_", never reads as bold here, as it doesn't start with the bold mark."""
    if line[2] == mark[0]:
        return True
    return line[2] in "*_" and line[-3] == line[2] and not is_escaped(line, len(line) - 3)


def _classify(line: str) -> str:
    if _THEMATIC_BREAK.fullmatch(line):
        return RULE
    if _COMMENT_LINE.fullmatch(line):
        return COMMENT
    if _ATX.match(line):
        return HEADING
    if line.startswith("|"):
        return TABLE
    if _BULLET_MARKER.match(line):
        return BULLET
    if bold_body(line) is not None:
        return NAME
    return PARA


def tokenize(lines: list[tuple[int, str]]) -> list[Token]:
    tokens: list[Token] = []
    last_bullet: Token | None = None  # still open for continuation lines
    for number, raw in lines:
        line = raw.strip()
        previous = tokens[-1] if tokens else None
        if not line:
            tokens.append(Token(BLANK, number))
            continue
        if previous and previous.kind in (PARA, NAME) and _SETEXT_UNDERLINE.fullmatch(line):
            previous.kind, previous.level = HEADING, 1 if line[0] == "=" else 2
            continue
        kind = _classify(line)
        # A wrapped bullet: a plain line straight after it, or an indented one after a blank.
        if kind == PARA and last_bullet and (previous is last_bullet or raw[:1] in (" ", "\t")):
            last_bullet.text += "\n" + line
            continue
        last_bullet = None
        if kind == PARA and previous and previous.kind == PARA:
            previous.text += "\n" + line
        elif kind == TABLE and previous and previous.kind == TABLE:
            previous.rows.append((number, line))
        elif kind == TABLE:
            tokens.append(Token(TABLE, number, rows=[(number, line)]))
        elif kind == HEADING:
            marks = _ATX.match(line)
            text = _ATX_CLOSING.sub("", line[marks.end() :].strip())
            tokens.append(Token(HEADING, number, text, level=len(marks.group(1))))
        elif kind == BULLET:
            # A bullet's level is its indent: a deeper one nests under the one before.
            indent = len(raw.expandtabs(4)) - len(raw.expandtabs(4).lstrip())
            text = line[_BULLET_MARKER.match(line).end() :]
            last_bullet = Token(BULLET, number, text, level=indent)
            tokens.append(last_bullet)
        else:
            tokens.append(Token(kind, number, line))
    return tokens


# --------------------------------------------------------------------------- parser


# --------------------------------------------------------------------------- table cells


def table_cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not is_escaped(row, len(row) - 1):
        row = row[:-1]
    return [cell.strip() for cell in split_inline(row, "|")]


def is_filler_row(cells: list[str]) -> bool:
    """Empty rows (the wiki export's blank header) and |---|---| separators carry nothing."""
    return all(not cell for cell in cells) or all(_SEPARATOR_CELL.fullmatch(c) for c in cells)


def cell_heading(cell: str) -> tuple[str, list[str]]:
    """Split a header cell like '**Scope**<br><br>_description_' into name and paragraphs."""
    parts = [text for text in (clean_inline(p) for p in split_inline(cell, "br")) if text]
    return (parts[0], parts[1:]) if parts else ("", [])


def cell_bullets(cell: str) -> list[str]:
    """Raw behaviour texts of a table cell whose bullets are separated by <br> tags."""
    items: list[str] = []
    after_gap = True
    for piece in split_inline(cell, "br"):
        piece = piece.strip()
        if not piece:
            after_gap = True
            continue
        marker = _BULLET_MARKER.match(piece)
        if marker:
            items.append(piece[marker.end() :])
        elif items and not after_gap:
            items[-1] += " " + piece  # a bullet wrapped with a single <br>
        else:
            items.append(piece)
        after_gap = False
    return items

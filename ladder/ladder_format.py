"""Read and write career-ladder level pages as Markdown.

Two page shapes are read: the wiki export (a table of level expectations, then one
setext-headed table of responsibilities per pillar) and hand-written heading-and-list
Markdown. ``render_ladder`` always writes the second shape, escaping whatever the parser
would otherwise read as markup, so that ``parse_ladder(render_ladder(doc)) == doc`` for
any document whose texts are normalised the way the parser normalises them.

Parsing is two passes: ``_tokenize`` turns lines into block tokens (headings, tables,
bullets, bold name lines, paragraphs, comments) and ``_Parser`` walks them as a small
state machine (before the level heading / summary / in an area / in a responsibility).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace

from ladder import rubric_text
from ladder.areas import (
    AREA_KINDS,
    AREA_NAMES,
    EXPECTATION_KINDS,
    PILLAR_EMOJI,
    PILLAR_KINDS,
)

__all__ = [
    "AREA_KINDS",
    "AREA_NAMES",
    "EXPECTATION_KINDS",
    "PILLAR_EMOJI",
    "PILLAR_KINDS",
    "AreaDoc",
    "BehaviourDoc",
    "LadderFormatError",
    "LevelDoc",
    "ParsedPage",
    "Problem",
    "ResponsibilityDoc",
    "area_kind",
    "clean_inline",
    "derived_key",
    "derived_track",
    "escape_markdown",
    "is_valid_key",
    "normalise_text",
    "parse_ladder",
    "parse_lines",
    "parse_page",
    "render_ladder",
    "rubric_markdown",
]

# The largest ladder file read, in any format: a real page is a few kilobytes.
MAX_FILE_BYTES = 2_000_000
KEY_MAX_LENGTH = 64
# Far beyond any real ladder (about ten per area); behaviours are numbered within
# their area, and the number is a small integer in the database.
MAX_BEHAVIOURS_PER_AREA = 10_000
# The longest texts a level may hold, for pages read and for the in-place editor.
BEHAVIOUR_MAX_LENGTH = 2_000
TEXT_MAX_LENGTH = 5_000  # a summary, description or note
_KEY = re.compile(r"[a-z0-9][a-z0-9.-]*")


def is_valid_key(key: str) -> bool:
    """Lower-case letters, digits, dots and hyphens, starting with a letter or digit."""
    return bool(_KEY.fullmatch(key)) and len(key) <= KEY_MAX_LENGTH


_SENIORITY_WORDS = frozenset(
    {
        "junior",
        "jr",
        "jr.",
        "senior",
        "sr",
        "sr.",
        "staff",
        "principal",
        "distinguished",
        "lead",
        "associate",
        "fellow",
    }
)
_LEVEL_NUMERALS = frozenset({"I", "II", "III", "IV", "V"})
# Longest first, so "Engineering Manager" wins over "Manager".
_ROLE_SUFFIXES = (("engineering", "manager"), ("engineer",), ("manager",))


# --------------------------------------------------------------------------- documents


@dataclass(frozen=True)
class BehaviourDoc:
    """One bullet: a single rubric item."""

    text: str
    key: str


@dataclass(frozen=True)
class ResponsibilityDoc:
    """A named group of behaviours inside a pillar, e.g. "Impact"."""

    name: str
    behaviours: tuple[BehaviourDoc, ...]
    note: str = ""


@dataclass(frozen=True)
class AreaDoc:
    """A level expectation (behaviours only) or a pillar (responsibilities only)."""

    kind: str
    description: str
    behaviours: tuple[BehaviourDoc, ...] = ()
    responsibilities: tuple[ResponsibilityDoc, ...] = ()
    note: str = ""  # level expectations only: text after the bullets

    @property
    def name(self) -> str:
        """Display name, e.g. "Collaborative Reach"."""
        return AREA_NAMES[self.kind]

    @property
    def is_pillar(self) -> bool:
        """True for the five pillars, False for the three level expectations."""
        return self.kind in PILLAR_KINDS

    @property
    def all_behaviours(self) -> tuple[BehaviourDoc, ...]:
        """Behaviours of the area, including those inside responsibilities, in page order."""
        nested = tuple(b for r in self.responsibilities for b in r.behaviours)
        return self.behaviours + nested


@dataclass(frozen=True)
class LevelDoc:
    """One level page: heading, summary and all eight areas in AREA_KINDS order."""

    code: str
    title: str
    track: str
    summary: str
    areas: tuple[AreaDoc, ...]

    @property
    def behaviour_count(self) -> int:
        """Number of behaviours across all areas."""
        return sum(len(area.all_behaviours) for area in self.areas)

    @property
    def responsibility_count(self) -> int:
        """Number of responsibilities across all pillars."""
        return sum(len(area.responsibilities) for area in self.areas)

    def area(self, kind: str) -> AreaDoc:
        """The area of the given kind; KeyError if the document lacks it."""
        for area in self.areas:
            if area.kind == kind:
                return area
        raise KeyError(kind)


@dataclass(frozen=True)
class Problem:
    """One thing to say about a page, with the file and 1-based line it is about."""

    filename: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.filename}:{self.line}: {self.message}"


class LadderFormatError(ValueError):
    """Pages that cannot be read: every error found, each with its file and line.

    ``filename``, ``line`` and ``message`` are those of the first error; ``errors``
    holds them all, in the order of the files and lines.
    """

    def __init__(self, filename: str, line: int, message: str, errors=None):
        self.errors: list[Problem] = list(errors or [Problem(filename, line, message)])
        super().__init__("\n".join(str(e) for e in self.errors))
        self.filename = filename
        self.line = line
        self.message = message

    @classmethod
    def of(cls, errors: list[Problem]) -> LadderFormatError:
        first = errors[0]
        return cls(first.filename, first.line, first.message, errors)

    def __reduce__(self):
        return type(self), (self.filename, self.line, self.message, self.errors)


@dataclass(frozen=True)
class ParsedPage:
    """A level read from a page, and the warnings about how it was read."""

    source: str
    doc: LevelDoc
    warnings: tuple[Problem, ...] = ()


# --------------------------------------------------------------------------- inline text

# Alternatives are tried left to right at each position, so an escape is consumed
# before the character after the backslash could be read as markup.
_INLINE_TOKEN = re.compile(
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
_WHITESPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def _collapse(text: str) -> str:
    return _WHITESPACE.sub(" ", text).strip()


def _is_escaped(text: str, index: int) -> bool:
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
    for match in _INLINE_TOKEN.finditer(text):
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
    return _collapse("".join(parts))


def _link_address(match: re.Match) -> str:
    """A link's address with spaces, brackets and parentheses percent-encoded."""
    url = match.group("auto") or match.group("angled") or match.group("url") or ""
    return url.strip().translate(_URL_QUOTES)


_URL_QUOTES = str.maketrans(
    {" ": "%20", "\n": "%20", "(": "%28", ")": "%29", "[": "%5B", "]": "%5D", "\\": "%5C"}
)


def area_kind(name: str) -> str | None:
    """The area kind a name means ("Collaborative Reach" -> "reach"), or None."""
    return _area_kind(clean_inline(name))


def normalise_text(text: str) -> str:
    """Collapse whitespace within paragraphs; separate paragraphs by exactly one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (_collapse(p) for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


def _split_inline(text: str, separator: str) -> list[str]:
    """Split text at unescaped <br> tags (separator "br") or pipes (separator "|")."""
    pieces, start = [], 0
    if separator == "|":
        for index, char in enumerate(text):
            if char == "|" and not _is_escaped(text, index):
                pieces.append(text[start:index])
                start = index + 1
    else:
        for match in _INLINE_TOKEN.finditer(text):
            if match.lastgroup == "br":
                pieces.append(text[start : match.start()])
                start = match.end()
    pieces.append(text[start:])
    return pieces


# --------------------------------------------------------------------------- keys, track


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def derived_key(kind: str, responsibility: str | None, index: int) -> str:
    """Position-based key: slug of the responsibility (or area kind) plus the 1-based index."""
    suffix = f"-{index}"
    slug = _slug(responsibility) if responsibility is not None else ""
    slug = slug or _slug(kind)
    return slug[: KEY_MAX_LENGTH - len(suffix)].rstrip("-") + suffix


def derived_track(title: str) -> str:
    """Track implied by a level title: "Staff Machine Learning Engineer" -> "Machine Learning".

    Seniority words never split a track, wherever they stand: "Senior Engineering
    Manager" and "Engineering Manager" are both "Engineering Manager", and "Software
    Engineer II" is "Software".
    """
    words = [word for word in title.split() if word.lower() not in _SENIORITY_WORDS]
    if len(words) > 1 and words[-1].upper() in _LEVEL_NUMERALS:
        words.pop()
    kept = list(words)
    for suffix in _ROLE_SUFFIXES:
        tail = tuple(word.lower() for word in words[-len(suffix) :])
        if len(words) >= len(suffix) and tail == suffix:
            words = words[: -len(suffix)]
            break
    return " ".join(words) or " ".join(kept) or " ".join(title.split())


def _area_kind(name: str) -> str | None:
    """The area kind a heading or bold line names, ignoring case, emoji and punctuation."""
    words = re.sub(r"[\W_]+", " ", name.lower()).split()
    return _KIND_BY_NAME.get(" ".join(words))


_KIND_BY_NAME = {name.lower(): kind for kind, name in AREA_NAMES.items()}
_ALL_NAMES = ", ".join(AREA_NAMES.values())
_EXPECTATION_NAMES = ", ".join(AREA_NAMES[kind] for kind in EXPECTATION_KINDS)


# --------------------------------------------------------------------------- tokens

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
class _Token:
    kind: str
    line: int
    text: str = ""
    level: int = 0
    rows: list[tuple[int, str]] = field(default_factory=list)


def _without_colon(text: str) -> str:
    """Drop one unescaped trailing colon: "**Impact:**" and "## Results:" name Impact, Results."""
    text = text.rstrip()
    if text.endswith(":") and not _is_escaped(text, len(text) - 1):
        return text[:-1]
    return text


def _bold_body(line: str) -> str | None:
    """The text between the outer ** (or __) of a bold name line, or None if it isn't one."""
    line = _without_colon(line)
    for mark in ("**", "__"):
        if (
            len(line) > 4
            and line.startswith(mark)
            and line.endswith(mark)
            and line[2] != mark[0]  # "***text***" is the emphasised summary, not a name
            and not _is_escaped(line, len(line) - 2)
        ):
            return _without_colon(line[2:-2])
    return None


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
    if _bold_body(line) is not None:
        return NAME
    return PARA


def _tokenize(lines: list[tuple[int, str]]) -> list[_Token]:
    tokens: list[_Token] = []
    last_bullet: _Token | None = None  # still open for continuation lines
    for number, raw in lines:
        line = raw.strip()
        previous = tokens[-1] if tokens else None
        if not line:
            tokens.append(_Token(BLANK, number))
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
            tokens.append(_Token(TABLE, number, rows=[(number, line)]))
        elif kind == HEADING:
            marks = _ATX.match(line)
            text = _ATX_CLOSING.sub("", line[marks.end() :].strip())
            tokens.append(_Token(HEADING, number, text, level=len(marks.group(1))))
        elif kind == BULLET:
            last_bullet = _Token(BULLET, number, line[_BULLET_MARKER.match(line).end() :])
            tokens.append(last_bullet)
        else:
            tokens.append(_Token(kind, number, line))
    return tokens


# --------------------------------------------------------------------------- parser

_LEVEL_HEADING = re.compile(r"([A-Za-z]+[0-9]+)(?:\s*[-:])?(?:\s+|$)")
# The first word of a heading that starts another level: IC3, M4, L10, E5.
_LEVEL_CODE_WORD = re.compile(r"[A-Za-z]{1,4}[0-9]{1,2}(?:\s*[-:])?(?:\s|$)")
_KEY_COMMENT = re.compile(r"<!--\s*key\b(.*?)-->", re.IGNORECASE | re.DOTALL)
_KEY_VALUE = re.compile(r"\s*:\s*(\S*)\s*")
_TRACK_COMMENT = re.compile(r"<!--\s*track\s*:(.*?)-->", re.IGNORECASE | re.DOTALL)
_TRACK_LINE = re.compile(r"track\s*:\s*(\S.*)", re.IGNORECASE)
# "**Scope** *Area of ownership*" or "**Scope:** Area of ownership": a name, then text.
_LEADING_BOLD = re.compile(r"(\*\*|__)(?![*_])(.+?)(?<!\\)\1(.*)", re.DOTALL)


def _snippet(text: str) -> str:
    text = _collapse(text)
    return repr(text if len(text) <= 50 else text[:47] + "...")


@dataclass
class _Behaviour:
    text: str
    key: str | None
    line: int


@dataclass
class _Responsibility:
    name: str
    line: int
    from_heading: bool = False
    merged: bool = False
    behaviours: list[_Behaviour] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    texts: set[str] = field(default_factory=set)


@dataclass
class _Area:
    kind: str
    line: int
    level: int  # heading level that opened it, 0 for a bold line or table
    description: list[str] = field(default_factory=list)
    behaviours: list[_Behaviour] = field(default_factory=list)
    responsibilities: dict[str, _Responsibility] = field(default_factory=dict)
    note: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return AREA_NAMES[self.kind]

    @property
    def is_pillar(self) -> bool:
        return self.kind in PILLAR_KINDS


class _Parser:
    """Reads tokens into a level, noting errors and warnings as it goes.

    An error doesn't stop the reading: the parser records it, skips what it could not
    place and goes on, so that one run reports every error of a page.
    """

    def __init__(self, filename: str, last_line: int):
        self.filename = filename
        self.last_line = last_line
        self.code: str | None = None
        self.title = ""
        self.track: str | None = None
        self.summary: list[str] = []
        self.areas: dict[str, _Area] = {}
        self.area: _Area | None = None
        self.responsibility: _Responsibility | None = None
        self.warnings: list[Problem] = []
        self.errors: list[Problem] = []
        self.tokens: list[_Token] = []
        self.index = 0
        self.said_no_heading = False
        # The last heading read as a section heading, while no area has opened since.
        self.section: tuple[str, int] | None = None
        self.orphans_reported: set[int] = set()

    def error(self, line: int, message: str) -> LadderFormatError:
        return LadderFormatError(self.filename, line, message)

    def fail(self, line: int, message: str) -> None:
        self.errors.append(Problem(self.filename, line, message))

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Problem(self.filename, line, message))

    def parse(self, tokens: list[_Token]) -> LevelDoc:
        handlers = {
            COMMENT: self.on_comment,
            HEADING: self.on_heading,
            TABLE: self.on_table,
            BULLET: self.on_bullet,
            NAME: self.on_name,
            PARA: self.on_paragraph,
        }
        self.tokens = tokens
        for self.index, token in enumerate(tokens):
            if token.kind in handlers:
                handlers[token.kind](token)
        self.finish_area()
        doc = self.document()
        if self.errors:
            raise LadderFormatError.of(sorted(self.errors, key=lambda p: p.line))
        return doc

    def next_token(self) -> _Token | None:
        """The next token that isn't a blank line or a comment."""
        for index in range(self.index + 1, len(self.tokens)):
            if self.tokens[index].kind not in (BLANK, COMMENT):
                return self.tokens[index]
        return None

    # ---- state changes

    def require_heading(self, line: int) -> bool:
        """Whether the level heading has been read; the first time it hasn't is an error."""
        if self.code is None and not self.said_no_heading:
            self.fail(
                line,
                "expected the level heading first, e.g. '# IC5 Staff Machine Learning Engineer'",
            )
            self.said_no_heading = True
        return self.code is not None

    def start_area(self, kind: str, line: int, level: int) -> _Area:
        self.finish_area()
        self.section = None
        area = _Area(kind, line, level)
        if kind in self.areas:
            first = self.areas[kind].line
            self.fail(line, f"the {AREA_NAMES[kind]} area appears twice (also on line {first})")
        else:
            self.areas[kind] = area
        self.area = area  # a repeated area is still read, for its own errors, then dropped
        return area

    def finish_area(self) -> None:
        area = self.area
        if area is None:
            return
        self.finish_responsibility()
        if area.is_pillar and not area.responsibilities:
            self.fail(
                area.line,
                f"the {area.name} pillar has no responsibilities; "
                "expected a bold responsibility name such as **Impact** followed by bullets",
            )
        if not area.is_pillar and not area.behaviours:
            self.fail(area.line, f"the {area.name} area has no behaviours (bullets)")
        total = len(area.behaviours) + sum(
            len(r.behaviours) for r in area.responsibilities.values()
        )
        if total > MAX_BEHAVIOURS_PER_AREA:
            self.fail(
                area.line,
                f"the {area.name} area has {total:,} behaviours; "
                f"the limit is {MAX_BEHAVIOURS_PER_AREA:,}",
            )
        self.area = None

    def start_responsibility(self, name: str, line: int, *, from_heading: bool = False) -> None:
        area = self.area
        self.finish_responsibility()
        if not name:
            self.fail(line, f"empty responsibility name in the {area.name} pillar")
            name = f"(line {line})"
        folded = name.casefold()
        if folded in area.responsibilities:
            resp = area.responsibilities[folded]
            self.warn(
                line,
                f"responsibility {name!r} appears again in the {area.name} pillar "
                f"(first on line {resp.line}); its behaviours are added to the first",
            )
            resp.merged = True
        else:
            resp = area.responsibilities[folded] = _Responsibility(name, line, from_heading)
        self.responsibility = resp

    def finish_responsibility(self) -> None:
        resp = self.responsibility
        self.responsibility = None
        if resp is None or resp.behaviours:
            return
        area = self.area
        following = self.next_token()
        if resp.from_heading and following is not None and following.kind in (NAME, HEADING):
            # "### Responsibilities" above "**Impact**": a heading that groups, not a name.
            del area.responsibilities[resp.name.casefold()]
            self.warn(
                resp.line,
                f"heading {resp.name!r} has no bullets of its own; "
                "read as a section heading, not a responsibility",
            )
            return
        self.fail(resp.line, f"responsibility {resp.name!r} has no behaviours (bullets)")

    def add_behaviour(self, raw: str, line: int) -> None:
        area = self.area
        if area is None:
            self.orphan(
                line,
                "bullet outside any area; expected an area name (e.g. **Scope**) "
                "or a pillar heading (e.g. '## Results') above it",
            )
            return
        if area.is_pillar and self.responsibility is None:
            self.warn(
                line,
                f"bullets in the {area.name} pillar before any responsibility; "
                f"read as a responsibility named {area.name!r}",
            )
            self.start_responsibility(area.name, line)
        raw, key = self.split_key(raw, line)
        text = clean_inline(raw, links=True)
        if not text:
            self.fail(line, "empty bullet; every bullet must describe a behaviour")
            return
        resp = self.responsibility
        if resp is not None:
            if resp.merged and text in resp.texts:
                self.warn(line, f"behaviour {_snippet(text)} repeats word for word; dropped")
                return
            resp.texts.add(text)
            resp.behaviours.append(_Behaviour(text, key, line))
        else:
            area.behaviours.append(_Behaviour(text, key, line))

    def orphan(self, line: int, message: str) -> None:
        """Content with no area to go in: most often the area's heading is misspelt."""
        if self.section is None:
            self.fail(line, message)
            return
        name, heading_line = self.section
        if heading_line not in self.orphans_reported:
            self.orphans_reported.add(heading_line)
            self.fail(
                heading_line,
                f"unknown area {_snippet(name)}: the heading has bullets or names under it; "
                f"expected one of: {_ALL_NAMES}",
            )

    def split_key(self, raw: str, line: int) -> tuple[str, str | None]:
        """Separate a trailing <!-- key: ... --> comment from a bullet's raw text."""
        comments = [
            match
            for match in _INLINE_TOKEN.finditer(raw)
            if match.lastgroup == "comment" and _KEY_COMMENT.fullmatch(match.group())
        ]
        if not comments:
            return raw, None
        last = comments[-1]
        if len(comments) > 1 or raw[last.end() :].strip():
            self.fail(line, "a bullet may carry one key comment, at the very end")
            return raw[: comments[0].start()], None
        value = _KEY_VALUE.fullmatch(_KEY_COMMENT.fullmatch(last.group()).group(1))
        key = value.group(1) if value else ""
        if not is_valid_key(key):
            self.fail(
                line,
                f"malformed key comment {last.group()!r}; expected '<!-- key: some-key -->' "
                f"with 1-{KEY_MAX_LENGTH} characters of a-z, 0-9, '.' and '-', "
                "starting with a letter or digit",
            )
            return raw[: last.start()], None
        return raw[: last.start()], key

    # ---- token handlers

    def on_comment(self, token: _Token) -> None:
        if match := _TRACK_COMMENT.fullmatch(token.text):
            self.set_track(clean_inline(match.group(1)), token.line)
        elif _KEY_COMMENT.fullmatch(token.text):
            self.fail(token.line, "a key comment must follow a bullet's text on its line")
        # Any other comment is an editor's note.

    def set_track(self, track: str, line: int) -> None:
        if self.areas:
            self.fail(line, "the track must be given before the first area")
        elif self.track is not None:
            self.fail(line, "the track is given twice")
        elif not track:
            self.fail(line, "empty track; expected 'track: Name' or '<!-- track: Name -->'")
        else:
            self.track = track

    def on_heading(self, token: _Token) -> None:
        name = clean_inline(token.text)
        kind = _area_kind(name)
        if self.code is None and (token.level == 1 or _LEVEL_CODE_WORD.match(name)):
            self.on_level_heading(token)
            return
        if not self.require_heading(token.line):
            return
        area = self.area
        if kind is not None and not (
            area and area.is_pillar and kind == area.kind and 0 < area.level < token.level
        ):
            self.start_area(kind, token.line, token.level)
        elif kind is None and _LEVEL_CODE_WORD.match(name):
            self.fail(
                token.line,
                f"a second level heading {_snippet(name)}; a page describes one level",
            )
        elif area and area.is_pillar and (area.level == 0 or area.level < token.level):
            self.start_responsibility(
                clean_inline(_without_colon(token.text)), token.line, from_heading=True
            )
        else:
            self.finish_area()
            self.section = (name, token.line)
            self.warn(
                token.line,
                f"heading {_snippet(name)} names no area; read as a section heading, not kept",
            )

    def on_level_heading(self, token: _Token) -> None:
        raw = token.text.strip()
        match = _LEVEL_HEADING.match(raw)
        self.code = ""
        if not match:
            self.fail(
                token.line,
                f"the level heading {_snippet(clean_inline(raw))} does not start with a level "
                "code; expected e.g. '# IC5 Staff Machine Learning Engineer'",
            )
            return
        self.title = clean_inline(raw[match.end() :])
        if not self.title:
            self.fail(token.line, "the level heading has a code but no title")
        self.code = match.group(1).upper()

    def on_name(self, token: _Token) -> None:
        if not self.require_heading(token.line):
            return
        name = clean_inline(_bold_body(token.text))
        kind = _area_kind(name)
        area = self.area
        if kind is not None and kind not in self.areas:
            self.start_area(kind, token.line, 0)
        elif area is not None and area.is_pillar:
            # Inside a pillar a bold line names a responsibility.
            self.start_responsibility(name, token.line)
        elif kind is not None:
            self.start_area(kind, token.line, 0)  # reports the repeated area
        elif not self.areas:
            self.summary.append(clean_inline(token.text))  # wiki summary: bold-italic fragments
        elif area is not None:
            self.fail(
                token.line,
                f"{_snippet(name)} is not a level expectation ({_EXPECTATION_NAMES}); "
                f"responsibilities belong under a pillar heading, not in {area.name}",
            )
        else:
            self.orphan(token.line, f"unknown area {_snippet(name)}; expected one of: {_ALL_NAMES}")

    def on_paragraph(self, token: _Token) -> None:
        if self.code is None and not self.areas and (track := _TRACK_LINE.fullmatch(token.text)):
            self.set_track(clean_inline(track.group(1)), token.line)
            return
        if not self.require_heading(token.line):
            return
        if self.area is None and not self.areas and (track := _TRACK_LINE.fullmatch(token.text)):
            self.set_track(clean_inline(track.group(1)), token.line)
            return
        if self.start_area_with_description(token):
            return
        text = clean_inline(token.text)
        if not text:
            return
        area, resp = self.area, self.responsibility
        if area is None:
            if self.areas:
                self.warn(
                    token.line,
                    f"text {_snippet(text)} outside any area; kept with the level summary",
                )
            self.summary.append(text)
        elif not area.is_pillar:
            if area.behaviours:
                area.note.append(clean_inline(token.text, links=True))
            else:
                area.description.append(text)
        elif resp is None:
            area.description.append(text)
        else:
            if not resp.behaviours:
                self.warn(
                    token.line,
                    f"text between the name {resp.name!r} and its bullets; "
                    "kept as the responsibility's note",
                )
            resp.note.append(clean_inline(token.text, links=True))

    def start_area_with_description(self, token: _Token) -> bool:
        """'**Scope** *Area of ownership*': an area's name and description on one line."""
        match = _LEADING_BOLD.fullmatch(token.text)
        if not match:
            return False
        kind = _area_kind(clean_inline(_without_colon(match.group(2))))
        if kind is None:
            return False
        area = self.start_area(kind, token.line, 0)
        rest = match.group(3).lstrip()
        if rest.startswith(":") and not rest.startswith("::"):
            rest = rest[1:]
        if text := clean_inline(rest):
            area.description.append(text)
        return True

    def on_bullet(self, token: _Token) -> None:
        if not self.require_heading(token.line):
            return
        area = self.area
        name = _bold_body(token.text) if "\n" not in token.text else None
        following = self.next_token()
        if (
            area is not None
            and area.is_pillar
            and name is not None
            and following is not None
            and following.kind == BULLET
        ):
            name = clean_inline(name)
            self.warn(
                token.line,
                f"bullet {_snippet(name)} is only a bold name with bullets after it; "
                "read as a responsibility",
            )
            self.start_responsibility(name, token.line)
            return
        self.add_behaviour(token.text, token.line)

    def on_table(self, token: _Token) -> None:
        rows = [(line, _table_cells(raw)) for line, raw in token.rows]
        width = len(rows[0][1])
        for line, cells in rows:
            if len(cells) != width:
                self.fail(
                    line, f"table row has {len(cells)} cells but the table's header has {width}"
                )
        rows = [
            (line, cells)
            for line, cells in rows
            if len(cells) == width and not _is_filler_row(cells)
        ]
        if not rows or not self.require_heading(rows[0][0]):
            return
        header_line, header = rows[0]
        kinds = [_area_kind(_cell_heading(cell)[0]) for cell in header]
        if all(kind in EXPECTATION_KINDS for kind in kinds):
            self.on_expectation_table(rows)
        elif self.area is not None and self.area.is_pillar:
            self.on_responsibility_table(rows)
        else:
            unknown = next(
                _cell_heading(cell)[0]
                for cell, kind in zip(header, kinds, strict=True)
                if kind not in EXPECTATION_KINDS
            )
            self.fail(
                header_line,
                f"unknown area {_snippet(unknown)} in the table header; expected the level "
                f"expectations ({_EXPECTATION_NAMES})",
            )

    def on_expectation_table(self, rows: list[tuple[int, list[str]]]) -> None:
        header_line, header = rows[0]
        columns = []
        for cell in header:
            name, description = _cell_heading(cell)
            area = self.start_area(_area_kind(name), header_line, 0)
            area.description.extend(description)
            self.area = None  # each column stays open until the body rows are read
            columns.append(area)
        for line, cells in rows[1:]:
            for area, cell in zip(columns, cells, strict=True):
                self.area = area
                for raw in _cell_bullets(cell):
                    self.add_behaviour(raw, line)
        for area in columns:
            self.area = area
            self.finish_area()

    def on_responsibility_table(self, rows: list[tuple[int, list[str]]]) -> None:
        first_cell = clean_inline(rows[0][1][0]).lower()
        if first_cell in ("responsibility", "responsibilities"):
            rows = rows[1:]
        for line, (name_cell, *behaviour_cells) in rows:
            name = clean_inline(_bold_body(name_cell.strip()) or name_cell).rstrip(":").rstrip()
            if name:
                self.start_responsibility(name, line)
            for cell in behaviour_cells:
                for raw in _cell_bullets(cell):
                    self.add_behaviour(raw, line)

    # ---- result

    def document(self) -> LevelDoc | None:
        if self.code is None:
            if not self.said_no_heading:
                self.fail(
                    self.last_line,
                    "no level heading; expected one like '# IC5 Staff Machine Learning Engineer'",
                )
            return None
        missing = [AREA_NAMES[kind] for kind in AREA_KINDS if kind not in self.areas]
        if missing:
            self.fail(
                self.last_line,
                f"missing area(s): {', '.join(missing)}; every level page needs {_ALL_NAMES}",
            )
            return None
        areas = tuple(self.area_doc(self.areas[kind]) for kind in AREA_KINDS)
        return LevelDoc(
            code=self.code,
            title=self.title,
            track=self.track if self.track is not None else derived_track(self.title),
            summary=_collapse(" ".join(self.summary)),
            areas=areas,
        )

    def area_doc(self, area: _Area) -> AreaDoc:
        seen: dict[str, int] = {}

        def behaviours(items: list[_Behaviour], owner: str | None) -> tuple[BehaviourDoc, ...]:
            docs = []
            for index, item in enumerate(items, 1):
                key = item.key or derived_key(area.kind, owner, index)
                if key in seen:
                    self.fail(
                        item.line,
                        f"duplicate key {key!r} in the {area.name} area "
                        f"(also used on line {seen[key]})",
                    )
                seen.setdefault(key, item.line)
                docs.append(BehaviourDoc(item.text, key))
            return tuple(docs)

        return AreaDoc(
            kind=area.kind,
            description="\n\n".join(area.description),
            behaviours=behaviours(area.behaviours, None),
            responsibilities=tuple(
                ResponsibilityDoc(
                    r.name, behaviours(r.behaviours, r.name), note="\n\n".join(r.note)
                )
                for r in area.responsibilities.values()
            ),
            note="\n\n".join(area.note),
        )


def _table_cells(row: str) -> list[str]:
    row = row.strip()
    if row.startswith("|"):
        row = row[1:]
    if row.endswith("|") and not _is_escaped(row, len(row) - 1):
        row = row[:-1]
    return [cell.strip() for cell in _split_inline(row, "|")]


def _is_filler_row(cells: list[str]) -> bool:
    """Empty rows (the wiki export's blank header) and |---|---| separators carry nothing."""
    return all(not cell for cell in cells) or all(_SEPARATOR_CELL.fullmatch(c) for c in cells)


def _cell_heading(cell: str) -> tuple[str, list[str]]:
    """Split a header cell like '**Scope**<br><br>_description_' into name and paragraphs."""
    parts = [text for text in (clean_inline(p) for p in _split_inline(cell, "br")) if text]
    return (parts[0], parts[1:]) if parts else ("", [])


def _cell_bullets(cell: str) -> list[str]:
    """Raw behaviour texts of a table cell whose bullets are separated by <br> tags."""
    items: list[str] = []
    after_gap = True
    for piece in _split_inline(cell, "br"):
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
    parser = _Parser(filename, max(last_line, 1))
    doc = parser.parse(_tokenize(lines))
    if track is not None:
        doc = replace(doc, track=_collapse(track))
    return ParsedPage(filename, doc, tuple(parser.warnings))


# --------------------------------------------------------------------------- renderer

_ALWAYS_ESCAPED = frozenset("\\*<|`[")
# At the start of a line these would begin a list, heading, quote, fence or underline.
_LINE_START_ESCAPED = frozenset("-+>=~#")
_ORDERED_LIST_MARKER = re.compile(r"[0-9]{1,9}[.)]")


def _escape(text: str, *, line_start: bool = False, heading: bool = False) -> str:
    """Backslash-escape everything the parser would otherwise read as markup."""
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


def escape_markdown(text: str, *, line_start: bool = False) -> str:
    """Plain text as Markdown that the parser reads back as the same characters."""
    return _escape(text, line_start=line_start)


def rubric_markdown(text: str, *, line_start: bool = False) -> str:
    """Stored rubric text (words and links, see ladder.rubric_text) as inline Markdown."""
    out = []
    for words, url in rubric_text.segments(text):
        if url is None:
            out.append(_escape(words, line_start=line_start and not out))
        else:
            label = _escape(words).replace("]", "\\]")  # a bare ] would end the label
            out.append(f"[{label}]({url})")
    return "".join(out)


def _render_name(name: str) -> str:
    escaped = _escape(name)
    if escaped.endswith(":"):
        escaped = escaped[:-1] + "\\:"  # an unescaped trailing colon is dropped when parsed
    return f"**{escaped}**"


def _render_bullets(kind: str, owner: str | None, behaviours: tuple[BehaviourDoc, ...]) -> str:
    lines = []
    for index, behaviour in enumerate(behaviours, 1):
        line = f"- {rubric_markdown(behaviour.text, line_start=True)}"
        if behaviour.key != derived_key(kind, owner, index):
            line += f" <!-- key: {behaviour.key} -->"
        lines.append(line)
    return "\n".join(lines)


def _render_note(note: str) -> list[str]:
    """A note's paragraphs, written after the bullets they follow."""
    return [rubric_markdown(p, line_start=True) for p in note.split("\n\n") if p]


def render_ladder(level: LevelDoc) -> str:
    """Write a level page as heading-and-list Markdown that parse_ladder reads back unchanged."""
    heading = f"# {level.code} {_escape(level.title, heading=True)}"
    if level.track != derived_track(level.title):
        heading += f"\n<!-- track: {_escape(level.track).replace('>', '\\>')} -->"
    blocks = [heading]
    if level.summary:
        blocks.append(f"***{_escape(level.summary)}***")
    for area in level.areas:
        paragraphs = area.description.split("\n\n") if area.description else []
        if area.kind in PILLAR_KINDS:
            blocks.append(f"## {PILLAR_EMOJI[area.kind]} {AREA_NAMES[area.kind]}")
            blocks.extend(_escape(p, line_start=True) for p in paragraphs)
            for resp in area.responsibilities:
                blocks.append(_render_name(resp.name))
                blocks.append(_render_bullets(area.kind, resp.name, resp.behaviours))
                blocks.extend(_render_note(resp.note))
        else:
            italic = [f"_{_escape(p)}_" for p in paragraphs]
            # The first description line sits right under the name, as people write it.
            blocks.append("\n".join([f"**{AREA_NAMES[area.kind]}**", *italic[:1]]))
            blocks.extend(italic[1:])
            blocks.append(_render_bullets(area.kind, None, area.behaviours))
            blocks.extend(_render_note(area.note))
    return "\n\n".join(blocks) + "\n"

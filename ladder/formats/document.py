"""A level as every format reads and writes it, apart from any format and any model.

The readers (Markdown, HTML, CSV) build these frozen documents and the writers take
them; ``ladder.exporters`` builds one from the database, and the import plan compares
one with what is stored. The texts are in their normal form (``normalise_text``), keys
and tracks derived the same way whatever the format, and every problem found in a file
is a ``Problem`` with its file and line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ladder.areas import AREA_NAMES, PILLAR_KINDS

# The largest ladder file read, in any format: a real page is a few kilobytes.
MAX_FILE_BYTES = 2_000_000
KEY_MAX_LENGTH = 64
AREA_NAME_MAX_LENGTH = 200  # an area's, a group's or a sub-group's name
# A level whose behaviours sit in no area (a flat list) holds them in one area without a
# name, shown as "Behaviours".
FLAT_LIST = ""
FLAT_LIST_KEY = "behaviours"
FLAT_LIST_LABEL = "Behaviours"
# Far beyond any real ladder (about ten per area); behaviours are numbered within
# their area, and the number is a small integer in the database.
MAX_BEHAVIOURS_PER_AREA = 10_000
# The longest texts a level may hold, for pages read and for the in-place editor.
BEHAVIOUR_MAX_LENGTH = 2_000
MAX_EXAMPLES = 20  # of one behaviour
# Far beyond a real ladder (3 to 16 areas in a level, a few groups), and few enough that
# one level's page and chart stay readable.
MAX_AREAS_PER_LEVEL = 100
MAX_GROUPS_PER_LEVEL = 30
TEXT_MAX_LENGTH = 5_000  # a summary, description or note
_KEY = re.compile(r"[a-z0-9][a-z0-9.-]*")


def is_valid_key(key: str) -> bool:
    """Lower-case letters, digits, dots and hyphens, starting with a letter or digit."""
    return bool(_KEY.fullmatch(key)) and len(key) <= KEY_MAX_LENGTH


_WHITESPACE = re.compile(r"\s+")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def collapse(text: str) -> str:
    """Runs of whitespace as one space, none at either end."""
    return _WHITESPACE.sub(" ", text).strip()


def normalise_text(text: str) -> str:
    """Collapse whitespace within paragraphs; separate paragraphs by exactly one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = (collapse(p) for p in _PARAGRAPH_BREAK.split(text))
    return "\n\n".join(p for p in paragraphs if p)


@dataclass(frozen=True)
class BehaviourDoc:
    """One bullet: a single rubric item, with its examples (help shown with it, not rated)."""

    text: str
    key: str
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class ResponsibilityDoc:
    """A named group of behaviours inside a pillar, e.g. "Impact"."""

    name: str
    behaviours: tuple[BehaviourDoc, ...]
    note: str = ""


@dataclass(frozen=True)
class AreaDoc:
    """What a level is rated on: behaviours directly under it, or under named sub-groups
    (``responsibilities``, as the default framework calls them), never both.

    ``key`` is stable across levels and versions: it pairs an area with itself when
    levels and versions are compared, and stays when the area is renamed. Without a
    ``name`` the default framework's name for the key is used ("reach" is "Collaborative
    Reach"), else the key itself; ``subgrouped`` defaults to whether there are sub-groups.
    """

    key: str
    description: str
    behaviours: tuple[BehaviourDoc, ...] = ()
    responsibilities: tuple[ResponsibilityDoc, ...] = ()
    note: str = ""  # text after the bullets of an area without sub-groups
    name: str = ""
    subgrouped: bool | None = None
    group: str = ""  # the name of the group above it, if any

    def __post_init__(self):
        if not self.name and self.key != FLAT_LIST_KEY:
            object.__setattr__(self, "name", AREA_NAMES.get(self.key) or self.key)
        if self.subgrouped is None:
            object.__setattr__(self, "subgrouped", bool(self.responsibilities))

    @property
    def all_behaviours(self) -> tuple[BehaviourDoc, ...]:
        """Behaviours of the area, including those inside responsibilities, in page order."""
        nested = tuple(b for r in self.responsibilities for b in r.behaviours)
        return self.behaviours + nested


@dataclass(frozen=True)
class GroupDoc:
    """A category above some areas, with its own description; areas name it as their group."""

    name: str
    description: str = ""


def area_key(name: str) -> str:
    """The key an area gets from its name: "Collaborative Reach" -> "collaborative-reach"."""
    return _slug(name)[:KEY_MAX_LENGTH].rstrip("-") or "area"


@dataclass(frozen=True)
class LevelDoc:
    """One level page: heading, summary and its areas in the framework's order."""

    code: str
    title: str
    track: str
    summary: str
    areas: tuple[AreaDoc, ...]
    groups: tuple[GroupDoc, ...] = ()  # in page order; each named by one area or more

    @property
    def behaviour_count(self) -> int:
        """Number of behaviours across all areas."""
        return sum(len(area.all_behaviours) for area in self.areas)

    @property
    def responsibility_count(self) -> int:
        """Number of responsibilities across all pillars."""
        return sum(len(area.responsibilities) for area in self.areas)

    @property
    def in_default_vocabulary(self) -> bool:
        """Written in the built-in framework's areas (see the function of that name)."""
        return in_default_vocabulary(self)

    @property
    def track_from_title(self) -> bool:
        """Whether the track is the one the title implies (said so in the import's report:
        titles such as "Engineer 1" imply no real track, and a page should then say it)."""
        return self.track == derived_track(self.title)

    def area(self, key: str) -> AreaDoc:
        """The area with the given key; KeyError if the document lacks it."""
        for area in self.areas:
            if area.key == key:
                return area
        raise KeyError(key)


def in_default_vocabulary(level: LevelDoc) -> bool:
    """Whether the level is written in the default framework's shape: its areas, named as
    there, flat or with sub-groups as there, no groups and no examples."""
    return (
        not level.groups
        and bool(level.areas)
        and all(
            AREA_NAMES.get(area.key) == area.name
            and area.subgrouped == (area.key in PILLAR_KINDS)
            and not any(b.examples for b in area.all_behaviours)
            for area in level.areas
        )
    )


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


def once_each(errors: list[Problem]) -> list[Problem]:
    """Each error once, at its first row, with how many more rows it is on.

    A sheet repeats a mistake on every row (an area name spelt one way throughout): 600
    lines saying the same would hide any other error.
    """
    lines: dict[str, dict[int, None]] = {}
    for error in sorted(errors, key=lambda p: p.line):
        lines.setdefault(error.message, {})[error.line] = None  # a row's columns: said once
    found = []
    for message, where in lines.items():
        first, *more = where
        if more:
            shown = ", ".join(str(line) for line in more[:3])
            rest = f" and {len(more) - 3:,} more" if len(more) > 3 else ""
            rows = "row" if len(more) == 1 else "rows"
            message = f"{message} (also on {len(more):,} more {rows}: lines {shown}{rest})"
        found.append(Problem(errors[0].filename, first, message))
    return sorted(found, key=lambda p: p.line)


@dataclass(frozen=True)
class ParsedPage:
    """A level read from a page, and the warnings about how it was read."""

    source: str
    doc: LevelDoc
    warnings: tuple[Problem, ...] = ()


# --------------------------------------------------------------------------- inline text


# --------------------------------------------------------------------------- keys, track

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
_LEVEL_NUMBER = re.compile(r"[0-9]{1,2}")
# Seniority words that also stand after the track; "Lead" there names a role ("Tech Lead").
_RANKS_AFTER = frozenset({"fellow"})
# Longest first, so "Engineering Manager" wins over "Manager".
_ROLE_SUFFIXES = (("engineering", "manager"), ("engineer",), ("manager",))


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def derived_key(area_key: str, responsibility: str | None, index: int) -> str:
    """Position-based key: slug of the responsibility (or the area's key) plus the 1-based
    index."""
    suffix = f"-{index}"
    slug = _slug(responsibility) if responsibility is not None else ""
    slug = slug or _slug(area_key)
    return slug[: KEY_MAX_LENGTH - len(suffix)].rstrip("-") + suffix


def derived_track(title: str) -> str:
    """Track implied by a level title: "Staff Machine Learning Engineer" -> "Machine Learning".

    Only what marks a level is dropped: seniority words in front ("Senior Engineering
    Manager" and "Engineering Manager" are both "Engineering Manager"), a level number
    at the end ("Software Engineer II", "Machine Learning Engineer 2"), then the role
    ("Engineer", "Manager"). Other seniority words are part of the track's name, except
    a final "Fellow": "Tech Lead" is a track of its own, not "Tech". When nothing is
    left, the title is kept without its number ("Senior Engineer 2" is "Engineer"): a
    page whose title names no track should say its track.
    """
    words = title.split()
    while len(words) > 1 and words[0].lower() in _SENIORITY_WORDS:
        words.pop(0)
    if len(words) > 1 and words[-1].lower() in _RANKS_AFTER:
        words.pop()  # "Engineering Fellow"
    if len(words) > 1 and (
        words[-1].upper() in _LEVEL_NUMERALS or _LEVEL_NUMBER.fullmatch(words[-1])
    ):
        words.pop()
    kept = list(words)
    for suffix in _ROLE_SUFFIXES:
        tail = tuple(word.lower() for word in words[-len(suffix) :])
        if len(words) >= len(suffix) and tail == suffix:
            words = words[: -len(suffix)]
            break
    return " ".join(words) or " ".join(kept) or " ".join(title.split())

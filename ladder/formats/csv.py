"""The built-in framework's levels as CSV (a company's own: ``csv_own``), a row per behaviour.

Columns (matched ignoring case, surrounding spaces, and spaces, underscores and hyphens
alike): ``level, title, track, area, responsibility, behaviour`` are required; ``key,
order, summary, description, note, responsibility note`` optional. Every text cell is
inline Markdown, read as the Markdown importer reads it (behaviours and notes keep
their links, names lose bold and italics, a backslash escapes); codes, keys and orders
are read as they are.

Rows are grouped into levels by track and level code (an empty track: the one the title
implies). The summary, a description, a note or a responsibility note may be written once
or on every row it belongs to; two different ones are an error. Spreadsheets run a cell
starting with ``=``, ``+``, ``-``, ``@``, tab or CR as a formula: ``render_csv`` writes
such a cell (or one starting with ``'``) after a ``'``, which ``parse_csv`` removes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ladder.areas import AREA_KINDS, AREA_NAMES, EXPECTATION_KINDS
from ladder.formats import csv_own
from ladder.formats.document import (
    KEY_MAX_LENGTH,
    MAX_BEHAVIOURS_PER_AREA,
    MAX_FILE_BYTES,
    AreaDoc,
    BehaviourDoc,
    LadderFormatError,
    LevelDoc,
    ParsedPage,
    Problem,
    ResponsibilityDoc,
    derived_key,
    derived_track,
    in_default_vocabulary,
    is_valid_key,
    normalise_text,
    once_each,
)
from ladder.formats.inline import area_kind, clean_inline, escape_markdown, rubric_markdown
from ladder.spreadsheets import guarded, unguarded

__all__ = ["COLUMNS", "REQUIRED_COLUMNS", "parse_csv", "read", "render_csv", "write"]

COLUMNS: tuple[str, ...] = (
    "level",
    "title",
    "track",
    "area",
    "responsibility",
    "behaviour",
    "key",
    "order",
    "summary",
    "description",
    "note",
    "responsibility note",
)
REQUIRED_COLUMNS: tuple[str, ...] = COLUMNS[:6]

# A whole file may be one cell; the reader's default limit (128 KB) is smaller than the
# files the importer accepts.
csv.field_size_limit(MAX_FILE_BYTES + 1)

_SEPARATORS = re.compile(r"[\s_-]+")
_LEVEL_CODE = re.compile(r"[A-Za-z]+[0-9]+")
_ALL_NAMES = ", ".join(AREA_NAMES.values())


# Spellings people use for a column, beyond its name in COLUMNS.
_ALIASES = {"behavior": "behaviour", "responsibility notes": "responsibility note"}


def _column(header: str) -> str:
    name = " ".join(_SEPARATORS.split(header.strip().lower())).strip()
    return _ALIASES.get(name, name)


def _cell(row: list[str], index: int | None) -> str:
    """A row's cell in a column; empty if the file has no such column or the row stops short."""
    if index is None or index >= len(row):
        return ""
    return unguarded(row[index]).strip()


def _paragraphs(cell: str, *, links: bool) -> str:
    """A cell of one or more paragraphs (separated by a blank line) as stored text."""
    parts = (clean_inline(part, links=links) for part in normalise_text(cell).split("\n\n"))
    return "\n\n".join(part for part in parts if part)


@dataclass
class _Row:
    line: int
    kind: str
    responsibility: str | None
    text: str
    key: str | None
    order: float | None


@dataclass
class _Once:
    """A value that may be written on one row or repeated on several, never two ways."""

    what: str
    value: str = ""
    line: int = 0

    def offer(self, value: str, line: int, problems: list[Problem], filename: str) -> None:
        if not value:
            return
        if not self.value:
            self.value, self.line = value, line
        elif value != self.value:
            problems.append(
                Problem(
                    filename,
                    line,
                    f"two different {self.what}: {_snippet(self.value)} (line {self.line}) "
                    f"and {_snippet(value)} (line {line})",
                )
            )


@dataclass
class _Level:
    code: str
    track: str
    title: _Once
    line: int
    summary: _Once
    rows: dict[str, list[_Row]] = field(default_factory=lambda: {k: [] for k in AREA_KINDS})
    descriptions: dict[str, _Once] = field(default_factory=dict)
    notes: dict[str, _Once] = field(default_factory=dict)
    responsibility_notes: dict[tuple[str, str], _Once] = field(default_factory=dict)
    names: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.code} ({self.track})"


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= 50 else text[:47] + "...")


class _Reader:
    def __init__(self, filename: str, track: str | None):
        self.filename = filename
        self.track = " ".join(track.split()) if track is not None else None
        self.errors: list[Problem] = []
        self.levels: dict[tuple[str, str], _Level] = {}

    def fail(self, line: int, message: str) -> None:
        self.errors.append(Problem(self.filename, line, message))

    def header(self, line: int, row: list[str]) -> dict[str, int] | None:
        """Where each known column is; None (with the error) if a required one is missing."""
        where: dict[str, int] = {}
        for index, cell in enumerate(row):
            name = _column(unguarded(cell))
            if name in COLUMNS:
                if name in where:
                    self.fail(line, f"the column {name!r} appears twice")
                where.setdefault(name, index)
        missing = [name for name in REQUIRED_COLUMNS if name not in where]
        if missing:
            optional = [name for name in COLUMNS if name not in REQUIRED_COLUMNS]
            self.fail(
                line,
                f"missing column(s): {', '.join(missing)}; expected a header row with "
                f"{', '.join(REQUIRED_COLUMNS)} (and optionally {', '.join(optional)})",
            )
            return None
        return where

    def row(self, line: int, cells: dict[str, str]) -> None:
        code = cells["level"]
        if not _LEVEL_CODE.fullmatch(code):
            self.fail(
                line,
                f"level {_snippet(code)} is not a level code; expected letters then digits, "
                "e.g. IC5",
            )
            return
        code = code.upper()
        title = clean_inline(cells["title"])
        if not title:
            self.fail(line, f"no title for {code}; every row names its level's title")
            return
        track = self.track or clean_inline(cells["track"]) or derived_track(title)
        level = self.levels.get((track.casefold(), code))
        if level is None:
            level = _Level(code, track, _Once("titles"), line, _Once("summaries"))
            self.levels[track.casefold(), code] = level
        level.title.offer(title, line, self.errors, self.filename)
        level.summary.offer(clean_inline(cells["summary"]), line, self.errors, self.filename)

        kind = area_kind(cells["area"])
        if kind is None:
            self.fail(
                line, f"unknown area {_snippet(cells['area'])}; expected one of: {_ALL_NAMES}"
            )
            return
        name = AREA_NAMES[kind]
        once = level.descriptions.setdefault(kind, _Once(f"descriptions of {name}"))
        once.offer(_paragraphs(cells["description"], links=False), line, self.errors, self.filename)
        responsibility = clean_inline(cells["responsibility"]) or None
        note = _paragraphs(cells["note"], links=True)
        resp_note = _paragraphs(cells["responsibility note"], links=True)
        if kind in EXPECTATION_KINDS:
            if responsibility is not None:
                self.fail(
                    line,
                    f"{name} is a level expectation: its behaviours have no responsibility "
                    f"(found {_snippet(responsibility)}); responsibilities belong to the "
                    "pillars",
                )
                return
            if resp_note:
                self.fail(line, f"{name} is a level expectation: it has no responsibility note")
            once = level.notes.setdefault(kind, _Once(f"notes of {name}"))
            once.offer(note, line, self.errors, self.filename)
        else:
            if responsibility is None:
                self.fail(line, f"a behaviour of the {name} pillar needs a responsibility")
                return
            if area_kind(responsibility) is not None:
                # As in a page, where "**Craft**" opens the Craft pillar.
                self.fail(
                    line,
                    f"responsibility {_snippet(responsibility)} is named like an area; "
                    "an area's name can't also name a responsibility",
                )
                return
            if note:
                self.fail(
                    line,
                    f"{name} is a pillar: a note belongs to one of its responsibilities "
                    "(the 'responsibility note' column)",
                )
            responsibility = self.spelling(level, kind, responsibility, line)
            once = level.responsibility_notes.setdefault(
                (kind, responsibility.casefold()),
                _Once(f"notes of {name} · {responsibility}"),
            )
            once.offer(resp_note, line, self.errors, self.filename)

        text = clean_inline(cells["behaviour"], links=True)
        if not text:
            self.fail(line, "empty behaviour; every row must describe one")
            return
        key = cells["key"] or None
        if key is not None and not is_valid_key(key):
            self.fail(
                line,
                f"malformed key {key!r}; expected 1-{KEY_MAX_LENGTH} characters of a-z, 0-9, "
                "'.' and '-', starting with a letter or digit",
            )
            key = None
        order = None
        if cells["order"]:
            try:
                order = float(cells["order"])
            except ValueError:
                self.fail(line, f"order {_snippet(cells['order'])} is not a number")
        level.rows[kind].append(_Row(line, kind, responsibility, text, key, order))

    def spelling(self, level: _Level, kind: str, name: str, line: int) -> str:
        """A responsibility's name as first written: names differing only in case are one."""
        first, first_line = level.names.setdefault((kind, name.casefold()), (name, line))
        if first != name:
            level.warnings.append(
                Problem(
                    self.filename,
                    line,
                    f"responsibility {name!r} is written {first!r} on line {first_line}; "
                    "read as the same one",
                )
            )
        return first

    def documents(self) -> list[ParsedPage]:
        pages = []
        for level in self.levels.values():
            doc = self.document(level)
            if doc is not None:
                pages.append(ParsedPage(self.filename, doc, tuple(level.warnings)))
        return pages

    def document(self, level: _Level) -> LevelDoc | None:
        missing = [AREA_NAMES[kind] for kind in AREA_KINDS if not level.rows[kind]]
        if missing:
            self.fail(
                level.line,
                f"{level.label} has no rows for {', '.join(missing)}; every level needs "
                f"{_ALL_NAMES}",
            )
            return None
        return LevelDoc(
            code=level.code,
            title=level.title.value,
            track=level.track,
            summary=level.summary.value,
            areas=tuple(self.area(level, kind) for kind in AREA_KINDS),
        )

    def area(self, level: _Level, kind: str) -> AreaDoc:
        rows = level.rows[kind]
        if any(row.order is not None for row in rows):
            rows = _ordered(rows)
        if len(rows) > MAX_BEHAVIOURS_PER_AREA:
            self.fail(
                rows[0].line,
                f"{level.label} has {len(rows):,} behaviours in {AREA_NAMES[kind]}; "
                f"the limit is {MAX_BEHAVIOURS_PER_AREA:,}",
            )
        seen: dict[str, int] = {}

        def behaviours(items: list[_Row], owner: str | None) -> tuple[BehaviourDoc, ...]:
            docs = []
            for index, row in enumerate(items, 1):
                key = row.key or derived_key(kind, owner, index)
                if key in seen:
                    self.fail(
                        row.line,
                        f"duplicate key {key!r} in the {AREA_NAMES[kind]} area of "
                        f"{level.label} (also used on line {seen[key]})",
                    )
                seen.setdefault(key, row.line)
                docs.append(BehaviourDoc(row.text, key))
            return tuple(docs)

        description = level.descriptions[kind].value
        if kind in EXPECTATION_KINDS:
            return AreaDoc(
                kind, description, behaviours(rows, None), (), note=level.notes[kind].value
            )
        groups: dict[str, list[_Row]] = {}
        for row in rows:
            groups.setdefault(row.responsibility, []).append(row)
        return AreaDoc(
            kind,
            description,
            (),
            tuple(
                ResponsibilityDoc(
                    name,
                    behaviours(items, name),
                    note=level.responsibility_notes[kind, name.casefold()].value,
                )
                for name, items in groups.items()
            ),
        )


def _ordered(rows: list[_Row]) -> list[_Row]:
    """Rows by their order; a row without one stays right after the row above it."""
    keys = []
    previous = float("-inf")
    for row in rows:
        previous = row.order if row.order is not None else previous
        keys.append(previous)
    return [row for _key, row in sorted(zip(keys, rows, strict=True), key=lambda kr: kr[0])]


def parse_csv(
    text: str, filename: str = "<string>", *, track: str | None = None
) -> list[ParsedPage]:
    """Every level in a CSV file, in the order they first appear.

    ``track`` puts every level in that track, whatever the rows say. Raises
    LadderFormatError with every error of the file, each at the line its row starts on.
    """
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise LadderFormatError(filename, line, "NUL byte in the text; is this a text file?")
    reader = _Reader(filename, track)
    # strict: a quote left open is an error, not a cell that swallows the rest of the file.
    rows = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    where: dict[str, int] | None = None
    while True:
        line = rows.line_num + 1
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as error:
            reader.fail(line, f"not readable as CSV: {error}")
            raise LadderFormatError.of(sorted(reader.errors, key=lambda p: p.line)) from None
        if not any(cell.strip() for cell in row):
            continue
        if where is None:
            where = reader.header(line, row)
            if where is None:
                raise LadderFormatError.of(reader.errors)
            continue
        reader.row(line, {name: _cell(row, where.get(name)) for name in COLUMNS})
    if where is None:
        raise LadderFormatError(
            filename,
            1,
            f"no header row; expected the columns {', '.join(REQUIRED_COLUMNS)} and one row "
            "per behaviour",
        )
    pages = reader.documents()
    if reader.errors:
        raise LadderFormatError.of(once_each(reader.errors))
    return pages


def render_csv(docs: Sequence[LevelDoc]) -> str:
    """The levels as CSV, one row per behaviour, which ``parse_csv`` reads back unchanged.

    Keys and orders are always written; a summary, description or note only on the
    first row it belongs to.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for doc in docs:
        summary = escape_markdown(doc.summary)
        for area in doc.areas:
            description = "\n\n".join(
                escape_markdown(p) for p in area.description.split("\n\n") if p
            )
            note = _rubric_paragraphs(area.note)
            groups = (
                [(r.name, r.behaviours, _rubric_paragraphs(r.note)) for r in area.responsibilities]
                if area.subgrouped
                else [(None, area.behaviours, "")]
            )
            order = 0
            for name, behaviours, resp_note in groups:
                for behaviour in behaviours:
                    order += 1
                    writer.writerow(
                        guarded(cell)
                        for cell in (
                            doc.code,
                            escape_markdown(doc.title),
                            escape_markdown(doc.track),
                            escape_markdown(area.name),
                            escape_markdown(name) if name is not None else "",
                            rubric_markdown(behaviour.text),
                            behaviour.key,
                            str(order),
                            summary,
                            description,
                            note,
                            resp_note,
                        )
                    )
                    summary = description = note = resp_note = ""
    return out.getvalue()


def _rubric_paragraphs(text: str) -> str:
    return "\n\n".join(rubric_markdown(p) for p in text.split("\n\n") if p)


def read(text: str, filename: str, *, track: str | None = None) -> list[ParsedPage]:
    """The levels of one CSV file, as the registry reads: a company's own by ``csv_own``."""
    rows = csv_own.rows_of(text, filename)
    if csv_own.is_own(rows):
        return csv_own.parse(rows, filename, track=track)
    return parse_csv(text, filename, track=track)


def write(docs: Sequence[LevelDoc]) -> str:
    """Every level in one CSV file, as the registry writes: a company's own, the long form."""
    return render_csv(docs) if all(map(in_default_vocabulary, docs)) else csv_own.render(docs)

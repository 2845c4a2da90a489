"""A company's own ladder as CSV, one row per behaviour (the long form).

Columns ``track, level, title, group, area, sub-group, behaviour, key, example``,
matched ignoring case, spaces, ``_`` and ``-`` (``responsibility`` is read as
``sub-group``). ``group``, ``sub-group``, ``key`` and ``example`` may be empty, and
``level`` too for a level known by its title. A row's ``example`` is an example of its
behaviour; a row with an example and no behaviour is a further example of the one
above. ``csv.read`` sends here every file whose areas aren't all the built-in
framework's.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from ladder.formats.document import (
    AREA_NAME_MAX_LENGTH,
    FLAT_LIST,
    FLAT_LIST_KEY,
    MAX_EXAMPLES,
    AreaDoc,
    BehaviourDoc,
    GroupDoc,
    LadderFormatError,
    LevelDoc,
    ParsedPage,
    Problem,
    ResponsibilityDoc,
    area_key,
    collapse,
    derived_key,
    derived_track,
    is_valid_key,
    normalise_text,
    once_each,
)
from ladder.formats.inline import clean_inline, escape_markdown, kind_named, rubric_markdown
from ladder.spreadsheets import guarded, unguarded

COLUMNS = ("track", "level", "title", "group", "area", "sub-group", "behaviour", "key", "example")
# Written too, so that an export reads back whole; each on the first row it belongs to.
TEXT_COLUMNS = ("summary", "group description", "description", "note", "sub-group note")
_ALIASES = {
    "sub group": "sub-group",
    "subgroup": "sub-group",
    "responsibility": "sub-group",
    "behavior": "behaviour",
    "examples": "example",
    "responsibility note": "sub-group note",
    "sub group note": "sub-group note",
}
_LEVEL_CODE = re.compile(r"[A-Za-z]{1,4}[0-9]{1,2}")
_LEVEL_HEADER = re.compile(r"([A-Za-z]{1,4}[0-9]{1,2})\s+(\S.*)", re.DOTALL)
# As for Markdown pages: a file naming this many of the built-in framework's areas is
# in its shape.
DEFAULT_SHAPE_AREAS = 4


def column(header: str) -> str:
    """A header cell as a column's name: "Sub_Group" and "sub group" are "sub-group"."""
    name = " ".join(re.split(r"[\s_-]+", header.strip().lower())).strip()
    return _ALIASES.get(name, name)


def rows_of(text: str, filename: str) -> list[tuple[int, list[str]]]:
    """The file's rows with the line each starts on, blank rows left out."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise LadderFormatError(filename, line, "NUL byte in the text; is this a text file?")
    # strict: a quote left open is an error, not a cell that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    found = []
    while True:
        line = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return found
        except csv.Error as error:
            raise LadderFormatError(filename, line, f"not readable as CSV: {error}") from None
        if any(cell.strip() for cell in row):
            found.append((line, [unguarded(cell) for cell in row]))


def is_own(rows: list[tuple[int, list[str]]]) -> bool:
    """Whether a file is a company's own ladder: it has a column only those have (group,
    example), or names fewer than four of the built-in framework's areas (as a Markdown
    page is told apart, markdown.tiers.in_default_shape)."""
    if not rows:
        return False
    where = {column(cell): i for i, cell in enumerate(rows[0][1])}
    if "group" in where or "example" in where or is_matrix(rows[0][1]):
        return True
    area = where.get("area")
    if area is None:
        return False
    named = {kind_named(clean_inline(row[area])) for _line, row in rows[1:] if area < len(row)}
    named.discard(None)
    return len(named) < DEFAULT_SHAPE_AREAS


def is_matrix(header: list[str]) -> bool:
    """An ``area`` column, then one per level headed with its code and title."""
    return (
        len(header) > 1
        and column(header[0]) == "area"
        and all(_LEVEL_HEADER.match(clean_inline(cell)) for cell in header[1:])
    )


def parse_matrix(
    rows: list[tuple[int, list[str]]], filename: str, *, track: str | None = None
) -> list[ParsedPage]:
    """A column per level, a row per area; each cell that area's behaviours at that level,
    one per line; an empty cell where the area is absent. Tracks come from the titles."""
    heads = [_LEVEL_HEADER.match(clean_inline(cell)) for cell in rows[0][1][1:]]
    reader = OwnCsvReader(filename, {}, track)
    for index, head in enumerate(heads, 1):
        code, title = head.group(1).upper(), collapse(head.group(2))
        level = _Level(code, title, track or derived_track(title), rows[0][0])
        reader.levels[(level.track, code)] = level
        for line, row in rows[1:]:
            name = collapse(clean_inline(row[0]))
            cell = row[index].strip() if index < len(row) else ""
            items = [clean_inline(item, links=True) for item in cell.splitlines()]
            items = [item for item in items if item and item not in ("-", "—", "–")]
            if not items:
                continue
            area = reader.area_of(level, [name], line, names=True)
            if area is not None:
                area.direct.extend(_Behaviour(item, "", line) for item in items)
    return reader.pages()


def parse(
    rows: list[tuple[int, list[str]]], filename: str, *, track: str | None = None
) -> list[ParsedPage]:
    """Every level of the file, in the order first met."""
    if is_matrix(rows[0][1]):
        return parse_matrix(rows, filename, track=track)
    where = {column(cell): i for i, cell in enumerate(rows[0][1])}
    missing = [name for name in ("area", "behaviour") if name not in where]
    if "level" not in where and "title" not in where:
        missing.append("level or title")
    if missing:
        raise LadderFormatError(
            filename,
            rows[0][0],
            f"missing column(s): {', '.join(missing)}; expected {', '.join(COLUMNS)}",
        )
    reader = OwnCsvReader(filename, where, track)
    for line, row in rows[1:]:
        reader.row(row, line)
    return reader.pages()


@dataclass
class _Behaviour:
    text: str
    key: str
    line: int
    examples: list[str] = field(default_factory=list)


@dataclass
class _Area:
    name: str
    group: str
    line: int
    direct: list[_Behaviour] = field(default_factory=list)
    subgroups: dict[str, list[_Behaviour]] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)  # description, note, sub-groups' notes


@dataclass
class _Level:
    code: str
    title: str
    track: str
    line: int
    groups: dict[str, str] = field(default_factory=dict)  # name -> description
    areas: dict[str, _Area] = field(default_factory=dict)
    summary: str = ""


class OwnCsvReader:
    """Reads the rows of one file (after its header) into levels, in the order met."""

    def __init__(self, filename: str, where: dict[str, int], track: str | None):
        self.filename = filename
        self.where = where
        self.track = track
        self.errors: list[Problem] = []
        self.levels: dict[tuple[str, str], _Level] = {}
        self.last: _Behaviour | None = None

    def fail(self, line: int, message: str) -> None:
        self.errors.append(Problem(self.filename, line, message))

    def cell(self, row: list[str], name: str) -> str:
        index = self.where.get(name)
        return row[index].strip() if index is not None and index < len(row) else ""

    def row(self, row: list[str], line: int) -> None:
        text = clean_inline(self.cell(row, "behaviour"), links=True)
        example = clean_inline(self.cell(row, "example"), links=True)
        if not text and example and not self.cell(row, "area"):
            if self.last is None:
                self.fail(line, "an example with no behaviour above it")
            else:
                self.add_example(self.last, example, line)
            return
        level = self.level_of(row, line)
        if level is None:
            return
        level.summary = level.summary or self.paragraphs(row, "summary")
        if not self.cell(row, "area") and not text:
            return  # a level with no behaviours yet, or its summary
        area = self.area_of(level, row, line)
        if area is None:
            return
        for name in ("description", "note"):
            area.texts.setdefault(name, "")
            area.texts[name] = area.texts[name] or self.paragraphs(row, name)
        subgroup = collapse(clean_inline(self.cell(row, "sub-group")))
        if len(subgroup) > AREA_NAME_MAX_LENGTH:
            self.fail(line, f"a sub-group name of {len(subgroup):,} characters; at most 200")
            return
        if subgroup:
            key = f"note of {subgroup}"
            area.texts[key] = area.texts.get(key) or self.paragraphs(row, "sub-group note")
        if not text:
            if subgroup or not (area.texts["description"] or area.texts["note"]):
                self.fail(line, "a row without a behaviour or an example")
            return  # an area left empty on purpose, with its reason
        if (subgroup and area.direct) or (not subgroup and area.subgroups):
            self.fail(
                line,
                f'the area "{area.name}" holds behaviours with and without a sub-group; '
                "give every one of its rows a sub-group, or none",
            )
            return
        owner = area.subgroups.setdefault(subgroup, []) if subgroup else area.direct
        key = self.cell(row, "key")
        if key and not is_valid_key(key):
            self.fail(line, f"the key {key!r} is not one: a-z, 0-9, '.' and '-', at most 64")
            return
        behaviour = _Behaviour(text, key, line)
        owner.append(behaviour)
        self.last = behaviour
        if example:
            self.add_example(behaviour, example, line)

    def paragraphs(self, row: list[str], name: str) -> str:
        """A cell of paragraphs: notes keep their links (rubric text), the rest is plain."""
        links = name in ("note", "sub-group note")
        cell = normalise_text(self.cell(row, name))
        parts = (clean_inline(part, links=links) for part in cell.split("\n\n"))
        return "\n\n".join(part for part in parts if part)

    def add_example(self, behaviour: _Behaviour, example: str, line: int) -> None:
        if len(behaviour.examples) == MAX_EXAMPLES:
            self.fail(line, f"a behaviour may have at most {MAX_EXAMPLES} examples")
        else:
            behaviour.examples.append(example)

    def level_of(self, row: list[str], line: int) -> _Level | None:
        code = self.cell(row, "level").upper()
        title = collapse(clean_inline(self.cell(row, "title")))
        if code and not _LEVEL_CODE.fullmatch(code):
            self.fail(line, f"the level {code!r} is not a code such as E3 or IC5")
            return None
        if not code and not title:
            self.fail(line, "a behaviour of no level: give its level, its title or both")
            return None
        track = self.track or collapse(clean_inline(self.cell(row, "track")))
        track = track or derived_track(title or code)
        known = (track, code or title.casefold())
        level = self.levels.get(known)
        if level is None:
            level = self.levels[known] = _Level(code, title, track, line)
        elif title and level.title != title:
            self.fail(line, f"{code} is called {level.title!r} on line {level.line}")
        return level

    def area_of(self, level: _Level, row: list[str], line: int, names=False) -> _Area | None:
        """The row's area in the level, met before or new. With ``names``, the row is
        just the area's name (a level matrix's first column)."""
        name = row[0] if names else collapse(clean_inline(self.cell(row, "area")))
        group = "" if names else collapse(clean_inline(self.cell(row, "group")))
        for what, value in (("an area", name), ("a group", group)):
            if len(value) > AREA_NAME_MAX_LENGTH:
                self.fail(line, f"{what} name of {len(value):,} characters; at most 200")
                return None
        area = level.areas.get(name.casefold())
        if area is None:
            if level.areas and (name == FLAT_LIST) != (FLAT_LIST in level.areas):
                self.fail(
                    line,
                    "rows with an area and rows without one in the same level: a level is a "
                    "flat list of behaviours or has areas, not both",
                )
                return None
            area = level.areas[name.casefold()] = _Area(name, group, line)
            if group:
                described = level.groups.get(group, "")
                level.groups[group] = described or self.paragraphs(row, "group description")
        elif area.group != group:
            self.fail(line, f'the area "{name}" is in the group "{area.group}" on line {area.line}')
            return None
        return area

    def pages(self) -> list[ParsedPage]:
        docs = [self.document(level) for level in self.levels.values()]
        if self.errors:
            raise LadderFormatError.of(once_each(self.errors))
        return [ParsedPage(self.filename, doc) for doc in docs]

    def document(self, level: _Level) -> LevelDoc:
        if not level.title:
            self.fail(level.line, f"the level {level.code} has no title on any of its rows")
        areas = []
        for area in level.areas.values():
            key = FLAT_LIST_KEY if area.name == FLAT_LIST else kind_named(area.name)
            key = key or area_key(area.name)
            taken: dict[str, int] = {}
            areas.append(
                AreaDoc(
                    key,
                    area.texts.get("description", ""),
                    self.behaviours(area.direct, key, None, taken),
                    tuple(
                        ResponsibilityDoc(
                            name,
                            self.behaviours(items, key, name, taken),
                            area.texts.get(f"note of {name}", ""),
                        )
                        for name, items in area.subgroups.items()
                    ),
                    "" if area.subgroups else area.texts.get("note", ""),
                    name=area.name,
                    subgrouped=bool(area.subgroups),
                    group=area.group,
                )
            )
        return LevelDoc(
            code=level.code,
            title=level.title,
            track=level.track,
            summary=level.summary,
            areas=tuple(areas),
            groups=tuple(GroupDoc(name, about) for name, about in level.groups.items()),
        )

    def behaviours(
        self, items: list[_Behaviour], key: str, owner: str | None, taken: dict[str, int]
    ) -> tuple[BehaviourDoc, ...]:
        """The behaviours of an area or sub-group, each with its key (given, or from its
        place); a key is used once in an area."""
        docs = []
        for index, item in enumerate(items, 1):
            own = item.key or derived_key(key, owner, index)
            if own in taken:
                self.fail(item.line, f"duplicate key {own!r} (also on line {taken[own]})")
            taken.setdefault(own, item.line)
            docs.append(BehaviourDoc(item.text, own, tuple(item.examples)))
        return tuple(docs)


def render(docs) -> str:
    """Levels of a company's own framework as the long form, which ``parse`` reads back
    unchanged: a row per behaviour and per further example; a level with no behaviours,
    or an area empty on purpose, a row of its own."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    header = (*COLUMNS, *TEXT_COLUMNS)
    writer.writerow(header)

    def write(**cells) -> None:
        writer.writerow(
            guarded(cells.get(name.replace(" ", "_").replace("-", "_"), "")) for name in header
        )

    for doc in docs:
        level = {
            "track": escape_markdown(doc.track),
            "level": doc.code,
            "title": escape_markdown(doc.title),
        }
        summary = escape_markdown(doc.summary)
        groups = {g.name: _paragraphs(g.description) for g in doc.groups}
        if not doc.areas:
            write(**level, summary=summary)
        for area in doc.areas:
            where = {
                **level,
                "group": escape_markdown(area.group),
                "area": escape_markdown(area.name),
            }
            texts = {
                "summary": summary,
                "group_description": groups.pop(area.group, ""),
                "description": _paragraphs(area.description),
                "note": _paragraphs(area.note, links=True),
            }
            parts = [(r.name, r.behaviours, r.note) for r in area.responsibilities]
            if not area.subgrouped:
                parts = [("", area.behaviours, "")]
            if not area.all_behaviours:
                write(**where, **texts)
            for subgroup, behaviours, note in parts:
                first_row = {"sub_group_note": _paragraphs(note, links=True)}
                for b in behaviours:
                    first, *more = b.examples or ("",)
                    write(
                        **where,
                        **texts,
                        **first_row,
                        sub_group=escape_markdown(subgroup),
                        behaviour=rubric_markdown(b.text),
                        key=b.key,
                        example=rubric_markdown(first) if first else "",
                    )
                    texts = first_row = {}  # each on the first row it belongs to
                    for example in more:
                        write(example=rubric_markdown(example))
            summary = ""
    return out.getvalue()


def _paragraphs(text: str, *, links: bool = False) -> str:
    write = rubric_markdown if links else escape_markdown
    return "\n\n".join(write(p) for p in text.split("\n\n") if p)

"""Reading a company's own ladder: its levels, groups, areas and sub-groups by name.

Pages in the default framework's shapes (they name its areas: Scope, Collaborative
Reach, … Craft) go to ``parser.Parser``, which knows those shapes. Every other page
is read here, by the reading rules of ``tests/ladder/frameworks/README.md``: a ``#``
heading starts a level; below it, headings and bold lines name tiers (a group, an
area, a sub-group) by their depth; bullets are behaviours; an italic line under a
name is its description. Front matter (``---`` … ``---``) may give the track, the
level, the title and how nested headings group (``grouping: categories`` or
``sub-groups``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ladder.areas import PILLAR_EMOJI
from ladder.formats.document import (
    AREA_NAME_MAX_LENGTH,
    FLAT_LIST,
    FLAT_LIST_KEY,
    MAX_BEHAVIOURS_PER_AREA,
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
)
from ladder.formats.inline import clean_inline, is_escaped, kind_named
from ladder.formats.markdown.state import KEY_COMMENT, ReadState, snippet
from ladder.formats.markdown.tokens import (
    BULLET,
    COMMENT,
    HEADING,
    NAME,
    PARA,
    TABLE,
    Token,
    bold_body,
    cell_bullets,
    is_filler_row,
    table_cells,
    without_colon,
)

# The page is in the default framework's shape when it names this many of its areas.
DEFAULT_SHAPE_AREAS = 4
_CODE = re.compile(r"([A-Za-z]{1,4}[0-9]{1,2})(?:\s*[-:])?(?:\s+|$)")
_TRACK_COMMENT = re.compile(r"<!--\s*track\s*:(.*?)-->", re.IGNORECASE | re.DOTALL)
_TRACK_LINE = re.compile(r"track\s*:\s*(\S.*)", re.IGNORECASE)
_GROUPING_COMMENT = re.compile(r"<!--\s*grouping\s*:(.*?)-->", re.IGNORECASE | re.DOTALL)
_FRONT_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*)\s*:\s*(.*)")
FRONT_MATTER_KEYS = ("track", "level", "title", "grouping")
GROUPINGS = ("categories", "sub-groups")
_MAX_FRONT_MATTER_LINES = 50
# "For example:" or "Examples:" on a line of its own above a behaviour's examples (an
# indented line continues the bullet before it): a title, dropped.
_EXAMPLES_TITLE = re.compile(r"\n\s*(?:for\s+example|examples?)\s*:?\s*\Z", re.IGNORECASE)


def _italic(text: str) -> bool:
    """A paragraph in emphasis, whole: "_How we ship_" or "*How we ship*", not "**bold**"
    and not one whose closing mark is escaped."""
    return (
        len(text) > 2
        and text[0] in "_*"
        and text[-1] == text[0]
        and text[1] not in "_* \t\n"
        and text[-2] not in " \t\n"
        and not is_escaped(text, len(text) - 1)
    )


def _quoted(name: str) -> str:
    """A name in double quotes, cut short if long."""
    return '"' + (name if len(name) <= 60 else name[:57] + "...") + '"'


def matrix_header(table: Token) -> bool:
    """Whether a table's header cells after the first each start with a level code."""
    head = table_cells(table.rows[0][1])
    return len(head) > 1 and all(_CODE.match(clean_inline(cell)) for cell in head[1:])


def in_default_shape(tokens: list[Token], *, front_matter: bool = False) -> bool:
    """Whether the page is for ``parser.Parser``: it names enough of the default
    framework's areas (in headings, bold lines or a table), heads one of its pillars
    with the pillar's emoji as its pages do, or has no level heading at all (that parser
    says what it expected). Under front matter, which may name the level, a page without
    a heading is told apart by its areas alone, and a page of several levels is a
    company's own: the default framework's pages hold one level each."""
    named = set()
    has_level = False
    levels = 0  # headings that start with a level's code: "# IC5 …", not "# Scope"
    for token in tokens:
        if token.kind == HEADING:
            text = clean_inline(token.text)
            kind = kind_named(text)
            has_level = has_level or token.level == 1
            levels += token.level == 1 and kind is None and bool(_CODE.match(text))
            if kind in PILLAR_EMOJI and PILLAR_EMOJI[kind] in token.text:
                return True  # "## 🏆 Results": a pillar's heading, as the wiki export writes it
            named.add(kind)
        elif token.kind == NAME:
            named.add(kind_named(clean_inline(bold_body(token.text) or "")))
        elif token.kind == TABLE:
            for _line, row in token.rows[:3]:
                for cell in row.split("|"):
                    named.add(kind_named(clean_inline(cell.split("<br>")[0])))
    named.discard(None)
    if front_matter:
        return levels <= 1 and len(named) >= DEFAULT_SHAPE_AREAS
    return not has_level or len(named) >= DEFAULT_SHAPE_AREAS


def front_matter(
    lines: list[tuple[int, str]], filename: str
) -> tuple[dict[str, tuple[str, int]], list[tuple[int, str]], list[Problem], list[Problem]]:
    """The page's front matter (key -> (value, line)) and the lines after it.

    Front matter left open is the one error: where it was meant to end is anyone's guess,
    so the lines after it are neither its keys nor the page.
    """
    if not lines or lines[0][1].strip() != "---":
        return {}, lines, [], []
    values: dict[str, tuple[str, int]] = {}
    errors, warnings = [], []
    for index, (number, raw) in enumerate(lines[1:], 1):
        if raw.strip() == "---":
            return values, lines[index + 1 :], errors, warnings
        if index > _MAX_FRONT_MATTER_LINES:
            break
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        match = _FRONT_KEY.fullmatch(raw.strip())
        if match is None:
            errors.append(
                Problem(
                    filename,
                    number,
                    f"expected 'key: value' in the front matter, not {snippet(raw)}",
                )
            )
            continue
        key, value = match.group(1).lower(), match.group(2).strip().strip("\"'").strip()
        if key not in FRONT_MATTER_KEYS:
            warnings.append(
                Problem(
                    filename,
                    number,
                    f"front matter key {key!r} is not read; "
                    f"Ladder reads {', '.join(FRONT_MATTER_KEYS)}",
                )
            )
        elif key in values:
            errors.append(Problem(filename, number, f"{key!r} is given twice in the front matter"))
        elif key == "grouping" and collapse(value).lower() not in GROUPINGS:
            errors.append(
                Problem(filename, number, f"grouping must be one of: {', '.join(GROUPINGS)}")
            )
        else:
            values[key] = (collapse(value), number)
    raise LadderFormatError(
        filename,
        lines[0][0],
        f"the front matter has no closing '---' within {_MAX_FRONT_MATTER_LINES} lines",
    )


def level_from_front(
    front: dict[str, tuple[str, int]],
    code: str,
    title: str,
    line: int,
    fail: Callable[[int, str], None],
) -> tuple[str, str]:
    """The level's code and title: the heading's, or the front matter's where it names
    them; where both do, they must agree. ``fail(line, message)`` notes a disagreement."""
    front_code = front.get("level")
    front_title = front.get("title")
    if front_code:
        if code and code != front_code[0].upper():
            fail(line, f"the heading's level {code} and the front matter's {front_code[0]} differ")
        code = front_code[0].upper()
    if front_title:
        if title and title != front_title[0]:
            fail(line, "the heading's title and the front matter's differ")
        title = front_title[0]
    return code, title


@dataclass
class _Place:
    """Where the reader is in one level, and what it has read of it."""

    outer: int  # the depth of the level's shallowest heading: the outer tier
    summary: list[str] = field(default_factory=list)
    groups: list[_Tier] = field(default_factory=list)
    areas: list[_Tier] = field(default_factory=list)
    group: _Tier | None = None
    area: _Tier | None = None
    subgroup: _Tier | None = None
    heading_tier: int | None = None  # the tier of the heading read last
    outer_name: str = ""
    named_any: bool = False
    nesting_refused: bool = False


@dataclass
class _Tier:
    """A group, an area or a sub-group being read."""

    name: str
    line: int
    description: list[str] = field(default_factory=list)
    note: list[str] = field(default_factory=list)
    behaviours: list[_Behaviour] = field(default_factory=list)
    children: list[_Tier] = field(default_factory=list)
    group: _Tier | None = None  # an area's group
    indent: int = 0  # of its bullets; deeper ones are examples


@dataclass
class _Behaviour:
    text: str
    key: str | None
    line: int
    examples: list[str] = field(default_factory=list)


class TierReader:
    """Reads one file of a company's own ladder into its levels."""

    split_key = ReadState.split_key

    def __init__(self, filename: str, front: dict[str, tuple[str, int]]):
        self.filename = filename
        self.front = front
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []
        grouping = front.get("grouping")
        self.grouping = grouping[0].lower() if grouping else None

    def fail(self, line: int, message: str) -> None:
        self.errors.append(Problem(self.filename, line, message))

    def warn(self, line: int, message: str) -> None:
        self.warnings.append(Problem(self.filename, line, message))

    def read(self, tokens: list[Token]) -> list[ParsedPage]:
        """Every level of the file, each from its `#` heading to the next, or every column
        of a table of levels (then the `#` heading is the document's title)."""
        matrix = next((t for t in tokens if t.kind == TABLE and matrix_header(t)), None)
        if matrix is not None:
            return self.read_matrix(matrix)
        starts = [i for i, token in enumerate(tokens) if token.kind == HEADING and token.level == 1]
        pages: list[ParsedPage] = []
        own = [self.front[key] for key in ("level", "title") if key in self.front]
        if len(starts) > 1 and own:
            self.fail(
                own[0][1],
                f"the file holds {len(starts)} levels: its front matter may only say what "
                "they share (track, grouping), not a level or a title",
            )
        if not starts:
            if "level" in self.front or "title" in self.front:
                pages.append(ParsedPage(self.filename, self.level(None, tokens), self.said()))
            else:
                self.fail(
                    1, "expected a level heading ('# CODE Title') or front matter naming the level"
                )
        else:
            for before in tokens[: starts[0]]:
                if before.kind in (BULLET, HEADING, NAME, TABLE):
                    self.fail(before.line, "text before the first level heading")
                    break
            for n, start in enumerate(starts):
                end = starts[n + 1] if n + 1 < len(starts) else len(tokens)
                doc = self.level(tokens[start], tokens[start + 1 : end])
                pages.append(ParsedPage(self.filename, doc, self.said()))
        if self.errors:
            raise LadderFormatError.of(sorted(self.errors, key=lambda p: p.line))
        return pages

    def said(self) -> tuple[Problem, ...]:
        """The warnings since the last level was read, for the level just read. Those said
        before any level (the front matter's) so go with the first: each warning is said
        once, and a dry run shows a file's own under its first level."""
        warnings, self.warnings = self.warnings, []
        return tuple(sorted(warnings, key=lambda p: p.line))

    def read_matrix(self, table: Token) -> list[ParsedPage]:
        """A table with a column per level and a row per area: each cell that area's
        behaviours at that level, one per <br>; empty, or a dash, where it is absent."""
        (_line, head), *rows = [(line, table_cells(row)) for line, row in table.rows]
        levels = [_CODE.match(clean_inline(cell)) for cell in head[1:]]
        areas: list[list[_Tier]] = [[] for _ in levels]
        for line, cells in rows:
            if is_filler_row(cells):
                continue
            name = clean_inline(without_colon(cells[0]))
            if not self.check_name(name, "area", line):
                continue
            for column, cell in enumerate(cells[1 : len(levels) + 1]):
                items = [clean_inline(item, links=True) for item in cell_bullets(cell)]
                items = [item.lstrip("•").strip() for item in items]
                if not items or items in (["-"], ["—"], ["–"]):
                    continue
                area = _Tier(name, line)
                area.behaviours = [_Behaviour(item, None, line) for item in items if item]
                areas[column].append(area)
        docs = []
        for match, cell, level_areas in zip(levels, head[1:], areas, strict=True):
            code = match.group(1).upper()
            title = collapse(clean_inline(cell)[match.end() :])
            track = self.front["track"][0] if "track" in self.front else derived_track(title)
            docs.append(self.document(code, title, track, [], [], level_areas))
        if self.errors:
            raise LadderFormatError.of(sorted(self.errors, key=lambda p: p.line))
        return [ParsedPage(self.filename, doc, self.said()) for doc in docs]

    # ---- one level

    def level(self, heading: Token | None, tokens: list[Token]) -> LevelDoc:
        code, title = self.heading(heading)
        self.at = _Place(outer=min((t.level for t in tokens if t.kind == HEADING), default=2))
        self.track = self.front["track"][0] if "track" in self.front else None
        handlers = {
            COMMENT: self.on_comment,
            HEADING: self.on_name,
            NAME: self.on_name,
            BULLET: self.on_bullet,
            PARA: self.on_paragraph,
            TABLE: self.on_table,
        }
        for token in tokens:
            if token.kind in handlers:
                handlers[token.kind](token)
        at = self.at
        track = self.track if self.track is not None else derived_track(title)
        return self.document(code, title, track, at.summary, at.groups, at.areas)

    def on_comment(self, token: Token) -> None:
        if found := _TRACK_COMMENT.fullmatch(token.text):
            self.set_track(clean_inline(found.group(1)), token.line)
        elif found := _GROUPING_COMMENT.fullmatch(token.text):
            self.set_grouping(collapse(found.group(1)).lower(), token.line)
        elif KEY_COMMENT.fullmatch(token.text):
            self.fail(token.line, "a key comment must follow a bullet's text on its line")

    def set_track(self, value: str, line: int) -> None:
        if self.at.named_any:
            self.fail(line, "the track must be given before the first area")
        elif self.track is not None:
            self.fail(line, "the track is given twice")
        elif not value:
            self.fail(line, "empty track; expected 'track: Name'")
        else:
            self.track = value

    def set_grouping(self, value: str, line: int) -> None:
        """``<!-- grouping: categories -->`` before the first area, as the front matter's key
        (an HTML page has no front matter)."""
        if self.at.named_any or "grouping" in self.front:
            self.fail(line, "the grouping must be given once, before the first area")
        elif value not in GROUPINGS:
            self.fail(line, f"grouping must be one of: {', '.join(GROUPINGS)}")
        else:
            self.grouping = value

    def on_name(self, token: Token) -> None:
        """A heading or a bold line alone: a group, an area or a sub-group by its depth."""
        at = self.at
        # One trailing colon is dropped ("## Delivery:"); bold_body drops it already.
        raw = without_colon(token.text) if token.kind == HEADING else bold_body(token.text)
        name = clean_inline(raw)
        if token.kind == HEADING:
            depth = token.level - at.outer
            if depth > 1 or (depth == 1 and self.grouping is None):
                self.refuse_nesting(name, token.line)
                return
            at.heading_tier = tier = depth
            if depth == 0:
                at.outer_name = name
        else:
            # A bold line is one tier below the heading it sits under.
            tier = 0 if at.heading_tier is None else at.heading_tier + 1
        roles = (
            ("group", "area", "subgroup") if self.grouping == "categories" else ("area", "subgroup")
        )
        if tier >= len(roles):
            self.fail(
                token.line,
                f"{_quoted(name)} is one tier too deep: areas hold sub-groups, and sub-groups "
                "hold behaviours",
            )
            return
        role = roles[tier]
        if not self.check_name(name, role, token.line):
            return
        if at.area is not None and at.area.name == FLAT_LIST:
            self.fail(
                token.line,
                f"{_quoted(name)} follows bullets in no area: a level is a flat list of "
                "behaviours or has areas, not both",
            )
            return
        at.named_any = True
        if role == "group":
            at.group = _Tier(name, token.line)
            at.groups.append(at.group)
            at.area = at.subgroup = None
        elif role == "area":
            if self.grouping == "categories" and at.group is None:
                self.fail(token.line, f"the area {_quoted(name)} comes before any group")
            at.area = _Tier(name, token.line, group=at.group)
            if at.group is not None:
                at.group.children.append(at.area)
            at.areas.append(at.area)
            at.subgroup = None
        elif at.area is None:
            self.fail(token.line, f"the sub-group {_quoted(name)} comes before any area")
        else:
            if at.area.behaviours:
                self.fail(
                    token.line,
                    f"the area {_quoted(at.area.name)} holds bullets and sub-groups; "
                    "it may hold one or the other",
                )
            at.subgroup = _Tier(name, token.line)
            at.area.children.append(at.subgroup)

    def refuse_nesting(self, name: str, line: int) -> None:
        """A heading in a heading, with no word on what that means: the reader doesn't
        guess, and says so once, at the first."""
        if self.at.nesting_refused:
            return
        self.at.nesting_refused = True
        self.fail(
            line,
            f"heading {_quoted(name)} is nested in heading {_quoted(self.at.outer_name)} "
            'over bullets: say "grouping: categories" or "grouping: sub-groups" in the '
            "front matter",
        )

    def on_bullet(self, token: Token) -> None:
        at = self.at
        owner = at.subgroup or at.area
        if owner is not None and owner.behaviours and token.level > owner.indent:
            self.on_example(owner.behaviours[-1], token)
            return
        if owner is None and not at.named_any:
            # Bullets and no area names: a flat list, the level's behaviours in no area.
            owner = at.area = _Tier(FLAT_LIST, token.line)
            at.areas.append(owner)
        elif owner is None:
            self.fail(token.line, "a bullet before the first area; name its area above it")
            return
        if owner is at.area and at.area.children:
            self.fail(token.line, f"a bullet in {_quoted(at.area.name)} after its sub-groups")
            return
        raw, key = self.split_key(_EXAMPLES_TITLE.sub("", token.text), token.line)
        text = clean_inline(raw, links=True)
        if not text:
            self.fail(token.line, "empty bullet; every bullet must describe a behaviour")
            return
        owner.indent = token.level
        owner.behaviours.append(_Behaviour(text, key, token.line))

    def on_example(self, behaviour: _Behaviour, token: Token) -> None:
        """A bullet nested under a behaviour: an example of it."""
        text = clean_inline(_EXAMPLES_TITLE.sub("", token.text), links=True)
        if not text:
            self.fail(token.line, "empty example; write it, or leave the bullet out")
        elif len(behaviour.examples) == MAX_EXAMPLES:
            self.fail(token.line, f"a behaviour may have at most {MAX_EXAMPLES} examples")
        else:
            behaviour.examples.append(text)

    def on_paragraph(self, token: Token) -> None:
        at = self.at
        text = token.text.strip()
        if found := _TRACK_LINE.fullmatch(text):
            self.set_track(clean_inline(found.group(1)), token.line)
            return
        current = at.subgroup or at.area or at.group
        if current is None:
            if at.summary:
                self.warn(
                    token.line,
                    f"text {snippet(text)} before the first area joins the summary",
                )
            at.summary.append(clean_inline(text))
        elif current is at.group or (
            _italic(text) and not (current.note or current.behaviours or current.children)
        ):
            # Right under the name: its description (all a group's text is).
            current.description.append(clean_inline(text))
        else:
            current.note.append(clean_inline(text, links=True))  # a note keeps its links

    def on_table(self, token: Token) -> None:
        self.fail(
            token.line,
            "a table in a page of a company's own areas; write them as headings and bullets",
        )

    def heading(self, heading: Token | None) -> tuple[str, str]:
        line = heading.line if heading else (self.front.get("level") or self.front["title"])[1]
        code = title = ""
        if heading is not None:
            # Matched before unescaping: in "# A1 \- Dash" the dash is the title's, not a
            # separator after the code.
            raw = heading.text.strip()
            match = _CODE.match(raw)
            if match:
                code, title = match.group(1).upper(), collapse(clean_inline(raw[match.end() :]))
            else:
                title = collapse(clean_inline(raw))
        code, title = level_from_front(self.front, code, title, line, self.fail)
        # A level without a code is known by its title: it gets one from its place in its
        # track once every file is read (files.code_levels_by_place).
        if not title:
            self.fail(line, "the level has a code but no title")
        return code, title

    def check_name(self, name: str, role: str, line: int) -> bool:
        what = {"group": "a group", "area": "an area", "subgroup": "a sub-group"}[role]
        if not name:
            self.fail(line, f"{what} heading or bold line with no name")
            return False
        if len(name) > AREA_NAME_MAX_LENGTH:
            self.fail(
                line,
                f"{what} name of {len(name):,} characters; at most {AREA_NAME_MAX_LENGTH}",
            )
            return False
        return True

    # ---- the document

    def document(self, code, title, track, summary, groups, areas) -> LevelDoc:
        seen: dict[str, int] = {}
        for area in areas:
            folded = area.name.casefold()
            if folded in seen:
                self.fail(
                    area.line,
                    f"the area {_quoted(area.name)} appears twice in level {code} "
                    f"(first at line {seen[folded]})",
                )
            seen.setdefault(folded, area.line)
            names: dict[str, int] = {}
            for sub in area.children:
                if sub.name.casefold() in names:
                    self.fail(
                        sub.line,
                        f"the sub-group {_quoted(sub.name)} appears twice in {_quoted(area.name)} "
                        f"(first at line {names[sub.name.casefold()]})",
                    )
                names.setdefault(sub.name.casefold(), sub.line)
                if not sub.behaviours:
                    self.fail(
                        sub.line, f"the sub-group {_quoted(sub.name)} has no behaviours (bullets)"
                    )
            if not area.behaviours and not area.children and not (area.description or area.note):
                self.fail(
                    area.line,
                    f"the area {_quoted(area.name)} has nothing under it; write its "
                    "behaviours, or a line saying why it is empty at this level",
                )
            count = len(area.behaviours) + sum(len(s.behaviours) for s in area.children)
            if count > MAX_BEHAVIOURS_PER_AREA:
                self.fail(
                    area.line,
                    f"{_quoted(area.name)} has {count:,} behaviours; "
                    f"the limit is {MAX_BEHAVIOURS_PER_AREA:,}",
                )
        for group in groups:
            if not group.children:
                self.fail(
                    group.line,
                    f"the group {_quoted(group.name)} has no areas (grouping: categories)",
                )
        return LevelDoc(
            code=code,
            title=title,
            track=track,
            summary=collapse(" ".join(summary)),
            areas=tuple(self.area_doc(area) for area in areas),
            groups=tuple(
                GroupDoc(g.name, "\n\n".join(g.description)) for g in groups if g.children
            ),
        )

    def area_doc(self, area: _Tier) -> AreaDoc:
        if area.name == FLAT_LIST:
            key = FLAT_LIST_KEY
        else:
            key = kind_named(area.name) or area_key(area.name)
        used: dict[str, int] = {}

        def behaviours(items, owner: str | None) -> tuple[BehaviourDoc, ...]:
            docs = []
            for index, item in enumerate(items, 1):
                line = item.line
                behaviour_key = item.key or derived_key(key, owner, index)
                if behaviour_key in used:
                    self.fail(
                        line,
                        f"duplicate key {behaviour_key!r} in {_quoted(area.name)} "
                        f"(also on line {used[behaviour_key]})",
                    )
                used.setdefault(behaviour_key, line)
                docs.append(BehaviourDoc(item.text, behaviour_key, tuple(item.examples)))
            return tuple(docs)

        group = area.group
        return AreaDoc(
            key,
            "\n\n".join(area.description),
            behaviours(area.behaviours, None),
            tuple(
                ResponsibilityDoc(s.name, behaviours(s.behaviours, s.name), "\n\n".join(s.note))
                for s in area.children
            ),
            "" if area.children else "\n\n".join(area.note),
            name=area.name,
            subgrouped=bool(area.children),
            group=group.name if group is not None else "",
        )

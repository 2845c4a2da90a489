"""The second pass over a Markdown page: what each block token means where it stands.

``Parser`` walks the tokens as a small state machine (before the level heading / in
the summary / in an area / in a responsibility) and calls ``ReadState`` to record what
it read. Two page shapes are read: the wiki export (a table of level expectations,
then one setext-headed table of responsibilities per pillar) and hand-written
heading-and-list Markdown.
"""

from __future__ import annotations

import re

from ladder.areas import EXPECTATION_KINDS
from ladder.formats.document import LadderFormatError, LevelDoc, ParsedPage
from ladder.formats.inline import clean_inline, kind_named
from ladder.formats.markdown.state import (
    ALL_NAMES,
    EXPECTATION_NAMES,
    KEY_COMMENT,
    ReadState,
    snippet,
)
from ladder.formats.markdown.tiers import level_from_front
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
    cell_heading,
    is_filler_row,
    table_cells,
    without_colon,
)

_LEVEL_HEADING = re.compile(r"([A-Za-z]+[0-9]+)(?:\s*[-:])?(?:\s+|$)")
# The first word of a heading that starts another level: IC3, M4, L10, E5.
_LEVEL_CODE_WORD = re.compile(r"[A-Za-z]{1,4}[0-9]{1,2}(?:\s*[-:])?(?:\s|$)")
_TRACK_COMMENT = re.compile(r"<!--\s*track\s*:(.*?)-->", re.IGNORECASE | re.DOTALL)
_TRACK_LINE = re.compile(r"track\s*:\s*(\S.*)", re.IGNORECASE)
# "**Scope** *Area of ownership*" or "**Scope:** Area of ownership": a name, then text.
_LEADING_BOLD = re.compile(r"(\*\*|__)(?![*_])(.+?)(?<!\\)\1(.*)", re.DOTALL)


class Parser(ReadState):
    """Reads tokens into a level; see ``ReadState`` for what is kept and checked.

    The page's front matter (``tiers.front_matter``) is read as the own reader reads it:
    its track as a ``track:`` line, its level and title as the level heading.
    """

    def __init__(self, filename: str, last_line: int, front: dict[str, tuple[str, int]]):
        super().__init__(filename, last_line)
        self.front = front
        if "track" in front:
            self.track = front["track"][0]
        if "grouping" in front:
            self.warn(
                front["grouping"][1],
                "grouping is not read on a page of the built-in framework's areas: "
                "its pillars hold responsibilities",
            )

    def read(self, tokens: list[Token]) -> list[ParsedPage]:
        """The page's one level with its warnings, as ``TierReader.read`` gives levels."""
        doc = self.parse(tokens)
        return [ParsedPage(self.filename, doc, tuple(self.warnings))]

    def parse(self, tokens: list[Token]) -> LevelDoc:
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

    def on_comment(self, token: Token) -> None:
        if match := _TRACK_COMMENT.fullmatch(token.text):
            self.set_track(clean_inline(match.group(1)), token.line)
        elif KEY_COMMENT.fullmatch(token.text):
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

    def on_heading(self, token: Token) -> None:
        name = clean_inline(token.text)
        kind = kind_named(name)
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
                f"a second level heading {snippet(name)}; a page describes one level",
            )
        elif area and area.is_pillar and (area.level == 0 or area.level < token.level):
            self.start_responsibility(
                clean_inline(without_colon(token.text)), token.line, from_heading=True
            )
        else:
            self.finish_area()
            self.section = (name, token.line)
            self.warn(
                token.line,
                f"heading {snippet(name)} names no area; read as a section heading, not kept",
            )

    def on_level_heading(self, token: Token) -> None:
        raw = token.text.strip()
        match = _LEVEL_HEADING.match(raw)
        self.code = ""
        if not match and not self.front_names_level:
            self.fail(
                token.line,
                f"the level heading {snippet(clean_inline(raw))} does not start with a level "
                "code; expected e.g. '# IC5 Staff Machine Learning Engineer'",
            )
            return
        code, title = (match.group(1).upper(), raw[match.end() :]) if match else ("", raw)
        self.code, self.title = level_from_front(
            self.front, code, clean_inline(title), token.line, self.fail
        )
        if not self.title:
            self.fail(token.line, "the level heading has a code but no title")

    @property
    def front_names_level(self) -> bool:
        return "level" in self.front or "title" in self.front

    def require_heading(self, line: int) -> bool:
        """Front matter naming the level stands for a level heading the page hasn't."""
        if self.code is None and self.front_names_level:
            self.code, self.title = level_from_front(self.front, "", "", line, self.fail)
            if not self.title:
                key = "level" if "level" in self.front else "title"  # one of them is there
                message = (
                    "the level has a code but no title" if self.code else "the level has no title"
                )
                self.fail(self.front[key][1], message)
        return super().require_heading(line)

    def on_name(self, token: Token) -> None:
        if not self.require_heading(token.line):
            return
        name = clean_inline(bold_body(token.text))
        kind = kind_named(name)
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
                f"{snippet(name)} is not a level expectation ({EXPECTATION_NAMES}); "
                f"responsibilities belong under a pillar heading, not in {area.name}",
            )
        else:
            self.orphan(token.line, f"unknown area {snippet(name)}; expected one of: {ALL_NAMES}")

    def on_paragraph(self, token: Token) -> None:
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
            # Under a section heading the text reads as the section's, not the summary's.
            if self.areas or self.section is not None:
                self.warn(
                    token.line,
                    f"text {snippet(text)} outside any area; kept with the level summary",
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

    def start_area_with_description(self, token: Token) -> bool:
        """'**Scope** *Area of ownership*': an area's name and description on one line."""
        match = _LEADING_BOLD.fullmatch(token.text)
        if not match:
            return False
        kind = kind_named(clean_inline(without_colon(match.group(2))))
        if kind is None:
            return False
        area = self.start_area(kind, token.line, 0)
        rest = match.group(3).lstrip()
        if rest.startswith(":") and not rest.startswith("::"):
            rest = rest[1:]
        if text := clean_inline(rest):
            area.description.append(text)
        return True

    def on_bullet(self, token: Token) -> None:
        if not self.require_heading(token.line):
            return
        area = self.area
        name = bold_body(token.text) if "\n" not in token.text else None
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
                f"bullet {snippet(name)} is only a bold name with bullets after it; "
                "read as a responsibility",
            )
            self.start_responsibility(name, token.line)
            return
        self.add_behaviour(token.text, token.line)

    def on_table(self, token: Token) -> None:
        rows = [(line, table_cells(raw)) for line, raw in token.rows]
        width = len(rows[0][1])
        for line, cells in rows:
            if len(cells) != width:
                self.fail(
                    line, f"table row has {len(cells)} cells but the table's header has {width}"
                )
        rows = [
            (line, cells)
            for line, cells in rows
            if len(cells) == width and not is_filler_row(cells)
        ]
        if not rows or not self.require_heading(rows[0][0]):
            return
        header_line, header = rows[0]
        kinds = [kind_named(cell_heading(cell)[0]) for cell in header]
        if all(kind in EXPECTATION_KINDS for kind in kinds):
            self.on_expectation_table(rows)
        elif self.area is not None and self.area.is_pillar:
            self.on_responsibility_table(rows)
        else:
            unknown = next(
                cell_heading(cell)[0]
                for cell, kind in zip(header, kinds, strict=True)
                if kind not in EXPECTATION_KINDS
            )
            self.fail(
                header_line,
                f"unknown area {snippet(unknown)} in the table header; expected the level "
                f"expectations ({EXPECTATION_NAMES})",
            )

    def on_expectation_table(self, rows: list[tuple[int, list[str]]]) -> None:
        header_line, header = rows[0]
        columns = []
        for cell in header:
            name, description = cell_heading(cell)
            area = self.start_area(kind_named(name), header_line, 0)
            area.description.extend(description)
            self.area = None  # each column stays open until the body rows are read
            columns.append(area)
        for line, cells in rows[1:]:
            for area, cell in zip(columns, cells, strict=True):
                self.area = area
                for raw in cell_bullets(cell):
                    self.add_behaviour(raw, line)
        for area in columns:
            self.area = area
            self.finish_area()

    def on_responsibility_table(self, rows: list[tuple[int, list[str]]]) -> None:
        first_cell = clean_inline(rows[0][1][0]).lower()
        if first_cell in ("responsibility", "responsibilities"):
            rows = rows[1:]
        for line, (name_cell, *behaviour_cells) in rows:
            name = clean_inline(bold_body(name_cell.strip()) or name_cell).rstrip(":").rstrip()
            if name:
                self.start_responsibility(name, line)
            for cell in behaviour_cells:
                for raw in cell_bullets(cell):
                    self.add_behaviour(raw, line)

"""What a Markdown page has said so far, and the rules on it, as the parser reads it.

``ReadState`` holds the level being read (its heading, summary, areas, the area and
responsibility open now) and the errors and warnings noted; its methods open and close
areas and responsibilities, place each behaviour and build the document at the end.
``parser.Parser`` decides, token by token, which of them to call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ladder.areas import AREA_KINDS, AREA_NAMES, EXPECTATION_KINDS, PILLAR_KINDS
from ladder.formats.document import (
    KEY_MAX_LENGTH,
    MAX_BEHAVIOURS_PER_AREA,
    AreaDoc,
    BehaviourDoc,
    LadderFormatError,
    LevelDoc,
    Problem,
    ResponsibilityDoc,
    collapse,
    derived_key,
    derived_track,
    is_valid_key,
)
from ladder.formats.inline import INLINE_TOKEN, clean_inline
from ladder.formats.markdown.tokens import BLANK, COMMENT, HEADING, NAME, Token

KEY_COMMENT = re.compile(r"<!--\s*key\b(.*?)-->", re.IGNORECASE | re.DOTALL)
_KEY_VALUE = re.compile(r"\s*:\s*(\S*)\s*")
ALL_NAMES = ", ".join(AREA_NAMES.values())
EXPECTATION_NAMES = ", ".join(AREA_NAMES[kind] for kind in EXPECTATION_KINDS)


def snippet(text: str) -> str:
    text = collapse(text)
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


class ReadState:
    """The level read so far, noting errors and warnings as it goes.

    An error doesn't stop the reading: it is recorded, what could not be placed is
    skipped and the reading goes on, so that one run reports every error of a page.
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
        self.tokens: list[Token] = []
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

    def next_token(self) -> Token | None:
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
                self.warn(line, f"behaviour {snippet(text)} repeats word for word; dropped")
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
                f"unknown area {snippet(name)}: the heading has bullets or names under it; "
                f"expected one of: {ALL_NAMES}",
            )

    def split_key(self, raw: str, line: int) -> tuple[str, str | None]:
        """Separate a trailing <!-- key: ... --> comment from a bullet's raw text."""
        comments = [
            match
            for match in INLINE_TOKEN.finditer(raw)
            if match.lastgroup == "comment" and KEY_COMMENT.fullmatch(match.group())
        ]
        if not comments:
            return raw, None
        last = comments[-1]
        if len(comments) > 1 or raw[last.end() :].strip():
            self.fail(line, "a bullet may carry one key comment, at the very end")
            return raw[: comments[0].start()], None
        value = _KEY_VALUE.fullmatch(KEY_COMMENT.fullmatch(last.group()).group(1))
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
                f"missing area(s): {', '.join(missing)}; every level page needs {ALL_NAMES}",
            )
            return None
        areas = tuple(self.area_doc(self.areas[kind]) for kind in AREA_KINDS)
        return LevelDoc(
            code=self.code,
            title=self.title,
            track=self.track if self.track is not None else derived_track(self.title),
            summary=collapse(" ".join(self.summary)),
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
            key=area.kind,
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

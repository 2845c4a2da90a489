"""Property: any ladder, written in any format and read back, is the same ladder.

Hypothesis builds levels from the characters that mean something to one of the
formats (Markdown emphasis, escapes, pipes, comments, angle brackets, commas and
quotes for CSV, entities for HTML), links included, and checks that
import(export(level)) == level for Markdown, HTML and CSV.
"""

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from ladder import rubric_text
from ladder.areas import AREA_KINDS, EXPECTATION_KINDS
from ladder.formats import csv as csv_format
from ladder.formats import html as html_format
from ladder.formats import scale_file
from ladder.formats.document import (
    FLAT_LIST_KEY,
    AreaDoc,
    BehaviourDoc,
    GroupDoc,
    LevelDoc,
    ResponsibilityDoc,
    area_key,
    derived_key,
    derived_track,
    normalise_text,
)
from ladder.formats.files import read_scale
from ladder.formats.inline import area_kind
from ladder.formats.markdown import parse_page, render_ladder
from ladder.scale import (
    MAX_OUTCOMES,
    MAX_STEPS,
    MIN_OUTCOMES,
    MIN_STEPS,
    NO_EVIDENCE,
    Answer,
    Scale,
)

pytestmark = pytest.mark.no_database

# Letters and digits, and every character one of the formats treats as markup.
ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789 *_\\`#|<>!-+=:;.,()[]{}&\"'/~é日🦉—’"

words = st.text(ALPHABET, min_size=1, max_size=40).map(lambda t: " ".join(t.split()))


@st.composite
def plain_text(draw) -> str:
    text = draw(words)
    # The renderer escapes everything, so any text is fine once it is in the
    # parser's normal form: collapsed spaces, nothing leading or trailing.
    text = normalise_text(text)
    if not text:
        text = "x"
    return text


@st.composite
def names(draw) -> str:
    """Responsibility names: plain, one line, not an area's name."""
    name = draw(plain_text())
    while area_kind(name) is not None:
        name += " x"
    return name


@st.composite
def rubric(draw) -> str:
    """Stored rubric text: escaped words, now and then a link."""
    text = rubric_text.escape(draw(plain_text()))
    if draw(st.booleans()):
        label = draw(plain_text())
        url = draw(st.sampled_from(["values.html", "https://example.com/a_b?c=1&d=2", "#top"]))
        text += " " + rubric_text.link(label, url)
    return text


@st.composite
def notes(draw) -> str:
    count = draw(st.integers(0, 2))
    return "\n\n".join(draw(rubric()) for _ in range(count))


@st.composite
def behaviours(draw, kind: str, owner: str | None) -> tuple[BehaviourDoc, ...]:
    items = []
    for index in range(1, draw(st.integers(1, 3)) + 1):
        key = derived_key(kind, owner, index)
        if draw(st.integers(0, 4)) == 0:
            key = draw(st.from_regex(r"[a-z0-9][a-z0-9.-]{0,20}", fullmatch=True))
        items.append(BehaviourDoc(draw(rubric()), key))
    return tuple(items)


@st.composite
def areas(draw, kind: str) -> AreaDoc:
    description = "\n\n".join(draw(plain_text()) for _ in range(draw(st.integers(0, 2))))
    if kind in EXPECTATION_KINDS:
        area = AreaDoc(kind, description, draw(behaviours(kind, None)), note=draw(notes()))
        keys = [b.key for b in area.behaviours]
        assume(len(set(keys)) == len(keys))
        return area
    chosen: list[str] = []
    for _ in range(draw(st.integers(1, 3))):
        name = draw(names())
        if name.casefold() not in {n.casefold() for n in chosen}:
            chosen.append(name)
    responsibilities = tuple(
        ResponsibilityDoc(name, draw(behaviours(kind, name)), draw(notes())) for name in chosen
    )
    area = AreaDoc(kind, description, (), responsibilities)
    # Keys are unique within an area: "a" and "a!" both derive "a-1", so draw again.
    keys = [b.key for b in area.all_behaviours]
    assume(len(set(keys)) == len(keys))
    return area


@st.composite
def levels(draw) -> LevelDoc:
    title = draw(plain_text())
    track = derived_track(title) if draw(st.booleans()) else draw(plain_text())
    return LevelDoc(
        code=draw(st.from_regex(r"[A-Z]{1,3}[1-9][0-9]?", fullmatch=True)),
        title=title,
        track=track,
        summary=draw(plain_text()) if draw(st.booleans()) else "",
        areas=tuple(draw(areas(kind)) for kind in AREA_KINDS),
    )


# Hypothesis's default number of examples per property.
PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(levels())
def test_any_level_survives_markdown(level):
    assert parse_page(render_ladder(level), "x.md").doc == level


@PROPERTY
@given(levels())
def test_any_level_survives_html(level):
    assert html_format.parse_html(html_format.render_html(level), "x.html").doc == level


@PROPERTY
@given(st.lists(levels(), min_size=1, max_size=3, unique_by=lambda lv: (lv.track, lv.code)))
def test_any_levels_survive_csv(many):
    pages = csv_format.parse_csv(csv_format.render_csv(many), "x.csv")
    assert [page.doc for page in pages] == many


# ---- a company's own framework: any areas, groups, sub-groups, examples, gaps


@st.composite
def own_areas(draw) -> tuple[tuple[AreaDoc, ...], tuple[GroupDoc, ...]]:
    chosen: list[str] = []
    for _ in range(draw(st.integers(1, 5))):
        name = draw(names())
        if area_key(name) not in {area_key(n) for n in chosen}:
            chosen.append(name)
    group_names = []
    if draw(st.booleans()):
        for _ in range(draw(st.integers(1, 3))):
            name = draw(names())
            if name.casefold() not in {g.casefold() for g in group_names}:
                group_names.append(name)
    found = []
    for index, name in enumerate(chosen):
        key = area_key(name)
        description = draw(plain_text()) if draw(st.booleans()) else ""
        # A group's areas stand together, in the order of the groups.
        group = group_names[index * len(group_names) // len(chosen)] if group_names else ""
        if draw(st.booleans()):
            subs: list[str] = []
            for _ in range(draw(st.integers(1, 3))):
                sub = draw(names())
                if sub.casefold() not in {s.casefold() for s in subs}:
                    subs.append(sub)
            subgroups = tuple(
                ResponsibilityDoc(sub, draw(own_behaviours(key, sub)), draw(notes()))
                for sub in subs
            )
            area = AreaDoc(key, description, (), subgroups, name=name, group=group)
        elif description and draw(st.integers(0, 4)) == 0:
            area = AreaDoc(key, description, (), (), name=name, group=group)  # empty on purpose
        else:
            own = draw(own_behaviours(key, None))
            area = AreaDoc(key, description, own, (), draw(notes()), name=name, group=group)
        keys = [b.key for b in area.all_behaviours]
        assume(len(set(keys)) == len(keys))
        found.append(area)
    used = [g for g in group_names if any(a.group == g for a in found)]
    groups = tuple(GroupDoc(g, draw(plain_text()) if draw(st.booleans()) else "") for g in used)
    return tuple(found), groups


@st.composite
def own_behaviours(draw, key: str, owner: str | None) -> tuple[BehaviourDoc, ...]:
    items = []
    for item in draw(behaviours(key, owner)):
        examples = tuple(draw(rubric()) for _ in range(draw(st.integers(0, 2))))
        items.append(BehaviourDoc(item.text, item.key, examples))
    return tuple(items)


@st.composite
def own_levels(draw) -> LevelDoc:
    title = draw(plain_text())
    if draw(st.integers(0, 5)) == 0:  # a flat list: the level's behaviours in no area
        flat = draw(own_behaviours(FLAT_LIST_KEY, None))
        assume(len({b.key for b in flat}) == len(flat))
        areas_, groups = (AreaDoc(FLAT_LIST_KEY, "", flat),), ()
    else:
        areas_, groups = draw(own_areas())
    return LevelDoc(
        code=draw(st.from_regex(r"[A-Z]{1,3}[1-9][0-9]?", fullmatch=True)),
        title=title,
        track=derived_track(title) if draw(st.booleans()) else draw(plain_text()),
        summary=draw(plain_text()) if draw(st.booleans()) else "",
        areas=areas_,
        groups=groups,
    )


@PROPERTY
@given(own_levels())
def test_any_level_of_a_framework_of_its_own_survives_every_format(level):
    assert parse_page(render_ladder(level), "x.md").doc == level
    assert html_format.parse_html(html_format.render_html(level), "x.html").doc == level
    [page] = csv_format.read(csv_format.write([level]), "x.csv")
    assert page.doc == level


# The scale file: any scale, written as the version's page downloads it, reads back.
scale_text = st.text(ALPHABET + "?%@\t\n", min_size=1, max_size=60).map(
    lambda t: " ".join(t.split())[:40]
)


@st.composite
def scales(draw) -> Scale:
    def answers(least: int, most: int) -> tuple[Answer, ...]:
        labels = draw(st.lists(scale_text, min_size=least, max_size=most, unique=True))
        assume(all(labels))
        return tuple(
            Answer(place, label, draw(scale_text) or "x")
            for place, label in enumerate(labels, start=1)
        )

    steps = answers(MIN_STEPS, MAX_STEPS)
    no_evidence = None
    if draw(st.booleans()):
        label = draw(scale_text)
        assume(label and label not in {step.label for step in steps})
        no_evidence = Answer(NO_EVIDENCE, label, draw(scale_text) or "x")
    return Scale(steps, no_evidence, answers(MIN_OUTCOMES, MAX_OUTCOMES))


@given(scales())
@settings(suppress_health_check=[HealthCheck.filter_too_much])
def test_any_scale_survives_its_file(scale):
    assert read_scale("scale.yaml", scale_file.render(scale).encode()) == scale

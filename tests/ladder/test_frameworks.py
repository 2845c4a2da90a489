"""Companies' own ladders, read by the rules of frameworks/README.md and checked against
the oracle counted by hand beside each one (expected.yaml, never read by the app)."""

from pathlib import Path

import pytest
import yaml

from ladder.areas import merged_order
from ladder.formats import registry, scale_file
from ladder.formats.document import LadderFormatError
from ladder.formats.files import read_all, read_framework, read_scale
from ladder.formats.markdown import read
from ladder.scale import DEFAULT

pytestmark = pytest.mark.no_database

FRAMEWORKS = Path(__file__).parent / "frameworks"
# Every test ladder but the refused ones.
LADDERS = sorted(p.name for p in FRAMEWORKS.iterdir() if p.is_dir() and p.name != "errors")


def oracle(name: str) -> dict:
    return yaml.safe_load((FRAMEWORKS / name / "expected.yaml").read_text(encoding="utf-8"))


def levels_of(name: str) -> dict[tuple[str, str], object]:
    """The framework's levels by track and title, read as an import reads the folder."""
    paths = sorted(path for path in (FRAMEWORKS / name).iterdir() if path.suffix in (".md", ".csv"))
    pages = read_all([(path.name, path.read_bytes()) for path in paths])
    return {(page.doc.track, page.doc.title): page.doc for page in pages}


def counts(area) -> int | dict[str, int]:
    """As the oracle counts an area: its behaviours, or per sub-group."""
    if area.subgrouped:
        return {sub.name: len(sub.behaviours) for sub in area.responsibilities}
    return len(area.behaviours)


@pytest.mark.parametrize("name", LADDERS)
def test_a_companys_own_ladder_reads_as_counted_by_hand(name):
    expected = oracle(name)
    levels = levels_of(name)
    seen = set()
    for track in expected["tracks"]:
        groups = {g["name"]: g.get("description") or "" for g in track.get("groups", [])}
        areas = {a["name"]: a for a in track["areas"]}
        for place, level in enumerate(track["levels"], 1):
            doc = levels[(track["name"], level["title"])]
            seen.add((track["name"], level["title"]))
            # A level known by its title is coded by its place in the track.
            assert doc.code == (level["code"] or f"L{place}")
            assert doc.behaviour_count == level["behaviours"]
            assert {a.name: counts(a) for a in doc.areas if a.name} == level["areas"]
            # A flat list: the level's behaviours in one area without a name.
            assert [a.name for a in doc.areas if not a.name] == ([""] if level.get("flat") else [])
            assert list(level["areas"]) == [a.name for a in doc.areas if a.name]
            if "summary" in level:
                assert doc.summary == level["summary"]
            for area in (a for a in doc.areas if a.name):
                spec = areas[area.name]
                assert area.group == (spec["group"] or "")
                assert area.subgrouped == bool(spec["sub_groups"])
                if area.subgrouped:  # the track's sub-groups, in order; a level may skip some
                    names = [sub.name for sub in area.responsibilities]
                    assert names == [n for n in spec["sub_groups"] if n in names]
                if spec["description"] is not None:
                    assert area.description == spec["description"]
                if area.group:
                    assert any(g.name == area.group for g in doc.groups)
            for group in doc.groups:
                assert group.description == groups[group.name]
            for area_name, keys in (level.get("keys") or {}).items():
                held = {b.key for a in doc.areas if a.name == area_name for b in a.all_behaviours}
                assert set(keys) <= held
            for example in level.get("examples") or []:
                area = next(a for a in doc.areas if a.name == example.get("area", ""))
                behaviour = area.all_behaviours[example["n"] - 1]
                assert behaviour.text.startswith(example["starts"])
                assert len(behaviour.examples) == example["count"]
            counted = sum(e["count"] for e in level.get("examples") or [])
            assert sum(len(b.examples) for a in doc.areas for b in a.all_behaviours) == counted
            for area_name, note in (level.get("notes") or {}).items():
                assert next(a for a in doc.areas if a.name == area_name).note == note
    assert seen == set(levels)


@pytest.mark.parametrize("name", LADDERS)
def test_a_companys_own_scale_reads_as_written(name):
    """The folder read whole, as an import reads it: the scale file beside the pages."""
    expected = oracle(name)["scale"]
    files = [(p.name, p.read_bytes()) for p in sorted((FRAMEWORKS / name).iterdir())]
    _, scale = read_framework([(n, data) for n, data in files if n != "expected.yaml"])
    if expected == "default":
        assert scale is None
        return
    assert [step.label for step in scale.steps] == expected["steps"]
    assert [step.value for step in scale.steps] == list(range(1, len(expected["steps"]) + 1))
    assert scale.no_evidence.label == expected["no_evidence"]
    assert [outcome.label for outcome in scale.outcomes] == expected["outcomes"]
    assert all(answer.meaning for answer in (*scale.answers, *scale.outcomes))
    # Written out as the export writes it, it reads back the same.
    assert read_scale("scale.yaml", scale_file.render(scale).encode()) == scale


def test_the_default_scale_written_out_reads_back_the_same():
    assert read_scale("scale.yaml", scale_file.render(DEFAULT).encode()) == DEFAULT


@pytest.mark.parametrize("filename", oracle("errors")["files"])
def test_a_bad_framework_is_refused_with_every_error_at_its_line(filename):
    path = FRAMEWORKS / "errors" / filename
    if filename.endswith(".yaml"):
        reading = lambda: read_scale(filename, path.read_bytes())  # noqa: E731
    else:
        reading = lambda: read(path.read_text(encoding="utf-8"), filename)  # noqa: E731
    with pytest.raises(LadderFormatError) as error:
        reading()
    expected = oracle("errors")["files"][filename]
    assert [(f"{p.filename}:{p.line}", p.message) for p in error.value.errors] == [
        (e["at"], e["error"]) for e in expected
    ]


@pytest.mark.parametrize("name", LADDERS)
def test_a_companys_own_ladder_written_out_reads_back_the_same(name):
    """As Markdown and HTML pages, and as one CSV file: so the three read alike."""
    docs = list(levels_of(name).values())
    for doc in docs:
        for fmt in ("markdown", "html"):
            written = registry.by_name(fmt).write_page(doc)
            [page] = read_all(
                [(f"written.{registry.by_name(fmt).suffixes[0][1:]}", written.encode())]
            )
            assert page.doc == doc, written
    # The whole framework as one CSV file, as the export writes it.
    written = registry.by_name("csv").write_all(docs)
    assert [page.doc for page in read_all([("written.csv", written.encode())])] == docs


def test_a_track_mixing_levels_with_and_without_codes_is_refused():
    coded = b"# E1 Engineer\n\ntrack: Web\n\n## Craft\n\n- I build pages\n"
    titled = b"# Senior Engineer\n\ntrack: Web\n\n## Craft\n\n- I build sites\n"
    with pytest.raises(LadderFormatError) as error:
        read_all([("e1.md", coded), ("senior.md", titled)])
    assert [str(p) for p in error.value.errors] == [
        "senior.md:1: the level 'Senior Engineer' has no code, but E1 of the same track (Web) "
        "has: give every level of a track a code, or none"
    ]


def test_an_area_keeps_its_group_throughout_a_track():
    front = b"---\ngrouping: categories\ntrack: Web\n---\n"
    first = front + b"# E1 Engineer\n\n## Craft\n\n### Testing\n\n- I test\n"
    second = front + b"# E2 Senior Engineer\n\n## Delivery\n\n### Testing\n\n- I test more\n"
    with pytest.raises(LadderFormatError) as error:
        read_all([("e1.md", first), ("e2.md", second)])
    assert [str(p) for p in error.value.errors] == [
        'e2.md:1: the area "Testing" of E2 is in the group "Delivery", but in the group '
        '"Craft" at E1: an area keeps its group throughout a track'
    ]


def test_two_areas_whose_names_make_one_key_are_refused():
    page = b"# E1 Engineer\n\ntrack: Web\n\n## Front-end\n\n- I build\n\n## Front end\n\n- I ship\n"
    with pytest.raises(LadderFormatError) as error:
        read_all([("e1.md", page)])
    assert [str(p) for p in error.value.errors] == [
        'e1.md:1: the areas "Front-end" and "Front end" of E1 would share the key "front-end": '
        "rename one"
    ]


def test_a_level_of_more_areas_than_any_ladder_has_is_refused():
    areas = "".join(f"## Area {n}\n\n- I do {n}\n\n" for n in range(101))
    page = f"# E1 Engineer\n\ntrack: Web\n\n{areas}".encode()
    with pytest.raises(LadderFormatError) as error:
        read_all([("e1.md", page)])
    assert [str(p) for p in error.value.errors] == [
        "e1.md:1: E1 has 101 areas in 0 groups; a level may have at most 100 areas and 30 groups"
    ]


@pytest.mark.parametrize("name", LADDERS)
def test_a_tracks_areas_are_its_levels_areas_merged_in_reading_order(name):
    """Rule 14, as the results' columns use it: the oracle lists each track's areas in order."""
    levels = levels_of(name)
    for track in oracle(name)["tracks"]:
        docs = [levels[(track["name"], level["title"])] for level in track["levels"]]
        merged = merged_order([[a.name for a in doc.areas if a.name] for doc in docs])
        assert merged == [a["name"] for a in track["areas"]]


def test_an_area_first_met_later_goes_after_the_one_it_follows_there():
    assert merged_order([["a", "b", "c"], ["a", "x", "b"], ["y", "a"]]) == [
        "y",
        "a",
        "x",
        "b",
        "c",
    ]

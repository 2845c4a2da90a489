"""Companies' own ladders through the database: imported as the import page imports a
folder, exported as the export command writes it (Markdown, HTML, CSV) with the
version's scale file, and the export imported again: the same framework, row for row.

The nine ladders are imported once for the module, in a transaction rolled back after
it (as tests/admin_shared.py builds the admin's site); each test runs in a savepoint.
"""

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import transaction

from ladder.formats import registry, scale_file
from ladder.formats.files import read_framework
from ladder.models import Framework, Level
from ladder.scale import DEFAULT
from ladder.services import import_levels

FRAMEWORKS = Path(__file__).parent / "frameworks"
# Every test ladder but the refused ones.
LADDERS = sorted(p.name for p in FRAMEWORKS.iterdir() if p.is_dir() and p.name != "errors")
FORMATS = [fmt.name for fmt in registry.FORMATS]


def oracle(name: str) -> dict:
    return yaml.safe_load((FRAMEWORKS / name / "expected.yaml").read_text(encoding="utf-8"))


def files_in(folder: Path) -> list[tuple[str, bytes]]:
    """A folder's files as a person uploads them: every page and the scale file, in
    file-name order; the oracle is not one of them."""
    return [
        (path.name, path.read_bytes())
        for path in sorted(folder.iterdir())
        if path.is_file() and path.name != "expected.yaml"
    ]


def import_files(framework_name: str, files: list[tuple[str, bytes]]) -> Framework:
    """As the import page reads an upload and writes it, published at once."""
    pages, scale = read_framework(files)
    report = import_levels(
        framework_name=framework_name, documents=pages, scale=scale, publish_version=True
    )
    return report.framework


def export_files(framework: Framework, fmt: str, folder: Path) -> list[tuple[str, bytes]]:
    """The version as the export command writes it, and its scale file as the version's
    page offers it."""
    folder.mkdir()
    call_command(
        "export_ladder",
        fmt=fmt,
        framework=framework.name,
        number=framework.version,
        output=folder,
        stdout=StringIO(),
        stderr=StringIO(),
    )
    (folder / "scale.yaml").write_text(scale_file.render(framework.scale), encoding="utf-8")
    return files_in(folder)


def dump(framework: Framework) -> dict:
    """Everything a version stores of its ladder, in the order the app shows it: tracks by
    name, levels by rank, and each level's groups, areas, sub-groups and behaviours in
    their own order."""
    levels = (
        Level.objects.filter(framework=framework)
        .with_rubric()
        .prefetch_related("area_groups")
        .order_by("track__name", "rank", "code")
    )
    return {
        "scale": framework.scale,
        "levels": [
            {
                "track": level.track.name,
                "code": level.code,
                "title": level.title,
                "summary": level.summary,
                "groups": [
                    (group.order, group.name, group.description)
                    for group in sorted(level.area_groups.all(), key=lambda g: g.order)
                ],
                "areas": [
                    {
                        "order": area.order,
                        "key": area.key,
                        "name": area.name,
                        "group": area.group.name if area.group else None,
                        "description": area.description,
                        "note": area.note,
                        "subgrouped": area.subgrouped,
                        "sub_groups": [
                            (r.order, r.name, r.note) for r in area.responsibilities.all()
                        ],
                        "behaviours": [
                            {
                                "order": b.order,
                                "key": b.key,
                                "text": b.text,
                                "examples": b.examples,
                                "sub_group": next(
                                    r.name
                                    for r in area.responsibilities.all()
                                    if r.pk == b.responsibility_id
                                )
                                if b.responsibility_id
                                else None,
                            }
                            for b in area.behaviours.all()
                        ],
                    }
                    for area in level.areas.all()
                ],
            }
            for level in levels
        ],
    }


@pytest.fixture(scope="module")
def imported(django_db_setup, django_db_blocker) -> dict[str, int]:
    """Each ladder imported from its folder once: the framework's primary key by ladder."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield {name: import_files(name.title(), files_in(FRAMEWORKS / name)).pk for name in LADDERS}
        transaction.set_rollback(True)


@pytest.fixture
def framework_of(imported, db):
    return lambda name: Framework.objects.get(pk=imported[name])


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", LADDERS)
def test_a_ladder_exported_from_the_database_imports_again_as_the_same_framework(
    framework_of, name, fmt, tmp_path
):
    original = framework_of(name)
    files = export_files(original, fmt, tmp_path / "export")
    # A page per level, or one file for them all; and the scale file beside them.
    pages = [n for n, _ in files if n != "scale.yaml"]
    levels = Level.objects.filter(framework=original).count()
    assert len(pages) == (levels if registry.by_name(fmt).write_page else 1)
    again = import_files(f"{original.name} from {fmt}", files)
    assert again.pk != original.pk
    assert dump(again) == dump(original)


def counted(area) -> int | dict[str, int]:
    """As the oracle counts an area: its behaviours, or per sub-group."""
    behaviours = list(area.behaviours.all())
    if not area.subgrouped:
        return len(behaviours)
    return {
        r.name: sum(1 for b in behaviours if b.responsibility_id == r.pk)
        for r in area.responsibilities.all()
    }


@pytest.mark.parametrize("name", LADDERS)
def test_a_ladder_imported_into_the_database_holds_what_was_counted_by_hand(framework_of, name):
    expected = oracle(name)
    framework = framework_of(name)
    levels = list(
        Level.objects.filter(framework=framework).with_rubric().order_by("track__name", "rank")
    )
    assert {level.track.name for level in levels} == {t["name"] for t in expected["tracks"]}
    for track in expected["tracks"]:
        stored = [level for level in levels if level.track.name == track["name"]]
        # A level known by its title is coded by its place in the track.
        assert [(level.code, level.title) for level in stored] == [
            (spec["code"] or f"L{place}", spec["title"])
            for place, spec in enumerate(track["levels"], 1)
        ]
        specs = {a["name"]: a for a in track["areas"]}
        groups = {g["name"]: g.get("description") or "" for g in track.get("groups", [])}
        for level, spec in zip(stored, track["levels"], strict=True):
            areas = list(level.areas.all())
            behaviours = [b for area in areas for b in area.behaviours.all()]
            assert len(behaviours) == spec["behaviours"]
            # A flat list: the level's behaviours in one area without a name.
            assert [a.name for a in areas if not a.name] == ([""] if spec.get("flat") else [])
            assert {a.name: counted(a) for a in areas if a.name} == spec["areas"]
            assert [a.name for a in areas if a.name] == list(spec["areas"])
            if "summary" in spec:
                assert level.summary == spec["summary"]
            for area in (a for a in areas if a.name):
                about = specs[area.name]
                assert (area.group.name if area.group else None) == about["group"]
                if area.group:
                    assert area.group.description == groups[area.group.name]
                assert area.subgrouped == bool(about["sub_groups"])
                if area.subgrouped:  # the track's sub-groups, in order; a level may skip some
                    held = [r.name for r in area.responsibilities.all()]
                    assert held == [n for n in about["sub_groups"] if n in held]
                if about["description"] is not None:
                    assert area.description == about["description"]
            for area_name, note in (spec.get("notes") or {}).items():
                assert next(a for a in areas if a.name == area_name).note == note
            for area_name, keys in (spec.get("keys") or {}).items():
                held = {b.key for a in areas if a.name == area_name for b in a.behaviours.all()}
                assert set(keys) <= held
            for example in spec.get("examples") or []:
                area = next(a for a in areas if a.name == example.get("area", ""))
                sub_group = next(
                    (
                        r.pk
                        for r in area.responsibilities.all()
                        if r.name == example.get("sub_group")
                    ),
                    None,
                )
                owned = [b for b in area.behaviours.all() if b.responsibility_id == sub_group]
                behaviour = owned[example["n"] - 1]
                assert behaviour.text.startswith(example["starts"])
                assert len(behaviour.examples) == example["count"]
            examples = sum(e["count"] for e in spec.get("examples") or [])
            assert sum(len(b.examples) for b in behaviours) == examples
    scale = expected["scale"]
    if scale == "default":
        assert framework.scale == DEFAULT
    else:
        assert [step.label for step in framework.scale.steps] == scale["steps"]
        assert framework.scale.no_evidence.label == scale["no_evidence"]
        assert [outcome.label for outcome in framework.scale.outcomes] == scale["outcomes"]

"""manage.py export_ladder, and import(export(x)) == x through the database."""

import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ladder.ladder_format import BehaviourDoc, LevelDoc, parse_ladder
from ladder.models import Behaviour, Framework
from ladder.services import level_documents, new_draft_from
from tests.conftest import SEED_PATH
from tests.factories import level_doc

pytestmark = pytest.mark.django_db


def export(**options) -> str:
    out = StringIO()
    call_command("export_ladder", stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_exported_seed_imports_back_to_the_same_level(ic5, seed_text, tmp_path):
    text = export(level="IC5")
    assert text.startswith("# IC5 Staff Machine Learning Engineer\n")
    assert parse_ladder(text, "export.md") == parse_ladder(seed_text, SEED_PATH.name)

    exported = tmp_path / "ic5.md"
    exported.write_text(text, encoding="utf-8")
    out = StringIO()
    call_command("import_ladder", str(exported), framework="Round Trip", stdout=out)
    copy = Framework.objects.get(name="Round Trip")
    assert level_documents(copy) == level_documents(ic5.framework)


def _nasty_text(rng: random.Random) -> str:
    words = [
        "I",
        "ship",
        "**bold**",
        "snake_case",
        "a*b",
        "<br>",
        "#1",
        "|",
        "\\",
        "—",
        "“quoted”",
        "[link](http://x)",
        "`code`",
        "_under_",
        "100%",
        "<!--",
        "-->",
        "e.g.",
        "1.",
        "-",
        "+",
    ]
    return " ".join(rng.choice(words) for _ in range(rng.randint(1, 12))).strip() or "I ship"


def _generated_level(rng: random.Random, code: str) -> LevelDoc:
    doc = level_doc(code, f"Senior {code} Engineer", track="Software", behaviours=rng.randint(1, 3))
    areas = []
    for area in doc.areas:
        if area.behaviours:
            area = type(area)(
                kind=area.kind,
                description=area.description,
                behaviours=tuple(BehaviourDoc(_nasty_text(rng), b.key) for b in area.behaviours),
                responsibilities=(),
            )
        areas.append(area)
    return LevelDoc(
        code=doc.code,
        title=doc.title,
        track=doc.track,
        summary=_nasty_text(rng),
        areas=tuple(areas),
    )


def test_generated_ladders_survive_export_and_import(tmp_path):
    rng = random.Random(20261122)
    documents = [(f"gen-{n}.md", _generated_level(rng, f"IC{n}")) for n in range(1, 9)]
    from ladder.services import import_levels

    import_levels(framework_name="Generated", documents=documents, publish_version=True)
    original = level_documents(Framework.objects.get(name="Generated"))
    export(framework="Generated", output=tmp_path)
    files = sorted(tmp_path.glob("*.md"))
    assert len(files) == 8
    call_command("import_ladder", *map(str, files), framework="Generated copy", stdout=StringIO())
    assert level_documents(Framework.objects.get(name="Generated copy")) == original


def test_edited_keys_and_order_survive_the_round_trip(ic5, tmp_path):
    draft = new_draft_from(ic5.framework)
    behaviour = Behaviour.objects.get(area__level__framework=draft, key="impact-1")
    behaviour.key = "impact-opportunities"
    behaviour.save()
    text = export(draft=True, level="IC5")
    assert "<!-- key: impact-opportunities -->" in text
    path = tmp_path / "ic5.md"
    path.write_text(text, encoding="utf-8")
    call_command("import_ladder", str(path), framework="Copy", stdout=StringIO())
    assert level_documents(Framework.objects.get(name="Copy")) == level_documents(draft)


def test_export_needs_a_directory_for_several_levels(ic5):
    from ladder.services import import_levels

    import_levels(
        framework_name=ic5.framework.name,
        documents=[("ic4.md", level_doc("IC4"))],
        publish_version=True,
    )
    with pytest.raises(CommandError, match="2 levels match"):
        export()


def test_export_of_an_unknown_version_or_level_is_refused(ic5):
    with pytest.raises(CommandError, match="has no version 9"):
        export(number=9)
    with pytest.raises(CommandError, match="no level matching IC9"):
        export(level="IC9")
    with pytest.raises(CommandError, match="has no draft"):
        export(draft=True)

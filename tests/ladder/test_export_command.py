"""manage.py export_ladder in every format, and import(export(x)) == x through the database."""

import csv
import random
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ladder import rubric_text
from ladder.exporters import level_document
from ladder.formats.csv import parse_csv
from ladder.formats.document import BehaviourDoc, LevelDoc
from ladder.formats.html import parse_html
from ladder.formats.markdown import parse_ladder
from ladder.models import Area, Behaviour, Framework, Level
from ladder.services import new_draft_from
from tests.conftest import SEED_PATH
from tests.factories import level_doc

pytestmark = pytest.mark.django_db


def level_documents(framework: Framework) -> dict:
    """Every level of a version as documents, read through the models: the oracle."""
    levels = Level.objects.filter(framework=framework).with_rubric()
    return {(level.track.name, level.code): level_document(level) for level in levels}


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
    """Stored rubric text: words full of markup characters, escaped, and now and then a link."""
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
    text = " ".join(rng.choice(words) for _ in range(rng.randint(1, 12))).strip() or "I ship"
    text = rubric_text.escape(text)
    if rng.random() < 0.3:
        text += " " + rubric_text.link(rng.choice(words).strip("[]\\") or "x", "values.html")
    return text


def _generated_level(rng: random.Random, code: str) -> LevelDoc:
    doc = level_doc(code, f"Senior {code} Engineer", track="Software", behaviours=rng.randint(1, 3))
    areas = []
    for area in doc.areas:
        if area.behaviours:
            area = type(area)(
                key=area.key,
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


@pytest.mark.parametrize(
    ("fmt", "suffix", "count"), [("markdown", "md", 8), ("html", "html", 8), ("csv", "csv", 1)]
)
def test_generated_ladders_survive_export_and_import(tmp_path, fmt, suffix, count):
    rng = random.Random(20261122)
    documents = [(f"gen-{n}.md", _generated_level(rng, f"IC{n}")) for n in range(1, 9)]
    from ladder.services import import_levels

    import_levels(framework_name="Generated", documents=documents, publish_version=True)
    original = level_documents(Framework.objects.get(name="Generated"))
    export(framework="Generated", output=tmp_path, format=fmt)
    files = sorted(tmp_path.glob(f"*.{suffix}"))
    assert len(files) == count
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


def _two_levels(ic5) -> None:
    from ladder.services import import_levels

    import_levels(
        framework_name=ic5.framework.name,
        documents=[("ic4.md", level_doc("IC4"))],
        publish_version=True,
    )


def test_html_export_writes_a_page_per_level_that_imports_back(ic5, tmp_path):
    _two_levels(ic5)
    original = level_documents(Framework.objects.published().latest("version"))
    err = StringIO()
    call_command("export_ladder", format="html", output=tmp_path, stdout=StringIO(), stderr=err)
    files = sorted(tmp_path.iterdir())
    assert [f.name for f in files] == ["machine-learning-ic4.html", "machine-learning-ic5.html"]
    assert err.getvalue().count("Wrote ") == 2
    assert files[1].read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    call_command("import_ladder", *map(str, files), framework="From HTML", stdout=StringIO())
    assert level_documents(Framework.objects.get(name="From HTML")) == original


def test_html_export_of_one_level_goes_to_standard_output(ic5, seed_text):
    text = export(level="IC5", format="html")
    assert "<h1>IC5 Staff Machine Learning Engineer</h1>" in text
    assert parse_html(text).doc == parse_ladder(seed_text)


def test_csv_export_writes_every_level_to_standard_output(ic5):
    _two_levels(ic5)
    text = export(format="csv")
    rows = list(csv.DictReader(StringIO(text)))
    assert {row["level"] for row in rows} == {"IC4", "IC5"}
    pages = parse_csv(text, "export.csv")
    original = level_documents(Framework.objects.published().latest("version"))
    assert {(p.doc.track, p.doc.code): p.doc for p in pages} == original


def test_csv_export_writes_one_file_that_imports_back(ic5, tmp_path):
    _two_levels(ic5)
    original = level_documents(Framework.objects.published().latest("version"))
    path = tmp_path / "ladder.csv"
    export(format="csv", output=path)
    assert path.read_text(encoding="utf-8").startswith("level,title,track,area,")
    call_command("import_ladder", str(path), framework="From CSV", stdout=StringIO())
    assert level_documents(Framework.objects.get(name="From CSV")) == original


def test_csv_export_into_a_directory_names_the_file_after_the_version(ic5, tmp_path):
    export(format="csv", output=tmp_path)
    assert [f.name for f in tmp_path.iterdir()] == [
        f"{ic5.framework.slug}-v{ic5.framework.version}.csv"
    ]


def test_an_unknown_format_is_refused(ic5):
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("export_ladder", "--format=pdf", stdout=StringIO(), stderr=StringIO())


def test_documents_read_as_rows_match_those_read_as_models(ic5):
    from ladder.exporters import complete_documents

    assert complete_documents(ic5.framework_id) == level_documents(ic5.framework)
    draft = new_draft_from(ic5.framework)
    Behaviour.objects.filter(area__level__framework=draft, area__key="scope").delete()
    # Scope still says what it is about: empty on purpose at this level, so complete.
    assert complete_documents(draft.pk) == level_documents(draft)
    Area.objects.filter(level__framework=draft, key="scope").update(description="")
    assert complete_documents(draft.pk) == {}

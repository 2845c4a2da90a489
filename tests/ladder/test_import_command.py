"""manage.py import_ladder: the seed's numbers, idempotence, drafts, all-or-nothing, speed."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from ladder.formats.markdown import render_ladder
from ladder.models import Area, Behaviour, Framework, Level, Responsibility
from tests.conftest import SEED_PATH
from tests.factories import level_doc

pytestmark = pytest.mark.django_db


def run_import(*paths, **options) -> str:
    out = StringIO()
    call_command("import_ladder", *[str(p) for p in paths], stdout=out, **options)
    return out.getvalue()


def counts() -> tuple[int, int, int, int]:
    return (
        Level.objects.count(),
        Area.objects.count(),
        Responsibility.objects.count(),
        Behaviour.objects.count(),
    )


def test_seed_imports_with_the_expected_numbers():
    output = run_import(SEED_PATH)
    level = Level.objects.get()
    assert (level.code, level.title, level.track.name) == (
        "IC5",
        "Staff Machine Learning Engineer",
        "Machine Learning",
    )
    assert level.summary == (
        "I set the multi-year, multi-team technical strategy and deliver it through "
        "direct implementation or broad technical leadership"
    )
    keys = list(level.areas.order_by("order").values_list("key", flat=True))
    assert keys == [
        "scope",
        "reach",
        "levers",
        "results",
        "direction",
        "talent",
        "culture",
        "craft",
    ]
    assert Responsibility.objects.filter(area__level=level).count() == 18
    assert Behaviour.objects.filter(area__level=level).count() == 58
    assert Behaviour.objects.filter(area__key="scope", responsibility=None).count() == 2
    assert Responsibility.objects.filter(name="Code Fluency").exists()
    assert Behaviour.objects.filter(
        text__startswith="Product Expertise - I increasingly influence or make product decisions"
    ).exists()
    assert "1 created, 0 updated, 0 unchanged" in output
    assert "[1/1]" in output
    assert Framework.objects.get().is_draft


def test_importing_the_same_file_twice_changes_nothing():
    run_import(SEED_PATH)
    before = list(Behaviour.objects.order_by("pk").values_list("pk", "key", "text", "order"))
    output = run_import(SEED_PATH)
    assert "0 created, 0 updated, 1 unchanged" in output
    assert (
        list(Behaviour.objects.order_by("pk").values_list("pk", "key", "text", "order")) == before
    )
    assert Framework.objects.count() == 1


def test_reimporting_a_published_ladder_does_not_start_a_draft():
    run_import(SEED_PATH, publish=True)
    output = run_import(SEED_PATH)
    assert "1 unchanged" in output
    assert not Framework.objects.drafts().exists()


def test_changed_text_updates_the_draft(tmp_path):
    run_import(SEED_PATH)
    changed = tmp_path / "ic5.md"
    changed.write_text(
        SEED_PATH.read_text().replace("I disagree and commit", "I disagree and then commit"),
        encoding="utf-8",
    )
    output = run_import(changed)
    assert "1 updated" in output
    assert Behaviour.objects.filter(text__startswith="I disagree and then commit").count() == 1
    assert not Behaviour.objects.filter(text__startswith="I disagree and commit").exists()
    assert counts() == (1, 8, 18, 58)
    assert Framework.objects.count() == 1


def test_changed_text_after_publishing_goes_into_a_new_draft(tmp_path):
    run_import(SEED_PATH, publish=True)
    other = tmp_path / "ic4.md"
    other.write_text(render_ladder(level_doc("IC4")), encoding="utf-8")
    run_import(other)
    draft = Framework.objects.drafts().get()
    assert draft.version == 2
    assert sorted(draft.levels.values_list("code", flat=True)) == ["IC4", "IC5"]
    assert Framework.objects.published().get().levels.count() == 1


def test_a_malformed_file_is_refused_with_file_and_line(tmp_path):
    bad = tmp_path / "broken.md"
    bad.write_text(
        "# IC4 Machine Learning Engineer\n\n***Summary***\n\n## 🏆 Results\n\n- orphan bullet\n"
    )
    with pytest.raises(CommandError, match=rf"{bad}:7:"):
        run_import(bad)
    assert counts() == (0, 0, 0, 0)


def test_one_bad_file_means_nothing_is_written(tmp_path):
    good = tmp_path / "ic4.md"
    good.write_text(render_ladder(level_doc("IC4")), encoding="utf-8")
    bad = tmp_path / "ic6.md"
    bad.write_text("no heading here\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"ic6\.md:1:"):
        run_import(SEED_PATH, good, bad)
    assert counts() == (0, 0, 0, 0)
    assert not Framework.objects.exists()


def test_the_same_level_twice_in_one_import_is_refused(tmp_path):
    copy = tmp_path / "again.md"
    copy.write_text(SEED_PATH.read_text(), encoding="utf-8")
    with pytest.raises(CommandError, match="also defined in"):
        run_import(SEED_PATH, copy)
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"# IC4 Engineer\x00\n", ":1:"),
    ],
)
def test_unreadable_files_are_refused(tmp_path, content, message):
    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    with pytest.raises(CommandError, match=message):
        run_import(bad)
    assert counts() == (0, 0, 0, 0)


def test_a_missing_file_is_named():
    with pytest.raises(CommandError, match=r"nowhere\.md:1: cannot read"):
        run_import(Path("nowhere.md"))


def test_many_pages_import_in_one_go(tmp_path):
    paths = []
    for n in range(1, 21):
        path = tmp_path / f"level-{n}.md"
        path.write_text(
            render_ladder(level_doc(f"IC{n}", f"Level {n} Engineer", track="Software")),
            encoding="utf-8",
        )
        paths.append(path)
    output = run_import(*paths, framework="Big Ladder")
    assert "20 created" in output
    assert "[20/20]" in output
    assert Level.objects.filter(framework__name="Big Ladder").count() == 20
    assert Behaviour.objects.count() == 20 * (3 * 2 + 5 * 2 * 2)


def test_an_over_long_title_is_refused_by_name(tmp_path):
    long_title = "Staff " + "Very " * 40 + "Engineer"
    path = tmp_path / "long.md"
    path.write_text(render_ladder(level_doc("IC4", long_title)), encoding="utf-8")
    with pytest.raises(
        CommandError, match=r"long\.md: the title is \d+ characters; the limit is 160"
    ):
        run_import(path)
    assert counts() == (0, 0, 0, 0)


def test_inserting_a_bullet_keeps_the_other_behaviours_keys(tmp_path):
    from ladder.compare import compare_versions

    run_import(SEED_PATH, publish=True)
    edited = tmp_path / "ic5.md"
    edited.write_text(
        SEED_PATH.read_text().replace(
            "| **Impact** | * I identify",
            "| **Impact** | * I set goals that others rally around<br><br>* I identify",
        ),
        encoding="utf-8",
    )
    run_import(edited, publish=True)
    v1, v2 = (Level.objects.with_rubric().get(framework__version=n) for n in (1, 2))
    keys = dict(
        Behaviour.objects.filter(area__level=v2, area__key="results").values_list("text", "key")
    )
    assert (
        keys[
            "I have a sense of responsibility and obligation to act on opportunities I see across "
            "the engineering org/company"
        ]
        == "ownership-1"
    )
    assert keys["I set goals that others rally around"] == "impact-5"
    assert keys[next(t for t in keys if t.startswith("I identify and execute"))] == "impact-1"
    comparison = compare_versions(v1, v2)
    assert (comparison.added, comparison.changed, comparison.removed, comparison.same) == (
        1,
        0,
        0,
        58,
    )
    # The export keeps the carried keys, so it reads back to the same level.
    out = StringIO()
    call_command("export_ladder", draft=False, level="IC5", stdout=out)
    assert "<!-- key: impact-1 -->" in out.getvalue()
    again = tmp_path / "again.md"
    again.write_text(out.getvalue(), encoding="utf-8")
    assert "1 unchanged" in run_import(again)


def test_a_reworded_bullet_keeps_its_key(tmp_path):
    run_import(SEED_PATH)
    edited = tmp_path / "ic5.md"
    edited.write_text(
        SEED_PATH.read_text().replace(
            "I disagree and commit when necessary",
            "I disagree and then commit when it is necessary",
        ),
        encoding="utf-8",
    )
    run_import(edited)
    reworded = Behaviour.objects.get(text__startswith="I disagree and then commit")
    assert reworded.key == "collaboration-3"


def test_dry_run_reports_each_file_and_writes_nothing(tmp_path):
    page = tmp_path / "ic4.md"
    page.write_text(
        render_ladder(level_doc()).replace("## 🏆 Results", "## Responsibilities\n\n## 🏆 Results"),
        encoding="utf-8",
    )
    before = counts()
    output = run_import(SEED_PATH, page, dry_run=True)
    assert counts() == before
    assert not Framework.objects.exists()
    assert "Dry run: nothing written" in output
    assert (
        f"{SEED_PATH}: IC5 Staff Machine Learning Engineer · track Machine Learning (from the "
        "title) · 8 areas, 18 responsibilities, 58 behaviours · would be created"
    ) in output
    heading_line = page.read_text().splitlines().index("## Responsibilities") + 1
    assert f"warning: {page}:{heading_line}: heading 'Responsibilities' names no area" in output
    assert "58 added, 0 changed, 0 removed" in output


def test_dry_run_says_which_tracks_come_from_titles(tmp_path):
    text = SEED_PATH.read_text(encoding="utf-8")
    from_title = tmp_path / "lead.md"
    from_title.write_text(text.replace("Staff Machine Learning Engineer", "Tech Lead", 1))
    given = tmp_path / "platform.md"
    given.write_text(
        text.replace("IC5 Staff Machine Learning Engineer", "IC4 Engineer 2", 1).replace(
            "\n", "\n<!-- track: Platform -->\n", 1
        )
    )
    output = run_import(from_title, given, dry_run=True)
    assert "IC5 Tech Lead · track Tech Lead (from the title) ·" in output
    assert "IC4 Engineer 2 · track Platform ·" in output


def test_dry_run_shows_what_would_change_against_the_draft(tmp_path):
    run_import(SEED_PATH)
    text = SEED_PATH.read_text(encoding="utf-8")
    changed = text.replace(
        "I have a sense of responsibility and obligation",
        "I have a strong sense of responsibility and obligation",
    ).replace("* I disagree and commit when necessary to move critical priorities forward", "")
    changed = changed.replace("<br><br>|", "|")
    page = tmp_path / "ic5.md"
    page.write_text(changed, encoding="utf-8")
    before = counts()
    output = run_import(page, dry_run=True)
    assert counts() == before
    assert "would be updated" in output
    assert "0 added, 1 changed, 1 removed" in output
    assert "~ [ownership-1] I have a sense of responsibility" in output
    assert "→ I have a strong sense of responsibility" in output
    assert "- [collaboration-3] I disagree and commit" in output


def test_every_error_of_every_file_is_reported_at_once(tmp_path):
    first = tmp_path / "first.md"
    first.write_text("# IC3 Engineer\n\n**Scope**\n\n- \n", encoding="utf-8")
    second = tmp_path / "second.md"
    second.write_text("no heading here\n", encoding="utf-8")
    third = tmp_path / "third.csv"
    third.write_bytes(b"level,title\n\xff\xfe\n")
    with pytest.raises(CommandError) as caught:
        run_import(first, second, third)
    message = str(caught.value)
    assert f"{first}:5: empty bullet" in message
    assert f"{second}:1: expected the level heading first" in message
    assert f"{third}:2: not UTF-8 text" in message
    assert not Framework.objects.exists()


def test_track_option_overrides_every_page(tmp_path):
    run_import(SEED_PATH, track="Applied Science")
    assert Level.objects.get().track.name == "Applied Science"


def test_reading_stops_at_the_size_limit():
    # /dev/zero never ends: the command must stop at the limit, not read it all.
    with pytest.raises(CommandError, match=r"/dev/zero:1: larger than 2,000,000 bytes"):
        run_import(Path("/dev/zero"))


def test_texts_longer_than_the_editor_allows_are_refused(tmp_path):
    text = SEED_PATH.read_text(encoding="utf-8").replace(
        "I disagree and commit when necessary", "I disagree " + "and commit " * 200
    )
    page = tmp_path / "long.md"
    page.write_text(text, encoding="utf-8")
    with pytest.raises(
        CommandError, match=r"long\.md: the behaviour 'I disagree and commit.*the limit is 2,000"
    ):
        run_import(page)
    assert not Framework.objects.exists()


def test_a_replaced_level_that_something_points_to_is_deleted_the_ordinary_way(tmp_path):
    # Replaced levels go in plain DELETEs only when nothing points into them; a row
    # that does (here a packet job, which cascades) makes the ordinary delete run.
    from assessments.models import PacketJob
    from tests.assessments.conftest import make_cycle
    from tests.factories import UserFactory

    run_import(SEED_PATH)
    draft_level = Level.objects.get()
    job = PacketJob.objects.create(
        cycle=make_cycle(Framework.objects.create(name="Other", version=1)),
        requested_by=UserFactory(),
        scope="level",
        level=draft_level,
    )
    changed = tmp_path / "ic5.md"
    changed.write_text(
        SEED_PATH.read_text(encoding="utf-8").replace("I lead by example.", "I lead."),
        encoding="utf-8",
    )
    run_import(changed)
    assert not PacketJob.objects.filter(pk=job.pk).exists()
    assert counts() == (1, 8, 18, 58)


def test_a_companys_own_framework_imports_with_its_areas_groups_and_gaps(client, engineer):
    frameworks = Path(__file__).parent / "frameworks"
    pages = sorted((frameworks / "meridian").glob("*.md")) + sorted(
        (frameworks / "fernhill").glob("*.md")
    )
    output = run_import(*pages, framework="Meridian and Fernhill", publish=True)
    assert "Meridian and Fernhill v1 (published): 7 created" in output
    p3 = Level.objects.get(code="P3")
    assert list(p3.area_groups.values_list("name", flat=True)) == [
        "Craft",
        "Delivery",
        "People",
        "Business",
    ]
    assert p3.areas.count() == 16
    assert p3.areas.get(name="System Design").group.name == "Craft"
    # Fernhill's intern level is named but not written; its F2 leaves Leadership empty.
    assert not Level.objects.get(code="F0").areas.exists()
    leadership = Area.objects.get(level__code="F2", name="Leadership")
    assert (leadership.behaviours.count(), leadership.description) == (
        0,
        "Setting direction and lifting the people around you",
    )
    client.force_login(engineer)
    html = client.get(p3.get_absolute_url()).content.decode()
    assert ">Craft</h2>" in html
    assert ">System Design</h3>" in html


def test_examples_are_kept_with_their_behaviour_shown_and_written_back(client, engineer):
    page = Path(__file__).parent / "frameworks" / "kestrel" / "individual-contributor.md"
    run_import(page, framework="Kestrel", publish=True)
    behaviour = Behaviour.objects.get(text__startswith="I learn the money-handling rules")
    assert behaviour.examples == [
        "amounts are whole numbers of minor units, never floats",
        "every transfer is written twice, once per account",
    ]
    assert Behaviour.objects.filter(area__level__code="IC1").count() == 8
    level = behaviour.area.level
    client.force_login(engineer)
    html = client.get(level.get_absolute_url()).content.decode()
    assert '<ul class="examples" aria-label="Examples"><li>amounts are whole numbers' in html
    framework = level.framework
    address = reverse(
        "ladder:level-markdown",
        args=[framework.slug, framework.version, level.track.slug, level.code],
    )
    markdown = client.get(address).content.decode()
    assert "  - every transfer is written twice, once per account" in markdown


def test_levels_known_by_title_with_flat_lists_import_in_order(client, engineer):
    pages = sorted((Path(__file__).parent / "frameworks" / "pipit").glob("*.md"))
    run_import(*pages, framework="Pipit", publish=True)
    levels = list(Level.objects.order_by("rank").values_list("code", "title"))
    assert levels == [
        ("L1", "Engineer 1"),
        ("L2", "Engineer 2"),
        ("L3", "Senior Engineer 1"),
        ("L4", "Senior Engineer 2"),
        ("L5", "Tech Lead"),
    ]
    first = Level.objects.get(code="L1")
    [area] = first.areas.all()
    assert (area.name, area.label, area.behaviours.count()) == ("", "Behaviours", 5)
    client.force_login(engineer)
    html = client.get(first.get_absolute_url()).content.decode()
    assert ">Behaviours</h2>" in html
    assert "I ship a small change to production in my first two weeks" in html


def test_a_scale_file_comes_in_with_the_pages_and_a_bad_one_stops_them(tmp_path):
    harbor = Path(__file__).parent / "frameworks" / "harbor"
    pages = sorted(harbor.glob("*.md"))
    out = run_import(*pages, harbor / "scale.yaml", framework="Harbor", dry_run=True)
    assert "Scale: would become Learning, Developing, Proficient, Leading;" in out
    assert not Framework.objects.exists()
    out = run_import(*pages, harbor / "scale.yaml", framework="Harbor")
    assert "The scale file's scale replaces the framework's." in out
    assert Framework.objects.get().scale.steps[0].label == "Learning"
    # The same again changes nothing, the scale included.
    assert "Scale: unchanged." in run_import(
        *pages, harbor / "scale.yaml", framework="Harbor", dry_run=True
    )
    bad = Path(__file__).parent / "frameworks" / "errors" / "scale-one-step.yaml"
    with pytest.raises(CommandError) as error:
        run_import(*pages, bad, framework="Harbor Two")
    assert "scale-one-step.yaml:2: a scale has 3 to 7 steps; this one has 1" in str(error.value)
    assert Framework.objects.count() == 1

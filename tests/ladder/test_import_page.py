"""Importing ladder pages in the browser: the form, the dry run, the confirmation, the limits."""

import io
import threading
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ladder.formats.document import MAX_FILE_BYTES
from ladder.formats.files import read_upload
from ladder.formats.markdown import parse_ladder, render_ladder
from ladder.import_views import NEW_FRAMEWORK
from ladder.models import Area, Behaviour, Framework, ImportBatch, Level, Responsibility
from ladder.services import import_levels
from tests.conftest import SEED_PATH
from tests.factories import UserFactory, level_doc

pytestmark = pytest.mark.django_db

IMPORT = reverse("ladder:import")
DEFAULT = settings.LADDER_DEFAULT_FRAMEWORK


@pytest.fixture
def editor(client, ladder_editor):
    client.force_login(ladder_editor)
    return client


@pytest.fixture
def ic4_published(db):
    """IC4 published as v1 of the default framework."""
    report = import_levels(
        framework_name=DEFAULT,
        documents=[("ic4.md", level_doc("IC4", "Senior Machine Learning Engineer"))],
        publish_version=True,
    )
    return report.framework


def ic4_page(edit=lambda text: text) -> str:
    return edit(render_ladder(level_doc("IC4", "Senior Machine Learning Engineer")))


def reworded(text: str) -> str:
    """IC4 with one behaviour reworded, one added and one removed."""
    return (
        text.replace("- I do scope 1 well at IC4", "- I do scope 1 very well at IC4")
        .replace(
            "- I do scope 2 well at IC4\n",
            "- I do scope 2 well at IC4\n- I teach others to set the scope of their work\n",
        )
        .replace("- I do reach 2 well at IC4\n", "")
    )


def md(name: str, text: str | bytes) -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/markdown")


def named(name: str, text: str) -> io.BytesIO:
    """A file under any name: SimpleUploadedFile cuts names to 255 characters."""
    file = io.BytesIO(text.encode())
    file.name = name
    return file


def upload(client, *files, framework=DEFAULT, new_framework="", track="", follow=True):
    data = {"framework": framework, "new_framework": new_framework, "track": track}
    data["files"] = list(files)
    return client.post(IMPORT, data, follow=follow)


def page_text(response) -> str:
    return unescape(response.content.decode())


def batch_digest(batch: ImportBatch, client) -> str:
    """The digest the report page puts in its confirmation form."""
    html = client.get(batch.get_absolute_url()).content.decode()
    return html.split('name="digest" value="', 1)[1].split('"', 1)[0]


def confirm(client, batch: ImportBatch, digest: str | None = None):
    digest = batch_digest(batch, client) if digest is None else digest
    url = reverse("ladder:import-confirm", args=[batch.pk])
    return client.post(url, {"digest": digest}, follow=True)


def draft_texts(code: str = "IC4") -> list[str]:
    return list(
        Behaviour.objects.filter(
            area__level__framework__status="draft", area__level__code=code
        ).values_list("text", flat=True)
    )


# ---------------------------------------------------------------- who may use it


def test_anonymous_people_are_sent_to_sign_in(client):
    for response in (client.get(IMPORT), upload(client, md("ic4.md", ic4_page()), follow=False)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize("persona", ["engineer", "staff_without_the_permission"])
def test_people_who_may_not_edit_the_ladder_find_no_import_pages(client, persona, ladder_editor):
    batch = ImportBatch.objects.create(
        uploaded_by=ladder_editor, framework_name=DEFAULT, files=[], digest="x"
    )
    person = UserFactory(username=persona, is_staff=persona.startswith("staff"))
    client.force_login(person)
    assert client.get(IMPORT).status_code == 404
    assert upload(client, md("ic4.md", ic4_page())).status_code == 404
    assert client.get(batch.get_absolute_url()).status_code == 404
    confirm_url = reverse("ladder:import-confirm", args=[batch.pk])
    assert client.post(confirm_url, {"digest": "x"}).status_code == 404
    assert ImportBatch.objects.count() == 1
    assert not Framework.objects.exists()


def test_a_ladder_editor_gets_the_form_with_the_default_framework_chosen(editor, ic4_published):
    Framework.objects.create(name="Another Framework", version=1)
    html = editor.get(IMPORT).content.decode()
    assert f'<option value="{DEFAULT}" selected>{DEFAULT}</option>' in html
    assert '<option value="Another Framework">Another Framework</option>' in html
    assert f'<option value="{NEW_FRAMEWORK}">' in html
    for label in ("Framework", "Name of a new framework", "Track", "Ladder files"):
        assert f">{label}" in html
    assert 'enctype="multipart/form-data"' in html
    assert "<progress" in html


def test_another_editors_upload_is_not_found(editor, ladder_editor):
    other = UserFactory(username="other-editor", is_staff=True)
    other.user_permissions.add(Permission.objects.get(codename="change_framework"))
    upload(editor, md("ic4.md", ic4_page()))
    batch = ImportBatch.objects.get()
    editor.force_login(other)
    assert editor.get(batch.get_absolute_url()).status_code == 404
    assert confirm(editor, batch, digest="x").status_code == 404


def test_the_admins_framework_list_links_to_the_import_page(editor):
    html = editor.get(reverse("admin:ladder_framework_changelist")).content.decode()
    assert f'<a href="{IMPORT}">Import pages</a>' in html


# ---------------------------------------------------------------- the dry run


def test_one_file_shows_its_level_counts_warnings_and_changes(editor, ic4_published):
    text = ic4_page(reworded) + "\n## Further reading\n"
    response = upload(editor, md("ic4-new.md", text))
    html = page_text(response)

    assert response.redirect_chain[0][1] == 302
    assert response.status_code == 200
    assert "IC4 Senior Machine Learning Engineer" in html
    # The track comes from the title, and the report says so.
    assert '<dt>Track</dt><dd>Machine Learning <span class="muted">(from the title;' in html
    assert "<dt>Areas</dt><dd>8</dd>" in html
    assert "<dt>Responsibilities</dt><dd>10</dd>" in html
    assert "<dt>Behaviours</dt><dd>26</dd>" in html  # 26 = 3 × 2 + 5 × 2 × 2, +1 −1
    last_line = len(text.splitlines())
    assert f"ic4-new.md:{last_line}: heading 'Further reading' names no area" in html
    assert "1 behaviour added, 1 changed, 1 removed" in html
    assert "I teach others to set the scope of their work" in html
    assert "<del>I do scope 1 well at IC4</del>" in html
    assert "<ins>I do scope 1 very well at IC4</ins>" in html
    assert "I do reach 2 well at IC4" in html
    # The comparison is the version comparison's own markup.
    assert 'class="change change-changed"' in html
    assert "I do scope 1 <ins>very </ins>well at IC4" in html
    assert 'class="change change-removed"' in html
    assert 'class="change change-added"' in html


def test_the_dry_run_writes_nothing_but_the_pending_batch(editor, ic4_published):
    before = (Framework.objects.count(), Level.objects.count(), Behaviour.objects.count())
    upload(editor, md("ic4-new.md", ic4_page(reworded)))
    assert (Framework.objects.count(), Level.objects.count(), Behaviour.objects.count()) == before
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.PENDING
    assert batch.file_names == ["ic4-new.md"]
    assert batch.uploads() == [("ic4-new.md", ic4_page(reworded).encode())]


def test_several_files_report_each_of_their_levels(editor, ic4_published):
    ic5 = SEED_PATH.read_bytes()
    response = upload(editor, md(SEED_PATH.name, ic5), md("ic4.md", ic4_page(reworded)))
    html = page_text(response)
    assert f"<code>{SEED_PATH.name}</code>" in html
    assert "IC5 Staff Machine Learning Engineer" in html
    assert '<span class="tag tag-added">new level</span>' in html
    assert '<span class="tag tag-changed">updated</span>' in html
    assert "<dt>Behaviours</dt><dd>58</dd>" in html


def test_a_track_given_on_the_form_overrides_the_pages_own(editor):
    html = page_text(upload(editor, md("ic4.md", ic4_page()), track="Software"))
    assert "<dt>Track</dt><dd>Software</dd>" in html
    assert ImportBatch.objects.get().track == "Software"


def test_pages_identical_to_the_framework_offer_nothing_to_confirm(editor, ic4_published):
    html = page_text(upload(editor, md("ic4.md", ic4_page())))
    assert "importing them would change nothing" in html
    assert "/confirm/" not in html
    assert 'name="digest"' not in html


def test_an_html_page_reports_the_same_level_as_its_markdown(editor):
    corpus = Path(__file__).parent / "corpus"
    html_file = corpus / "contoso-ic4-senior-machine-learning-engineer.html"
    [expected] = read_upload(
        html_file.with_suffix(".md").name, html_file.with_suffix(".md").read_bytes()
    )
    html = page_text(upload(editor, md(html_file.name, html_file.read_bytes())))
    assert f"<code>{html_file.name}</code>" in html
    assert f"{expected.doc.code} {expected.doc.title}" in html
    assert f"<dt>Behaviours</dt><dd>{expected.doc.behaviour_count}</dd>" in html


# ---------------------------------------------------------------- bad files


def test_every_error_of_every_file_is_shown_and_nothing_is_stored(editor, ic4_published):
    broken = ic4_page().replace("**Scope**", "**Nonsense**")
    response = upload(
        editor,
        md("fine.md", ic4_page(reworded)),
        md("first.md", broken),
        md("second.md", "just some words\n"),
        md("picture.png", b"\x89PNG"),
    )
    html = page_text(response)
    assert response.status_code == 400
    assert "Nothing was imported" in html
    for name in ("first.md:", "second.md:", "picture.png:1: unknown kind of file '.png'"):
        assert name in html
    assert "fine.md" not in html.split("Nothing was imported")[1].split("</div>")[0]
    assert not ImportBatch.objects.exists()
    assert Framework.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("big.md", b"- x\n" * (MAX_FILE_BYTES // 4 + 1), "big.md:1: larger than 2,000,000 bytes"),
        ("binary.md", b"# IC4 Title\n\x00\x01\x02", "binary.md:2: NUL byte in the file"),
        ("latin.md", "# IC4 Ingénieur\n".encode("latin-1"), "latin.md:1: not UTF-8 text"),
        ("ladder.docx", b"PK\x03\x04", "ladder.docx:1: unknown kind of file '.docx'"),
        ("noextension", b"# IC4 Title\n", "noextension:1: unknown kind of file '(no extension)'"),
    ],
    ids=["oversize", "binary", "bad-encoding", "unknown-extension", "no-extension"],
)
def test_a_file_that_is_not_a_ladder_page_gets_a_clear_message(editor, name, data, message):
    response = upload(editor, md(name, data))
    assert response.status_code == 400
    assert message in page_text(response)
    assert not ImportBatch.objects.exists()
    assert not Framework.objects.exists()


def test_an_empty_upload_asks_for_a_file(editor):
    response = editor.post(IMPORT, {"framework": DEFAULT, "track": ""})
    assert response.status_code == 400
    assert "Choose at least one file to import." in page_text(response)


def test_more_files_than_the_limit_are_refused_with_their_number(editor, settings):
    settings.LADDER_IMPORT_MAX_FILES = 3
    files = [md(f"ic4-{n}.md", ic4_page()) for n in range(4)]
    response = upload(editor, *files)
    assert response.status_code == 400
    assert "4 files chosen; import at most 3 at a time." in page_text(response)
    assert not ImportBatch.objects.exists()


def test_files_past_the_total_limit_are_named(editor, settings):
    size = len(ic4_page().encode())
    settings.LADDER_IMPORT_MAX_BYTES = size * 2 + 10
    files = [md(f"ic4-{n}.md", ic4_page()) for n in range(3)]
    response = upload(editor, *files)
    html = page_text(response)
    assert response.status_code == 400
    assert f"ic4-2.md:1: the files up to this one pass {size * 2 + 10:,} bytes in all" in html
    assert "ic4-0.md:1" not in html
    assert "ic4-1.md:1" not in html
    assert not ImportBatch.objects.exists()


def test_more_files_than_django_reads_get_a_message_not_a_bare_400(editor, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FILES = 2
    response = upload(editor, *[md(f"ic4-{n}.md", ic4_page()) for n in range(3)])
    assert response.status_code == 413
    html = page_text(response)
    assert "too many files or too much form data in one go" in html
    assert "<h1>Import ladder pages</h1>" in html
    assert not ImportBatch.objects.exists()


def test_form_fields_past_djangos_memory_limit_get_a_message_not_a_bare_400(editor, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = upload(editor, md("ic4.md", ic4_page()), track="x" * 2000)
    assert response.status_code == 413
    assert "too many files or too much form data in one go" in page_text(response)


def test_a_file_name_too_long_to_read_is_named_as_the_problem(editor):
    # Django refuses a part whose headers pass 1,024 bytes before any handler sees it.
    response = upload(editor, named("a" * 2000 + ".md", ic4_page()))
    assert response.status_code == 400
    html = page_text(response)
    assert "A file's name is too long to be read" in html
    assert "too many files" not in html
    assert "<h1>Import ladder pages</h1>" in html
    assert not ImportBatch.objects.exists()
    assert not Framework.objects.exists()


def test_a_new_framework_needs_a_name(editor):
    response = upload(editor, md("ic4.md", ic4_page()), framework=NEW_FRAMEWORK)
    assert response.status_code == 400
    assert "Name the new framework, or choose one above." in page_text(response)


def test_a_framework_name_too_close_to_another_is_refused(editor, ic4_published):
    name = DEFAULT.upper()
    response = upload(editor, md("ic4.md", ic4_page()), framework=NEW_FRAMEWORK, new_framework=name)
    assert response.status_code == 400
    assert f"is too close to '{DEFAULT}'" in page_text(response)
    assert not ImportBatch.objects.exists()


def test_the_same_level_in_two_files_is_refused(editor):
    response = upload(editor, md("a.md", ic4_page()), md("b.md", ic4_page()))
    assert response.status_code == 400
    assert "b.md: IC4 (Machine Learning) is also defined in a.md." in page_text(response)


# ---------------------------------------------------------------- confirming


def test_confirming_writes_the_pages_into_a_new_draft_and_links_to_it(editor, ic4_published):
    upload(editor, md("ic4.md", ic4_page(reworded)))
    batch = ImportBatch.objects.get()
    response = confirm(editor, batch)
    html = page_text(response)

    draft = Framework.objects.drafts().get()
    assert (draft.based_on, draft.version) == (ic4_published, 2)
    assert "I do scope 1 very well at IC4" in draft_texts()
    assert "I do reach 2 well at IC4" not in draft_texts()
    assert ic4_published.levels.get().areas.get(key="scope").behaviours.count() == 2
    assert response.redirect_chain == [(batch.get_absolute_url(), 302)]
    assert "Pages imported" in html
    assert f'href="{draft.get_absolute_url()}"' in html
    batch.refresh_from_db()
    assert (batch.status, batch.framework, batch.files) == (
        ImportBatch.Status.APPLIED,
        draft,
        [{"name": "ic4.md", "text": ""}],
    )
    assert batch.applied_at is not None


def test_confirming_into_an_existing_draft_adds_to_it(editor, ic4_published):
    import_levels(framework_name=DEFAULT, documents=[("ic3.md", level_doc("IC3", "Engineer"))])
    upload(editor, md("ic4.md", ic4_page(reworded)))
    confirm(editor, ImportBatch.objects.get())
    draft = Framework.objects.drafts().get()
    assert sorted(draft.levels.values_list("code", flat=True)) == ["IC3", "IC4"]


def test_a_new_framework_gets_its_first_draft(editor):
    upload(editor, md("ic4.md", ic4_page()), framework=NEW_FRAMEWORK, new_framework="Data Ladder")
    html = page_text(editor.get(ImportBatch.objects.get().get_absolute_url()))
    assert "A new framework: its first draft would be started." in html
    confirm(editor, ImportBatch.objects.get())
    draft = Framework.objects.get(name="Data Ladder")
    assert (draft.version, draft.is_draft, draft.levels.count()) == (1, True, 1)


def test_confirming_twice_writes_once_and_says_already_imported(editor, ic4_published):
    upload(editor, md("ic4.md", ic4_page(reworded)))
    batch = ImportBatch.objects.get()
    digest = batch_digest(batch, editor)
    confirm(editor, batch, digest)
    levels = list(Level.objects.filter(framework__status="draft").values_list("pk", flat=True))

    second = confirm(editor, batch, digest)
    html = page_text(second)
    assert "Already imported" in html
    assert f'href="{Framework.objects.drafts().get().get_absolute_url()}"' in html
    assert list(Level.objects.filter(framework__status="draft").values_list("pk", flat=True)) == (
        levels
    )
    assert Framework.objects.count() == 2


def test_a_draft_changed_between_report_and_confirm_asks_again(editor, ic4_published):
    upload(editor, md("ic4.md", ic4_page(reworded)))
    batch = ImportBatch.objects.get()
    seen = batch_digest(batch, editor)
    # Someone else imports another wording of IC4 in the meantime.
    other = ic4_page(lambda text: text.replace("I do levers 1", "I pull levers 1"))
    import_levels(framework_name=DEFAULT, documents=[("other.md", parse_ladder(other, "o.md"))])

    response = confirm(editor, batch, seen)
    html = page_text(response)
    assert "The framework changed since you checked these files" in html
    assert "Confirm the import" in html
    assert "I pull levers 1 well at IC4" in draft_texts()
    assert "I do scope 1 very well at IC4" not in draft_texts()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.PENDING
    assert batch.digest != seen

    confirm(editor, batch)  # now with the digest of the report shown again
    assert "I do scope 1 very well at IC4" in draft_texts()
    assert "I do levers 1 well at IC4" in draft_texts()  # the page's own wording wins


def test_a_confirm_without_the_digest_writes_nothing(editor, ic4_published):
    upload(editor, md("ic4.md", ic4_page(reworded)))
    response = confirm(editor, ImportBatch.objects.get(), digest="")
    assert "The framework changed since you checked" in page_text(response)
    assert not Framework.objects.drafts().exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite takes one write lock for the whole database, so confirmations cannot overlap",
)
def test_two_confirmations_at_once_write_once(ic4_published, ladder_editor):
    clients = [Client(), Client()]
    for client in clients:
        client.force_login(ladder_editor)
    upload(clients[0], md("ic4.md", ic4_page(reworded)))
    batch = ImportBatch.objects.get()
    digest = batch_digest(batch, clients[0])
    start, pages = threading.Barrier(2), []

    def confirm_in_a_thread(client):
        start.wait(timeout=5)
        pages.append(page_text(confirm(client, batch, digest)))
        connection.close()

    threads = [threading.Thread(target=confirm_in_a_thread, args=[c]) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert Framework.objects.drafts().count() == 1
    assert Level.objects.filter(framework__status="draft").count() == 1
    assert sum("Already imported" in page for page in pages) == 1


# ---------------------------------------------------------------- housekeeping


def test_pending_batches_older_than_a_day_go_at_the_next_upload(editor, ladder_editor):
    old = ImportBatch.objects.create(
        uploaded_by=ladder_editor,
        framework_name=DEFAULT,
        files=[],
        digest="x",
        created_at=timezone.now() - timezone.timedelta(hours=25),
    )
    recent = ImportBatch.objects.create(
        uploaded_by=ladder_editor, framework_name=DEFAULT, files=[], digest="x"
    )
    upload(editor, md("ic4.md", ic4_page()))
    remaining = set(ImportBatch.objects.values_list("pk", flat=True))
    assert old.pk not in remaining
    assert recent.pk in remaining
    assert len(remaining) == 2


def test_the_report_page_runs_a_bounded_number_of_queries(
    editor, ic4_published, django_assert_max_num_queries
):
    upload(editor, md("ic4.md", ic4_page(reworded)), md(SEED_PATH.name, SEED_PATH.read_bytes()))
    batch = ImportBatch.objects.get()
    with django_assert_max_num_queries(14):
        assert editor.get(batch.get_absolute_url()).status_code == 200


def test_show_all_includes_unchanged_behaviours_in_the_comparison(editor, ic4_published):
    upload(editor, md("ic4.md", ic4_page(reworded)))
    url = ImportBatch.objects.get().get_absolute_url()
    assert 'class="change change-same"' not in editor.get(url).content.decode()
    assert 'class="change change-same"' in editor.get(url + "?show=all").content.decode()


def test_work_on_an_unfinished_draft_level_makes_the_plan_stale(editor, ic4_published):
    # An unfinished level has no document to compare, so only the draft's rows can
    # show that a colleague wrote in it between the dry run and the confirmation.
    from ladder import editing
    from ladder.services import new_draft_from

    draft = new_draft_from(ic4_published)
    talent = Area.objects.get(level__framework=draft, key="talent")
    editing.add_responsibility(area=talent, name="Hiring")  # no behaviours: unfinished
    upload(editor, md("ic4.md", ic4_page(reworded)))
    batch = ImportBatch.objects.get()
    seen = batch_digest(batch, editor)
    assert "It replaces an unfinished level of the draft." in page_text(
        editor.get(batch.get_absolute_url())
    )
    culture = Area.objects.get(level__framework=draft, key="culture")
    editing.add_responsibility(
        area=culture, name="Inclusion", behaviours=(("I run our inclusion programme", ""),)
    )
    html = page_text(confirm(editor, batch, seen))
    assert "The framework changed since you checked these files" in html
    assert Responsibility.objects.filter(area=culture, name="Inclusion").exists()


def test_a_report_comparing_several_levels_has_no_repeated_ids(editor):
    import re

    import_levels(
        framework_name=DEFAULT,
        documents=[
            ("ic4.md", level_doc("IC4", "Senior Machine Learning Engineer")),
            ("ic5.md", level_doc("IC5", "Staff Machine Learning Engineer")),
        ],
        publish_version=True,
    )
    ic5 = render_ladder(level_doc("IC5", "Staff Machine Learning Engineer"))
    ic5 = ic5.replace("- I do scope 1 well at IC5", "- I do scope 1 very well at IC5")
    html = page_text(upload(editor, md("ic4.md", ic4_page(reworded)), md("ic5.md", ic5)))
    assert html.count("behaviour by behaviour") == 2
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))


def test_a_companys_own_ladder_imports_in_the_browser_as_a_new_framework(editor):
    """Quarry: one CSV file of three tracks, with groups, sub-groups and examples, and
    its seven-step scale."""
    quarry = Path(__file__).parent / "frameworks" / "quarry"
    response = upload(
        editor,
        SimpleUploadedFile("ladder.csv", (quarry / "ladder.csv").read_bytes()),
        SimpleUploadedFile("scale.yaml", (quarry / "scale.yaml").read_bytes()),
        framework=NEW_FRAMEWORK,
        new_framework="Quarry Engineering",
    )
    html = page_text(response)
    assert response.status_code == 200
    assert "S3 Senior Security Engineer" in html
    assert '<span class="tag tag-added">new level</span>' in html
    assert "The new scale" in html
    assert "7 · Role model" in html
    response = confirm(editor, ImportBatch.objects.get())
    assert response.status_code == 200
    scale = Framework.objects.get(name="Quarry Engineering").scale
    assert [step.label for step in scale.steps][-2:] == ["Beyond level", "Role model"]
    assert scale.outcomes[-1].label == "Ready for promotion"
    reliability = Area.objects.get(level__code="S2", name="Reliability")
    assert reliability.group.name == "Engineering"
    assert list(reliability.responsibilities.values_list("name", flat=True)) == [
        "Monitoring",
        "Incident Response",
    ]
    automate = Behaviour.objects.get(key="automate-twice")
    assert automate.examples == [
        "e.g. rotating certificates on the edge proxies",
        "e.g. adding a node to the database cluster",
    ]
    assert "<dt>Groups</dt><dd>2</dd>" in html
    assert "<dt>Sub-groups</dt><dd>2</dd>" in html

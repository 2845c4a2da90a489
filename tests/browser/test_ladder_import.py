"""Importing ladder pages in a real Chromium: upload, read the dry run, confirm, find the draft."""

import re

import pytest
from django.conf import settings
from playwright.sync_api import expect

from ladder.formats.markdown import render_ladder
from ladder.models import Framework, ImportBatch
from ladder.services import import_levels
from tests.conftest import SEED_PATH
from tests.factories import PASSWORD, level_doc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Senior Machine Learning Engineer"


@pytest.fixture
def ic4_published(db):
    import_levels(
        framework_name=settings.LADDER_DEFAULT_FRAMEWORK,
        documents=[("ic4.md", level_doc("IC4", TITLE))],
        publish_version=True,
    )


@pytest.fixture
def second_page(tmp_path):
    """IC4 with one behaviour reworded."""
    text = render_ladder(level_doc("IC4", TITLE)).replace(
        "- I do scope 1 well at IC4", "- I do scope 1 very well at IC4"
    )
    path = tmp_path / "ic4-senior.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_an_admin_imports_the_seed_and_a_second_page_and_finds_them_in_the_draft(
    page, live_server, sign_in, admin_user, ic4_published, second_page
):
    sign_in(page, admin_user, PASSWORD)
    page.goto(f"{live_server.url}/admin/ladder/framework/")
    page.get_by_role("link", name="Import pages").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import ladder pages")
    expect(page.get_by_label("Framework", exact=True)).to_have_value(
        settings.LADDER_DEFAULT_FRAMEWORK
    )

    page.get_by_label("Ladder files").set_input_files([SEED_PATH, second_page])
    page.get_by_role("button", name="Check the files").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    expect(page).to_have_url(re.compile(r"/ladder/import/\d+/$"))
    seed_file = page.locator("section.import-file", has_text=SEED_PATH.name)
    expect(
        seed_file.get_by_role("heading", name="IC5 Staff Machine Learning Engineer")
    ).to_be_visible()
    expect(seed_file.locator("dt:text-is('Behaviours') + dd")).to_have_text("58")
    comparison = page.locator("section.import-comparison")
    expect(comparison.get_by_role("heading", level=2).first).to_have_text(
        f"IC4 {TITLE}: behaviour by behaviour"
    )
    expect(comparison.locator(".change-changed ins")).to_have_text("very ")
    assert not Framework.objects.drafts().exists()

    page.get_by_role("button", name="Import into the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pages imported")
    page.get_by_role("link", name=re.compile(r"Open .* v2 \(draft\)")).click()
    expect(page.get_by_role("link", name="IC5 Staff Machine Learning Engineer")).to_be_visible()
    expect(page.get_by_role("link", name=f"IC4 {TITLE}")).to_be_visible()
    draft = Framework.objects.drafts().get()
    assert sorted(draft.levels.values_list("code", flat=True)) == ["IC4", "IC5"]


def test_the_form_works_without_javascript(
    browser, live_server, sign_in, admin_user, ic4_published, second_page
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, admin_user, PASSWORD)
    page.goto(f"{live_server.url}/ladder/import/")
    page.get_by_label("Ladder files").set_input_files([second_page])
    page.get_by_role("button", name="Check the files").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the import")
    page.get_by_role("button", name="Import into the draft").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pages imported")
    assert ImportBatch.objects.get().status == ImportBatch.Status.APPLIED
    context.close()


def test_a_large_upload_shows_its_progress(page, live_server, sign_in, admin_user):
    sign_in(page, admin_user, PASSWORD)
    page.goto(f"{live_server.url}/ladder/import/")
    # Slow the upload down so that the bar is seen moving: about four seconds.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 400_000},
    )
    big = {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" * 400_000}
    page.get_by_label("Ladder files").set_input_files([big])
    page.get_by_role("button", name="Check the files").click()

    progress = page.locator("progress#upload-progress")
    expect(progress).to_be_visible()
    # Part way: the bar follows the upload, not just its start and end.
    page.wait_for_function(
        "() => { const v = document.querySelector('#upload-progress').value;"
        " return v > 0 && v < 100; }"
    )
    expect(page.get_by_role("button", name="Check the files")).to_be_disabled()
    expect(page.get_by_role("alert")).to_contain_text(
        "scan.pdf:1: unknown kind of file '.pdf'", timeout=20_000
    )
    assert not ImportBatch.objects.exists()


def test_a_file_past_the_size_limit_is_refused_before_it_is_sent(
    page, live_server, sign_in, admin_user
):
    sign_in(page, admin_user, PASSWORD)
    page.goto(f"{live_server.url}/ladder/import/")
    requests = []
    page.on("request", lambda request: requests.append(request.method))
    huge = {"name": "huge.md", "mimeType": "text/markdown", "buffer": b"x" * 2_000_001}
    page.get_by_label("Ladder files").set_input_files([huge])
    page.get_by_role("button", name="Check the files").click()
    expect(page.get_by_role("status")).to_have_text(
        "Larger than 2.0 MB, so not ladder pages: huge.md."
    )
    assert "POST" not in requests

"""The engineer's assessment in a real Chromium: autosave, reload, conflicts, failures, submit."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Assessment, Rating
from assessments.services import start_assessment
from tests.assessments.conftest import make_cycle
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft(ic5, engineer, peer):
    engineer.track = ic5.track
    engineer.save(update_fields=["track"])
    return start_assessment(cycle=make_cycle(ic5.framework), engineer=engineer)


def rows(page):
    return page.locator(".rating-form")


def saved(form):
    expect(form.locator(".save-state")).to_have_text(re.compile(r"^Saved"), timeout=10_000)


def test_engineer_rates_everything_reloads_and_submits_and_the_manager_sees_it(
    page, live_server, sign_in, engineer, manager, ic5
):
    engineer.track = ic5.track
    engineer.save(update_fields=["track"])
    make_cycle(ic5.framework)
    sign_in(page, engineer, PASSWORD)
    page.get_by_role("button", name="Start your IC5 self-assessment").click()
    expect(page.get_by_role("heading", name="Your self-assessment")).to_be_visible()
    forms = rows(page)
    expect(forms).to_have_count(58)
    for index in range(58):
        forms.nth(index).get_by_text("Consistently", exact=True).click()
    # Evidence after the answers: a saved evidence's preview grows its row, and a click
    # aimed at a row below while that happens can land on the row above instead.
    for index in range(3):
        forms.nth(index).get_by_label("Evidence", exact=True).fill(
            f"Evidence {index}: [design doc](https://docs.example/{index})"
        )
    expect(page.locator("#progress-summary")).to_contain_text("58 of 58", timeout=20_000)
    for index in range(3):
        saved(forms.nth(index))

    page.reload()
    expect(page.locator("input[name=score]:checked")).to_have_count(58)
    expect(forms.nth(1).get_by_label("Evidence", exact=True)).to_have_value(
        "Evidence 1: [design doc](https://docs.example/1)"
    )
    expect(
        page.locator("#preview-" + forms.nth(1).get_attribute("data-behaviour")).get_by_role("link")
    ).to_have_text("design doc")

    page.get_by_role("button", name="Submit self-assessment").click()
    expect(page.get_by_text(re.compile(r"^Submitted\. .+ has been told"))).to_be_visible()
    expect(page.locator(".rating-form")).to_have_count(0)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, manager, PASSWORD)
    reports = page.get_by_role("table")
    expect(reports.get_by_role("row", name=re.compile(str(engineer)))).to_contain_text("Submitted")
    reports.get_by_role("link", name=str(engineer)).click()
    expect(page.get_by_role("link", name="design doc").first).to_be_visible()


def test_two_tabs_editing_one_behaviour_get_the_conflict_view(
    page, context, live_server, sign_in, engineer, draft
):
    sign_in(page, engineer, PASSWORD)
    url = f"{live_server.url}{draft.get_absolute_url()}"
    page.goto(url)
    other = context.new_page()
    other.goto(url)

    mine, theirs = rows(page).first, rows(other).first
    theirs.get_by_label("Evidence", exact=True).fill("Written in the other tab")
    saved(theirs)
    mine.get_by_label("Evidence", exact=True).fill("Written in this tab")

    conflict = page.locator(".conflict")
    expect(conflict).to_be_visible(timeout=10_000)
    expect(conflict).to_contain_text("Written in the other tab")
    expect(mine.get_by_label("Evidence", exact=True)).to_have_value("Written in this tab")
    rating = Rating.objects.get(assessment=draft, version=1)
    assert rating.evidence == "Written in the other tab"

    conflict.get_by_role("button", name="Keep my version").click()
    saved(mine)
    rating.refresh_from_db()
    assert (rating.evidence, rating.version) == ("Written in this tab", 2)


def test_choosing_the_saved_version_replaces_the_text_in_the_page(
    page, context, live_server, sign_in, engineer, draft
):
    sign_in(page, engineer, PASSWORD)
    url = f"{live_server.url}{draft.get_absolute_url()}"
    page.goto(url)
    other = context.new_page()
    other.goto(url)
    rows(other).first.get_by_label("Evidence", exact=True).fill("Theirs")
    saved(rows(other).first)
    rows(page).first.get_by_label("Evidence", exact=True).fill("Mine")
    page.locator(".conflict").get_by_role("link", name="Use the saved version").click()
    expect(rows(page).first.get_by_label("Evidence", exact=True)).to_have_value("Theirs")
    rows(page).first.get_by_label("Evidence", exact=True).fill("Theirs, extended")
    saved(rows(page).first)
    assert Rating.objects.get(assessment=draft, version=2).evidence == "Theirs, extended"


def test_a_lost_connection_keeps_the_text_and_retries(page, live_server, sign_in, engineer, draft):
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    page.route("**/behaviours/**", lambda route: route.abort())
    form = rows(page).first
    form.get_by_label("Evidence", exact=True).fill("Typed while offline")
    expect(form.locator(".save-state")).to_contain_text("no connection", timeout=10_000)
    page.unroute("**/behaviours/**")
    saved(form)
    assert Rating.objects.filter(assessment=draft, evidence="Typed while offline").exists()


def test_a_failed_progress_refresh_is_asked_again(page, live_server, sign_in, engineer, draft):
    # The panel refreshes once answers stop changing; if that one refresh fails (a
    # 503 while the database restarts), no later answer would ask again.
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    refreshes = []

    def fail_the_first(route):
        refreshes.append(route.request.url)
        if len(refreshes) == 1:
            route.fulfill(status=503, body="The database is restarting; trying again.")
        else:
            route.continue_()

    page.route("**/progress/", fail_the_first)
    summary = page.locator("#progress-summary")
    expect(summary).to_contain_text("0 of 58")
    rows(page).first.get_by_text("Consistently", exact=True).click()
    saved(rows(page).first)
    expect(summary).to_contain_text("1 of 58", timeout=10_000)
    assert len(refreshes) >= 2
    assert Rating.objects.filter(assessment=draft, score__isnull=False).count() == 1


def test_unsaved_text_comes_back_after_a_reload(page, live_server, sign_in, engineer, draft):
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    page.on("dialog", lambda dialog: dialog.accept())
    page.route("**/behaviours/**", lambda route: route.abort())
    form = rows(page).first
    form.get_by_label("Evidence", exact=True).fill("Not saved before the reload")
    expect(form.locator(".save-state")).to_contain_text("no connection", timeout=10_000)
    page.unroute("**/behaviours/**")
    page.reload()
    expect(rows(page).first.get_by_label("Evidence", exact=True)).to_have_value(
        "Not saved before the reload"
    )
    saved(rows(page).first)
    assert Rating.objects.filter(assessment=draft, evidence="Not saved before the reload").exists()


def test_an_ended_session_keeps_the_text_and_saves_after_signing_in_again(
    page, context, live_server, sign_in, engineer, draft
):
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    context.clear_cookies(name="sessionid")
    form = rows(page).first
    form.get_by_label("Evidence", exact=True).fill("Typed after the session ended")
    expect(form.locator(".save-state")).to_contain_text("signed out", timeout=10_000)
    sign_in(context.new_page(), engineer, PASSWORD)
    saved(form)
    assert Rating.objects.filter(
        assessment=draft, evidence="Typed after the session ended"
    ).exists()
    assert Assessment.objects.get(pk=draft.pk).is_draft


def test_text_typed_just_before_submitting_is_saved_first(
    page, live_server, sign_in, engineer, draft
):
    Rating.objects.filter(assessment=draft).update(score=3)
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    # Hold the save back a moment, so the submit click comes while it is pending.
    page.route("**/behaviours/**", lambda route: (page.wait_for_timeout(800), route.continue_()))
    rows(page).first.get_by_label("Evidence", exact=True).fill("Typed at the last second")
    page.get_by_role("button", name="Submit self-assessment").click()
    expect(page.get_by_text(re.compile(r"^Submitted\. .+ has been told"))).to_be_visible(
        timeout=15_000
    )
    assert Rating.objects.filter(assessment=draft, evidence="Typed at the last second").exists()
    assert Assessment.objects.get(pk=draft.pk).status == Assessment.Status.SUBMITTED


def test_a_row_that_cannot_be_saved_holds_the_submit_back(
    page, live_server, sign_in, engineer, draft
):
    Rating.objects.filter(assessment=draft).update(score=3)
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    page.route("**/behaviours/**", lambda route: route.abort())
    rows(page).first.get_by_label("Evidence", exact=True).fill("Cannot reach the server")
    expect(rows(page).first.locator(".save-state")).to_contain_text("no connection", timeout=10_000)
    page.get_by_role("button", name="Submit self-assessment").click()
    expect(page.locator("#submit-status")).to_contain_text("not saved yet", timeout=20_000)
    assert Assessment.objects.get(pk=draft.pk).is_draft


def test_the_preview_is_rendered_when_the_person_leaves_the_row(
    page, live_server, sign_in, engineer, draft
):
    """Saves while typing keep the text (as plain paragraphs, no Markdown parsed); leaving
    the row saves once more, which renders it, and the preview shows it formatted."""
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    form = rows(page).first
    rating = Rating.objects.get(pk=form.get_attribute("data-rating"))
    preview = page.locator(f"#preview-{rating.behaviour_id}")
    box = form.get_by_label("Evidence", exact=True)
    box.fill("Shipped **the feature store**")
    saved(form)
    rating.refresh_from_db()
    assert (rating.evidence, rating.evidence_plain) == ("Shipped **the feature store**", True)
    expect(preview).to_be_empty()  # the preview waits for the person to leave the row
    box.press("Tab")
    expect(preview.locator("strong")).to_have_text("the feature store")
    rating.refresh_from_db()
    assert rating.evidence_plain is False
    assert "<strong>the feature store</strong>" in rating.evidence_html

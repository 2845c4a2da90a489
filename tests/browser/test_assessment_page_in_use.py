"""The assessment page as people use it under a deadline: phone, print, keyboard, screen reader."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Rating
from assessments.services import start_assessment
from tests.assessments.conftest import make_cycle
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def draft(ic5, engineer):
    engineer.track = ic5.track
    engineer.save(update_fields=["track"])
    return start_assessment(cycle=make_cycle(ic5.framework), engineer=engineer)


@pytest.fixture
def open_draft(page, live_server, sign_in, engineer, draft):
    def _open(viewport=None):
        if viewport:
            page.set_viewport_size(viewport)
        sign_in(page, engineer, PASSWORD)
        page.goto(f"{live_server.url}{draft.get_absolute_url()}")
        return page.locator(".rating-form")

    return _open


def in_order(draft):
    return list(
        Rating.objects.filter(assessment=draft)
        .order_by("behaviour__area__order", "behaviour__order")
        .values_list("behaviour_id", flat=True)
    )


def test_submitting_too_early_says_so_beside_the_button_and_leads_to_what_is_left(
    page, open_draft, draft
):
    order = in_order(draft)
    Rating.objects.filter(assessment=draft).exclude(behaviour_id__in=order[3:5]).update(score=3)
    open_draft()
    page.get_by_role("button", name="Submit self-assessment").click()
    status = page.locator("#submit-status")
    expect(status).to_have_text("Not submitted: every behaviour needs an answer first.")
    note = page.locator("#submit-remaining .remaining")
    expect(note).to_contain_text("2 behaviours still need an answer")
    expect(note).to_have_class(re.compile("failed"))
    # The person is at the button: what they need is right there, with the way to it.
    assert status.is_visible()
    assert note.is_visible()
    note.get_by_role("link", name="Go to the first one").click()
    first = page.locator(f"#b-{order[3]}")
    expect(first.locator("input[name=score]").first).to_be_focused()
    expect(first).to_be_in_viewport()
    # Answer it, then step on to the next one left.
    first.get_by_text("Sometimes", exact=True).click()
    page.get_by_role("link", name="Next unanswered").click()
    expect(page.locator(f"#b-{order[4]} input[name=score]").first).to_be_focused()
    assert draft.ratings.filter(score__isnull=True).count() >= 1
    draft.refresh_from_db()
    assert draft.is_draft


def test_on_a_phone_the_form_starts_on_the_first_screen_and_progress_stays_in_view(
    page, open_draft
):
    forms = open_draft(PHONE)
    first_row = forms.first.bounding_box()
    assert first_row["y"] < PHONE["height"], "the first behaviour is below the fold"
    chart = page.locator(".chart")
    expect(chart).to_be_hidden()  # folded behind "Progress by area"
    page.mouse.wheel(0, 4000)
    bar = page.locator(".progress-panel")
    expect(bar).to_be_in_viewport()
    assert bar.bounding_box()["y"] <= 1
    assert bar.bounding_box()["height"] < 140
    forms.nth(20).get_by_text("Consistently", exact=True).click()
    expect(page.locator("#progress-summary")).to_contain_text("1 of 58", timeout=10_000)
    page.get_by_text("Progress by area").click()
    expect(chart).to_be_visible()
    forms.nth(21).get_by_text("Consistently", exact=True).click()
    expect(page.locator("#progress-summary")).to_contain_text("2 of 58", timeout=10_000)
    expect(chart).to_be_visible()  # the refresh keeps the disclosure open
    # Opened, the panel is read where it is and scrolls away, not pinned over the rows.
    page.mouse.wheel(0, 3000)
    box = bar.bounding_box()
    assert box["y"] + box["height"] <= 1 or box["height"] < PHONE["height"] * 0.3


def test_the_home_page_fits_a_phone_for_a_manager_with_reports(
    page, live_server, sign_in, manager, engineer, draft
):
    """The reports table of a manager's home is as wide as a phone, not wider."""
    engineer.manager = manager
    engineer.first_name, engineer.last_name = "Maximiliana", "Vandersteen-Okonkwo"
    engineer.save(update_fields=["manager", "first_name", "last_name"])
    page.set_viewport_size(PHONE)
    sign_in(page, manager, PASSWORD)
    expect(page.get_by_role("heading", name="Your reports")).to_be_visible()
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0


def test_the_printed_assessment_shows_each_answer_clearly_and_evidence_once(
    page, open_draft, draft
):
    Rating.objects.filter(assessment=draft).update(score=3)
    first = in_order(draft)[0]
    rating = Rating.objects.get(assessment=draft, behaviour_id=first)
    from assessments.services import save_rating

    save_rating(rating=rating, score=4, evidence="Shipped **the feature store**", base_version=0)
    forms = open_draft({"width": 1280, "height": 900})
    page.emulate_media(media="print")
    row = page.locator(f"#b-{first}")
    expect(row.get_by_label("Evidence", exact=True)).to_be_hidden()
    expect(row.locator(".evidence-preview")).to_have_text("Shipped the feature store")
    expect(row.locator(".score-option", has_text="Beyond this level")).to_be_visible()
    expect(row.locator(".score-option", has_text="Consistently")).to_be_hidden()
    expect(page.locator(".chart")).to_be_hidden()
    expect(page.get_by_role("button", name="Submit self-assessment")).to_be_hidden()
    expect(forms).to_have_count(58)
    pdf = page.pdf(format="A4")
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 1 <= pages <= 6, f"{pages} A4 pages for 58 behaviours"


def test_each_save_is_announced_once(page, open_draft):
    forms = open_draft()
    assert page.locator(".rating [aria-live], .rating [role=status]").count() == 0
    page.evaluate(
        """() => {
            window.announced = [];
            const region = document.getElementById("save-announcer");
            new MutationObserver(() => window.announced.push(region.textContent))
                .observe(region, {childList: true, characterData: true, subtree: true});
        }"""
    )
    forms.first.get_by_text("Sometimes", exact=True).click()
    expect(forms.first.locator(".save-state")).to_have_text(re.compile("^Saved"))
    forms.nth(1).get_by_label("Evidence", exact=True).fill("Led the migration")
    expect(forms.nth(1).locator(".save-state")).to_have_text(re.compile("^Saved"))
    page.wait_for_timeout(300)
    announced = page.evaluate("window.announced")
    assert len(announced) == 2, announced
    assert all(text.startswith("Saved: ") for text in announced)


def test_rows_hide_their_save_button_while_autosave_runs(page, open_draft):
    forms = open_draft()
    expect(forms.first.get_by_role("button", name="Save")).to_be_hidden()


def test_without_javascript_each_row_saves_with_its_button(browser, live_server, engineer, draft):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(engineer.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    form = page.locator(".rating-form").first
    form.get_by_text("Sometimes", exact=True).click()
    form.get_by_label("Evidence", exact=True).fill("Saved without script")
    form.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved.", exact=True)).to_be_visible()
    assert Rating.objects.filter(assessment=draft, evidence="Saved without script").exists()
    context.close()


def test_the_answers_fit_one_line_on_a_laptop_and_explain_themselves_on_touch(page, open_draft):
    forms = open_draft({"width": 1440, "height": 900})
    tops = forms.first.locator(".score-option").evaluate_all(
        "labels => labels.map(l => Math.round(l.getBoundingClientRect().top))"
    )
    assert len(tops) == 5
    assert len(set(tops)) == 1, tops
    assert forms.first.locator(".score-option[title]").count() == 0
    meanings = forms.first.locator(".answer-meaning span")
    assert meanings.evaluate_all("spans => spans.filter(s => s.offsetParent).length") == 0
    forms.first.get_by_text("Not yet", exact=True).click()
    shown = meanings.evaluate_all(
        "spans => spans.filter(s => s.offsetParent).map(s => s.textContent)"
    )
    assert shown == ["I haven't shown this yet."]


def test_signing_out_forgets_unsaved_copies_kept_in_this_browser(page, open_draft, live_server):
    open_draft()
    page.evaluate("localStorage.setItem('ladder:rating:1', '{\"evidence\": \"private\"}')")
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert page.evaluate("localStorage.getItem('ladder:rating:1')") is None

"""Reading the IC5 ladder in a real Chromium: sign in, navigate, phone width, print."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_engineer_signs_in_and_reads_the_ic5_ladder(page, live_server, sign_in, engineer, ic5):
    page.goto(f"{live_server.url}{ic5.get_absolute_url()}")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Career framework").click()
    page.get_by_role("link", name="IC5 Staff Machine Learning Engineer").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("IC5 Staff Machine Learning Engineer")
    expect(page.locator("li[id^=b-]")).to_have_count(58)
    for area in ["Scope", "Collaborative Reach", "Impact Levers", "Results", "Craft"]:
        expect(page.get_by_role("heading", name=area, exact=True)).to_be_visible()

    page.get_by_role("navigation", name="Areas on this page").get_by_role(
        "link", name="Craft"
    ).click()
    expect(page).to_have_url(f"{live_server.url}{ic5.get_absolute_url()}#craft")
    expect(page.get_by_role("heading", name="Craft", exact=True)).to_be_in_viewport()


def test_skip_link_is_the_first_stop_for_the_keyboard(page, live_server, sign_in, engineer, ic5):
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{ic5.get_absolute_url()}")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()


def test_level_page_fits_a_phone_without_sideways_scrolling(
    page, live_server, sign_in, engineer, ic5
):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{ic5.get_absolute_url()}")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_printing_leaves_out_navigation_and_keeps_the_rubric(
    page, live_server, sign_in, engineer, ic5
):
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{ic5.get_absolute_url()}")
    page.emulate_media(media="print")
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Sign out")).to_be_hidden()
    expect(
        page.get_by_text("I deliver multi-year, multi-team product or platform goals")
    ).to_be_visible()
    expect(page.locator("footer.print-only")).to_be_visible()

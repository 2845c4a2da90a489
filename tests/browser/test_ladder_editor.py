"""A ladder editor edits a draft level in place in a real Chromium, then publishes it."""

import re

import pytest
from playwright.sync_api import expect

from ladder.models import Behaviour, Framework, Level
from ladder.services import new_draft_from
from tests.factories import PASSWORD, level_doc, make_framework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft_level(db) -> Level:
    draft = new_draft_from(make_framework(level_doc("IC4")))
    return draft.levels.select_related("framework", "track").get()


def scope_texts(level: Level) -> list[str]:
    rows = Behaviour.objects.filter(area__level=level, area__key="scope").order_by("order")
    return list(rows.values_list("text", flat=True))


def shown_texts(area) -> list[str]:
    return [box.input_value() for box in area.locator(".behaviour-item textarea").all()]


def saved(item):
    expect(item.locator(".save-state")).to_have_text(re.compile(r"^Saved"), timeout=10_000)


def test_ladder_editor_edits_a_level_in_place_and_publishes_it_after_reading_the_changes(
    page, context, live_server, sign_in, ladder_editor, draft_level
):
    _first, second_text = scope_texts(draft_level)
    sign_in(page, ladder_editor, PASSWORD)
    page.goto(f"{live_server.url}{draft_level.get_absolute_url()}")
    page.get_by_role("link", name="Edit in place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Editing IC4 Machine Learning Engineer"
    )
    scope = page.locator("#scope")

    # Typing saves, and a reload shows it.
    first = scope.locator(".behaviour-item").first
    box = first.get_by_role("textbox", name="Behaviour in Scope")
    box.fill("")
    box.press_sequentially("I own the whole scope")
    saved(first)
    page.reload()
    expect(scope.locator(".behaviour-item textarea").first).to_have_value("I own the whole scope")
    assert scope_texts(draft_level)[0] == "I own the whole scope"

    # Add one.
    scope.get_by_label("New behaviour in Scope").fill("I add a third behaviour")
    scope.get_by_role("button", name="Add behaviour").click()
    expect(scope.locator(".behaviour-item")).to_have_count(3)
    expect(scope.get_by_label("New behaviour in Scope")).to_have_value("")

    # Move it up with the keyboard: the focus stays on the button that moved it.
    added = scope.locator(".behaviour-item").last.get_attribute("id")
    up = page.locator(f"#{added}").get_by_role("button", name="Move up")
    up.focus()
    page.keyboard.press("Enter")
    expected = ["I own the whole scope", "I add a third behaviour", second_text]
    expect(scope.locator(".behaviour-item textarea").nth(1)).to_have_value(expected[1])
    expect(up).to_be_focused()
    assert shown_texts(scope) == expected
    assert scope_texts(draft_level) == expected

    # Drag the first one below the last.
    items = scope.locator(".behaviour-item")
    last_box = items.nth(2).bounding_box()
    items.nth(0).locator(".drag-handle").drag_to(
        items.nth(2), target_position={"x": 40, "y": last_box["height"] - 4}
    )
    expected = ["I add a third behaviour", second_text, "I own the whole scope"]
    expect(scope.locator(".behaviour-item textarea").nth(2)).to_have_value(expected[2])
    assert scope_texts(draft_level) == expected

    # Delete one, after confirming; its words stay on the page to add it back.
    doomed = scope.locator(".behaviour-item").nth(1)
    doomed.get_by_text("Delete…").click()
    doomed.get_by_role("button", name="Delete this behaviour").click()
    expect(scope.locator(".deleted-notice")).to_contain_text(second_text)
    expect(scope.get_by_role("button", name="Add it back")).to_be_visible()
    expect(scope.locator(".behaviour-item")).to_have_count(2)
    assert scope_texts(draft_level) == ["I add a third behaviour", "I own the whole scope"]

    # The preview is the draft's real level page.
    with context.expect_page() as opened:
        page.get_by_role("link", name=re.compile("Preview the level page")).click()
    preview = opened.value
    expect(preview.get_by_text("I own the whole scope")).to_be_visible()
    expect(preview.get_by_text(second_text)).to_have_count(0)
    preview.close()

    # Publish, after reading the comparison.
    page.get_by_role("link", name="Publish…", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Publish v2")
    expect(page.locator(".change-added")).to_contain_text("I add a third behaviour")
    expect(page.locator(".change-changed")).to_contain_text("whole scope")
    expect(page.locator(".change-removed")).to_contain_text(second_text)
    page.get_by_label("I understand a published version can’t be changed").check()
    page.get_by_role("button", name="Publish v2").click()
    draft = draft_level.framework
    expect(page).to_have_url(f"{live_server.url}{draft.get_absolute_url()}")
    expect(page.get_by_text("Published Test Framework v2.")).to_be_visible()
    assert Framework.objects.get(pk=draft.pk).is_published


def test_two_tabs_editing_one_behaviour_choose_whose_words_to_keep(
    page, context, live_server, sign_in, ladder_editor, draft_level
):
    sign_in(page, ladder_editor, PASSWORD)
    url = f"{live_server.url}{draft_level.get_absolute_url()}edit/"
    page.goto(url)
    other = context.new_page()
    other.goto(url)
    mine = page.locator("#scope .behaviour-item").first
    theirs = other.locator("#scope .behaviour-item").first
    theirs.locator("textarea").fill("Their words")
    saved(theirs)
    mine.locator("textarea").fill("My words")
    conflict = mine.locator(".conflict")
    expect(conflict).to_contain_text("Their words")
    expect(mine.locator(".save-state")).to_have_text("Not saved: someone else changed this")
    expect(mine.locator("textarea")).to_have_value("My words")
    conflict.get_by_role("button", name="Keep mine").click()
    saved(mine)
    assert scope_texts(draft_level)[0] == "My words"

    # The other tab is now behind; it takes the saved words instead of its own.
    theirs.locator("textarea").fill("Their second thoughts")
    theirs.locator(".conflict").get_by_role("button", name="Take theirs").click()
    expect(theirs.locator("textarea")).to_have_value("My words")
    expect(theirs.locator(".save-state")).to_have_text("Using their version")
    theirs.locator("textarea").press_sequentially(", and theirs")
    saved(theirs)
    assert scope_texts(draft_level)[0] == "My words, and theirs"


def test_text_typed_without_a_connection_is_kept_and_saved_when_it_returns(
    page, context, live_server, sign_in, ladder_editor, draft_level
):
    sign_in(page, ladder_editor, PASSWORD)
    page.goto(f"{live_server.url}{draft_level.get_absolute_url()}edit/")
    item = page.locator("#scope .behaviour-item").first
    context.set_offline(True)
    item.locator("textarea").fill("Typed on a train")
    expect(item.locator(".save-state")).to_contain_text("Not saved — retrying")
    context.set_offline(False)
    saved(item)
    assert scope_texts(draft_level)[0] == "Typed on a train"


def test_editor_fits_a_phone_without_sideways_scrolling(
    page, live_server, sign_in, ladder_editor, draft_level
):
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(page, ladder_editor, PASSWORD)
    page.goto(f"{live_server.url}{draft_level.get_absolute_url()}edit/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0


def test_unsaved_text_comes_back_after_a_reload_and_is_saved(
    page, live_server, sign_in, ladder_editor, draft_level
):
    sign_in(page, ladder_editor, PASSWORD)
    page.goto(f"{live_server.url}{draft_level.get_absolute_url()}edit/")
    page.on("dialog", lambda dialog: dialog.accept())  # "Leave with unsaved text?"
    page.route("**/edit/behaviour/**", lambda route: route.abort())
    item = page.locator("#scope .behaviour-item").first
    item.locator("textarea").fill("Kept by this browser")
    expect(item.locator(".save-state")).to_contain_text("Not saved — retrying")
    page.unroute("**/edit/behaviour/**")
    page.reload()
    item = page.locator("#scope .behaviour-item").first
    expect(item.locator("textarea")).to_have_value("Kept by this browser")
    saved(item)
    assert scope_texts(draft_level)[0] == "Kept by this browser"

"""A ladder editor shapes a company's draft in Chromium: its scale, then a level's areas
and groups, each a plain form that answers with the page and what happened."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from ladder.formats.files import read_framework
from ladder.models import AreaGroup
from ladder.services import import_levels
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HARBOR = Path(__file__).parent.parent / "ladder" / "frameworks" / "harbor"


@pytest.fixture
def draft():
    first = HARBOR / "h1-software-engineer.md"
    pages, scale = read_framework([(first.name, first.read_bytes())])
    return import_levels(framework_name="Harbor", documents=pages, scale=scale).framework


def test_an_editor_changes_the_scale_and_arranges_the_areas(
    page, live_server, sign_in, ladder_editor, draft
):
    sign_in(page, ladder_editor, PASSWORD)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    page.get_by_role("link", name="Edit the scale").click()
    page.get_by_label("Step 4: Label").fill("Role model")
    page.get_by_label("Step 5: Label").fill("Beyond")
    page.get_by_label("Step 5: Meaning").fill("Past what the next level asks.")
    page.get_by_role("button", name="Save the scale").click()
    expect(page.get_by_text("The scale is saved in the draft.")).to_be_visible()
    scale = page.locator("section.scale")
    expect(scale).to_contain_text("4 · Role model")
    expect(scale).to_contain_text("5 · Beyond")

    level = draft.levels.get()
    page.goto(f"{live_server.url}{level.get_absolute_url()}edit/")
    page.get_by_role("link", name="Areas and groups").click()
    page.get_by_label("Name", exact=True).fill("Mentoring")
    page.locator("#new-area-group").select_option(label="A new group, named below…")
    page.locator("#new-area-group-new").fill("People")
    page.get_by_role("button", name="Add the area").click()
    expect(page.get_by_text("Added “Mentoring”.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Group", exact=True)).to_have_value("People")

    collaboration = page.locator(".area-row", has_text="Collaboration")
    collaboration.get_by_text("Group or delete").click()
    collaboration.get_by_label("Group", exact=True).select_option(label="People")
    collaboration.get_by_role("button", name="Put it there").click()
    expect(page.get_by_text("“Collaboration” is now in “People”.")).to_be_visible()
    people = page.locator(".area-run", has=page.locator("input[value=People]"))
    expect(people.locator(".area-row-name strong")).to_have_text(["Mentoring", "Collaboration"])

    growth = page.locator(".area-row", has_text="Growth")
    growth.get_by_text("Group or delete").click()
    growth.get_by_role("button", name="Delete Growth").click()
    expect(page.get_by_role("alert").or_(page.locator(".message.error"))).to_contain_text(
        "tick “Also delete its behaviours”"
    )
    growth = page.locator(".area-row", has_text="Growth")
    growth.get_by_text("Group or delete").click()
    growth.get_by_label("Also delete its 4 behaviours").check()
    growth.get_by_role("button", name="Delete Growth").click()
    expect(page.get_by_text("Deleted “Growth” and its 4 behaviours.")).to_be_visible()
    expect(page.locator(".area-row", has_text="Growth")).to_have_count(0)
    assert list(AreaGroup.objects.filter(level=level).values_list("name", flat=True)) == ["People"]

    # The group goes, its two areas staying where they were.
    people = page.locator(".area-run", has=page.locator("input[value=People]"))
    people.get_by_text("Ungroup or delete the group").click()
    people.get_by_role("button", name="Take its 2 areas out of the group").click()
    expect(page.get_by_text("“People” is gone; its 2 areas stay where they were")).to_be_visible()
    assert not AreaGroup.objects.filter(level=level).exists()
    expect(page.get_by_role("textbox", name="Group", exact=True)).to_have_count(0)

"""The hostile notes in Chromium: every page that shows them opens without a single dialog.

Each note that tries to run script does so with alert(); a dialog handler counts any
that opens, on every page of tests/test_hostile_notes.py, as the person who reads it.
"""

import pytest

from tests.factories import PASSWORD
from tests.test_hostile_notes import NOTES, Site

pytestmark = [
    pytest.mark.browser,
    pytest.mark.engine_neutral,
    pytest.mark.django_db(transaction=True),
]


def test_no_page_showing_hostile_notes_opens_a_dialog(
    page, browser, live_server, sign_in, ic5, admin_user
):
    hostile = Site(ic5, "hostile", NOTES)
    hostile.admin = admin_user
    dialogs = []
    by_person = {}
    for name, (who, url) in hostile.pages(admin_user).items():
        by_person.setdefault(who, []).append((name, url))
    for who, pages in by_person.items():
        context = browser.new_context()
        tab = context.new_page()
        tab.on("dialog", lambda dialog, who=who: (dialogs.append(who), dialog.dismiss()))
        sign_in(tab, getattr(hostile, who), PASSWORD)
        for name, url in pages:
            response = tab.goto(live_server.url + url)
            assert response.status == 200, name
            # Hover and focus what the notes put on the page, where handlers would fire.
            for link in tab.locator(".evidence-preview a").all()[:20]:
                link.hover()
            tab.keyboard.press("Tab")
        context.close()
    assert dialogs == []

"""Publishing a draft from a page that shows every change and what blocks it."""

import re
from html import unescape

import pytest
from django.urls import reverse

from ladder import editing, publish_views
from ladder.models import Behaviour, Framework, Level, Responsibility
from ladder.services import create_levels, new_draft_from
from tests.factories import UserFactory, level_doc, make_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client, ladder_editor):
    client.force_login(ladder_editor)
    return client


@pytest.fixture
def published():
    """v1 with IC4 and IC5 of Machine Learning."""
    return make_framework(level_doc("IC4"), level_doc("IC5"))


@pytest.fixture
def draft(published) -> Framework:
    return new_draft_from(published)


def publish_url(framework: Framework) -> str:
    return reverse("ladder:publish", args=[framework.slug, framework.version])


def editor_url(level: Level) -> str:
    f = level.framework
    return reverse("ladder:edit-level", args=[f.slug, f.version, level.track.slug, level.code])


def page(client, framework, **query) -> str:
    response = client.get(publish_url(framework), query)
    assert response.status_code == 200
    return unescape(response.content.decode())


def digest_on(html: str) -> str:
    """The draft's digest the page's confirmation form sends."""
    return re.search(r'name="digest" value="([0-9a-f]{64})"', html).group(1)


def confirm(client, framework, *, read: str | None = None, **kwargs):
    """Tick the box and publish, from the page as read (`read`, else read now)."""
    digest = digest_on(read if read is not None else page(client, framework))
    return client.post(publish_url(framework), {"understood": "yes", "digest": digest}, **kwargs)


def test_publish_page_shows_each_levels_changes_against_the_previous_version(editor, draft):
    ic4 = draft.levels.get(code="IC4")
    reworded = Behaviour.objects.filter(area__level=ic4, area__key="scope").first()
    editing.save_behaviour(
        behaviour=reworded, text=reworded.text + " and more", key=reworded.key, base_version=1
    )
    scope = ic4.areas.get(key="scope")
    editing.add_behaviour(area=scope, text="I write a brand new behaviour")
    html = page(editor, draft)
    assert "What changes from" in html
    assert "<ins>I write a brand new behaviour</ins>" in html
    assert "<ins> and more</ins>" in html
    assert '<span class="tag tag-added">1 new</span>' in html
    assert '<span class="tag tag-changed">1 changed</span>' in html
    # IC5 is unchanged: listed, said so, and none of its behaviours shown.
    assert "IC5</span> Machine Learning Engineer" in html
    assert "Nothing in IC5 changed." in html
    assert "I do scope 1 well at IC5" not in html
    # The whole comparison, unchanged behaviours too, on request.
    assert "I do scope 1 well at IC5" in page(editor, draft, show="all")


def test_publish_page_lists_new_and_removed_levels(editor, draft, published):
    Level.objects.filter(framework=draft, code="IC5").delete()
    create_levels(framework=draft, documents=[level_doc("IC7", "Principal Engineer")])
    html = page(editor, draft)
    assert "IC7</span> Principal Engineer" in html
    assert "new level" in html
    assert "Levels no longer in this version" in html
    removed = published.levels.get(code="IC5")
    assert f'href="{removed.get_absolute_url()}">IC5 Machine Learning Engineer</a>' in html


def test_publish_page_says_when_only_the_order_changed(editor, draft):
    ic4 = draft.levels.get(code="IC4")
    second = Responsibility.objects.filter(area__level=ic4, area__key="craft").order_by("order")[1]
    editing.move_responsibility(responsibility=second, to=0)
    html = page(editor, draft)
    assert "Order changed in Craft." in html


def test_problems_block_publishing_and_link_to_where_they_are_fixed(editor, draft):
    ic4 = draft.levels.get(code="IC4")
    results = ic4.areas.get(key="results")
    empty = editing.add_responsibility(area=results, name="Ownership")
    html = page(editor, draft)
    assert "1 problem to fix before publishing" in html
    assert (
        f'href="{editor_url(ic4)}#r-{empty.pk}">IC4 Machine Learning: Results · Ownership' in html
    )
    assert 'name="understood" value="yes" id="understood" required disabled' in html
    assert 'class="button primary" disabled' in html
    response = confirm(editor, draft, read=html)
    assert response.status_code == 400
    assert "cannot be published yet" in unescape(response.content.decode())
    draft.refresh_from_db()
    assert draft.is_draft


def test_publishing_needs_the_confirmation_ticked(editor, draft):
    response = editor.post(publish_url(draft), {})
    assert response.status_code == 400
    assert "Tick the box" in unescape(response.content.decode())
    draft.refresh_from_db()
    assert draft.is_draft


def test_publishing_freezes_the_draft_and_opens_the_published_version(editor, draft):
    response = confirm(editor, draft, follow=True)
    draft.refresh_from_db()
    assert draft.is_published
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert f"Published {draft.name} v{draft.version}." in unescape(response.content.decode())


def test_a_second_confirmation_publishes_once_and_says_so(editor, draft):
    html = page(editor, draft)
    confirm(editor, draft, read=html)
    draft.refresh_from_db()
    first_published_at = draft.published_at
    response = confirm(editor, draft, read=html, follow=True)
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert "is already published" in unescape(response.content.decode())
    draft.refresh_from_db()
    assert draft.published_at == first_published_at
    assert Framework.objects.filter(slug=draft.slug).count() == 2


def test_a_first_version_publishes_with_every_level_new(editor):
    first = make_framework(level_doc("IC4"), name="Fresh", publish=False)
    html = page(editor, first)
    assert "No version of Fresh has been published yet" in html
    assert "new level" in html
    confirm(editor, first, read=html)
    first.refresh_from_db()
    assert first.is_published


@pytest.mark.parametrize(("persona", "status"), [("engineer", 404), ("staff", 404)])
def test_people_who_may_not_edit_the_ladder_dont_find_a_drafts_publish_page(
    client, draft, persona, status
):
    person = UserFactory(username=persona, is_staff=persona == "staff")
    client.force_login(person)
    assert client.get(publish_url(draft)).status_code == status
    assert client.post(publish_url(draft), {"understood": "yes"}).status_code == status
    draft.refresh_from_db()
    assert draft.is_draft


def test_anonymous_people_are_sent_to_sign_in(client, draft):
    response = client.post(publish_url(draft), {"understood": "yes"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_published_versions_publish_page_goes_to_the_version(client, editor, published, engineer):
    response = editor.get(publish_url(published))
    assert response.status_code == 302
    assert response["Location"] == published.get_absolute_url()
    client.force_login(engineer)
    assert client.get(publish_url(published)).status_code == 403


def test_publish_page_runs_a_bounded_number_of_queries(
    editor, draft, django_assert_max_num_queries
):
    editor.get(publish_url(draft))
    # session, user, framework, previous version, two levels' rubrics (4 each), the
    # editor's permissions, and the draft's digest (4, whatever its size)
    with django_assert_max_num_queries(18):
        editor.get(publish_url(draft))


# ---- publishing what was read, and only that


def test_a_change_made_after_the_page_was_read_is_not_published(editor, draft):
    html = page(editor, draft)
    assert "TOTALLY DIFFERENT" not in html
    b = Behaviour.objects.filter(area__level__framework=draft, area__key="scope").first()
    editing.save_behaviour(
        behaviour=b, text="TOTALLY DIFFERENT words", key=b.key, base_version=b.version
    )
    response = confirm(editor, draft, read=html)
    assert response.status_code == 409
    shown = unescape(response.content.decode())
    assert "The draft changed since you opened this page; review the comparison again." in shown
    # The page again, with the comparison as the draft now is and a digest to match.
    assert "<ins>TOTALLY" in shown
    assert digest_on(shown) != digest_on(html)
    draft.refresh_from_db()
    assert draft.is_draft
    # Having read it, the person can publish.
    assert confirm(editor, draft, read=shown).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published


@pytest.mark.parametrize(
    "change",
    ["add", "delete", "move", "move_responsibility", "rename", "level_title"],
)
def test_every_kind_of_change_makes_the_page_stale(editor, draft, change):
    html = page(editor, draft)
    ic4 = draft.levels.get(code="IC4")
    scope = ic4.areas.get(key="scope")
    first, second = Behaviour.objects.filter(area=scope).order_by("order")[:2]
    match change:
        case "add":
            editing.add_behaviour(area=scope, text="I do something new")
        case "delete":
            editing.delete_behaviour(behaviour=first)
        case "move":
            # A move changes no version: order is part of what was read.
            editing.move_behaviour(behaviour=second, to=0)
        case "move_responsibility":
            craft = Responsibility.objects.filter(area__level=ic4, area__key="craft")
            editing.move_responsibility(responsibility=craft.order_by("order")[1], to=0)
        case "rename":
            r = Responsibility.objects.filter(area__level=ic4, area__key="craft").first()
            # Outside the editor (the admin), where versions don't move.
            Responsibility.objects.filter(pk=r.pk).update(name="Renamed quietly")
        case "level_title":
            editing.save_level(
                level=ic4, title="Another title", summary=ic4.summary, base_version=ic4.version
            )
    assert confirm(editor, draft, read=html).status_code == 409
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_form_without_the_digest_publishes_nothing(editor, draft):
    response = editor.post(publish_url(draft), {"understood": "yes"})
    assert response.status_code == 409
    draft.refresh_from_db()
    assert draft.is_draft


def test_a_publication_that_goes_through_builds_no_comparison(editor, draft, monkeypatch):
    html = page(editor, draft)
    built = []
    real = publish_views._publish_context
    monkeypatch.setattr(
        publish_views, "_publish_context", lambda *a, **kw: built.append(1) or real(*a, **kw)
    )
    assert confirm(editor, draft, read=html).status_code == 302
    assert built == []
    draft.refresh_from_db()
    assert draft.is_published


def test_publish_page_says_when_the_areas_changed_places(editor, draft):
    ic4 = draft.levels.get(code="IC4")
    editing.move_area(area=ic4.areas.get(key="reach"), step=-1)
    html = page(editor, draft)
    assert "Order changed in the level's areas." in html.replace("’", "'")
    assert '<span class="tag tag-changed">1 changed</span>' in html

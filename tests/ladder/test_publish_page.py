"""Publishing a draft from a page that shows every change and what blocks it."""

from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from ladder import editing
from ladder.models import Behaviour, Framework, Level, Responsibility
from ladder.services import create_levels, new_draft_from
from tests.factories import UserFactory, level_doc, make_framework

pytestmark = pytest.mark.django_db


@pytest.fixture
def ladder_editor(db):
    person = UserFactory(username="ladder-editor", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="change_framework"))
    return person


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


def test_publish_page_shows_each_levels_changes_against_the_previous_version(editor, draft):
    ic4 = draft.levels.get(code="IC4")
    reworded = Behaviour.objects.filter(area__level=ic4, area__kind="scope").first()
    editing.save_behaviour(
        behaviour=reworded, text=reworded.text + " and more", key=reworded.key, base_version=1
    )
    scope = ic4.areas.get(kind="scope")
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
    second = Responsibility.objects.filter(area__level=ic4, area__kind="craft").order_by("order")[1]
    editing.move_responsibility(responsibility=second, to=0)
    html = page(editor, draft)
    assert "Order changed in Craft." in html


def test_problems_block_publishing_and_link_to_where_they_are_fixed(editor, draft):
    ic4 = draft.levels.get(code="IC4")
    results = ic4.areas.get(kind="results")
    empty = editing.add_responsibility(area=results, name="Ownership")
    html = page(editor, draft)
    assert "1 problem to fix before publishing" in html
    assert (
        f'href="{editor_url(ic4)}#r-{empty.pk}">IC4 Machine Learning: Results · Ownership' in html
    )
    assert 'name="understood" value="yes" id="understood" required disabled' in html
    assert 'class="button primary" disabled' in html
    response = editor.post(publish_url(draft), {"understood": "yes"})
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
    response = editor.post(publish_url(draft), {"understood": "yes"}, follow=True)
    draft.refresh_from_db()
    assert draft.is_published
    assert response.redirect_chain == [(draft.get_absolute_url(), 302)]
    assert f"Published {draft.name} v{draft.version}." in unescape(response.content.decode())


def test_a_second_confirmation_publishes_once_and_says_so(editor, draft):
    editor.post(publish_url(draft), {"understood": "yes"})
    draft.refresh_from_db()
    first_published_at = draft.published_at
    response = editor.post(publish_url(draft), {"understood": "yes"}, follow=True)
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
    editor.post(publish_url(first), {"understood": "yes"})
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
    # session, user, framework, previous version, two levels' rubrics (4 each), and the
    # editor's permissions
    with django_assert_max_num_queries(14):
        editor.get(publish_url(draft))

"""Editing a draft level in place: saves, conflicts, adding, deleting, moving, and who may."""

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from ladder import editing, wording
from ladder.areas import AREA_KINDS
from ladder.models import Area, Behaviour, Framework, Level, Responsibility
from ladder.services import new_draft_from
from tests.factories import UserFactory, level_doc, make_framework

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def staff(db):
    """Staff, but without the right to change the ladder."""
    return UserFactory(username="staff", is_staff=True)


@pytest.fixture
def published():
    return make_framework(level_doc("IC4"))


@pytest.fixture
def level(published) -> Level:
    """IC4 of a draft started from a published v1."""
    return new_draft_from(published).levels.select_related("framework", "track").get()


@pytest.fixture
def editor(client, ladder_editor):
    client.force_login(ladder_editor)
    return client


def args(level: Level) -> list:
    return [level.framework.slug, level.framework.version, level.track.slug, level.code]


def editor_url(level: Level) -> str:
    return reverse("ladder:edit-level", args=args(level))


def url(name: str, level: Level, kind: str, pk: int) -> str:
    return reverse(f"ladder:{name}", args=[*args(level), kind, pk])


def save(client, level, row, **data):
    kind = type(row).__name__.lower()
    data.setdefault("version", row.version)
    return client.post(url("edit-save", level, kind, row.pk), data, **HTMX)


def area(level: Level, kind: str) -> Area:
    return Area.objects.get(level=level, key=kind)


def behaviours(level: Level, kind: str) -> list[Behaviour]:
    return list(Behaviour.objects.filter(area__level=level, area__key=kind).order_by("order"))


def assert_orders_consistent(level: Level) -> None:
    """Responsibilities numbered 0.. in their pillar; behaviours 0.. in ladder order."""
    for a in Area.objects.filter(level=level):
        responsibilities = list(a.responsibilities.order_by("order", "pk"))
        assert [r.order for r in responsibilities] == list(range(len(responsibilities)))
        rows = list(a.behaviours.order_by("order", "pk"))
        assert [b.order for b in rows] == list(range(len(rows)))
        groups = [None] + [r.pk for r in responsibilities]
        assert [b.responsibility_id for b in rows] == sorted(
            (b.responsibility_id for b in rows), key=groups.index
        )


# ---- the page


def test_ladder_editor_sees_every_text_of_the_level_in_a_labelled_box(editor, level):
    response = editor.get(editor_url(level))
    assert response.status_code == 200
    html = response.content.decode()
    all_behaviours = Behaviour.objects.filter(area__level=level)
    for b in all_behaviours:
        assert f'<label class="visually-hidden" for="text-{b.pk}">' in html
        assert re.search(rf'<textarea id="text-{b.pk}"[^>]*>{re.escape(b.text)}</textarea>', html)
    for r in Responsibility.objects.filter(area__level=level):
        assert f'<label for="name-{r.pk}">Responsibility</label>' in html
        assert f'<label for="note-r-{r.pk}">' in html
    for a in Area.objects.filter(level=level):
        assert f'<label for="description-{a.pk}">' in html
    assert '<label for="level-title">Title</label>' in html
    assert '<label for="level-summary">Summary' in html
    positions = [html.index(f'id="{kind}-heading"') for kind in AREA_KINDS]
    assert positions == sorted(positions)
    assert f'href="{level.get_absolute_url()}"' in html  # the preview
    assert reverse("ladder:publish", args=args(level)[:2]) in html


def test_editor_hides_keys_until_asked(editor, level):
    assert 'class="level-page editor keys-hidden"' in editor.get(editor_url(level)).content.decode()
    shown = editor.get(editor_url(level), {"keys": "1"}).content.decode()
    assert 'class="level-page editor keys-shown"' in shown
    assert 'aria-pressed="true"' in shown


def test_editor_page_runs_a_constant_number_of_queries(
    editor, published, django_assert_max_num_queries
):
    small = new_draft_from(published).levels.get()
    big_framework = make_framework(
        level_doc("IC4", behaviours=6, responsibilities=4), name="Big", publish=False
    )
    big = big_framework.levels.get()
    editor.get(editor_url(small))  # the permission cache and the session, once
    # session, user, framework, level+track, areas, responsibilities, behaviours, and the
    # editor's permission (user and group permissions)
    with django_assert_max_num_queries(10):
        assert editor.get(editor_url(small)).status_code == 200
    with django_assert_max_num_queries(10):
        assert editor.get(editor_url(big)).status_code == 200


def test_the_row_addresses_the_page_builds_are_the_ones_the_urls_give(editor, level):
    html = editor.get(editor_url(level)).content.decode()
    b = Behaviour.objects.filter(area__level=level).first()
    r = Responsibility.objects.filter(area__level=level).first()
    a = area(level, "scope")
    pillar = area(level, "results")
    for address in [
        url("edit-save", level, "behaviour", b.pk),
        url("edit-move", level, "behaviour", b.pk),
        url("edit-delete", level, "behaviour", b.pk),
        url("edit-save", level, "responsibility", r.pk),
        url("edit-move", level, "responsibility", r.pk),
        url("edit-delete", level, "responsibility", r.pk),
        url("edit-add-behaviour", level, "responsibility", r.pk),
        url("edit-add-behaviour", level, "area", a.pk),
        url("edit-save", level, "area", a.pk),
        url("edit-save", level, "level", level.pk),
        reverse("ladder:edit-add-responsibility", args=[*args(level), pillar.pk]),
    ]:
        assert f'action="{address}"' in html, address


def test_draft_level_page_offers_editing_and_publishing_to_ladder_editors_only(
    client, editor, level, engineer
):
    edit_link = f'href="{editor_url(level)}">Edit in place</a>'
    html = editor.get(level.get_absolute_url()).content.decode()
    assert edit_link in html
    assert "Publish…</a>" in html
    published_level = Level.objects.get(framework__status="published")
    assert "Edit in place" not in editor.get(published_level.get_absolute_url()).content.decode()
    client.force_login(engineer)
    assert "Edit in place" not in client.get(published_level.get_absolute_url()).content.decode()


# ---- who may


def test_anonymous_people_are_sent_to_sign_in(client, level):
    response = client.get(editor_url(level))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    b = Behaviour.objects.filter(area__level=level).first()
    response = client.post(url("edit-save", level, "behaviour", b.pk), {"text": "x", "version": 1})
    assert response.status_code == 302
    assert Behaviour.objects.get(pk=b.pk).text == b.text


@pytest.mark.parametrize("persona", ["engineer", "staff"])
def test_people_who_may_not_edit_the_ladder_dont_find_drafts(client, level, persona, request):
    client.force_login(request.getfixturevalue(persona))
    b = Behaviour.objects.filter(area__level=level).first()
    pillar = area(level, "results")
    assert client.get(editor_url(level)).status_code == 404
    posts = [
        (url("edit-save", level, "behaviour", b.pk), {"text": "Hacked", "version": 1}),
        (url("edit-move", level, "behaviour", b.pk), {"direction": "down"}),
        (url("edit-delete", level, "behaviour", b.pk), {}),
        (url("edit-add-behaviour", level, "area", area(level, "scope").pk), {"text": "Hacked"}),
        (reverse("ladder:edit-add-responsibility", args=[*args(level), pillar.pk]), {"name": "X"}),
    ]
    count = Behaviour.objects.count()
    for address, data in posts:
        assert client.post(address, data).status_code == 404, address
    assert Behaviour.objects.get(pk=b.pk).text == b.text
    assert Behaviour.objects.count() == count


def test_engineers_are_refused_the_editor_of_a_published_version(client, engineer, published):
    client.force_login(engineer)
    assert client.get(editor_url(published.levels.get())).status_code == 403


def test_a_published_versions_editor_says_so_and_offers_a_draft(editor, published):
    level = published.levels.get()
    response = editor.get(editor_url(level))
    assert response.status_code == 200
    html = response.content.decode()
    assert "is published" in html
    assert "<textarea" not in html
    assert reverse("ladder:start-draft", args=[published.slug, published.version]) in html


def test_starting_a_draft_from_a_published_version_opens_the_same_level_in_it(editor, published):
    level = published.levels.get()
    response = editor.post(
        reverse("ladder:start-draft", args=[published.slug, published.version]),
        {"track": level.track.slug, "code": level.code},
    )
    draft = Framework.objects.drafts().get()
    assert response.status_code == 302
    assert response["Location"] == editor_url(draft.levels.get())
    # With the draft started, the published editor points to it.
    html = editor.get(editor_url(level)).content.decode()
    assert f'href="{editor_url(draft.levels.get())}"' in html


def test_writes_to_a_published_version_are_refused_and_change_nothing(editor, published):
    level = published.levels.get()
    b = Behaviour.objects.filter(area__level=level).first()
    count = Behaviour.objects.filter(area__level=level).count()
    posts = [
        (url("edit-save", level, "behaviour", b.pk), {"text": "Hacked", "version": b.version}),
        (url("edit-move", level, "behaviour", b.pk), {"direction": "down"}),
        (url("edit-delete", level, "behaviour", b.pk), {}),
        (url("edit-add-behaviour", level, "area", area(level, "scope").pk), {"text": "Hacked"}),
    ]
    for address, data in posts:
        assert editor.post(address, data, **HTMX).status_code == 403, address
    assert Behaviour.objects.get(pk=b.pk).text == b.text
    assert Behaviour.objects.filter(area__level=level).count() == count


# ---- saving words


def test_saving_a_behaviour_writes_its_text_and_the_next_version(editor, level):
    b = behaviours(level, "scope")[0]
    response = save(editor, level, b, text="I own a  whole\r\nproduct area", key=b.key)
    assert response.status_code == 200
    assert response["X-Edit-Version"] == str(b.version + 1)
    html = response.content.decode()
    assert f'id="state-edit-behaviour-{b.pk}" hx-swap-oob="true">Saved' in html
    assert f'value="{b.version + 1}" id="version-edit-behaviour-{b.pk}"' in html
    b.refresh_from_db()
    # Whitespace is made one line, as the model's save() does.
    assert (b.text, b.version) == ("I own a whole product area", 2)


def test_a_save_without_script_goes_back_to_the_row_in_the_editor(editor, level):
    b = behaviours(level, "scope")[0]
    response = editor.post(
        url("edit-save", level, "behaviour", b.pk), {"text": "Plain form", "version": 1}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{editor_url(level)}#b-{b.pk}"
    assert Behaviour.objects.get(pk=b.pk).text == "Plain form"


def test_level_area_and_responsibility_words_save_in_place(editor, level):
    assert save(editor, level, level, title="Senior Engineer", summary="I lead.").status_code == 200
    scope = area(level, "scope")
    assert save(editor, level, scope, description="Where I own", note="See [x](https://x.example)")
    r = Responsibility.objects.filter(area__level=level).first()
    assert save(editor, level, r, name="Delivery", note="A note").status_code == 200
    level.refresh_from_db()
    scope.refresh_from_db()
    r.refresh_from_db()
    assert (level.title, level.summary, level.version) == ("Senior Engineer", "I lead.", 2)
    assert (scope.description, scope.note, scope.version) == (
        "Where I own",
        "See [x](https://x.example)",
        2,
    )
    assert (r.name, r.note, r.version) == ("Delivery", "A note", 2)


def test_links_in_a_saved_note_come_back_rendered(editor, level):
    scope = area(level, "scope")
    response = save(editor, level, scope, description="", note="See [the guide](https://g.example)")
    assert '<a href="https://g.example" rel="nofollow noopener">the guide</a>' in (
        response.content.decode()
    )


def test_a_stale_save_gets_a_conflict_with_their_text_and_changes_nothing(editor, level):
    b = behaviours(level, "scope")[0]
    assert save(editor, level, b, text="Their words").status_code == 200
    response = save(editor, level, b, text="My words", version=1)
    assert response.status_code == 409
    html = response.content.decode()
    assert 'data-value="Their words"' in html
    assert 'data-keep-mine data-version="2"' in html
    assert response["X-Edit-Version"] == "2"
    b.refresh_from_db()
    assert (b.text, b.version) == ("Their words", 2)
    # Keeping mine, after seeing theirs, saves against their version.
    assert save(editor, level, b, text="My words", version=2).status_code == 200
    assert Behaviour.objects.get(pk=b.pk).text == "My words"


def test_a_stale_save_without_script_shows_both_versions_and_keeps_what_was_typed(editor, level):
    r = Responsibility.objects.filter(area__level=level).first()
    save(editor, level, r, name="Theirs", note="")
    response = editor.post(
        url("edit-save", level, "responsibility", r.pk), {"name": "Mine", "note": "", "version": 1}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Theirs" in html
    assert re.search(r'<textarea id="sent-name" name="name"[^>]*>Mine</textarea>', html)
    assert 'name="version" value="2"' in html


def test_a_retried_save_whose_answer_was_lost_is_not_a_conflict(editor, level):
    b = behaviours(level, "scope")[0]
    assert save(editor, level, b, text="Sent twice").status_code == 200
    assert save(editor, level, b, text="Sent twice", version=1).status_code == 200
    assert Behaviour.objects.get(pk=b.pk).version == 2


@pytest.mark.parametrize(
    ("kind", "data", "message"),
    [
        ("behaviour", {"text": "   "}, "can't be empty"),
        ("behaviour", {"text": "x" * 2001}, "at most 2,000 characters"),
        ("behaviour", {"key": "Not A Key"}, "Lower-case letters"),
        ("behaviour", {"key": ""}, "Keep a key"),
        ("behaviour", {"key": "k" * 65}, "at most 64 characters"),
        ("responsibility", {"name": ""}, "Give the responsibility a name"),
        ("responsibility", {"name": "n" * 201}, "at most 200 characters"),
        ("area", {"name": "n" * 201}, "at most 200 characters"),
        ("area", {"name": ""}, "Give the area a name"),
        ("area", {"name": "collaborative reach"}, "already has an area named"),
        ("responsibility", {"note": "n" * 5001}, "at most 5,000 characters"),
        ("area", {"description": "d" * 5001}, "at most 5,000 characters"),
        ("level", {"title": "t" * 161}, "at most 160 characters"),
        ("level", {"title": ""}, "Give the level a title"),
        ("level", {"summary": "s" * 5001}, "at most 5,000 characters"),
        ("level", {"summary": " "}, "can't be empty"),
    ],
)
def test_bad_words_are_refused_with_a_message_and_change_nothing(
    editor, level, kind, data, message
):
    row = {
        "behaviour": Behaviour.objects.filter(area__level=level).first(),
        "responsibility": Responsibility.objects.filter(area__level=level).first(),
        "area": area(level, "scope"),
        "level": level,
    }[kind]
    before = type(row).objects.get(pk=row.pk)
    response = save(editor, level, row, **data)
    assert response.status_code == 400
    assert message in unescape(response.content.decode())
    after = type(row).objects.get(pk=row.pk)
    assert after.version == before.version
    assert [getattr(after, f) for f in data] == [getattr(before, f) for f in data]


def test_a_note_on_a_pillar_is_refused_as_the_model_refuses_it(editor, level):
    results = area(level, "results")
    response = save(editor, level, results, description="", note="Not here")
    assert response.status_code == 400
    assert "Results has sub-groups: its notes belong to them" in response.content.decode()
    assert Area.objects.get(pk=results.pk).note == ""


def test_a_key_must_be_unique_in_its_area_but_not_across_areas(editor, level):
    first, second = behaviours(level, "scope")[:2]
    response = save(editor, level, second, key=first.key)
    assert response.status_code == 400
    assert "keys are unique in an area" in response.content.decode()
    assert save(editor, level, second, key="scope-renamed").status_code == 200
    reach = behaviours(level, "reach")[0]
    assert save(editor, level, reach, key="scope-renamed").status_code == 200
    assert Behaviour.objects.get(pk=reach.pk).key == "scope-renamed"


def test_two_responsibilities_of_a_pillar_cannot_share_a_name(editor, level):
    one, two = Responsibility.objects.filter(area__level=level, area__key="results")
    response = save(editor, level, two, name=one.name, note="")
    assert response.status_code == 400
    assert "already has a responsibility named" in response.content.decode()


@pytest.mark.parametrize("version", ["", "two", "1.5", "-1", str(2**40)])
def test_a_version_that_is_not_a_whole_number_is_refused(editor, level, version):
    b = behaviours(level, "scope")[0]
    response = editor.post(
        url("edit-save", level, "behaviour", b.pk), {"text": "x", "version": version}, **HTMX
    )
    assert response.status_code == 400
    assert Behaviour.objects.get(pk=b.pk).text == b.text


def test_rows_of_another_level_or_of_no_kind_are_not_found(editor, level, published):
    other = Behaviour.objects.filter(area__level__framework=published).first()
    assert save(editor, level, other, text="Hacked").status_code == 404
    assert Behaviour.objects.get(pk=other.pk).text != "Hacked"
    other_level = make_framework(level_doc("IC5"), name="Other", publish=False).levels.get()
    assert save(editor, level, other_level, title="Hacked", summary="x").status_code == 404
    b = behaviours(level, "scope")[0]
    for kind in ("track", "framework", "Behaviour"):
        assert editor.post(url("edit-save", level, kind, b.pk), {"version": 1}).status_code == 404
    assert editor.post(url("edit-move", level, "area", b.pk), {"direction": "up"}).status_code == (
        404
    )


# ---- adding


def test_adding_a_behaviour_to_an_expectation_puts_it_last_with_a_fresh_key(editor, level):
    scope = area(level, "scope")
    response = editor.post(
        url("edit-add-behaviour", level, "area", scope.pk), {"text": "I add  this"}, **HTMX
    )
    assert response.status_code == 200
    added = behaviours(level, "scope")[-1]
    assert (added.text, added.key) == ("I add this", "scope-3")
    assert f'id="b-{added.pk}"' in response.content.decode()
    assert_orders_consistent(level)


def test_adding_a_behaviour_to_a_responsibility_keeps_the_areas_order(editor, level):
    first, _second = Responsibility.objects.filter(area__level=level, area__key="results")
    response = editor.post(
        url("edit-add-behaviour", level, "responsibility", first.pk), {"text": "New in first"}
    )
    assert response.status_code == 302
    texts = [b.text for b in behaviours(level, "results")]
    assert texts.index("New in first") == 2  # after first's two, before second's
    assert behaviours(level, "results")[2].responsibility_id == first.pk
    assert_orders_consistent(level)


def test_a_behaviour_added_back_returns_to_its_place_with_its_key(editor, level):
    scope = area(level, "scope")
    gone = behaviours(level, "scope")[0]
    deleted = editing.delete_behaviour(behaviour=gone)
    response = editor.post(
        url("edit-add-behaviour", level, "area", scope.pk),
        {"text": deleted.text, "key": deleted.key, "position": deleted.position},
        **HTMX,
    )
    assert response.status_code == 200
    back = behaviours(level, "scope")[0]
    assert (back.text, back.key) == (gone.text, gone.key)
    assert_orders_consistent(level)


def test_a_key_taken_meanwhile_is_not_reused_when_adding_back(editor, level):
    scope = area(level, "scope")
    first, second = behaviours(level, "scope")
    editing.delete_behaviour(behaviour=first)
    save(editor, level, second, key=first.key)
    editor.post(
        url("edit-add-behaviour", level, "area", scope.pk),
        {"text": first.text, "key": first.key, "position": "0"},
    )
    keys = [b.key for b in behaviours(level, "scope")]
    assert len(set(keys)) == 2
    assert keys[1] == first.key  # the one that took it keeps it


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": ""}, "can't be empty"),
        ({"text": "x" * 2001}, "at most 2,000"),
        ({"text": "Fine", "position": "first"}, "whole number"),
    ],
)
def test_a_refused_add_says_why_where_the_person_typed(editor, level, data, message):
    scope = area(level, "scope")
    response = editor.post(url("edit-add-behaviour", level, "area", scope.pk), data, **HTMX)
    assert response.status_code == 400
    assert response["HX-Retarget"] == f"#state-add-area-{scope.pk}"
    assert message in unescape(response.content.decode())
    assert len(behaviours(level, "scope")) == 2


def test_a_behaviour_added_to_a_pillar_needs_a_responsibility(editor, level):
    results = area(level, "results")
    response = editor.post(
        url("edit-add-behaviour", level, "area", results.pk), {"text": "Loose"}, **HTMX
    )
    assert response.status_code == 400
    assert "Choose the Results responsibility" in response.content.decode()
    assert len(behaviours(level, "results")) == 4


def test_adding_a_responsibility_puts_it_last_in_its_pillar(editor, level):
    results = area(level, "results")
    address = reverse("ladder:edit-add-responsibility", args=[*args(level), results.pk])
    response = editor.post(address, {"name": "Ownership"}, **HTMX)
    assert response.status_code == 200
    names = list(results.responsibilities.order_by("order").values_list("name", flat=True))
    assert names[-1] == "Ownership"
    assert 'aria-label="Ownership"' in response.content.decode()
    assert_orders_consistent(level)
    duplicate = editor.post(address, {"name": "Ownership"}, **HTMX)
    assert duplicate.status_code == 400
    assert "already has a responsibility named" in duplicate.content.decode()
    scope = area(level, "scope")
    expectation = reverse("ladder:edit-add-responsibility", args=[*args(level), scope.pk])
    assert editor.post(expectation, {"name": "Nope"}, **HTMX).status_code == 400
    assert not scope.responsibilities.exists()


# ---- deleting


def test_deleting_a_behaviour_leaves_its_words_and_a_way_to_add_it_back(editor, level):
    gone = behaviours(level, "results")[1]
    response = editor.post(url("edit-delete", level, "behaviour", gone.pk), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert gone.text in html
    assert f'name="key" value="{gone.key}"' in html
    assert 'name="position" value="1"' in html
    assert url("edit-add-behaviour", level, "responsibility", gone.responsibility_id) in html
    assert not Behaviour.objects.filter(pk=gone.pk).exists()
    assert_orders_consistent(level)


def test_deleting_a_responsibility_deletes_its_behaviours_and_keeps_their_words(editor, level):
    first = Responsibility.objects.filter(area__level=level, area__key="results").first()
    words = list(first.behaviours.values_list("text", flat=True))
    response = editor.post(url("edit-delete", level, "responsibility", first.pk), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert all(text in html for text in words)
    assert not Behaviour.objects.filter(text__in=words, area__level=level).exists()
    assert_orders_consistent(level)
    # Added back whole, where it was.
    results = area(level, "results")
    response = editor.post(
        reverse("ladder:edit-add-responsibility", args=[*args(level), results.pk]),
        {
            "name": first.name,
            "position": "0",
            "behaviour_text": words,
            "behaviour_key": [f"results-part-1-{i}" for i in (1, 2)],
        },
        **HTMX,
    )
    assert response.status_code == 200
    back = results.responsibilities.order_by("order").first()
    assert back.name == first.name
    assert list(back.behaviours.order_by("order").values_list("text", flat=True)) == words
    assert_orders_consistent(level)


def test_a_delete_without_script_names_what_was_deleted(editor, level):
    gone = behaviours(level, "scope")[0]
    response = editor.post(url("edit-delete", level, "behaviour", gone.pk), follow=True)
    assert gone.text in response.content.decode()


# ---- moving


def test_moving_a_behaviour_down_and_up_keeps_the_order_consistent(editor, level):
    first, second = behaviours(level, "scope")
    response = editor.post(
        url("edit-move", level, "behaviour", first.pk), {"direction": "down"}, **HTMX
    )
    assert response.status_code == 204
    assert response["X-Order"] == f"{second.pk},{first.pk}"
    assert [b.pk for b in behaviours(level, "scope")] == [second.pk, first.pk]
    # Already last: stays last.
    editor.post(url("edit-move", level, "behaviour", first.pk), {"direction": "down"}, **HTMX)
    assert [b.pk for b in behaviours(level, "scope")] == [second.pk, first.pk]
    editor.post(url("edit-move", level, "behaviour", first.pk), {"direction": "up"}, **HTMX)
    assert [b.pk for b in behaviours(level, "scope")] == [first.pk, second.pk]
    assert_orders_consistent(level)


def test_a_behaviour_moves_within_its_responsibility_only(editor, level):
    rows = behaviours(level, "results")  # two responsibilities, two behaviours each
    response = editor.post(
        url("edit-move", level, "behaviour", rows[0].pk), {"position": "99"}, **HTMX
    )
    assert response["X-Order"] == f"{rows[1].pk},{rows[0].pk}"
    assert [b.pk for b in behaviours(level, "results")] == [
        rows[1].pk,
        rows[0].pk,
        *[b.pk for b in rows[2:]],
    ]
    assert_orders_consistent(level)


def test_moving_a_responsibility_takes_its_behaviours_along(editor, level):
    first, second = Responsibility.objects.filter(area__level=level, area__key="craft").order_by(
        "order"
    )
    response = editor.post(
        url("edit-move", level, "responsibility", second.pk), {"position": "0"}, **HTMX
    )
    assert response["X-Order"] == f"{second.pk},{first.pk}"
    owners = [b.responsibility_id for b in behaviours(level, "craft")]
    assert owners == [second.pk, second.pk, first.pk, first.pk]
    assert_orders_consistent(level)


def test_a_move_without_script_goes_back_to_the_item(editor, level):
    first = behaviours(level, "scope")[0]
    response = editor.post(url("edit-move", level, "behaviour", first.pk), {"direction": "down"})
    assert response.status_code == 302
    assert response["Location"] == f"{editor_url(level)}#b-{first.pk}"


@pytest.mark.parametrize("data", [{}, {"direction": "sideways"}, {"position": "top"}])
def test_a_move_that_says_nowhere_is_refused(editor, level, data):
    first = behaviours(level, "scope")[0]
    response = editor.post(url("edit-move", level, "behaviour", first.pk), data, **HTMX)
    assert response.status_code == 400
    assert behaviours(level, "scope")[0].pk == first.pk


def test_every_add_delete_and_move_keeps_every_area_numbered_in_ladder_order(level):
    results = area(level, "results")
    one, two = results.responsibilities.order_by("order")
    made = editing.add_responsibility(area=results, name="Third", position=1)
    editing.add_behaviour(area=results, responsibility=made, text="In third")
    editing.add_behaviour(area=results, responsibility=two, text="Two, first", position=0)
    editing.move_responsibility(responsibility=two, to=0)
    editing.move_behaviour(behaviour=Behaviour.objects.get(text="In third"), step=-1)
    editing.delete_behaviour(behaviour=one.behaviours.first())
    editing.delete_responsibility(responsibility=made)
    assert_orders_consistent(level)
    rows = behaviours(level, "results")
    assert [b.responsibility_id for b in rows] == [two.pk, two.pk, two.pk, one.pk]
    assert rows[0].text == "Two, first"


def test_a_key_taken_between_the_check_and_the_write_is_refused_not_a_server_error(
    level, monkeypatch
):
    first, second = behaviours(level, "scope")
    # As if another save took the key just after this one checked it.
    monkeypatch.setattr(wording, "check_key", lambda key, **kwargs: None)
    with pytest.raises(ValidationError, match="Someone has just used that key"):
        editing.save_behaviour(behaviour=second, text=second.text, key=first.key, base_version=1)
    assert Behaviour.objects.get(pk=second.pk).key == second.key


def test_editor_lists_what_blocks_publishing_with_links_to_it(editor, level):
    results = area(level, "results")
    empty = editing.add_responsibility(area=results, name="Stewardship")
    html = editor.get(editor_url(level)).content.decode()
    assert "Not ready to publish yet" in html
    assert (
        f'<a href="{editor_url(level)}#r-{empty.pk}">Results · Stewardship has no behaviours'
        in html
    )


# ---- control characters


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1f", "\x7f"])
@pytest.mark.parametrize(
    ("kind", "field"),
    [
        ("behaviour", "text"),
        ("behaviour", "key"),
        ("responsibility", "name"),
        ("responsibility", "note"),
        ("area", "description"),
        ("area", "note"),
        ("level", "title"),
        ("level", "summary"),
    ],
)
def test_control_characters_are_refused_with_a_message_and_change_nothing(
    editor, level, kind, field, character
):
    row = {
        "behaviour": Behaviour.objects.filter(area__level=level).first(),
        "responsibility": Responsibility.objects.filter(area__level=level).first(),
        "area": area(level, "scope"),
        "level": level,
    }[kind]
    before = type(row).objects.get(pk=row.pk)
    response = save(editor, level, row, **{field: f"words{character}here"})
    assert response.status_code == 400
    assert "invisible control character" in unescape(response.content.decode())
    after = type(row).objects.get(pk=row.pk)
    assert (after.version, getattr(after, field)) == (before.version, getattr(before, field))


def test_control_characters_are_refused_before_any_query(level, django_assert_num_queries):
    # PostgreSQL refuses NUL even in a WHERE clause: the name's uniqueness check, the
    # key's, must not run with one.
    r = Responsibility.objects.filter(area__level=level).select_related("area").first()
    b = Behaviour.objects.filter(area__level=level).select_related("area").first()
    pillar = area(level, "talent")
    scope = area(level, "scope")
    with django_assert_num_queries(0):
        for attempt in (
            lambda: editing.save_responsibility(
                responsibility=r, name="N\x00", note="", base_version=r.version
            ),
            lambda: editing.save_behaviour(
                behaviour=b, text=b.text, key="k\x00", base_version=b.version
            ),
            lambda: editing.add_responsibility(area=pillar, name="N\x00"),
            lambda: editing.add_responsibility(area=pillar, name="N", note="a\x00"),
            lambda: editing.add_responsibility(area=pillar, name="N", behaviours=(("I\x00", ""),)),
            lambda: editing.add_behaviour(area=scope, text="I\x00do"),
        ):
            with pytest.raises(ValidationError, match="control character"):
                attempt()


def test_an_added_behaviour_or_responsibility_with_a_nul_is_refused(editor, level):
    scope, pillar = area(level, "scope"), area(level, "talent")
    counts = (scope.behaviours.count(), pillar.responsibilities.count())
    response = editor.post(
        url("edit-add-behaviour", level, "area", scope.pk), {"text": "I a\x00b"}, **HTMX
    )
    assert response.status_code == 400
    assert "control character" in unescape(response.content.decode())
    response = editor.post(
        reverse("ladder:edit-add-responsibility", args=[*args(level), pillar.pk]),
        {"name": "N\x00"},
        **HTMX,
    )
    assert response.status_code == 400
    assert (scope.behaviours.count(), pillar.responsibilities.count()) == counts


# ---- rows deleted, or the draft published, by another request meanwhile


def _meanwhile(monkeypatch, then):
    """Let the view find its row, then do `then(row)` as another request would."""
    from ladder import editor_views

    real = editor_views.editable_row_for_user

    def found(level, kind, pk):
        row = real(level, kind, pk)
        then(row)
        return row

    monkeypatch.setattr(editor_views, "editable_row_for_user", found)


@pytest.mark.parametrize(
    ("kind", "action", "data"),
    [
        ("behaviour", "edit-delete", {}),
        ("behaviour", "edit-move", {"direction": "down"}),
        ("behaviour", "edit-save", {"text": "new words"}),
        ("responsibility", "edit-delete", {}),
        ("responsibility", "edit-move", {"direction": "down"}),
        ("responsibility", "edit-save", {"name": "Renamed"}),
    ],
)
def test_a_row_deleted_meanwhile_is_refused_as_deleted_elsewhere(
    editor, level, monkeypatch, kind, action, data
):
    model = Behaviour if kind == "behaviour" else Responsibility
    row = model.objects.filter(area__level=level, area__key="craft").order_by("order").first()
    # Another tab's Delete, or the first of a double click, commits first.
    delete = (
        (lambda found: editing.delete_behaviour(behaviour=found))
        if kind == "behaviour"
        else (lambda found: editing.delete_responsibility(responsibility=found))
    )
    _meanwhile(monkeypatch, delete)
    response = editor.post(url(action, level, kind, row.pk), {**data, "version": 1}, **HTMX)
    assert response.status_code == 404
    assert "deleted elsewhere; reload the page" in unescape(response.content.decode())
    assert_orders_consistent(level)


def test_a_behaviour_added_to_a_responsibility_deleted_meanwhile_is_refused(
    editor, level, monkeypatch
):
    r = Responsibility.objects.filter(area__level=level).first()
    _meanwhile(monkeypatch, lambda found: Responsibility.objects.filter(pk=found.pk).delete())
    response = editor.post(
        url("edit-add-behaviour", level, "responsibility", r.pk), {"text": "I add"}, **HTMX
    )
    assert response.status_code == 404
    assert "deleted elsewhere" in unescape(response.content.decode())
    assert not Behaviour.objects.filter(responsibility_id=r.pk).exists()


@pytest.mark.parametrize(
    ("action", "data"), [("edit-delete", {}), ("edit-move", {"direction": "down"})]
)
@pytest.mark.parametrize("htmx", [True, False])
def test_a_delete_or_move_after_the_draft_was_published_is_refused_not_a_server_error(
    editor, level, monkeypatch, action, data, htmx
):
    from ladder.services import publish

    b = behaviours(level, "scope")[0]
    _meanwhile(monkeypatch, lambda found: publish(Framework.objects.get(pk=level.framework_id)))
    response = editor.post(url(action, level, "behaviour", b.pk), data, **(HTMX if htmx else {}))
    if htmx:
        assert response.status_code == 400
        assert "published" in unescape(response.content.decode())
    else:
        assert response.status_code == 302
    assert Behaviour.objects.filter(pk=b.pk, order=b.order).exists()


# ---- adding a responsibility with its behaviours


def test_a_responsibility_is_added_with_at_most_so_many_behaviours(editor, level):
    pillar = area(level, "talent")
    address = reverse("ladder:edit-add-responsibility", args=[*args(level), pillar.pk])
    too_many = [f"I hire {i}" for i in range(wording.ADD_BEHAVIOURS_MAX + 1)]
    response = editor.post(address, {"name": "Hiring", "behaviour_text": too_many}, **HTMX)
    assert response.status_code == 400
    assert f"at most {wording.ADD_BEHAVIOURS_MAX} behaviours" in unescape(response.content.decode())
    assert not Responsibility.objects.filter(area=pillar, name="Hiring").exists()


def test_adding_a_responsibility_with_many_behaviours_takes_a_constant_number_of_queries(level):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    pillar = area(level, "talent")
    with CaptureQueriesContext(connection) as few:
        editing.add_responsibility(area=pillar, name="Few", behaviours=(("I a", ""), ("I b", "")))
    taken = Behaviour.objects.filter(area=pillar).values_list("key", flat=True).first()
    many = tuple(
        (f"I hire {i}", {0: taken, 1: "kept-key", 2: "Not A Key"}.get(i, ""))
        for i in range(wording.ADD_BEHAVIOURS_MAX)
    )
    with CaptureQueriesContext(connection) as counted:
        added = editing.add_responsibility(area=pillar, name="Hiring", behaviours=many)
    # One insert for them all (two where SQLite limits a statement's parameters).
    assert len(counted) <= len(few) + 2
    made = list(added.behaviours.order_by("order"))
    assert [b.text for b in made] == [text for text, _key in many]
    keys = [b.key for b in made]
    assert len(set(Behaviour.objects.filter(area=pillar).values_list("key", flat=True))) == (
        Behaviour.objects.filter(area=pillar).count()
    )
    assert keys[1] == "kept-key"
    assert keys[0] != taken
    assert keys[2] != "Not A Key"
    # Fresh keys for the rest, in order, none of them another behaviour's.
    assert [keys[0], keys[2], keys[3]] == ["hiring-1", "hiring-2", "hiring-3"]
    assert_orders_consistent(level)


def test_renaming_an_area_keeps_its_key_so_versions_still_pair_it(editor, level):
    scope = area(level, "scope")
    response = save(editor, level, scope, name="  Scope of   ownership ")
    assert response.status_code == 200
    scope.refresh_from_db()
    assert (scope.name, scope.key) == ("Scope of ownership", "scope")
    publish = editor.get(
        reverse("ladder:publish", args=[level.framework.slug, level.framework.version])
    ).content.decode()
    assert 'Scope of ownership <span class="tag tag-changed">renamed from Scope</span>' in publish
    page = editor.get(reverse("ladder:edit-level", args=args(level))).content.decode()
    assert 'class="grow name-box">Scope of ownership</textarea>' in page

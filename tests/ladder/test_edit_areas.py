"""A draft level's areas and groups, arranged by a ladder editor: added, grouped, moved,
renamed and deleted, one plain form at a time, and refused with a reason when wrong."""

from html import unescape
from pathlib import Path

import pytest
from django.urls import reverse

from ladder.exporters import level_problems
from ladder.formats.files import read_framework
from ladder.models import Area, AreaGroup, Level
from ladder.services import import_levels
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

FRAMEWORKS = Path(__file__).parent / "frameworks"


def draft_of(name: str) -> Level:
    """The test ladder's first level alone, in a draft of its own."""
    first = min(p for p in (FRAMEWORKS / name).iterdir() if p.suffix == ".md")
    pages, _ = read_framework([(first.name, first.read_bytes())])
    framework = import_levels(framework_name=name.title(), documents=pages).framework
    return framework.levels.select_related("framework", "track").get()


@pytest.fixture
def editor(client, ladder_editor):
    client.force_login(ladder_editor)
    return client


@pytest.fixture
def harbor() -> Level:
    return draft_of("harbor")


@pytest.fixture
def meridian() -> Level:
    return draft_of("meridian")


def url(level: Level) -> str:
    f = level.framework
    return reverse("ladder:edit-areas", args=[f.slug, f.version, level.track.slug, level.code])


def names(level: Level) -> list[str]:
    return list(level.areas.order_by("order").values_list("name", flat=True))


def area(level: Level, name: str) -> Area:
    return level.areas.get(name=name)


def post(client, level, **data):
    return client.post(url(level), data, follow=True)


def text_of(response) -> str:
    return unescape(response.content.decode())


def test_the_page_lists_the_areas_in_order_and_the_editor_links_to_it(editor, harbor):
    f = harbor.framework
    level_editor = reverse(
        "ladder:edit-level", args=[f.slug, f.version, harbor.track.slug, harbor.code]
    )
    assert url(harbor) in editor.get(level_editor).content.decode()
    html = text_of(editor.get(url(harbor)))
    positions = [html.index(f"<strong>{name}</strong>") for name in names(harbor)]
    assert positions == sorted(positions)
    assert "5 behaviours" in html


def test_an_area_is_added_last_and_publishing_waits_for_its_behaviours(editor, harbor):
    response = post(editor, harbor, action="add", name="On-call", group="")
    assert response.status_code == 200
    assert "Added “On-call”." in text_of(response)
    assert names(harbor)[-1] == "On-call"
    added = area(harbor, "On-call")
    assert added.key == "on-call"
    assert not added.subgrouped
    level = Level.objects.with_rubric().get(pk=harbor.pk)
    assert any("On-call" in problem for problem in level_problems(level))
    publish = reverse("ladder:publish", args=[harbor.framework.slug, harbor.framework.version])
    assert "On-call" in text_of(editor.get(publish))


def test_areas_are_grouped_and_a_group_keeps_its_areas_together(editor, harbor):
    post(editor, harbor, action="add", name="Mentoring", group="__new__", new_group="People")
    people = AreaGroup.objects.get(level=harbor, name="People")
    assert area(harbor, "Mentoring").group == people
    growth = area(harbor, "Delivery")
    post(editor, harbor, action="regroup", area=growth.pk, group="People")
    # Delivery leaves the top for the end of its new group, beside Mentoring.
    assert names(harbor)[-2:] == ["Mentoring", "Delivery"]
    response = post(editor, harbor, action="group-up", group=people.pk)
    assert "Moved the group “People”." in text_of(response)
    assert names(harbor)[:2] == ["Mentoring", "Delivery"]
    # Out of its group again; the group, emptied of Delivery, keeps Mentoring.
    post(editor, harbor, action="regroup", area=growth.pk, group="")
    assert area(harbor, "Delivery").group is None
    post(editor, harbor, action="regroup", area=area(harbor, "Mentoring").pk, group="")
    assert not AreaGroup.objects.filter(level=harbor).exists()


def test_an_area_moves_within_its_group_and_not_past_its_end(editor, meridian):
    before = names(meridian)
    second = area(meridian, before[1])
    post(editor, meridian, action="up", area=second.pk)
    assert names(meridian)[:2] == [before[1], before[0]]
    first_of_next_group = area(meridian, before[4])
    response = post(editor, meridian, action="up", area=first_of_next_group.pk)
    assert response.status_code == 400
    assert f"“{before[4]}” is already first in its group" in text_of(response)
    assert names(meridian)[2:] == before[2:]


def test_a_group_is_renamed_described_and_moved(editor, meridian):
    groups = list(AreaGroup.objects.filter(level=meridian).order_by("order"))
    first, second = groups[0], groups[1]
    post(editor, meridian, action="group-save", group=second.pk, name="Making", description="How.")
    second.refresh_from_db()
    assert (second.name, second.description) == ("Making", "How.")
    clash = post(editor, meridian, action="group-save", group=second.pk, name=first.name.upper())
    assert clash.status_code == 400
    assert f"already has a group named “{first.name.upper()}”" in text_of(clash)
    post(editor, meridian, action="group-down", group=first.pk)
    order = list(AreaGroup.objects.filter(level=meridian).order_by("order"))
    assert order[:2] == [second, first]
    # Its areas went with it, still together.
    areas = list(meridian.areas.order_by("order"))
    assert [a.group_id for a in areas[:8]] == [second.pk] * 4 + [first.pk] * 4


def test_an_area_with_behaviours_is_deleted_only_when_that_is_ticked(editor, harbor):
    growth = area(harbor, "Growth")
    count = growth.behaviours.count()
    refused = post(editor, harbor, action="delete", area=growth.pk)
    assert refused.status_code == 400
    assert f"“Growth” holds {count} behaviours" in text_of(refused)
    assert "Growth" in names(harbor)
    done = post(editor, harbor, action="delete", area=growth.pk, confirm="yes")
    assert f"Deleted “Growth” and its {count} behaviours." in text_of(done)
    assert "Growth" not in names(harbor)
    assert list(harbor.areas.order_by("order").values_list("order", flat=True)) == [0, 1, 2, 3]


def test_a_group_is_ungrouped_its_areas_staying_where_they_were(editor, meridian):
    group = AreaGroup.objects.filter(level=meridian).order_by("order")[1]
    inside = list(group.areas.order_by("order").values_list("name", flat=True))
    before = names(meridian)
    done = post(editor, meridian, action="group-ungroup", group=group.pk)
    assert f"“{group.name}” is gone; its {len(inside)} areas stay where they were" in text_of(done)
    assert names(meridian) == before
    assert not AreaGroup.objects.filter(pk=group.pk).exists()
    assert set(meridian.areas.filter(name__in=inside).values_list("group", flat=True)) == {None}


def test_a_group_with_behaviours_is_deleted_with_its_areas_only_when_that_is_ticked(
    editor, meridian
):
    group = AreaGroup.objects.filter(level=meridian).order_by("order")[0]
    inside = list(group.areas.values_list("name", flat=True))
    held = sum(a.behaviours.count() for a in group.areas.all())
    others = [name for name in names(meridian) if name not in inside]
    refused = post(editor, meridian, action="group-delete", group=group.pk)
    assert refused.status_code == 400
    assert f"The areas of “{group.name}” hold {held} behaviours: tick" in text_of(refused)
    assert AreaGroup.objects.filter(pk=group.pk).exists()
    done = post(editor, meridian, action="group-delete", group=group.pk, confirm="yes")
    assert (
        f"Deleted the group “{group.name}” with its {len(inside)} areas and their {held} "
        "behaviours." in text_of(done)
    )
    assert names(meridian) == others
    assert list(meridian.areas.order_by("order").values_list("order", flat=True)) == list(
        range(len(others))
    )
    again = post(editor, meridian, action="group-delete", group=group.pk, confirm="yes")
    assert again.status_code == 400
    assert "That group is no longer in this level" in text_of(again)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "add", "name": "delivery"}, "The level already has an area named “delivery”."),
        ({"action": "add", "name": ""}, "Give the area a name."),
        ({"action": "add", "name": "x" * 201}, "A name can be at most 200 characters"),
        ({"action": "add", "name": "Bad\x00name"}, "The name"),
        ({"action": "add", "name": "Ok", "group": "__new__"}, "Type the new group's name"),
        ({"action": "up", "area": "999999999"}, "That area is no longer in this level"),
        ({"action": "up", "area": "²"}, "That area is no longer in this level"),
        ({"action": "group-save", "group": "1", "name": "x"}, "That group is no longer"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(editor, harbor, data, message):
    before = names(harbor)
    response = post(editor, harbor, **data)
    assert response.status_code == 400
    assert message in text_of(response).replace("’", "'")
    assert names(harbor) == before


def test_an_unknown_action_on_a_real_area_is_refused(editor, harbor):
    response = post(editor, harbor, action="explode", area=area(harbor, "Growth").pk)
    assert response.status_code == 400
    assert "That action isn't one this page knows" in text_of(response).replace("’", "'")


def test_only_ladder_editors_arrange_areas(client, harbor):
    client.force_login(UserFactory(username="reader"))
    assert client.get(url(harbor)).status_code == 404
    assert client.post(url(harbor), {"action": "add", "name": "Sneaky"}).status_code == 404
    assert "Sneaky" not in names(harbor)


def test_a_published_levels_areas_stay_as_they_are(editor, harbor):
    harbor.framework.publish()
    response = editor.post(url(harbor), {"action": "add", "name": "Late"})
    assert response.status_code == 200
    assert "is published" in text_of(response)
    assert "Late" not in names(harbor)

"""Comparing levels whose areas are a company's own: areas new, gone and renamed, and
behaviours moved from one area to another, as the publish page and the import's dry
run show them."""

import pytest
from django.urls import reverse

from ladder.compare import Status, compare_documents, compare_levels
from ladder.formats.document import AreaDoc, BehaviourDoc, LevelDoc, ResponsibilityDoc
from ladder.models import Area, Behaviour, Level
from ladder.services import new_draft_from
from tests.factories import make_framework


def level(*areas: AreaDoc) -> LevelDoc:
    return LevelDoc("E3", "Senior Engineer", "Engineering", "I own a system.", areas)


def items(*texts: str) -> tuple[BehaviourDoc, ...]:
    return tuple(BehaviourDoc(text, f"k{n}") for n, text in enumerate(texts, 1))


BEFORE = level(
    AreaDoc("delivery", "", items("I ship weekly", "I write the release notes"), name="Delivery"),
    AreaDoc("people", "", items("I mentor one engineer"), name="People"),
    AreaDoc("craft", "", items("I review code"), name="Craft"),
)
AFTER = level(
    # Release notes moved to Communication, a new area; People renamed; Craft gone.
    AreaDoc("delivery", "", items("I ship weekly"), name="Delivery"),
    AreaDoc("people", "", items("I mentor one engineer"), name="People and teams"),
    AreaDoc(
        "communication", "", items("I write the release notes", "I demo"), name="Communication"
    ),
)


def test_areas_new_gone_and_renamed_and_a_behaviour_moved_between_them():
    comparison = compare_documents(BEFORE, AFTER)
    areas = {area.key: area for area in comparison.areas}
    assert [area.key for area in comparison.areas] == [
        "delivery",
        "people",
        "communication",
        "craft",
    ]
    assert (areas["communication"].status, areas["craft"].status) == (
        Status.ADDED,
        Status.REMOVED,
    )
    assert areas["people"].changed_name
    assert (areas["people"].old_name, areas["people"].name) == ("People", "People and teams")
    moved = [c for g in areas["communication"].groups for c in g.changes if c.moved_from]
    assert [(c.status, c.moved_from, c.after.text) for c in moved] == [
        (Status.MOVED, "Delivery", "I write the release notes")
    ]
    # Not also counted as one removed from Delivery and one added to Communication.
    assert (comparison.moved, comparison.added, comparison.removed) == (1, 1, 1)
    [away] = [c for g in areas["delivery"].groups for c in g.changes if c.moved_to]
    assert (away.status, away.moved_to) == (Status.MOVED_AWAY, "Communication")
    assert not areas["delivery"].unchanged


@pytest.mark.django_db
def test_the_publish_page_says_which_areas_are_new_gone_or_renamed(client, ladder_editor):
    published = make_framework(BEFORE, name="Own Ladder")
    draft = new_draft_from(published)
    Area.objects.filter(level__framework=draft, key="people").update(name="People and teams")
    moved = Behaviour.objects.get(area__level__framework=draft, text="I write the release notes")
    Behaviour.objects.filter(pk=moved.pk).update(
        area=Area.objects.get(level__framework=draft, key="craft"), key="moved-1"
    )
    client.force_login(ladder_editor)
    html = client.get(reverse("ladder:publish", args=[draft.slug, draft.version])).content.decode()
    assert 'People and teams <span class="tag tag-changed">renamed from People</span>' in html
    assert '<span class="tag tag-moved">moved from Delivery</span>' in html
    assert '<span class="tag tag-moved-away">moved to Craft</span>' in html
    assert "1 moved to another area" in html


def test_an_area_put_in_another_group_says_so():
    grouped = level(
        AreaDoc("delivery", "", items("I ship weekly"), name="Delivery", group="Execution"),
        AreaDoc("people", "", items("I mentor one engineer"), name="People", group="Execution"),
    )
    regrouped = level(
        AreaDoc("delivery", "", items("I ship weekly"), name="Delivery", group="Execution"),
        AreaDoc("people", "", items("I mentor one engineer"), name="People", group="Leadership"),
    )
    areas = {area.key: area for area in compare_documents(grouped, regrouped).areas}
    assert not areas["delivery"].changed_category
    assert areas["delivery"].unchanged
    assert areas["people"].changed_category
    assert (areas["people"].old_category, areas["people"].category) == ("Execution", "Leadership")
    assert not areas["people"].unchanged


@pytest.mark.django_db
def test_the_publish_page_says_an_area_changed_group(client, ladder_editor):
    published = make_framework(BEFORE, name="Own Ladder")
    draft = new_draft_from(published)
    people = Area.objects.get(level__framework=draft, key="people")
    client.force_login(ladder_editor)
    f = draft
    areas_url = reverse("ladder:edit-areas", args=[f.slug, f.version, "engineering", "E3"])
    client.post(
        areas_url,
        {"action": "regroup", "area": people.pk, "group": "__new__", "new_group": "Leadership"},
    )
    html = client.get(reverse("ladder:publish", args=[draft.slug, draft.version])).content.decode()
    assert '<span class="tag tag-changed">now in Leadership</span>' in html


@pytest.mark.django_db
def test_a_level_comparison_pairs_behaviours_only_within_their_sub_group():
    """Alike words under another sub-group are a different behaviour: gone and new."""

    def talent(code: str, hiring: str, strategy: str) -> LevelDoc:
        subs = (
            ResponsibilityDoc("Hiring", (BehaviourDoc(hiring, "hiring-1"),)),
            ResponsibilityDoc("Org Strategy", (BehaviourDoc(strategy, "strategy-1"),)),
        )
        area = AreaDoc("talent", "", responsibilities=subs, name="Talent")
        return LevelDoc(code, "Engineer", "Engineering", "I grow people.", (area,))

    lower = talent("E3", "I raise the bar in every interview loop I join", "I follow the plan")
    higher = talent(
        "E4",
        "I coach new interviewers on our rubric",
        "I raise the bar in every planning loop I join",
    )
    framework = make_framework(lower, higher, name="Subgroup Ladder")
    levels = {lv.code: lv for lv in Level.objects.filter(framework=framework).with_rubric()}
    [area] = compare_levels(levels["E3"], levels["E4"]).areas
    changes = [(g.name, c) for g in area.groups for c in g.changes]
    by_text = {(c.before or c.after).text: (group, c.status) for group, c in changes if c.status}
    assert by_text["I raise the bar in every interview loop I join"] == ("Hiring", Status.REMOVED)
    assert by_text["I raise the bar in every planning loop I join"] == (
        "Org Strategy",
        Status.ADDED,
    )

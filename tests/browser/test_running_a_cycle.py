"""A cycle for 40 people across 4 managers, from enrolment to shared results, in Chromium.

Whoever runs the cycle enrols everyone from its page (40 e-mails), the worker's
reminder job reminds the two behind (once), one of them is given more time from the
page and submits in the browser, the phases move on with confirmation, the committee
closes with confirmation, and afterwards every page agrees the cycle is closed; an
engineer and a manager read the outcome. What 38 people do the same way (submit,
review, decide) is done through the services, to keep the clicking to what differs.
"""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from assessments import workflow
from assessments.models import Assessment, Cycle
from assessments.reminders import remind_on_schedule
from tests.assessments.conftest import answer_all, make_cycle, review_all
from tests.conftest import run_worker
from tests.default_scale import Outcome
from tests.factories import PASSWORD, UserFactory, level_doc, make_framework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEAMS = {"Mira": "Platform", "Tomás": "Platform", "Elif": "Research", "Grace": "Research"}


@pytest.fixture
def company(calibrator):
    # A small level (8 behaviours) keeps the clicking short; the flow is the same.
    framework = make_framework(
        level_doc("IC5", "Staff Machine Learning Engineer", responsibilities=1, behaviours=1)
    )
    track = framework.levels.get().track
    runner = UserFactory(username="runner", first_name="Rita", last_name="Runner", is_staff=True)
    runner.user_permissions.add(Permission.objects.get(codename="run_cycles"))
    managers, engineers = [], []
    for first, department in TEAMS.items():
        boss = UserFactory(username=first.lower(), first_name=first, last_name="Manager")
        managers.append(boss)
        for n in range(10):
            engineers.append(
                UserFactory(
                    username=f"{first.lower()}-{n}",
                    first_name=f"{first}'s",
                    last_name=f"Report {n:02}",
                    manager=boss,
                    track=track,
                    level_code="IC5",
                    department=department,
                )
            )
    cycle = make_cycle(framework, name="2027 H1 review", self_enrolment=False)
    committee = Group.objects.create(name="Committee")
    committee.user_set.add(calibrator)
    cycle.calibrators = committee
    cycle.save(update_fields=["calibrators"])
    return {"cycle": cycle, "runner": runner, "managers": managers, "engineers": engineers}


def set_due(cycle: Cycle, days: int) -> None:
    today = timezone.localdate()
    Cycle.objects.filter(pk=cycle.pk).update(self_assessment_due=today + timedelta(days=days))


def test_a_cycle_for_forty_people_from_enrolment_to_shared_results(
    page, live_server, sign_in, company, calibrator
):
    cycle, runner = company["cycle"], company["runner"]
    engineers, managers = company["engineers"], company["managers"]
    late, behind = engineers[38], engineers[39]  # Grace's last two reports

    # ---- enrolment, from the cycle's page
    sign_in(page, runner, PASSWORD)
    page.get_by_role("link", name=re.compile("Enrol people, follow")).click()
    page.get_by_role("link", name="2027 H1 review").click()
    page.get_by_role("link", name="Enrol people").click()
    page.get_by_label("Platform").check()
    page.get_by_label("Research").check()
    page.get_by_role("button", name="See who that is").click()
    expect(page.get_by_role("heading", name="40 people to enrol")).to_be_visible()
    page.get_by_role("button", name="Enrol 40 people and e-mail them").click()
    expect(page.get_by_text("40 people enrolled in 2027 H1 review")).to_be_visible()
    assert cycle.assessments.count() == 40
    run_worker()
    enrolled = {to for m in mail.outbox for to in m.to}
    assert enrolled == {e.email for e in engineers}
    assert all("Start here: http" in m.body for m in mail.outbox)

    # ---- 38 submit; the two left behind are reminded once by the worker's job
    for engineer in engineers[:38]:
        mine = Assessment.objects.get(engineer=engineer)
        answer_all(mine)
        workflow.submit(mine, by=engineer)
    run_worker()
    mail.outbox.clear()
    set_due(cycle, 1)
    Assessment.objects.filter(cycle=cycle).update(created_at=timezone.now() - timedelta(days=10))
    for _ in range(2):  # the job run twice, as after a restart: still one each
        remind_on_schedule.enqueue()
        run_worker("default")
    reminded = sorted(to for m in mail.outbox for to in m.to if "due in 1 day" in m.subject)
    assert reminded == sorted([late.email, behind.email])

    # ---- the deadline passes: drafts lock; one person is given more time
    set_due(cycle, -1)
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/?show=overdue")
    expect(page.get_by_text("2 people match")).to_be_visible()
    row = page.locator(f"#a-{Assessment.objects.get(engineer=late).pk}")
    row.locator("summary", has_text="More time").click()
    row.get_by_role("button", name="Give more time").click()
    expect(page.get_by_text(re.compile(f"{late} has until"))).to_be_visible()

    late_page = page.context.browser.new_context().new_page()
    sign_in(late_page, late, PASSWORD)
    late_page.get_by_role("link", name=re.compile("Continue your self-assessment")).click()
    late_page.wait_for_load_state("load")  # the autosave script is deferred to here
    forms = late_page.locator(".rating-form")
    expect(forms).to_have_count(8)
    for index in range(8):
        forms.nth(index).get_by_text("Consistently", exact=True).click()
    # Saves queue behind each other: on a loaded machine eight take a while.
    expect(late_page.locator("#progress-summary")).to_contain_text("8 of 8", timeout=20_000)
    for index in range(8):
        expect(forms.nth(index).locator(".save-state")).to_have_text(
            re.compile("^Saved"), timeout=20_000
        )
    late_page.get_by_role("button", name=re.compile("^Submit")).click()
    told = late_page.get_by_text(re.compile("^Submitted. Grace Manager has been told"))
    expect(told).to_be_visible()
    late_page.close()
    run_worker()  # the submission's e-mail to Grace

    behind_page = page.context.browser.new_context().new_page()
    sign_in(behind_page, behind, PASSWORD)
    behind_page.get_by_role("link", name=re.compile("Read your self-assessment")).click()
    expect(behind_page.get_by_text(re.compile("yours can no longer change"))).to_be_visible()
    behind_page.close()

    # ---- phases move on, each naming who is unfinished and asking to confirm
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    unfinished = page.locator(".unfinished-list")
    expect(unfinished).to_contain_text(str(behind))
    expect(unfinished).not_to_contain_text(str(late))
    page.get_by_label(re.compile("Move 2027 H1 review to manager review")).check()
    page.get_by_role("button", name="Move to manager review").click()
    expect(page.get_by_text("2027 H1 review is now in manager review.")).to_be_visible()

    for engineer in engineers[:39]:
        review_all(Assessment.objects.get(engineer=engineer), engineer.manager)
    page.reload()
    page.get_by_label(re.compile("Move 2027 H1 review to calibration")).check()
    page.get_by_role("button", name="Move to calibration").click()
    expect(page.get_by_text("2027 H1 review is now in calibration.")).to_be_visible()

    # ---- the committee decides and closes, confirming, with the unfinished named
    for mine in Assessment.objects.filter(cycle=cycle, status="reviewed"):
        workflow.record_decision(mine, by=calibrator, outcome=Outcome.AT, reason="As proposed.")
    committee_page = page.context.browser.new_context().new_page()
    sign_in(committee_page, calibrator, PASSWORD)
    committee_page.goto(f"{live_server.url}/cycles/{cycle.pk}/calibration/")
    expect(committee_page.locator(".unfinished-list")).to_contain_text(str(behind))
    committee_page.get_by_role("button", name="Close calibration and share results").click()
    assert Cycle.objects.get(pk=cycle.pk).calibration_closed_at is None  # not confirmed
    committee_page.get_by_label(re.compile("I understand: closing shares")).check()
    committee_page.get_by_role("button", name="Close calibration and share results").click()
    expect(committee_page.get_by_text(re.compile("shared"))).not_to_have_count(0)
    committee_page.close()
    assert Assessment.objects.filter(cycle=cycle, status="shared").count() == 39
    mail.outbox.clear()
    run_worker()
    grace = managers[3]
    (to_grace,) = [m for m in mail.outbox if m.to == [grace.email] and "Results" in m.subject]
    assert "9 of your reports" in to_grace.body

    # ---- every page agrees the cycle is closed
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/")
    expect(page.get_by_text("Results shared").first).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("^Move to"))).to_have_count(0)
    expect(page.get_by_role("link", name="Enrol people")).to_have_count(0)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    manager_page = page.context.browser.new_context().new_page()
    sign_in(manager_page, grace, PASSWORD)
    manager_page.goto(f"{live_server.url}/team/?cycle={cycle.pk}")
    expect(manager_page.get_by_text("Not finished: the cycle is closed")).to_have_count(1)
    expect(manager_page.get_by_text("Results shared")).to_have_count(9)
    expect(manager_page.get_by_role("link", name=re.compile("^Start your review"))).to_have_count(0)
    # The manager reads a report's outcome, first on the review.
    manager_page.locator("a", has_text=f"Results shared: {engineers[30]}").click()
    expect(manager_page.get_by_role("heading", name="Outcome: At level")).to_be_visible()
    manager_page.close()

    behind_page = page.context.browser.new_context().new_page()
    sign_in(behind_page, behind, PASSWORD)
    expect(behind_page.get_by_role("button", name=re.compile("^Start"))).to_have_count(0)
    behind_page.goto(
        f"{live_server.url}{Assessment.objects.get(engineer=behind).get_absolute_url()}"
    )
    expect(behind_page.get_by_text(re.compile("This cycle is closed"))).to_be_visible()
    behind_page.close()

    # ---- an engineer reads their outcome first thing
    reader = page.context.browser.new_context().new_page()
    sign_in(reader, engineers[0], PASSWORD)
    expect(reader.get_by_role("heading", name="Your outcome for 2027 H1 review")).to_be_visible()
    reader.get_by_role("link", name="Read your review and outcome").click()
    expect(reader.get_by_role("heading", name="Your outcome: At level")).to_be_visible()

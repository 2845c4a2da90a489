"""From a submitted self-assessment to shared results, in Chromium, as each person would do it.

The manager reviews and finishes; opens the packet and downloads its PDF (read back
with poppler: the names and figures in its text, its pages as images); a calibrator
records the outcome and closes calibration; the engineer then reads the review.
"""

import re
import subprocess

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from assessments import workflow
from assessments.models import Assessment
from assessments.services import start_assessment
from tests.assessments.conftest import answer_all, make_cycle
from tests.browser.conftest import download_packet_text
from tests.factories import PASSWORD, level_doc, make_framework

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def submitted(engineer, manager, calibrator):
    # A small level (8 behaviours) keeps the clicking short; the flow is the same.
    framework = make_framework(
        level_doc("IC5", "Staff Machine Learning Engineer", responsibilities=1, behaviours=1),
        level_doc("IC6", "Principal Machine Learning Engineer", responsibilities=1, behaviours=1),
    )
    engineer.first_name, engineer.last_name = "Ana", "Petrova"
    engineer.track = framework.levels.first().track
    engineer.save(update_fields=["first_name", "last_name", "track"])
    manager.first_name, manager.last_name = "Mira", "Okafor"
    manager.save(update_fields=["first_name", "last_name"])
    cycle = make_cycle(framework)
    committee = Group.objects.create(name="Committee")
    committee.user_set.add(calibrator)
    cycle.calibrators = committee
    cycle.save(update_fields=["calibrators"])
    assessment = start_assessment(cycle=cycle, engineer=engineer)
    answer_all(assessment)
    return workflow.submit(assessment, by=engineer)


def test_a_review_travels_from_the_manager_to_the_committee_and_back_to_the_engineer(
    page, live_server, sign_in, engineer, manager, calibrator, submitted, tmp_path
):
    # The manager reviews: a lower score on one behaviour, a summary, an outcome.
    sign_in(page, manager, PASSWORD)
    page.goto(f"{live_server.url}/team/")
    page.get_by_role("link", name=re.compile("^Start your review")).click()
    forms = page.locator(".manager-side.rating-form")
    expect(forms).to_have_count(8)
    for index in range(8):
        forms.nth(index).get_by_text(
            "Sometimes" if index == 0 else "Consistently", exact=True
        ).click()
    forms.nth(0).get_by_label("Your comment").fill("Shown once, on one project")
    summary = page.locator("#rating-summary")
    summary.get_by_text("Strong at level", exact=True).click()
    summary.get_by_label("Summary for the committee").fill("A strong half; direction next.")
    for index in range(8):
        expect(forms.nth(index).locator(".save-state")).to_have_text(re.compile("^Saved"))
    expect(summary.locator(".save-state")).to_have_text(re.compile("^Saved"))
    page.get_by_role("button", name="Finish review").click()
    expect(page.get_by_text("With the calibration committee")).to_be_visible()

    # The packet, and its PDF.
    page.goto(f"{live_server.url}{submitted.get_packet_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ana Petrova")
    expect(page.get_by_text("Shown once, on one project").first).to_be_visible()
    text = download_packet_text(page, tmp_path)
    for expected in ("Ana Petrova", "Mira Okafor", "IC5", "Strong at level", "Sometimes"):
        assert expected in text, expected
    pdf = tmp_path / "packet.pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages, "the PDF has pages"
    assert all(p.stat().st_size > 2_000 for p in pages), "every page has something on it"
    page.get_by_role("button", name="Sign out").click()

    # The calibrator decides and closes calibration.
    sign_in(page, calibrator, PASSWORD)
    page.get_by_role("link", name=re.compile("^Calibrate")).click()
    row = page.locator(f"#person-{submitted.pk}")
    row.get_by_text("Decide").click()
    row.get_by_label("Outcome for Ana Petrova").select_option(label="Strong at level (proposed)")
    row.get_by_label("The committee’s reason").fill("Matches the packets of others at IC5.")
    row.get_by_role("button", name="Record the outcome").click()
    expect(page.locator(f"#person-{submitted.pk}")).to_contain_text("Strong at level")
    page.locator(".close-form input[name=confirm]").check()
    page.get_by_role("button", name="Close calibration and share results").click()
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SHARED
    page.get_by_role("button", name="Sign out").click()

    # The engineer reads the review and the outcome.
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{submitted.get_absolute_url()}")
    page.get_by_role("link", name="Read your manager’s review and your outcome").click()
    expect(page.get_by_role("heading", name="Your outcome: Strong at level")).to_be_visible()
    expect(page.get_by_text("Matches the packets of others at IC5.")).to_be_visible()
    expect(page.get_by_text("Shown once, on one project")).to_be_visible()

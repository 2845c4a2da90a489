"""A company's own framework through a whole cycle, in Chromium: Harbor's five areas and
its four-step scale are assessed, reviewed, packeted (page and PDF) and calibrated, and
every page speaks the company's words, not the default scale's."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from ladder.formats.files import read_framework
from ladder.services import import_levels
from tests.assessments.conftest import make_cycle
from tests.browser.conftest import download_packet_text
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HARBOR = Path(__file__).parent.parent / "ladder" / "frameworks" / "harbor"
AREAS = ["Delivery", "Technical Skill", "Collaboration", "Ownership", "Growth"]


@pytest.fixture
def harbor_cycle(engineer, manager, calibrator):
    files = [(path.name, path.read_bytes()) for path in sorted(HARBOR.glob("*.*"))]
    pages, scale = read_framework([(name, data) for name, data in files if name != "expected.yaml"])
    framework = import_levels(
        framework_name="Harbor Engineering", documents=pages, scale=scale, publish_version=True
    ).framework
    engineer.first_name, engineer.last_name = "Ana", "Petrova"
    engineer.track = framework.levels.get(code="H1").track
    engineer.level_code = "H1"
    engineer.save(update_fields=["first_name", "last_name", "track", "level_code"])
    cycle = make_cycle(framework)
    committee = Group.objects.create(name="Committee")
    committee.user_set.add(calibrator)
    cycle.calibrators = committee
    cycle.save(update_fields=["calibrators"])
    return cycle


def saved(form):
    expect(form.locator(".save-state")).to_have_text(re.compile(r"^Saved"), timeout=10_000)


def test_a_company_framework_goes_through_a_whole_cycle_in_its_own_words(
    page, live_server, sign_in, engineer, manager, calibrator, harbor_cycle, tmp_path
):
    # The engineer: Harbor's areas, its four steps and "No evidence yet".
    sign_in(page, engineer, PASSWORD)
    page.get_by_role("button", name="Start your H1 self-assessment").click()
    for area in AREAS:
        expect(page.get_by_role("heading", name=area, exact=True)).to_be_visible()
    forms = page.locator(".rating-form")
    count = forms.count()
    assert count == 22
    expect(forms.nth(0).locator("input[name=score]")).to_have_count(5)
    expect(page.get_by_text("Consistently", exact=True)).to_have_count(0)
    for index in range(count):
        answer = "No evidence yet" if index == 5 else "Leading" if index < 3 else "Proficient"
        forms.nth(index).get_by_text(answer, exact=True).click()
    expect(page.locator("#progress-summary")).to_contain_text("22 of 22", timeout=20_000)
    expect(page.locator(".chart-key")).to_have_text(
        "1 Learning · 2 Developing · 3 Proficient · 4 Leading"
    )
    chart = page.locator("svg.chart desc")
    expect(chart).to_contain_text("Delivery: 3.6 of 4.")  # 4, 4, 4, 3, 3
    expect(chart).to_contain_text("Technical Skill: 3.0 of 4.")  # "no evidence" left out
    saved(forms.nth(count - 1))
    page.get_by_role("button", name="Submit self-assessment").click()
    expect(page.get_by_text(re.compile(r"^Submitted\. .+ has been told"))).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    # The manager: the engineer's answers as Harbor's chips, Harbor's outcomes.
    sign_in(page, manager, PASSWORD)
    page.goto(f"{live_server.url}/team/")
    page.get_by_role("link", name=re.compile("^Start your review")).click()
    expect(page.locator(".self-side .score-chip.score-4").first).to_have_text("Leading")
    reviews = page.locator(".manager-side.rating-form")
    expect(reviews).to_have_count(22)
    for index in range(22):
        reviews.nth(index).get_by_text(
            "Developing" if index == 0 else "Proficient", exact=True
        ).click()
    reviews.nth(0).get_by_label("Your comment").fill("Small changes, but not yet every time")
    summary = page.locator("#rating-summary")
    expect(summary.locator("input[name=outcome]")).to_have_count(4)
    summary.get_by_text("Ready for promotion", exact=True).click()
    summary.get_by_label("Summary for the committee").fill("Works at H2 in delivery already.")
    for index in range(22):
        saved(reviews.nth(index))
    saved(summary)
    page.get_by_role("button", name="Finish review").click()
    expect(page.get_by_text("With the calibration committee")).to_be_visible()

    # The packet: Harbor's words on the page and in the PDF.
    assessment = harbor_cycle.assessments.get()
    page.goto(f"{live_server.url}{assessment.get_packet_url()}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ana Petrova")
    packet = page.locator("article.packet")
    expect(packet).to_contain_text("Ready for promotion")
    expect(packet).to_contain_text("Leading")  # the largest disagreement: Leading → Developing
    expect(packet.locator("svg.packet-chart desc")).to_contain_text("Growth: self")
    text = download_packet_text(page, tmp_path)
    for expected in ("Ana Petrova", "H1", "Ready for promotion", "Developing", "Technical Skill"):
        assert expected in text, expected
    assert "Consistently" not in text
    page.get_by_role("button", name="Sign out").click()

    # The committee: Harbor's steps in the distribution, its outcomes to decide with.
    sign_in(page, calibrator, PASSWORD)
    page.get_by_role("link", name=re.compile("^Calibrate")).click()
    legend = page.locator("section[aria-labelledby=areas-heading] p.legend")
    expect(legend).to_contain_text("Learning")
    expect(legend).to_contain_text("Leading")
    expect(page.locator("#areas-chart-desc")).to_contain_text("Collaboration")
    # Each bar's part says its step in Harbor's words.
    segment = page.locator("svg.cal-chart rect title", has_text="Delivery, manager: Developing")
    expect(segment).to_have_text("Delivery, manager: Developing 1 (20%)")
    row = page.locator(f"#person-{assessment.pk}")
    row.get_by_text("Decide").click()
    row.get_by_label("Outcome for Ana Petrova").select_option(label="Above level")
    row.get_by_label("The committee’s reason").fill("Strong at H1; the H2 case is a cycle away.")
    row.get_by_role("button", name="Record the outcome").click()
    expect(page.locator(f"#person-{assessment.pk}")).to_contain_text("Above level")
    expect(page.get_by_role("checkbox", name=re.compile("closing shares"))).to_have_count(1)
    page.locator(".close-form input[name=confirm]").check()
    page.get_by_role("button", name="Close calibration and share results").click()
    page.get_by_role("button", name="Sign out").click()

    # The engineer reads the outcome in Harbor's words.
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    page.get_by_role("link", name="Read your manager’s review and your outcome").click()
    expect(page.get_by_role("heading", name="Your outcome: Above level")).to_be_visible()

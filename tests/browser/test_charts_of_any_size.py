"""The charts of a framework's own areas, at its smallest and widest: 2 areas and 16 with
names as long as real ladders give them. On a laptop, on a phone and in print, every
area's name is read whole beside its bar, in letters big enough to read, and no chart
makes the page wider than the screen."""

from dataclasses import replace

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from assessments import workflow
from assessments.models import Rating
from assessments.services import start_assessment
from ladder.models import Framework
from ladder.services import create_levels
from tests.assessments.conftest import make_cycle
from tests.factories import PASSWORD, own_level_doc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Names of the lengths real ladders give their areas, the longest first.
NAMES = [
    "Collaboration and Communication",
    "Operational Excellence",
    "Technical Craft",
    "Impact",
    "Mentorship and Growth",
    "Product Thinking",
    "Architecture and Design",
    "Delivery",
    "Quality and Testing",
    "Strategy and Direction",
    "Hiring",
    "Cross-team Influence",
    "Security and Privacy",
    "Data Literacy",
    "Incident Response",
    "Documentation",
]
# A sheet of A4 as a browser lays it out to print, in CSS pixels.
A4 = {"width": 794, "height": 1123}
# The smallest rendered letter a chart may have, in CSS pixels.
SMALLEST_LETTER = 9


@pytest.fixture(params=[2, 16], ids=["2-areas", "16-areas"])
def reviewed(request, engineer, manager):
    """A submitted assessment of a level with that many areas, scored by engineer and
    manager, its areas named as in NAMES."""
    areas = request.param
    doc = own_level_doc("E4", areas=areas, behaviours=2, groups=4 if areas > 4 else 0)
    doc = replace(
        doc, areas=tuple(replace(a, name=n) for a, n in zip(doc.areas, NAMES, strict=False))
    )
    framework = Framework.objects.create(name="Own", version=1)
    create_levels(framework=framework, documents=[doc])
    framework.publish()
    level = framework.levels.get()
    engineer.track, engineer.level_code, engineer.manager = level.track, "E4", manager
    engineer.save(update_fields=["track", "level_code", "manager"])
    assessment = start_assessment(cycle=make_cycle(framework), engineer=engineer)
    for index, rating in enumerate(Rating.objects.filter(assessment=assessment).order_by("pk")):
        rating.score, rating.manager_score = 1 + index % 4, 1 + (index + 1) % 4
        rating.save(update_fields=["score", "manager_score"])
    workflow.submit(assessment, by=engineer)
    assessment.refresh_from_db()
    return assessment, areas


def label_report(page, chart: str) -> list[dict]:
    """Per label of the chart: its name, rendered letter height, whether its text ends
    before the bars start (in the SVG's own units) and its box in the page."""
    return page.evaluate(
        """(selector) => {
            const svg = document.querySelector(selector);
            const bars = [...svg.querySelectorAll('rect')];
            const start = Math.min(...bars.map(r => r.x.baseVal.value));
            return [...svg.querySelectorAll('text')].filter(t => !/^\\d+$/.test(t.textContent))
              .map(t => {
                const box = t.getBoundingClientRect();
                const own = t.getBBox();
                const lines = [...t.querySelectorAll('tspan')].map(s => s.textContent);
                return {name: lines.length ? lines.join(' ') : t.textContent,
                        lines: lines.length, height: box.height / (lines.length || 1),
                        right: box.right,
                        clear: own.x + own.width <= start};
              });
        }""",
        chart,
    )


def overflow(page) -> int:
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )


def check_chart(page, chart: str, areas: int, viewport: dict) -> None:
    labels = label_report(page, chart)
    assert [label["name"] for label in labels] == NAMES[:areas]
    for label in labels:
        assert label["clear"], f"{label['name']!r} runs into its bar"
        assert label["height"] >= SMALLEST_LETTER, f"{label['name']!r} is too small to read"
        assert label["right"] <= viewport["width"], f"{label['name']!r} is cut off"
    assert overflow(page) <= 0


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["laptop", "phone"])
def test_the_progress_chart_reads_whole_at_2_and_16_areas(
    page, live_server, sign_in, engineer, reviewed, viewport
):
    assessment, areas = reviewed
    page.set_viewport_size(viewport)
    sign_in(page, engineer, PASSWORD)
    page.goto(f"{live_server.url}{assessment.get_absolute_url()}")
    chart = page.locator(".chart")
    if not chart.is_visible():
        page.get_by_text("Progress by area").click()
    expect(chart).to_be_visible()
    check_chart(page, ".chart", areas, viewport)


@pytest.mark.parametrize(
    ("viewport", "media"),
    [(LAPTOP, "screen"), (PHONE, "screen"), (A4, "print")],
    ids=["laptop", "phone", "print"],
)
def test_the_packet_chart_reads_whole_at_2_and_16_areas_on_screen_and_in_print(
    page, live_server, sign_in, manager, reviewed, viewport, media
):
    assessment, areas = reviewed
    page.set_viewport_size(viewport)
    page.emulate_media(media=media)
    sign_in(page, manager, PASSWORD)
    page.goto(f"{live_server.url}{reverse('assessments:packet', args=[assessment.pk])}")
    expect(page.locator(".packet-chart")).to_be_visible()
    check_chart(page, ".packet-chart", areas, viewport)

"""The engineer's own copy of an assessment on a company's own framework speaks in its
words: Harbor's areas and Harbor's four steps and outcomes, never the default scale's.

Harbor (tests/ladder/frameworks/harbor) is imported with its scale.yaml, as a folder is
imported: Learning, Developing, Proficient, Leading, and four outcomes of its own.
"""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group

from assessments import workflow
from assessments.models import Assessment
from assessments.services import start_assessment
from ladder.formats.files import read_framework
from ladder.scale import DEFAULT
from ladder.services import import_levels
from tests.assessments.conftest import answer_all, make_cycle, review_all
from tests.assessments.test_exports import headings, md_url, pdf_url, rendered
from tests.assessments.test_packets import in_ladder_order, pdf_words, write

pytestmark = pytest.mark.django_db

HARBOR = Path(__file__).parent.parent / "ladder" / "frameworks" / "harbor"
AREAS = ["Delivery", "Technical Skill", "Collaboration", "Ownership", "Growth"]
# Harbor's steps and outcomes by value (harbor/scale.yaml).
LEARNING, DEVELOPING, PROFICIENT, LEADING = 1, 2, 3, 4
ABOVE_LEVEL, READY_FOR_PROMOTION = 3, 4
# The default scale's own words: a Harbor copy has none of them. ("No evidence yet" and
# "At level" are Harbor's words too.)
DEFAULT_STEPS = [step.label for step in DEFAULT.steps]
DEFAULT_OUTCOMES = ["Below level", "Strong at level", "Ready for the next level"]


@pytest.fixture
def h2(engineer, peer):
    """Harbor's folder imported and published, its scale file with it; the engineer at H2."""
    files = [
        (p.name, p.read_bytes()) for p in sorted(HARBOR.iterdir()) if p.name != "expected.yaml"
    ]
    pages, scale = read_framework(files)
    report = import_levels(
        framework_name="Harbor", documents=pages, scale=scale, publish_version=True
    )
    level = report.framework.levels.get(code="H2")
    for person in (engineer, peer):
        person.track, person.level_code = level.track, "H2"
        person.save(update_fields=["track", "level_code"])
    return level


@pytest.fixture
def cycle(h2):
    return make_cycle(h2.framework)


@pytest.fixture
def assessment(cycle, engineer):
    """A draft answered in each of Harbor's answers, one behaviour each."""
    assessment = start_assessment(cycle=cycle, engineer=engineer)
    ratings = in_ladder_order(assessment)
    write(ratings[0], score=PROFICIENT, evidence="Shipped the **billing** rewrite in stages.")
    write(ratings[1], score=LEARNING)
    write(ratings[2], score=DEVELOPING)
    write(ratings[3], score=LEADING)
    write(ratings[4], score=0)
    return assessment


@pytest.fixture
def shared(assessment, engineer, manager, calibrator, cycle):
    """Submitted, reviewed at Proficient throughout, decided and shared."""
    answer_all(assessment, PROFICIENT)
    workflow.submit(assessment, by=engineer)
    review_all(assessment, manager, score=PROFICIENT, outcome=ABOVE_LEVEL)
    Assessment.objects.filter(pk=assessment.pk).update(
        summary="Ran the rewrite well.", summary_html="<p>Ran the rewrite well.</p>"
    )
    group = Group.objects.create(name=f"{cycle} calibrators")
    group.user_set.add(calibrator)
    cycle.calibrators = group
    cycle.save(update_fields=["calibrators"])
    workflow.record_decision(
        assessment, by=calibrator, outcome=READY_FOR_PROMOTION, reason="Already leads billing."
    )
    workflow.close_calibration(cycle, by=calibrator, confirmed=True)
    assessment.refresh_from_db()
    return assessment


def test_the_markdown_copy_has_harbors_areas_and_answers(client, engineer, assessment):
    client.force_login(engineer)
    response = client.get(md_url(assessment))
    assert response.status_code == 200
    text = response.content.decode()
    assert "- **Framework:** Harbor v1\n" in text
    assert headings(rendered(text), 2) == AREAS
    for label in ("Proficient", "Learning", "Developing", "Leading", "No evidence yet"):
        assert f"Your answer: **{label}**" in text
    assert text.count("Your answer: **Not answered**") == 25 - 5
    for label in DEFAULT_STEPS + DEFAULT_OUTCOMES:
        assert label not in text


def test_the_pdf_copy_has_harbors_areas_and_answers(client, engineer, assessment, tmp_path):
    client.force_login(engineer)
    response = client.get(pdf_url(assessment))
    assert response.status_code == 200
    words = pdf_words(response.content, tmp_path)
    places = [words.index(name) for name in AREAS]
    assert places == sorted(places)
    assert "You: Proficient Shipped the billing rewrite in stages." in words
    for label in ("Learning", "Developing", "Leading", "No evidence yet"):
        assert f"You: {label}" in words
    for label in DEFAULT_STEPS + DEFAULT_OUTCOMES:
        assert label not in words


def test_once_shared_the_markdown_copy_has_harbors_scores_and_outcomes(client, engineer, shared):
    client.force_login(engineer)
    text = client.get(md_url(shared)).content.decode()
    assert headings(rendered(text), 2) == [*AREAS, "Manager's review", "Outcome"]
    assert text.count("Your answer: **Proficient**") == 25
    assert text.count("Manager's score: **Proficient**") == 25
    assert "Proposed outcome: **Above level**" in text
    assert "Calibrated outcome: **Ready for promotion**" in text
    for label in DEFAULT_STEPS + DEFAULT_OUTCOMES:
        assert label not in text


def test_once_shared_the_pdf_copy_has_harbors_scores_and_outcomes(
    client, engineer, shared, tmp_path
):
    client.force_login(engineer)
    response = client.get(pdf_url(shared))
    assert response.status_code == 200
    words = pdf_words(response.content, tmp_path)
    for name in AREAS:
        assert name in words
    assert words.count("You: Proficient Manager: Proficient") == 25
    assert "Proposed outcome: Above level" in words
    assert "Calibrated outcome: Ready for promotion" in words
    for label in DEFAULT_STEPS + DEFAULT_OUTCOMES:
        assert label not in words

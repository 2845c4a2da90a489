"""A company's own framework all the way through: five areas of its own, no pillars.

Harbor (tests/ladder/frameworks/harbor) is imported as it is written, an engineer at
H2 assesses themselves, the manager reviews, and the packet, the committee's page and
the results table all speak in Harbor's areas.
"""

import csv
import io
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from assessments import workflow
from assessments.models import Rating
from assessments.services import start_assessment
from ladder.formats.markdown import read
from ladder.services import import_levels
from tests.assessments.conftest import answer_all, make_cycle, review_all

pytestmark = pytest.mark.django_db

HARBOR = Path(__file__).parent.parent / "ladder" / "frameworks" / "harbor"
AREAS = ["Delivery", "Technical Skill", "Collaboration", "Ownership", "Growth"]


@pytest.fixture
def h2(engineer, peer):
    documents = [
        (path.name, page.doc)
        for path in sorted(HARBOR.glob("*.md"))
        for page in read(path.read_text(encoding="utf-8"), path.name)
    ]
    report = import_levels(framework_name="Harbor", documents=documents, publish_version=True)
    level = report.framework.levels.get(code="H2")
    for person in (engineer, peer):
        person.track, person.level_code = level.track, "H2"
        person.save(update_fields=["track", "level_code"])
    return level


@pytest.fixture
def calibrators_for(calibrator):
    def seat(cycle):
        group = Group.objects.create(name=f"{cycle} calibrators")
        group.user_set.add(calibrator)
        cycle.calibrators = group
        cycle.save(update_fields=["calibrators"])

    return seat


def test_an_own_framework_is_assessed_reviewed_and_calibrated_in_its_areas(
    client, h2, engineer, manager, calibrator, calibrators_for
):
    cycle = make_cycle(h2.framework)
    calibrators_for(cycle)
    assessment = start_assessment(cycle=cycle, engineer=engineer)
    assert assessment.ratings.count() == 25
    client.force_login(engineer)
    html = client.get(reverse("assessments:assessment", args=[assessment.pk])).content.decode()
    places = [html.index(f">{name}</h2>") for name in AREAS]
    assert places == sorted(places)
    assert "I pay down technical debt in the code I touch" in html

    answer_all(assessment)
    Rating.objects.filter(assessment=assessment, behaviour__area__name="Growth").update(score=4)
    workflow.submit(assessment, by=engineer)
    review_all(assessment, manager)

    client.force_login(manager)
    packet = client.get(reverse("assessments:packet", args=[assessment.pk])).content.decode()
    for name in AREAS:
        assert name in packet
    client.force_login(calibrator)
    page = client.get(reverse("assessments:calibration", args=[cycle.pk])).content.decode()
    assert "Technical Skill" in page
    assert "Collaborative Reach" not in page
    response = client.get(reverse("assessments:results-csv", args=[cycle.pk]))
    header = next(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert header[-10:] == [f"{name} {side}" for name in AREAS for side in ("self", "manager")]

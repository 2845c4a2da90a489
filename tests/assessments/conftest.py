"""An open cycle on the IC5 framework, and the engineer's assessment in it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Cycle, Rating
from assessments.scale import Score
from assessments.services import start_assessment


def make_cycle(framework, **fields) -> Cycle:
    today = timezone.localdate()
    defaults = {
        "name": "2026 H2 review",
        "status": Cycle.Status.OPEN,
        "self_assessment_due": today + timedelta(days=10),
        "manager_review_due": today + timedelta(days=20),
        "calibration_due": today + timedelta(days=30),
    }
    return Cycle.objects.create(framework=framework, **{**defaults, **fields})


def answer_all(assessment, score: int = Score.CONSISTENTLY) -> None:
    Rating.objects.filter(assessment=assessment).update(score=score)


@pytest.fixture
def cycle(ic5):
    return make_cycle(ic5.framework)


@pytest.fixture
def on_ic5(ic5, engineer, peer):
    for person in (engineer, peer):
        person.track = ic5.track
        person.save(update_fields=["track"])
    return ic5


@pytest.fixture
def assessment(cycle, engineer, on_ic5):
    return start_assessment(cycle=cycle, engineer=engineer)


@pytest.fixture
def submitted(assessment, engineer):
    answer_all(assessment)
    assessment.submit(by=engineer)
    assessment.refresh_from_db()
    return assessment

"""An open cycle on the IC5 framework, and the engineer's assessment in it."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from assessments import workflow
from assessments.models import Assessment, Cycle, Rating
from assessments.services import start_assessment
from tests.default_scale import Outcome, Score
from tests.factories import UserFactory


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
    workflow.submit(assessment, by=engineer)
    assessment.refresh_from_db()
    return assessment


def review_all(assessment, reviewer, score: int = Score.CONSISTENTLY, outcome=Outcome.AT):
    """The reviewer scores every behaviour, proposes an outcome and finishes the review."""
    Rating.objects.filter(assessment=assessment).update(manager_score=score)
    Assessment.objects.filter(pk=assessment.pk).update(
        proposed_outcome=outcome, summary="Solid half.", summary_html="<p>Solid half.</p>"
    )
    return workflow.finish_review(assessment, by=reviewer)


@pytest.fixture
def calibrators(cycle, calibrator):
    """The cycle's committee: a group named for it, with the calibrator in it."""
    group = Group.objects.create(name=f"{cycle} calibrators")
    group.user_set.add(calibrator)
    cycle.calibrators = group
    cycle.save(update_fields=["calibrators"])
    return group


@pytest.fixture
def reviewed(submitted, manager):
    review_all(submitted, manager)
    submitted.refresh_from_db()
    return submitted


# ---- peer input (tests/assessments/test_peer_input*.py)


@pytest.fixture
def peer_cycle(cycle):
    cycle.peers_min, cycle.peers_max = 3, 4
    cycle.save(update_fields=["peers_min", "peers_max"])
    return cycle


@pytest.fixture
def colleagues(db, manager, on_ic5):
    """Four colleagues of the engineer, by first name, in the same team."""
    names = ["Zoe", "Yan", "Xia", "Wim"]
    return [
        UserFactory(username=name.lower(), first_name=name, last_name="Peer", manager=manager)
        for name in names
    ]


@pytest.fixture
def own(peer_cycle, engineer, on_ic5):
    return start_assessment(cycle=peer_cycle, engineer=engineer)

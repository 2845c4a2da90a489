"""The person's previous cycle beside this one, matched by key across framework versions."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Rating
from assessments.services import start_assessment
from ladder.models import Behaviour
from ladder.services import new_draft_from, publish
from tests.assessments.conftest import make_cycle
from tests.default_scale import Outcome, Score

pytestmark = pytest.mark.django_db


@pytest.fixture
def last_cycle(ic5, engineer, on_ic5):
    """Last half-year's cycle on v1: answered, reviewed, decided and shared."""
    cycle = make_cycle(ic5.framework, name="2026 H1 review")
    old = start_assessment(cycle=cycle, engineer=engineer)
    Rating.objects.filter(assessment=old).update(
        score=Score.CONSISTENTLY, manager_score=Score.SOMETIMES, evidence="Led the *migration*"
    )
    now = timezone.now()
    Assessment.objects.filter(pk=old.pk).update(
        status=Assessment.Status.SHARED,
        submitted_at=now,
        reviewed_at=now,
        proposed_outcome=Outcome.AT,
        calibrated_outcome=Outcome.STRONG,
        calibrated_at=now,
        shared_at=now,
    )
    today = timezone.localdate()
    type(cycle).objects.filter(pk=cycle.pk).update(
        self_assessment_due=today - timedelta(days=200),
        manager_review_due=today - timedelta(days=190),
        calibration_due=today - timedelta(days=180),
        status="closed",
        calibration_closed_at=now,
    )
    return old


@pytest.fixture
def this_cycle(ic5, last_cycle, engineer):
    """v2 rewords one behaviour (same key) and drops another; this cycle pins v2."""
    draft = new_draft_from(ic5.framework)
    behaviours = Behaviour.objects.filter(area__level__framework=draft).order_by("pk")
    reworded, dropped = behaviours[0], behaviours[1]
    reworded.text = "A new wording of the same behaviour"
    reworded.save()
    dropped.delete()
    v2 = publish(draft)
    cycle = make_cycle(v2, name="2026 H2 review")
    return start_assessment(cycle=cycle, engineer=engineer), reworded, dropped


def test_the_engineer_sees_last_cycles_outcome_and_areas_beside_this_one(
    client, engineer, this_cycle, last_cycle
):
    now, reworded, _ = this_cycle
    client.force_login(engineer)
    html = client.get(now.get_absolute_url()).content.decode()
    past = html.split('id="past-heading"')[1].split("</section>")[0]
    assert "Last cycle: 2026 H1 review" in html
    assert "Outcome: <strong>Strong at level</strong>" in past
    # Matched by key: the reworded behaviour shows its old wording, the dropped one not at all.
    old_text = Behaviour.objects.get(
        area__level=last_cycle.level, key=reworded.key, area__key=reworded.area.key
    ).text
    assert old_text in past
    total = Rating.objects.filter(assessment=now).count()
    assert f"({total} also in this cycle)" in past
    # Shared last time, so the manager's scores are the engineer's to read.
    assert "Sometimes" in past


def test_unshared_last_cycle_keeps_the_managers_side_from_the_engineer(
    client, engineer, manager, this_cycle, last_cycle
):
    Assessment.objects.filter(pk=last_cycle.pk).update(status=Assessment.Status.CALIBRATED)
    now, *_ = this_cycle
    client.force_login(engineer)
    past = client.get(now.get_absolute_url()).content.decode().split('id="past-heading"')[1]
    past = past.split("</section>")[0]
    assert "Sometimes" not in past
    assert "No shared outcome" in past


def test_the_manager_sees_scores_but_never_last_cycles_evidence(
    client, engineer, manager, this_cycle
):
    from assessments import workflow

    now, *_ = this_cycle
    Rating.objects.filter(assessment=now).update(score=Score.CONSISTENTLY)
    workflow.submit(now, by=engineer)
    client.force_login(manager)
    html = client.get(now.get_review_url()).content.decode()
    past = html.split('id="past-heading"')[1].split("</section>")[0]
    assert "Sometimes" in past
    assert "migration" not in past
    assert "Start from your last evidence" not in html


def test_starting_from_last_evidence_fills_only_what_is_empty(client, engineer, this_cycle):
    now, *_ = this_cycle
    mine = Rating.objects.filter(assessment=now).order_by("pk")
    kept = mine.last()
    Rating.objects.filter(pk=kept.pk).update(evidence="Written this cycle")
    client.force_login(engineer)
    page = client.get(now.get_absolute_url()).content.decode()
    assert "Start from your last evidence" in page
    response = client.post(reverse("assessments:carry-over", args=[now.pk]), follow=True)
    total = mine.count()
    assert f"evidence copied into {total - 1} behaviours" in response.content.decode()
    kept.refresh_from_db()
    assert kept.evidence == "Written this cycle"
    copied = mine.exclude(pk=kept.pk).first()
    assert copied.evidence == "Led the *migration*"
    assert "<em>migration</em>" in copied.evidence_html
    assert copied.version == 1
    assert copied.score is None  # answers are given again
    again = client.post(reverse("assessments:carry-over", args=[now.pk]), follow=True)
    assert "Nothing copied" in again.content.decode()


def test_nobody_else_carries_evidence_into_someones_draft(client, peer, this_cycle):
    now, *_ = this_cycle
    client.force_login(peer)
    assert client.post(reverse("assessments:carry-over", args=[now.pk])).status_code == 404
    assert not Rating.objects.filter(assessment=now).exclude(evidence="").exists()


def test_the_committee_reads_last_cycles_outcome_beside_this_ones_proposal(
    client, engineer, manager, calibrator, calibrators, this_cycle
):
    from tests.assessments.conftest import review_all

    now, *_ = this_cycle
    now.cycle.calibrators = calibrators
    now.cycle.save()
    Rating.objects.filter(assessment=now).update(score=Score.CONSISTENTLY)
    from assessments import workflow

    workflow.submit(now, by=engineer)
    review_all(now, manager)
    client.force_login(calibrator)
    html = client.get(reverse("assessments:calibration", args=[now.cycle_id])).content.decode()
    assert "Last cycle: Strong at level" in html
    packet = client.get(now.get_packet_url()).content.decode()
    assert "Last cycle: 2026 H1 review" in packet
    assert "migration" not in packet.split('id="past-heading"')[1]

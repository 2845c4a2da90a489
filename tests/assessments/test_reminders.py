"""manage.py send_reminders e-mails whoever is behind, and only them."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from assessments import workflow
from tests.assessments.conftest import answer_all, make_cycle
from tests.conftest import run_worker
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def remind(**options) -> str:
    """Run the command as cron would, then the worker that sends what it queued."""
    out = StringIO()
    call_command("send_reminders", stdout=out, **options)
    run_worker()
    return out.getvalue()


@pytest.fixture
def due_soon(ic5, on_ic5):
    today = timezone.localdate()
    return make_cycle(
        ic5.framework,
        self_assessment_due=today + timedelta(days=2),
        manager_review_due=today + timedelta(days=2),
        calibration_due=today + timedelta(days=9),
    )


def test_engineers_not_submitted_are_reminded(due_soon, engineer, peer, manager):
    from assessments.services import start_assessment

    done = start_assessment(cycle=due_soon, engineer=peer)
    answer_all(done)
    workflow.submit(done, by=peer)
    run_worker()  # the submission's own e-mail
    mail.outbox.clear()
    output = remind()
    recipients = sorted(to for m in mail.outbox for to in m.to)
    # engineer has not started; peer submitted; the manager has one to review.
    assert recipients == sorted([engineer.email, manager.email])
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[engineer.email] == "Your self-assessment for 2026 H2 review is due in 2 days"
    assert subjects[manager.email].startswith("1 self-assessment to review")
    assert "2 reminders." in output


def test_people_without_a_level_in_the_cycle_are_not_reminded(due_soon, engineer, peer):
    UserFactory(username="no-level")  # no track, no level
    remind()
    assert sorted(to for m in mail.outbox for to in m.to) == sorted([engineer.email, peer.email])


def test_nobody_is_reminded_while_the_deadline_is_far(ic5, on_ic5):
    make_cycle(ic5.framework)  # due in 10 days
    assert "0 reminders." in remind(days=3)
    assert mail.outbox == []


def test_overdue_is_said_plainly(ic5, on_ic5, engineer):
    today = timezone.localdate()
    make_cycle(
        ic5.framework,
        self_assessment_due=today - timedelta(days=1),
        manager_review_due=today + timedelta(days=20),
        calibration_due=today + timedelta(days=30),
    )
    remind()
    assert any(m.subject.endswith("is 1 day overdue") for m in mail.outbox)


def test_dry_run_sends_nothing(due_soon, engineer):
    output = remind(dry_run=True)
    assert f"would e-mail {engineer.email}" in output
    assert mail.outbox == []


def test_the_reviewer_is_reminded_not_whoever_manages_the_engineer_now(
    due_soon, peer, manager, other_manager
):
    from assessments.services import start_assessment

    done = start_assessment(cycle=due_soon, engineer=peer)
    answer_all(done)
    workflow.submit(done, by=peer)
    peer.manager = other_manager
    peer.save(update_fields=["manager"])
    remind()
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    assert subjects[manager.email].startswith("1 self-assessment to review")
    assert other_manager.email not in subjects

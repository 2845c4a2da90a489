"""The status flow in one module: each change checked, recorded and announced together."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.urls import reverse

from assessments import workflow
from assessments.models import Assessment, Event
from tests.default_scale import Outcome
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def kinds(assessment) -> list[str]:
    return list(Event.objects.filter(assessment=assessment).values_list("kind", flat=True))


def test_each_change_writes_its_history_with_who_and_what(
    reviewed, engineer, manager, calibrators, calibrator
):
    workflow.reopen_review(reviewed, by=manager)
    workflow.finish_review(reviewed, by=manager)
    workflow.record_decision(reviewed, by=calibrator, outcome=Outcome.AT, reason="Fits")
    workflow.record_decision(
        reviewed, by=calibrator, outcome=Outcome.STRONG, reason="On reflection"
    )
    workflow.close_calibration(reviewed.cycle, by=calibrator, confirmed=True)
    assert kinds(reviewed) == [
        "submitted",
        "review_finished",
        "review_reopened",
        "review_finished",
        "calibrated",
        "calibrated",
        "shared",
    ]
    changed = Event.objects.filter(assessment=reviewed, kind="calibrated").last()
    assert (changed.actor, changed.old, changed.new) == (
        calibrator,
        "At level",
        "Strong at level: On reflection",
    )
    assert Event.objects.get(assessment=reviewed, kind="submitted").actor == engineer


def test_a_change_that_fails_leaves_no_history_and_no_job(reviewed, manager, monkeypatch):
    from django_tasks_db.models import DBTaskResult

    before = (kinds(reviewed), DBTaskResult.objects.count())

    def broken_save(*args, **kwargs):
        raise DatabaseError("disk full")

    monkeypatch.setattr(Event, "save", broken_save)
    with pytest.raises(DatabaseError):
        workflow.reopen_review(reviewed, by=manager)
    reviewed.refresh_from_db()
    assert reviewed.status == Assessment.Status.REVIEWED
    assert (kinds(reviewed), DBTaskResult.objects.count()) == before


def test_closing_calibration_waits_for_every_reviewed_assessment(reviewed, calibrators, calibrator):
    with pytest.raises(ValidationError, match="1 reviewed assessment still needs"):
        workflow.close_calibration(reviewed.cycle, by=calibrator, confirmed=True)
    reviewed.cycle.refresh_from_db()
    assert reviewed.cycle.calibration_closed_at is None


def test_only_the_cycles_committee_decides_and_never_on_their_own(
    reviewed, calibrators, engineer, manager, admin_user
):
    for person in (manager, admin_user, UserFactory(username="stranger")):
        with pytest.raises(PermissionDenied):
            workflow.record_decision(reviewed, by=person, outcome=Outcome.AT, reason="x")
    calibrators.user_set.add(engineer)
    with pytest.raises(PermissionDenied):
        workflow.record_decision(reviewed, by=engineer, outcome=Outcome.READY, reason="Me!")
    reviewed.refresh_from_db()
    assert reviewed.calibrated_outcome is None


@pytest.fixture
def staff_runner(db):
    from django.contrib.auth.models import Permission

    person = UserFactory(username="cycle-runner", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="change_cycle"))
    return person


def test_moving_a_review_is_recorded_and_tells_everyone(
    client, submitted, engineer, manager, other_manager, staff_runner, run_jobs
):
    run_jobs()  # the submission's own e-mail
    mail.outbox.clear()
    client.force_login(staff_runner)
    url = reverse("assessments:reviewer", args=[submitted.pk])
    page = client.get(url).content.decode()
    assert "Reviewed now by <strong>" in page
    assert "Consistently" not in page  # no scores, no evidence
    response = client.post(url, {"username": other_manager.username})
    assert response.status_code == 302
    submitted.refresh_from_db()
    assert submitted.reviewer == other_manager
    event = Event.objects.get(assessment=submitted, kind="reviewer_changed")
    assert (event.actor, event.old, event.new) == (staff_runner, str(manager), str(other_manager))
    run_jobs()
    recipients = sorted(to for m in mail.outbox for to in m.to)
    assert recipients == sorted([engineer.email, manager.email, other_manager.email])
    client.force_login(manager)
    assert client.get(submitted.get_review_url()).status_code == 404
    client.force_login(other_manager)
    assert client.get(submitted.get_review_url()).status_code == 200


@pytest.mark.parametrize(
    ("username", "message"),
    [("nobody-here", "Nobody active has the username"), ("engineer", "Nobody reviews their own")],
)
def test_moving_a_review_to_nobody_or_to_the_engineer_is_refused(
    client, submitted, manager, staff_runner, username, message
):
    client.force_login(staff_runner)
    url = reverse("assessments:reviewer", args=[submitted.pk])
    response = client.post(url, {"username": username})
    assert response.status_code == 400
    assert message in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.reviewer == manager
    assert not Event.objects.filter(kind="reviewer_changed").exists()


def test_the_history_page_shows_managers_everything_and_the_committee_the_decisions(
    client, reviewed, manager, calibrators, calibrator
):
    rating = reviewed.ratings.first()
    workflow.reopen_review(reviewed, by=manager)
    client.force_login(manager)
    client.post(
        reverse("assessments:review-save", args=[reviewed.pk, rating.behaviour_id]),
        {"score": "1", "comment": "Private drafting", "version": "0"},
    )
    workflow.finish_review(reviewed, by=manager)
    url = reverse("assessments:history", args=[reviewed.pk])
    html = client.get(url).content.decode()
    assert "Private drafting" in html
    assert "Review reopened" in html
    client.force_login(calibrator)
    html = client.get(url).content.decode()
    assert "Private drafting" not in html
    assert "Review reopened" not in html
    assert "Review finished" in html


def test_nobody_edits_history_in_the_admin(client, admin_user, reviewed):
    event = Event.objects.filter(assessment=reviewed).first()
    client.force_login(admin_user)
    change = reverse("admin:assessments_event_change", args=[event.pk])
    html = client.get(change).content.decode()
    assert 'name="kind"' not in html
    assert client.post(change, {"kind": "shared"}).status_code == 403
    delete = reverse("admin:assessments_event_delete", args=[event.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.kind == "submitted"


def test_the_admin_shows_no_comments_or_scores_of_the_history(client, admin_user, reviewed):
    Event.objects.create(
        assessment=reviewed, actor=admin_user, kind="manager_comment", new="Private words"
    )
    client.force_login(admin_user)
    html = client.get(reverse("admin:assessments_event_changelist")).content.decode()
    assert "Manager&#x27;s comment" in html or "Manager’s comment" in html
    assert "Private words" not in html
    event = Event.objects.get(new="Private words")
    page = client.get(reverse("admin:assessments_event_change", args=[event.pk]))
    assert "Private words" not in page.content.decode()


def test_nobody_moves_a_review_to_themselves(client, submitted, manager, staff_runner):
    client.force_login(staff_runner)
    url = reverse("assessments:reviewer", args=[submitted.pk])
    response = client.post(url, {"username": staff_runner.username})
    assert response.status_code == 400
    assert "move a review to yourself" in response.content.decode()
    submitted.refresh_from_db()
    assert submitted.reviewer == manager
    assert client.get(submitted.get_review_url()).status_code == 404


def test_nobody_moves_a_review_to_their_own_report(client, submitted, manager, staff_runner):
    report = UserFactory(username="runners-report", manager=staff_runner)
    client.force_login(staff_runner)
    url = reverse("assessments:reviewer", args=[submitted.pk])
    response = client.post(url, {"username": report.username})
    assert response.status_code == 400
    assert "as their manager&#39;s manager" in response.content.decode()
    submitted.refresh_from_db()
    assert (submitted.reviewer, submitted.skip_reviewer) == (manager, manager.manager)
    assert client.get(submitted.get_packet_url()).status_code == 404


def test_a_resubmission_keeps_its_reviewer_whatever_the_org_chart_says_since(
    submitted, engineer, manager, other_manager, staff_runner
):
    workflow.reassign_reviewer(submitted, by=staff_runner, to=other_manager)
    workflow.return_to_draft(submitted, by=other_manager, note="Add the launch")
    engineer.manager = UserFactory(username="new-manager")
    engineer.save(update_fields=["manager"])
    workflow.submit(submitted, by=engineer)
    submitted.refresh_from_db()
    assert submitted.reviewer == other_manager
    assert kinds(submitted).count("reviewer_changed") == 1


def test_after_calibration_closes_no_review_can_finish_and_be_stranded(
    client, submitted, manager, calibrators, calibrator
):
    from assessments.models import Rating

    Rating.objects.filter(assessment=submitted).update(manager_score=3)
    Assessment.objects.filter(pk=submitted.pk).update(proposed_outcome=Outcome.AT)
    workflow.close_calibration(submitted.cycle, by=calibrator, confirmed=True)
    with pytest.raises(PermissionDenied, match="calibration is closed"):
        workflow.finish_review(submitted, by=manager)
    client.force_login(manager)
    rating = submitted.ratings.first()
    save = reverse("assessments:review-save", args=[submitted.pk, rating.behaviour_id])
    response = client.post(save, {"score": "1", "comment": "", "version": "0"})
    assert response.status_code == 403
    assert client.post(reverse("assessments:review-finish", args=[submitted.pk])).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED


@pytest.mark.parametrize(
    ("name", "method", "params"),
    [
        ("assessments:team", "get", {"cycle": "²"}),
        ("assessments:calibration", "get", {"manager": "²"}),
        ("assessments:calibration", "get", {"page": "²"}),
        ("assessments:packet-batch", "post", {"scope": "level", "level": "²"}),
    ],
)
def test_digits_that_are_not_ascii_are_refused_not_a_500(
    client, reviewed, calibrators, calibrator, name, method, params
):
    client.force_login(calibrator)
    args = [] if name == "assessments:team" else [reviewed.cycle_id]
    response = getattr(client, method)(reverse(name, args=args), params)
    assert response.status_code in (200, 302, 400)

"""Submitting a complete draft, telling the manager, and returning it with a note."""

import pytest
from django.core import mail
from django.urls import reverse
from markupsafe import escape

from assessments.models import Assessment, Rating
from tests.assessments.conftest import answer_all
from tests.default_scale import Score

pytestmark = pytest.mark.django_db


def submit_url(assessment):
    return reverse("assessments:submit", args=[assessment.pk])


def test_an_incomplete_draft_cannot_be_submitted(client, engineer, assessment):
    assessment.ratings.filter(behaviour__area__key="scope").update(score=3)
    client.force_login(engineer)
    response = client.post(submit_url(assessment), follow=True)
    assert "56 behaviours still need a score" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.is_draft
    assert mail.outbox == []


def test_a_refused_submit_is_explained_beside_the_button(client, engineer, assessment):
    """Not at the top of a long page, where nobody at the Submit button would see it."""
    assessment.ratings.filter(behaviour__area__key="scope").update(score=3)
    client.force_login(engineer)
    response = client.post(submit_url(assessment), follow=True)
    assert response.redirect_chain[-1][0].endswith("#submit")
    html = response.content.decode()
    card = html[html.index('id="submit"') :]
    assert html.index("56 behaviours still need a score") > html.index('id="submit"')
    assert '<p class="field-error" role="alert">56 behaviours still need a score' in card
    first_unanswered = (
        assessment.ratings.filter(score__isnull=True)
        .order_by("behaviour__area__order", "behaviour__order")
        .values_list("behaviour_id", flat=True)
        .first()
    )
    assert "56 behaviours still need an answer" in card
    assert f'href="#b-{first_unanswered}" data-next-unanswered>Go to the first one</a>' in card
    assert 'class="messages"' not in html


def test_no_evidence_yet_counts_as_an_answer(
    client, engineer, assessment, django_capture_on_commit_callbacks
):
    answer_all(assessment, score=Score.NO_EVIDENCE)
    client.force_login(engineer)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(submit_url(assessment))
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED


def test_submitting_tells_the_manager(client, engineer, manager, assessment, settings, run_jobs):
    # The address of the running server, as make run sets it from PORT.
    settings.SITE_URL = "http://127.0.0.1:8123"
    answer_all(assessment)
    client.force_login(engineer)
    response = client.post(submit_url(assessment), follow=True)
    assert f"Submitted. {escape(str(manager))} has been told" in response.content.decode()
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    assert assessment.submitted_at is not None
    # The e-mail is a job for the worker, not sent by the request.
    assert mail.outbox == []
    run_jobs()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [manager.email]
    assert "submitted their self-assessment" in message.subject
    assert f"http://127.0.0.1:8123{assessment.get_review_url()}" in message.body


def test_the_manager_sees_it_arrive(client, manager, submitted):
    client.force_login(manager)
    html = client.get(reverse("home")).content.decode()
    assert submitted.get_absolute_url() in html
    assert "Submitted" in html


def test_only_the_engineer_submits(client, manager, peer, assessment):
    answer_all(assessment)
    for person in (manager, peer):
        client.force_login(person)
        assert client.post(submit_url(assessment)).status_code == 404
    assessment.refresh_from_db()
    assert assessment.is_draft


def test_submitting_twice_is_refused(client, engineer, submitted):
    client.force_login(engineer)
    response = client.post(submit_url(submitted))
    assert response.status_code == 403


def test_manager_returns_a_submission_with_a_note(client, manager, engineer, submitted, run_jobs):
    client.force_login(manager)
    url = reverse("assessments:return", args=[submitted.pk])
    response = client.post(url, {"note": "Add evidence for Hiring, please."})
    run_jobs()
    # Back to the team in this cycle, where finishing a review returns too.
    assert response["Location"] == f"{reverse('assessments:team')}?cycle={submitted.cycle_id}"
    submitted.refresh_from_db()
    assert submitted.is_draft
    assert submitted.return_note == "Add evidence for Hiring, please."
    assert submitted.submitted_at is None
    assert mail.outbox[-1].to == [engineer.email]
    assert "Add evidence for Hiring" in mail.outbox[-1].body
    client.force_login(engineer)
    html = client.get(submitted.get_absolute_url()).content.decode()
    assert "Add evidence for Hiring, please." in html
    assert 'class="rating-form"' in html  # editable again
    # and the manager can no longer read it while it is a draft
    client.force_login(manager)
    assert client.get(submitted.get_absolute_url()).status_code == 404


def test_a_resubmitted_review_with_scores_is_continued_not_started(
    client, manager, engineer, submitted
):
    first = submitted.ratings.order_by("pk").first()
    Rating.objects.filter(pk=first.pk).update(manager_score=3)
    client.force_login(manager)
    team = client.get(reverse("assessments:team")).content.decode()
    assert "Continue your review" in team
    assert "Start your review" not in team


def test_returning_needs_a_note(client, manager, submitted):
    client.force_login(manager)
    response = client.post(reverse("assessments:return", args=[submitted.pk]), {"note": "   "})
    assert response.status_code == 400
    assert "Say what should change" in response.content.decode()
    submitted.refresh_from_db()
    assert not submitted.is_draft


@pytest.mark.parametrize("who", ["engineer", "other_manager", "peer", "admin_user"])
def test_only_the_manager_returns(client, submitted, who, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(reverse("assessments:return", args=[submitted.pk]), {"note": "x"})
    assert response.status_code in (403, 404)
    submitted.refresh_from_db()
    assert not submitted.is_draft


def test_a_draft_cannot_be_returned(client, manager, assessment):
    client.force_login(manager)
    response = client.post(reverse("assessments:return", args=[assessment.pk]), {"note": "x"})
    assert response.status_code == 404


def test_a_mail_server_that_is_down_does_not_undo_a_submission(
    client, engineer, assessment, settings, run_jobs
):
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    answer_all(assessment)
    client.force_login(engineer)
    response = client.post(submit_url(assessment))
    assert response.status_code == 302
    (job,) = run_jobs()
    # The job failed and says why; the submission stands.
    assert job.status == "FAILED"
    assert "ConnectionRefusedError" in job.exception_class_path
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED


def test_submitting_without_a_manager_says_nobody_can_review_it_yet(client, engineer, assessment):
    engineer.manager = None
    engineer.save(update_fields=["manager"])
    # Enrolled while without a manager: nobody was fixed as its reviewer.
    type(assessment).objects.filter(pk=assessment.pk).update(reviewer=None, skip_reviewer=None)
    answer_all(assessment)
    client.force_login(engineer)
    html = client.post(submit_url(assessment), follow=True).content.decode()
    assert "nobody can review it yet" in html
    assert "has been told" not in html

"""The manager's review: both sides of each behaviour, autosave, filters, finishing, reopening."""

import re
from html import unescape

import pytest
from django.core import mail
from django.urls import reverse

from assessments import workflow
from assessments.models import Assessment, Event, Rating
from assessments.services import start_assessment
from tests.assessments.conftest import answer_all, make_cycle
from tests.default_scale import Outcome, Score
from tests.factories import UserFactory, level_doc, make_framework

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def save_url(rating) -> str:
    return reverse("assessments:review-save", args=[rating.assessment_id, rating.behaviour_id])


def review_url(assessment) -> str:
    return reverse("assessments:review", args=[assessment.pk])


def data_statements(captured) -> list[str]:
    """The queries that read or write rows; transaction control (savepoints) left out."""
    control = re.compile(r"^\s*(SAVEPOINT|RELEASE SAVEPOINT|ROLLBACK|BEGIN|COMMIT)", re.I)
    return [q["sql"] for q in captured.captured_queries if not control.match(q["sql"])]


@pytest.fixture
def rating(submitted):
    return submitted.ratings.order_by("behaviour__area__order", "behaviour__order").first()


def test_the_reviewer_is_fixed_when_the_assessment_is_submitted(
    client, submitted, manager, other_manager, engineer
):
    assert submitted.reviewer == manager
    # An admin makes themselves (or anyone) the engineer's manager afterwards:
    engineer.manager = other_manager
    engineer.save(update_fields=["manager"])
    client.force_login(other_manager)
    assert client.get(review_url(submitted)).status_code == 404
    assert client.get(submitted.get_absolute_url()).status_code == 404
    client.force_login(manager)
    assert client.get(review_url(submitted)).status_code == 200


def test_the_review_page_shows_the_engineers_answer_beside_the_reviewers(
    client, manager, submitted, rating
):
    Rating.objects.filter(pk=rating.pk).update(
        evidence="Led the **ranking** rewrite", evidence_html="<p>Led the <strong>ranking</strong>"
    )
    client.force_login(manager)
    html = client.get(review_url(submitted)).content.decode()
    assert "Led the <strong>ranking</strong>" in html
    assert html.count('class="rating-form manager-side"') == 58
    assert f'action="{save_url(rating)}"' in html
    assert 'name="comment"' in html
    assert "Summary and proposed outcome" in html
    assert "Ready for the next level" in html


def test_the_browser_puts_back_no_answer_of_its_own(client, peer, manager, submitted):
    """A browser filling the rows in from an earlier visit (back, forward, a reload) would
    have the page's script take those old answers for new ones and save them: every row's
    form, the summary's and the engineer's, asks it not to. Unsaved text is the script's
    own to keep (localStorage)."""
    draft = start_assessment(cycle=submitted.cycle, engineer=peer)
    for person, url in [(manager, review_url(submitted)), (peer, draft.get_absolute_url())]:
        client.force_login(person)
        html = client.get(url).content.decode()
        forms = re.findall(r"<form [^>]*class=\"rating-form[^>]*>", html)
        assert len(forms) >= 58, url
        assert all('autocomplete="off"' in form for form in forms), url


def small_assessment(engineer, behaviours: int):
    framework = make_framework(
        level_doc("IC5", track="Machine Learning", responsibilities=1, behaviours=behaviours),
        name=f"Small {behaviours}",
    )
    cycle = make_cycle(framework, name=f"Cycle {behaviours}")
    engineer.track = framework.levels.get().track
    engineer.save(update_fields=["track"])
    assessment = start_assessment(cycle=cycle, engineer=engineer)
    answer_all(assessment)
    return workflow.submit(assessment, by=engineer)


def test_the_review_page_reads_the_same_number_of_rows_whatever_the_level_size(
    client, manager, engineer, django_assert_num_queries
):
    small = small_assessment(engineer, 1)
    client.force_login(manager)
    client.get(review_url(small))  # the level's outline is kept after the first view
    with django_assert_num_queries(3) as few:
        assert client.get(review_url(small)).status_code == 200
    other = UserFactory(username="other-engineer", manager=manager, level_code="IC5")
    large = small_assessment(other, 6)
    client.get(review_url(large))
    with django_assert_num_queries(3) as many:
        assert client.get(review_url(large)).status_code == 200
    assert Rating.objects.filter(assessment=large).count() > 3 * small.ratings.count()
    assert len(few) == len(many)


def test_the_reviewers_save_starts_the_review_and_records_it(client, manager, submitted, rating):
    client.force_login(manager)
    response = client.post(
        save_url(rating), {"score": "2", "comment": "Less than claimed", "version": "0"}, **HTMX
    )
    assert response.status_code == 200
    assert response["X-Rating-Version"] == "1"
    rating.refresh_from_db()
    assert (rating.manager_score, rating.manager_comment) == (2, "Less than claimed")
    assert rating.manager_comment_html == "<p>Less than claimed</p>"
    assert (rating.score, rating.version) == (Score.CONSISTENTLY, 0)  # the engineer's side
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.IN_REVIEW
    kinds = list(Event.objects.filter(assessment=submitted).values_list("kind", "old", "new"))
    assert kinds[-3:] == [
        ("review_started", "Submitted", "In review"),
        ("manager_score", "", "Sometimes"),
        ("manager_comment", "", "Less than claimed"),
    ]
    assert Event.objects.filter(kind="manager_score").get().actor == manager


def test_the_engineers_version_and_the_reviewers_never_conflict(client, manager, submitted, rating):
    # The engineer saved this behaviour seven times before submitting.
    Rating.objects.filter(pk=rating.pk).update(version=7)
    client.force_login(manager)
    response = client.post(save_url(rating), {"score": "3", "comment": "", "version": "0"}, **HTMX)
    assert response.status_code == 200
    rating.refresh_from_db()
    assert (rating.version, rating.manager_version, rating.manager_score) == (7, 1, 3)


def test_a_stale_review_save_gets_both_versions_and_writes_nothing(
    client, manager, submitted, rating
):
    client.force_login(manager)
    client.post(save_url(rating), {"score": "1", "comment": "First tab", "version": "0"}, **HTMX)
    response = client.post(
        save_url(rating), {"score": "4", "comment": "Second tab", "version": "0"}, **HTMX
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone saved this answer in another tab" in html
    assert 'data-evidence="First tab"' in html
    rating.refresh_from_db()
    assert (rating.manager_score, rating.manager_comment, rating.manager_version) == (
        1,
        "First tab",
        1,
    )
    # "Keep my version": the person has seen version 1 and chooses theirs.
    response = client.post(
        save_url(rating),
        {"score": "4", "comment": "Second tab", "version": "0", "overwrite_version": "1"},
        **HTMX,
    )
    assert response.status_code == 200
    rating.refresh_from_db()
    assert (rating.manager_score, rating.manager_comment) == (4, "Second tab")


def test_a_review_autosave_runs_at_most_six_queries(
    client, manager, submitted, rating, django_assert_max_num_queries
):
    client.force_login(manager)
    # The first save also starts the review: the most work a save ever does.
    with django_assert_max_num_queries(9) as captured:
        client.post(save_url(rating), {"score": "2", "comment": "x", "version": "0"}, **HTMX)
    # session with user, rating with assessment and cycle, the published level (for its
    # scale, read once per process), the conditional update, the review's start, the
    # history rows
    assert len(data_statements(captured)) == 6
    with django_assert_max_num_queries(8) as captured:
        client.post(save_url(rating), {"score": "3", "comment": "y", "version": "1"}, **HTMX)
    assert len(data_statements(captured)) == 4


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"score": "9", "comment": "", "version": "0"}, "Choose one of the scale"),
        ({"score": "2", "comment": "x" * 10_001, "version": "0"}, "at most 10000 characters"),
        ({"score": "2", "comment": "nul\x00", "version": "0"}, "Null characters"),
        ({"score": "2", "comment": "", "version": "soon"}, "whole number"),
        ({"score": "2", "comment": ""}, "required"),
    ],
)
def test_bad_review_input_is_refused_and_changes_nothing(
    client, manager, submitted, rating, data, message
):
    client.force_login(manager)
    response = client.post(save_url(rating), data, **HTMX)
    assert response.status_code == 400
    assert message in response.content.decode()
    rating.refresh_from_db()
    assert (rating.manager_score, rating.manager_version) == (None, 0)
    assert not Event.objects.filter(kind__startswith="manager").exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("engineer", 403), ("peer", 404), ("other_manager", 404), ("admin_user", 404)],
)
def test_only_the_reviewer_saves_a_review(client, submitted, rating, who, status, request):
    client.force_login(request.getfixturevalue(who))
    response = client.post(save_url(rating), {"score": "1", "comment": "", "version": "0"})
    assert response.status_code == status
    rating.refresh_from_db()
    assert rating.manager_score is None


def test_the_skip_level_manager_reads_the_review_but_cannot_write(
    client, skip, manager, submitted, rating
):
    client.force_login(manager)
    client.post(save_url(rating), {"score": "2", "comment": "Visible", "version": "0"}, **HTMX)
    client.force_login(skip)
    html = client.get(review_url(submitted)).content.decode()
    assert "Visible" in html
    assert "rating-form" not in html
    response = client.post(save_url(rating), {"score": "4", "comment": "", "version": "1"})
    assert response.status_code == 403


def test_the_filters_show_only_disagreements_or_only_unreviewed(client, manager, submitted):
    ratings = list(submitted.ratings.order_by("pk"))
    # The engineer answered "Consistently" (3) everywhere.
    Rating.objects.filter(pk=ratings[0].pk).update(manager_score=1)  # two steps apart
    Rating.objects.filter(pk=ratings[1].pk).update(manager_score=3)  # agrees
    Rating.objects.filter(pk=ratings[2].pk).update(manager_score=4)  # one step
    client.force_login(manager)
    html = client.get(review_url(submitted), {"show": "disagreements"}).content.decode()
    shown = set(map(int, re.findall(r'class="rating review-row[^"]*" id="b-(\d+)"', html)))
    assert shown == {ratings[0].behaviour_id, ratings[2].behaviour_id}
    assert "Differs by 2 steps" in html
    assert "Differs by 1 step<" in html
    html = client.get(review_url(submitted), {"show": "unreviewed"}).content.decode()
    shown = set(map(int, re.findall(r'class="rating review-row[^"]*" id="b-(\d+)"', html)))
    assert len(shown) == 55
    assert ratings[1].behaviour_id not in shown
    assert 'Only unreviewed <span class="count" data-filter-count="unreviewed">55</span>' in html


def test_an_unknown_filter_shows_everything(client, manager, submitted):
    client.force_login(manager)
    html = client.get(review_url(submitted), {"show": "<script>"}).content.decode()
    assert html.count('class="rating review-row') == 58
    assert "<script>" not in html.split("</nav>")[0].split("review-filter")[-1]


def summary_url(assessment) -> str:
    return reverse("assessments:review-summary", args=[assessment.pk])


def test_the_summary_and_outcome_save_with_their_own_version(client, manager, submitted):
    client.force_login(manager)
    data = {"summary": "Strong *year*", "outcome": "3", "version": "0"}
    response = client.post(summary_url(submitted), data, **HTMX)
    assert response.status_code == 200
    submitted.refresh_from_db()
    assert (submitted.summary, submitted.proposed_outcome) == ("Strong *year*", Outcome.STRONG)
    assert submitted.summary_html == "<p>Strong <em>year</em></p>"
    assert submitted.review_version == 1
    assert submitted.status == Assessment.Status.IN_REVIEW
    stale = client.post(summary_url(submitted), {**data, "summary": "Other"}, **HTMX)
    assert stale.status_code == 409
    assert Event.objects.filter(kind="proposed_outcome").get().new == "Strong at level"


def finish_url(assessment) -> str:
    return reverse("assessments:review-finish", args=[assessment.pk])


def test_finishing_needs_every_score_and_an_outcome(client, manager, submitted):
    client.force_login(manager)
    response = client.post(finish_url(submitted), follow=True)
    html = response.content.decode()
    assert "58 behaviours still need your score. Choose a proposed outcome." in html
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.SUBMITTED


def test_finishing_sends_it_to_the_committee_and_tells_the_engineer_nothing_of_it(
    client, manager, engineer, submitted, run_jobs
):
    Rating.objects.filter(assessment=submitted).update(manager_score=2, manager_comment="Meh")
    Assessment.objects.filter(pk=submitted.pk).update(proposed_outcome=Outcome.BELOW)
    client.force_login(manager)
    mail.outbox.clear()
    response = client.post(finish_url(submitted))
    # Back to the team in this cycle, as returning a draft goes too.
    assert response["Location"] == f"{reverse('assessments:team')}?cycle={submitted.cycle_id}"
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.REVIEWED
    assert submitted.reviewed_at is not None
    run_jobs()
    (message,) = [m for m in mail.outbox if m.to == [engineer.email]]
    assert "finished reviewing" in message.body
    assert "Below level" not in message.body
    assert "Sometimes" not in message.body


def test_a_finished_review_can_be_reopened_until_the_committee_decides(
    client, manager, reviewed, calibrators, calibrator
):
    client.force_login(manager)
    html = client.get(review_url(reviewed)).content.decode()
    assert "Reopen the review" in html
    assert "rating-form" not in html
    client.post(reverse("assessments:review-reopen", args=[reviewed.pk]))
    reviewed.refresh_from_db()
    assert reviewed.status == Assessment.Status.IN_REVIEW
    workflow.finish_review(reviewed, by=manager)
    workflow.record_decision(reviewed, by=calibrator, outcome=Outcome.AT, reason="Agreed")
    response = client.post(reverse("assessments:review-reopen", args=[reviewed.pk]))
    assert response.status_code == 403
    reviewed.refresh_from_db()
    assert reviewed.status == Assessment.Status.CALIBRATED


def test_the_engineer_sees_the_review_and_outcome_only_once_shared(
    client, engineer, manager, reviewed, calibrators, calibrator
):
    Rating.objects.filter(assessment=reviewed).update(
        manager_comment="Secret until shared", manager_comment_html="<p>Secret until shared</p>"
    )
    client.force_login(engineer)
    assert client.get(review_url(reviewed)).status_code == 403
    page = client.get(reviewed.get_absolute_url()).content.decode()
    assert "Secret until shared" not in page
    assert "Solid half" not in page
    workflow.record_decision(reviewed, by=calibrator, outcome=Outcome.STRONG, reason="Clear case")
    assert client.get(review_url(reviewed)).status_code == 403
    workflow.close_calibration(reviewed.cycle, by=calibrator, confirmed=True)
    html = client.get(review_url(reviewed)).content.decode()
    assert "Secret until shared" in html
    assert "Your outcome: Strong at level" in html
    assert html.count("Clear case") == 1  # the outcome leads the page, once
    assert "rating-form" not in html


def test_a_plain_form_save_without_script_redirects_back_to_the_row(
    client, manager, submitted, rating
):
    client.force_login(manager)
    response = client.post(save_url(rating), {"score": "2", "comment": "", "version": "0"})
    assert response.status_code == 302
    assert response["Location"] == f"{review_url(submitted)}#b-{rating.behaviour_id}"
    stale = client.post(save_url(rating), {"score": "4", "comment": "Mine", "version": "0"})
    assert stale.status_code == 409
    html = stale.content.decode()
    # The page again, with what was typed kept in the row and both versions shown.
    assert ">\nMine</textarea>" in html
    assert "Someone saved this" in html


def test_saving_after_the_review_is_finished_is_refused(client, manager, reviewed):
    rating = reviewed.ratings.first()
    client.force_login(manager)
    response = client.post(save_url(rating), {"score": "0", "comment": "", "version": "0"}, **HTMX)
    assert response.status_code == 403
    assert "Reopen it to change it" in response.content.decode()
    rating.refresh_from_db()
    assert rating.manager_score == Score.CONSISTENTLY


def test_a_review_save_racing_a_return_to_draft_writes_nothing(client, manager, submitted, rating):
    client.force_login(manager)
    # The page was read while submitted; the assessment went back to draft since.
    workflow.return_to_draft(submitted, by=manager, note="Add evidence")
    response = client.post(save_url(rating), {"score": "1", "comment": "", "version": "0"}, **HTMX)
    assert response.status_code in (403, 404)
    rating.refresh_from_db()
    assert (rating.manager_score, rating.manager_version) == (None, 0)


def test_review_rows_escape_what_people_wrote(client, manager, engineer):
    framework = make_framework(
        level_doc("IC5", responsibilities=1, behaviours=1, text="I ship <b>{what}</b> at {code}"),
        name="Escapes",
    )
    engineer.first_name = "<i>Kim</i>"
    engineer.track = framework.levels.get().track
    engineer.save(update_fields=["first_name", "track"])
    assessment = start_assessment(cycle=make_cycle(framework), engineer=engineer)
    answer_all(assessment)
    workflow.submit(assessment, by=engineer)
    assessment.ratings.update(
        manager_comment="</textarea><script>alert(1)</script>", manager_score=1
    )
    client.force_login(manager)
    for show in ("", "disagreements"):
        html = client.get(review_url(assessment), {"show": show}).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;</textarea>" in html
        assert "I ship &lt;b&gt;" in html
        assert "<b>" not in html
        assert "<i>Kim</i>" not in html
        assert "&lt;i&gt;Kim&lt;/i&gt;" in html


def agree_url(assessment) -> str:
    return reverse("assessments:review-agree", args=[assessment.pk])


def test_agreeing_with_an_area_scores_only_its_unscored_behaviours_as_the_engineer_did(
    client, manager, submitted
):
    rows = list(submitted.ratings.order_by("behaviour__area__order", "behaviour__order"))
    # Results: an area with sub-groups and more than a handful of behaviours.
    area = [r for r in rows if r.behaviour.area.key == "results"]
    assert len(area) > 4
    Rating.objects.filter(pk=area[0].pk).update(manager_score=1)  # already the manager's
    Rating.objects.filter(pk=area[1].pk).update(score=Score.BEYOND)
    Rating.objects.filter(pk=area[2].pk).update(score=Score.NO_EVIDENCE)
    client.force_login(manager)
    page = client.get(review_url(submitted)).content.decode()
    left = len(area) - 1
    assert f"on the {left} not yet scored in Results" in page
    response = client.post(agree_url(submitted), {"area": "results"}, follow=True)
    assert f"Scored {left} behaviours in Results" in response.content.decode()
    scores = {r.pk: (r.score, r.manager_score) for r in Rating.objects.filter(assessment=submitted)}
    assert scores[area[0].pk][1] == 1  # kept
    assert scores[area[1].pk] == (Score.BEYOND, Score.BEYOND)
    assert scores[area[2].pk] == (Score.NO_EVIDENCE, Score.NO_EVIDENCE)
    assert all(scores[r.pk][1] == scores[r.pk][0] == Score.CONSISTENTLY for r in area[3:])
    assert all(scores[r.pk][1] is None for r in rows if r.behaviour.area.key != "results")
    submitted.refresh_from_db()
    assert submitted.status == Assessment.Status.IN_REVIEW
    events = Event.objects.filter(assessment=submitted, kind=Event.Kind.MANAGER_SCORE)
    assert events.count() == left
    assert set(events.values_list("actor", flat=True)) == {manager.pk}


def test_agreeing_with_the_rest_scores_every_behaviour_not_yet_scored(client, manager, submitted):
    first = submitted.ratings.order_by("pk").first()
    Rating.objects.filter(pk=first.pk).update(manager_score=1)
    client.force_login(manager)
    client.post(agree_url(submitted))
    assert not submitted.ratings.filter(manager_score__isnull=True).exists()
    assert submitted.ratings.get(pk=first.pk).manager_score == 1
    again = client.post(agree_url(submitted), follow=True)
    assert "Nothing left to score" in again.content.decode()


def test_agreeing_is_refused_for_others_and_an_unknown_area_changes_nothing(
    client, manager, other_manager, submitted
):
    client.force_login(other_manager)
    assert client.post(agree_url(submitted)).status_code == 404
    client.force_login(manager)
    response = client.post(agree_url(submitted), {"area": "no-such-area"}, follow=True)
    assert "That area isn't in this level" in unescape(response.content.decode()).replace("’", "'")
    assert not submitted.ratings.filter(manager_score__isnull=False).exists()


def test_the_reviewers_side_reads_the_scale_in_the_reviewers_words(client, manager, submitted):
    client.force_login(manager)
    html = unescape(client.get(review_url(submitted)).content.decode())
    assert '<span class="meaning-3">Shows this reliably, as the level expects.</span>' in html
    assert "I show this reliably" not in html

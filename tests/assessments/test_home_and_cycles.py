"""Sign-in, the home page, and starting an assessment in an open cycle."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.models import Assessment, Cycle
from tests.assessments.conftest import make_cycle
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_sign_in_and_out(client, engineer):
    response = client.post(reverse("login"), {"username": "engineer", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_says_so_and_signs_nobody_in(client, engineer):
    response = client.post(reverse("login"), {"username": "engineer", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_password_change(client, engineer):
    client.force_login(engineer)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-secret-42",
            "new_password2": "a-much-longer-secret-42",
        },
    )
    assert response.status_code == 302
    engineer.refresh_from_db()
    assert engineer.check_password("a-much-longer-secret-42")


def test_home_shows_the_open_cycle_and_its_deadlines(client, engineer, cycle, on_ic5):
    client.force_login(engineer)
    html = client.get(reverse("home")).content.decode()
    assert cycle.name in html
    assert "Self-assessment</strong> due" in html
    assert "in 10 days" in html
    assert "Start your IC5 self-assessment" in html


def test_home_without_an_open_cycle_says_so(client, engineer, ic5):
    make_cycle(ic5.framework, status=Cycle.Status.CLOSED)
    client.force_login(engineer)
    assert "No review cycle is open" in client.get(reverse("home")).content.decode()


def test_starting_creates_one_assessment_with_a_rating_per_behaviour(
    client, engineer, cycle, on_ic5
):
    client.force_login(engineer)
    url = reverse("assessments:start", args=[cycle.pk])
    first = client.post(url)
    second = client.post(url)
    assessment = Assessment.objects.get()
    assert first["Location"] == second["Location"] == assessment.get_absolute_url()
    assert assessment.level == on_ic5
    assert assessment.ratings.count() == 58
    assert assessment.is_draft


def test_starting_without_a_level_explains(client, engineer, cycle):
    client.force_login(engineer)
    response = client.post(reverse("assessments:start", args=[cycle.pk]), follow=True)
    assert "level and track aren" in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_closed_cycle_cannot_be_started(client, engineer, ic5, on_ic5):
    closed = make_cycle(ic5.framework, status=Cycle.Status.CLOSED)
    client.force_login(engineer)
    assert client.post(reverse("assessments:start", args=[closed.pk])).status_code == 404
    assert not Assessment.objects.exists()


def test_home_shows_progress_and_reports(
    client, manager, assessment, peer, django_assert_max_num_queries
):
    assessment.ratings.filter(behaviour__area__key="scope").update(score=3)
    client.force_login(manager)
    # This manager has no level of their own, so two more queries ask about their roles
    # (a committee seat, an HR partner's part); and one reads their shared results, if any.
    with django_assert_max_num_queries(9):
        html = client.get(reverse("home")).content.decode()
    assert "Your reports" in html
    # A draft is not the manager's to read: no link; its progress reads as on the team
    # page, a count and nothing of what was written.
    assert assessment.get_absolute_url() not in html
    assert "2 of 58 answered" in html
    assert "Draft" in html
    assert "Not started" in html  # the peer


def test_a_cycle_must_pin_a_published_version(ic5):
    from ladder.services import new_draft_from

    draft = new_draft_from(ic5.framework)
    cycle = Cycle(
        name="x",
        framework=draft,
        self_assessment_due="2026-12-01",
        manager_review_due="2026-12-10",
        calibration_due="2026-12-20",
    )
    with pytest.raises(ValidationError, match="published version"):
        cycle.full_clean()


def test_deadlines_must_be_in_order(ic5):
    cycle = Cycle(
        name="x",
        framework=ic5.framework,
        self_assessment_due="2026-12-20",
        manager_review_due="2026-12-10",
        calibration_due="2026-12-30",
    )
    with pytest.raises(ValidationError, match="Deadlines go in order"):
        cycle.full_clean()


def test_two_open_cycles_name_their_buttons(client, engineer, ic5, on_ic5):
    first = make_cycle(ic5.framework, name="2026 H2 review")
    second = make_cycle(ic5.framework, name="Promotion round")
    client.force_login(engineer)
    html = client.get(reverse("home")).content.decode()
    for cycle in (first, second):
        button = f'Start your IC5 self-assessment<span class=""> for {cycle.name}</span></button>'
        assert button in html
    assert "Rated against Engineering Career Framework v1" in html


def test_one_open_cycle_names_it_for_screen_readers_only(client, engineer, cycle, on_ic5):
    client.force_login(engineer)
    html = client.get(reverse("home")).content.decode()
    assert f'<span class="visually-hidden"> for {cycle.name}</span></button>' in html


def test_an_admin_without_a_level_sees_what_their_roles_give_them(
    client, admin_user, cycle, assessment
):
    client.force_login(admin_user)
    html = client.get(reverse("home")).content.decode()
    assert "You edit the career framework" in html
    assert "You run review cycles" in html
    assert reverse("assessments:cycles") in html
    assert "1 taking part, 0 submitted." in html
    assert "Ask your Ladder admin" not in html


def test_a_calibrator_without_a_level_is_told_about_calibration(client, calibrator, calibrators):
    client.force_login(calibrator)
    html = client.get(reverse("home")).content.decode()
    assert "You sit on the calibration committee" in html
    assert "You edit the career framework" not in html
    assert "self-assessments started" not in html
    assert "Ask your Ladder admin" not in html


def test_someone_with_no_level_and_no_role_is_told_to_ask(client, calibrator, cycle):
    client.force_login(calibrator)
    html = client.get(reverse("home")).content.decode()
    assert "Ask your Ladder admin" in html
    assert "What you do in Ladder" not in html

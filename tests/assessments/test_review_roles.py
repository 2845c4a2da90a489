"""Nobody gives themselves a role that reads reviews; others do it on the record, and tell.

A seat on a cycle's committee reads every reviewed person's evidence; a person's
manager reviews their next submission, and that manager's manager reads it. Through
the admin, an admin could once take any of these for themselves, recorded only in
Django's own log. These changes now go through assessments.roles.
"""

from datetime import datetime

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments import roles, workflow
from assessments.models import Assessment, CommitteeChange, Event
from tests.assessments.conftest import answer_all
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_admin(db):
    return UserFactory(username="other-admin", is_staff=True, is_superuser=True)


def form_data(response) -> dict:
    """What the admin's change form would post back unchanged."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form[name].value()
        if isinstance(value, datetime):
            data[f"{name}_0"], data[f"{name}_1"] = f"{value:%Y-%m-%d}", f"{value:%H:%M:%S}"
        elif isinstance(value, list | tuple):
            data[name] = [str(item) for item in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif value is not None:
            data[name] = str(value)
    return data


def change_person(client, person, **changes):
    url = reverse("admin:ladder_user_change", args=[person.pk])
    data = {**form_data(client.get(url)), **changes}
    return client.post(url, data)


def change_cycle(client, cycle, **changes):
    url = reverse("admin:assessments_cycle_change", args=[cycle.pk])
    data = {**form_data(client.get(url)), **changes}
    return client.post(url, data)


def errors(response) -> str:
    assert response.status_code == 200, "the form was saved"
    return str(response.context["adminform"].form.errors)


def test_an_admin_cannot_seat_themselves_on_a_committee(client, admin_user, reviewed, calibrators):
    client.force_login(admin_user)
    # One's own groups and rights can't be edited at all: the form leaves them out.
    form = client.get(reverse("admin:ladder_user_change", args=[admin_user.pk]))
    assert {"groups", "user_permissions", "is_superuser"}.isdisjoint(
        form.context["adminform"].form.fields
    )
    change_person(client, admin_user, groups=[str(calibrators.pk)])
    assert not admin_user.groups.exists()
    assert not CommitteeChange.objects.exists()
    packet = client.get(reverse("assessments:packet", args=[reviewed.pk]))
    assert packet.status_code == 404


def test_an_admin_cannot_make_a_group_they_are_in_a_cycles_committee(
    client, admin_user, cycle, calibrator
):
    own = Group.objects.create(name="People team")
    own.user_set.add(admin_user)
    client.force_login(admin_user)
    response = change_cycle(client, cycle, calibrators=str(own.pk))
    assert "You are a member of this group" in errors(response)
    cycle.refresh_from_db()
    assert cycle.calibrators_id is None


def test_an_admin_cannot_make_themselves_someones_manager(client, admin_user, assessment):
    engineer = assessment.engineer
    client.force_login(admin_user)
    response = change_person(client, engineer, manager=str(admin_user.pk))
    assert "You can&#x27;t make yourself" in errors(response)
    engineer.refresh_from_db()
    assert engineer.manager.username == "manager"
    answer_all(assessment)
    workflow.submit(assessment, by=engineer)
    assessment.refresh_from_db()
    assert assessment.reviewer.username == "manager"


def test_an_admin_cannot_move_someone_under_their_own_report(
    client, admin_user, assessment, other_manager
):
    other_manager.manager = admin_user
    other_manager.save(update_fields=["manager"])
    client.force_login(admin_user)
    response = change_person(client, assessment.engineer, manager=str(other_manager.pk))
    assert "as their manager&#x27;s manager" in errors(response)
    assert not Event.objects.filter(kind=Event.Kind.MANAGER_CHANGED).exists()


def test_a_new_manager_leaves_an_enrolled_drafts_reviewer_as_enrolled(
    client, other_admin, assessment, manager, other_manager
):
    # Enrolment fixed the reviewer: a move mid-cycle changes it only on purpose.
    client.force_login(other_admin)
    assert (
        change_person(client, assessment.engineer, manager=str(other_manager.pk)).status_code == 302
    )
    assessment.refresh_from_db()
    assert (assessment.reviewer, assessment.engineer.manager) == (manager, other_manager)
    assert not Event.objects.filter(assessment=assessment).exists()


def without_a_reviewer(assessment):
    """Enrolled while the engineer had no manager: the reviewer is fixed at submission."""
    type(assessment).objects.filter(pk=assessment.pk).update(reviewer=None, skip_reviewer=None)
    assessment.refresh_from_db()
    return assessment


def test_another_admin_changes_a_manager_on_the_record_and_the_engineer_is_told(
    client, other_admin, assessment, manager, other_manager, run_jobs
):
    without_a_reviewer(assessment)
    engineer = assessment.engineer
    engineer.email = "engineer@example.com"
    engineer.save(update_fields=["email"])
    client.force_login(other_admin)
    response = change_person(client, engineer, manager=str(other_manager.pk))
    assert response.status_code == 302
    (event,) = Event.objects.filter(assessment=assessment)
    assert (event.kind, event.actor, event.old, event.new) == (
        Event.Kind.MANAGER_CHANGED,
        other_admin,
        str(manager),
        str(other_manager),
    )
    mail.outbox.clear()
    run_jobs()
    (message,) = [m for m in mail.outbox if m.to == ["engineer@example.com"]]
    assert f"{other_admin} changed your manager" in message.body
    # Submitted, it goes to the new manager, whose history shows the change.
    answer_all(assessment)
    workflow.submit(assessment, by=engineer)
    client.force_login(other_manager)
    history = client.get(reverse("assessments:history", args=[assessment.pk]))
    assert "Manager changed" in history.content.decode()


def test_a_new_manager_for_a_manager_is_recorded_on_their_reports_drafts(
    client, other_admin, assessment, manager, other_manager
):
    without_a_reviewer(assessment)
    client.force_login(other_admin)
    response = change_person(client, manager, manager=str(other_manager.pk))
    assert response.status_code == 302
    (event,) = Event.objects.filter(assessment=assessment)
    assert (event.kind, event.new) == (Event.Kind.SKIP_MANAGER_CHANGED, str(other_manager))


def test_a_submitted_assessment_records_no_manager_change(
    client, other_admin, submitted, other_manager
):
    before = Event.objects.filter(assessment=submitted).count()
    client.force_login(other_admin)
    change_person(client, submitted.engineer, manager=str(other_manager.pk))
    assert Event.objects.filter(assessment=submitted).count() == before
    assert Assessment.objects.get(pk=submitted.pk).reviewer.username == "manager"


def test_another_admin_seats_someone_on_the_record_and_the_committee_is_told(
    client, other_admin, reviewed, calibrators, calibrator, run_jobs
):
    newcomer = UserFactory(username="newcomer", email="newcomer@example.com")
    calibrator.email = "calibrator@example.com"
    calibrator.save(update_fields=["email"])
    client.force_login(other_admin)
    response = change_person(client, newcomer, groups=[str(calibrators.pk)])
    assert response.status_code == 302
    (change,) = CommitteeChange.objects.all()
    assert (change.member, change.kind, change.actor) == (newcomer, "joined", other_admin)
    mail.outbox.clear()
    run_jobs()
    (message,) = [m for m in mail.outbox if "committee" in m.subject]
    assert sorted(message.to) == ["calibrator@example.com", "newcomer@example.com"]
    assert f"{newcomer} joined, by {other_admin}" in message.body
    client.force_login(calibrator)
    page = client.get(reverse("assessments:calibration", args=[reviewed.cycle_id]))
    assert f"{newcomer} joined, by {other_admin}" in page.content.decode()


def test_changing_a_cycles_committee_records_who_joined_and_who_left(
    client, other_admin, cycle, calibrators, calibrator
):
    newcomer = UserFactory(username="newcomer")
    group = Group.objects.create(name="New committee")
    group.user_set.add(newcomer)
    client.force_login(other_admin)
    response = change_cycle(client, cycle, calibrators=str(group.pk))
    assert response.status_code == 302
    changes = {(c.member.username, c.kind) for c in CommitteeChange.objects.all()}
    assert changes == {("newcomer", "joined"), ("calibrator", "left")}


def test_a_committee_member_may_still_edit_their_cycles_deadlines(
    client, admin_user, cycle, calibrators
):
    calibrators.user_set.add(admin_user)
    client.force_login(admin_user)
    response = change_cycle(client, cycle, name="2026 H2 review, extended")
    assert response.status_code == 302
    cycle.refresh_from_db()
    assert (cycle.name, cycle.calibrators) == ("2026 H2 review, extended", calibrators)
    assert not CommitteeChange.objects.exists()


def test_the_groups_rule_holds_outside_the_form_too(admin_user, calibrators):
    with pytest.raises(ValidationError, match="You can't add yourself to"):
        roles.set_groups(admin_user, by=admin_user, groups=[calibrators])
    assert not admin_user.groups.exists()


def test_nobody_sets_the_password_of_someone_who_reads_reviews(
    client, other_admin, submitted, manager
):
    client.force_login(other_admin)
    url = reverse("admin:auth_user_password_change", args=[manager.pk])
    data = {"password1": "a-new-secret-9", "password2": "a-new-secret-9"}
    data["set_usable_password"] = "true"
    response = client.post(url, data, follow=True)
    assert "nobody else may set their password" in response.content.decode()
    manager.refresh_from_db()
    assert manager.check_password("a-new-secret-9") is False


def test_a_password_set_for_someone_else_is_told_to_them(client, other_admin, run_jobs):
    newcomer = UserFactory(username="newcomer", email="newcomer@example.com")
    client.force_login(other_admin)
    url = reverse("admin:auth_user_password_change", args=[newcomer.pk])
    data = {"password1": "a-new-secret-9", "password2": "a-new-secret-9"}
    data["set_usable_password"] = "true"
    assert client.post(url, data).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.check_password("a-new-secret-9")
    mail.outbox.clear()
    run_jobs()
    (message,) = mail.outbox
    assert message.to == ["newcomer@example.com"]
    assert f"{other_admin} set a new password" in message.body


def test_deleting_a_committees_group_records_its_members_leaving(
    client, other_admin, cycle, calibrators, calibrator
):
    client.force_login(other_admin)
    url = reverse("admin:auth_group_delete", args=[calibrators.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    cycle.refresh_from_db()
    assert cycle.calibrators is None
    changes = [(c.member, c.kind, c.actor) for c in CommitteeChange.objects.all()]
    assert changes == [(calibrator, "left", other_admin)]

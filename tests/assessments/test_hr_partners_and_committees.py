"""An HR partner's part of the company, and calibration committees from the org chart."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessments import committees, cycles, workflow
from assessments.models import CommitteeChange, HRPartner
from assessments.permissions import Action, allowed, reach
from tests.assessments.conftest import answer_all, review_all
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def partner(db, manager):
    """HR partner for everyone under the manager (the engineer and the peer)."""
    person = UserFactory(username="hr-partner")
    HRPartner.objects.create(person=person, manager=manager)
    return person


@pytest.fixture
def outsider(on_ic5, cycle):
    """Someone in the cycle under another manager."""
    from assessments.services import start_assessment

    person = UserFactory(
        username="outsider",
        manager=UserFactory(username="elsewhere"),
        track=on_ic5.track,
        level_code="IC5",
    )
    return start_assessment(cycle=cycle, engineer=person)


def test_a_partner_reaches_their_subtree_only_and_never_themselves(partner, manager, engineer):
    deep = UserFactory(username="deep", manager=engineer)
    manager.manager = partner  # the partner also manages the manager: still not themselves
    manager.save(update_fields=["manager"])
    within = reach(partner)
    assert within is not None
    assert not within.everyone
    assert {engineer.pk, deep.pk} <= within.ids
    assert partner.pk not in within.ids
    assert reach(UserFactory(username="nobody-special")) is None


def test_a_department_partner_reaches_the_department(db):
    person = UserFactory(username="dept-partner")
    a = UserFactory(username="a", department="Research")
    b = UserFactory(username="b", department="Platform")
    HRPartner.objects.create(person=person, department="Research")
    assert reach(person).ids == frozenset({a.pk})
    assert not reach(person).covers(b.pk)


def test_a_partner_reads_a_finished_review_in_their_part_never_a_draft(
    partner, assessment, submitted, manager, outsider
):
    assert not allowed(partner, submitted, Action.VIEW)
    assert not allowed(partner, submitted, Action.PACKET)
    review_all(submitted, manager)
    submitted.refresh_from_db()
    assert allowed(partner, submitted, Action.PACKET)
    assert allowed(partner, submitted, Action.READ_REVIEW)
    # Reading is all: no deciding, no reviewing.
    assert not allowed(partner, submitted, Action.DECIDE)
    assert not allowed(partner, submitted, Action.REVIEW)
    answer_all(outsider)
    workflow.submit(outsider, by=outsider.engineer)
    review_all(outsider, outsider.engineer.manager)
    outsider.refresh_from_db()
    assert outsider.status == "reviewed"
    assert not allowed(partner, outsider, Action.PACKET)


def test_the_cycle_page_shows_a_partner_their_people_only(
    client, partner, assessment, outsider, cycle
):
    client.force_login(partner)
    page = client.get(reverse("assessments:cycle", args=[cycle.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert str(assessment.engineer) in text
    assert str(outsider.engineer) not in text
    assert "Move to" not in text  # the phases are the whole company's
    csv = b"".join(
        client.get(reverse("assessments:participants-csv", args=[cycle.pk])).streaming_content
    ).decode()
    assert "engineer" in csv
    assert "outsider" not in csv
    listing = client.get(reverse("assessments:cycles")).content.decode()
    assert "HR partner" in listing


def test_a_partner_enrols_and_gives_time_within_their_part_only(
    partner, cycle, engineer, peer, on_ic5, outsider
):
    ids = cycles.enrol(cycle, cycles.Choice(), by=partner)
    enrolled = {a.engineer_id for a in cycle.assessments.filter(pk__in=ids)}
    assert enrolled == {engineer.pk, peer.pk}
    cycle.self_assessment_due = cycle.self_assessment_due - timedelta(days=30)
    with pytest.raises(PermissionDenied):
        cycles.extend(outsider, by=partner, until=cycle.manager_review_due - timedelta(days=2))
    with pytest.raises(PermissionDenied):
        cycles.move_phase(cycle, by=partner, to="manager_review", confirmed=True)


def test_nobody_makes_themselves_an_hr_partner_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    url = reverse("admin:assessments_hrpartner_add")
    response = client.post(url, {"person": admin_user.pk, "department": "Research"})
    assert response.status_code == 200
    assert "make yourself an HR partner" in response.content.decode()
    assert not HRPartner.objects.exists()
    someone = UserFactory(username="someone")
    response = client.post(url, {"person": someone.pk, "department": "Research"})
    assert response.status_code == 302
    assert HRPartner.objects.get().granted_by == admin_user
    response = client.post(url, {"person": someone.pk, "department": "", "manager": ""})
    assert response.status_code == 200
    assert "not both" in response.content.decode()


@pytest.fixture
def keeper(db):
    person = UserFactory(username="keeper", is_staff=True)
    person.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_group", "change_group"])
    )
    return person


def test_committees_per_department_from_the_org_chart_in_one_step(client, keeper):
    research_lead = UserFactory(username="r-lead", department="Research")
    UserFactory(username="r1", department="Research", manager=research_lead)
    platform_lead = UserFactory(username="p-lead", department="Platform")
    UserFactory(username="p1", department="Platform", manager=platform_lead)
    UserFactory(username="loner", department="Design")
    client.force_login(keeper)
    response = client.post(reverse("assessments:committees"), {"per": "department"}, follow=True)
    assert response.status_code == 200
    research = Group.objects.get(name=f"{committees.PREFIX}Research")
    assert set(research.user_set.all()) == {research_lead}
    assert set(Group.objects.get(name=f"{committees.PREFIX}Platform").user_set.all()) == {
        platform_lead
    }
    assert "Design" in response.content.decode()  # left out, no manager, and said so
    # Once more changes nothing.
    client.post(reverse("assessments:committees"), {"per": "department"})
    assert Group.objects.filter(name__startswith=committees.PREFIX).count() == 2
    response = client.post(reverse("assessments:committees"), {"per": "salary"})
    assert response.status_code == 400


def test_committees_per_level_are_the_managers_of_that_level(keeper):
    lead = UserFactory(username="lead")
    UserFactory(username="ic5", level_code="IC5", manager=lead)
    committees.create_drawn("level")
    assert set(Group.objects.get(name=f"{committees.PREFIX}IC5").user_set.all()) == {lead}


def test_membership_is_shown_and_changed_on_the_committees_page(
    client, keeper, cycle, calibrators, calibrator
):
    client.force_login(keeper)
    url = reverse("assessments:committee", args=[calibrators.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert str(calibrator) in page.content.decode()
    newcomer = UserFactory(username="newcomer", email="newcomer@example.com")
    response = client.post(url, {"person": "NEWCOMER@example.com"})
    assert response.status_code == 302
    assert calibrators.user_set.filter(pk=newcomer.pk).exists()
    joined = CommitteeChange.objects.get(member=newcomer)
    assert (joined.kind, joined.actor, joined.cycle) == ("joined", keeper, cycle)
    client.post(
        reverse("assessments:committee-remove", args=[calibrators.pk]), {"person": newcomer.pk}
    )
    assert not calibrators.user_set.filter(pk=newcomer.pk).exists()
    assert CommitteeChange.objects.filter(member=newcomer, kind="left").exists()
    # Nobody seats themselves on a committee that reads reviews.
    response = client.post(url, {"person": "keeper"})
    assert response.status_code == 400
    assert "add yourself" in response.content.decode()
    assert not calibrators.user_set.filter(pk=keeper.pk).exists()
    response = client.post(url, {"person": "nobody@example.com"})
    assert response.status_code == 400


def test_a_group_with_admin_permissions_is_a_role_not_a_committee(client, keeper):
    editors = Group.objects.create(name="Ladder editors")
    editors.permissions.add(Permission.objects.get(codename="change_framework"))
    client.force_login(keeper)
    assert client.get(reverse("assessments:committee", args=[editors.pk])).status_code == 404
    assert "Ladder editors" not in client.get(reverse("assessments:committees")).content.decode()


def test_a_partner_moves_nobody_into_their_own_part(partner, manager, engineer):
    from assessments import org_chart
    from assessments.permissions import department_refusal, manager_refusal

    stranger = UserFactory(username="stranger", email="stranger@acme.test", employee_id="S1")
    assert "read their reviews" in manager_refusal(partner, stranger, manager)
    assert "read their reviews" in manager_refusal(partner, stranger, engineer)  # under manager
    # Moving someone already in their part, or out of it, is nothing new.
    assert manager_refusal(partner, engineer, UserFactory(username="other")) is None
    HRPartner.objects.create(person=partner, department="Research")
    partner = type(partner).objects.get(pk=partner.pk)  # a new request: reach read again
    assert "HR partner for Research" in department_refusal(partner, stranger, "Research")
    assert department_refusal(partner, stranger, "Platform") is None
    # The same rule on an org chart file.
    text = "Employee ID,Work Email,Name,Department\nS1,stranger@acme.test,Some Stranger,Research\n"
    plan = org_chart.plan(org_chart.read(text), by=partner)
    assert any("HR partner for Research" in e for e in plan.errors)

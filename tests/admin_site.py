"""The admin's personas and a site with a row of every registered model, for the admin tests.

Loaded for every test module (tests/conftest.py names it in pytest_plugins).
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from assessments import roles, scim
from assessments.models import Cycle, DirectoryEntry, Event, HRPartner, PacketJob
from assessments.services import start_assessment
from assessments.tasks import notify
from ladder.models import WorkerHeartbeat
from tests.assessments.conftest import make_cycle
from tests.factories import UserFactory, level_doc, make_framework

REGISTRY = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label_lower)
MODELS = [model for model, _model_admin in REGISTRY]


def label(model) -> str:
    return model._meta.label_lower


@pytest.fixture
def superuser(admin_user):
    return admin_user


@pytest.fixture
def editor(db):
    return make_editor()


def make_editor():
    """A staff member with every permission of the ladder app, who can also see cycles."""
    person = UserFactory(username="editor", is_staff=True)
    person.user_permissions.set(
        [
            *Permission.objects.filter(content_type__app_label="ladder"),
            Permission.objects.get(content_type__app_label="assessments", codename="view_cycle"),
        ]
    )
    return person


@pytest.fixture
def runner(db):
    return make_runner()


def make_runner():
    """Whoever runs cycles: staff with every permission of the assessments app, who keeps
    the people (their managers and groups) and the groups themselves."""
    person = UserFactory(username="runner", is_staff=True)
    person.user_permissions.set(
        [
            *Permission.objects.filter(content_type__app_label="assessments"),
            *Permission.objects.filter(
                content_type__app_label="ladder", codename__in=["view_user", "change_user"]
            ),
            *Permission.objects.filter(content_type__app_label="auth"),
        ]
    )
    return person


@pytest.fixture
def site_data(superuser, editor, engineer):
    build_site(superuser, editor, engineer)


def build_site(superuser, editor, engineer) -> None:
    """A published and a draft version, two cycles (one with an assessment), a group."""
    published = make_framework(level_doc("IC4"))
    make_framework(level_doc("IC4"), publish=False)
    engineer.track = published.levels.get().track
    engineer.level_code = "IC4"
    engineer.save(update_fields=["track", "level_code"])
    # The older cycle has no assessments, so its framework field stays editable.
    make_cycle(published, name="2026 H1 review", status=Cycle.Status.CLOSED)
    cycle = make_cycle(published)
    assessment = start_assessment(cycle=cycle, engineer=engineer)
    committee = Group.objects.create(name="Calibrators")
    someone = UserFactory(username="cal")
    someone.groups.add(committee)
    # Seating the committee through roles writes who joined, for the committee's log.
    roles.set_committee(cycle, by=superuser, group=committee)
    Event.objects.create(assessment=assessment, actor=engineer, kind=Event.Kind.SUBMITTED)
    PacketJob.objects.create(cycle=cycle, requested_by=superuser, scope=PacketJob.Scope.CYCLE)
    notify.enqueue("submitted", assessment.pk)
    when = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", host="ladder-1", pid=42, started_at=when, beat_at=when
    )
    address = {"username": "someone", "ip_address": "192.0.2.7", "user_agent": "Firefox"}
    AccessAttempt.objects.create(**address, attempt_time=when, failures_since_start=3)
    AccessLog.objects.create(**address, attempt_time=when)
    AccessFailureLog.objects.create(**address, attempt_time=when, locked_out=False)
    # An HR partner for the engineering department; the directory's token and a person it keeps.
    HRPartner.objects.create(person=someone, department="Engineering", granted_by=superuser)
    scim.new_token("Okta", by=superuser)
    DirectoryEntry.objects.create(person=engineer, external_id="00u1", resource={})
    # History pages and the index's recent actions then have rows to show.
    for model in MODELS:
        LogEntry.objects.log_actions(
            superuser.pk,
            model._default_manager.all(),
            CHANGE,
            [{"changed": {"fields": ["Name"]}}],
        )

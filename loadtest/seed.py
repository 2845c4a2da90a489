"""The people of a load run, written into the stack's database, and their signed-in sessions.

Run inside Django (`manage.py shell -c "from loadtest.seed import seed; seed(...)"`, as
loadtest/run.py does). Every simulated person has an account of their own and a session
already signed in, as people are in the last hours before a deadline; the file it
writes tells the simulated browsers who they are and where their work is.

Roles by position: every tenth person is a manager with three submitted self-
assessments to review; every twenty-fifth (after the first) sits on the committee;
the others are engineers with a draft on the IC5 level, every behaviour answered once
(so that any of them may submit), whose evidence they keep rewriting.
"""

import json
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from assessments import workflow
from assessments.models import Cycle, Rating
from assessments.services import start_assessment
from ladder.models import Level, User
from ladder.sessions import SessionStore

REPORTS_PER_MANAGER = 3


def role_of(index: int) -> str:
    if index % 10 == 0:
        return "manager"
    if index % 25 == 1:
        return "calibrator"
    return "engineer"


def sign_in(user: User) -> str:
    """A session for user, as the login page would have made; its key."""
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "ladder.site.sso.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def answered_draft(cycle: Cycle, engineer: User):
    assessment = start_assessment(cycle=cycle, engineer=engineer)
    # "Sometimes", on the default scale.
    Rating.objects.filter(assessment=assessment).update(score=2)
    return assessment


@transaction.atomic
def seed(people: int, out: str) -> None:
    call_command("load_builtin_ladder", verbosity=0)
    level = Level.objects.get(code="IC5")
    today = timezone.localdate()
    cycle = Cycle.objects.create(
        name="Load run",
        status=Cycle.Status.OPEN,
        framework=level.framework,
        self_assessment_due=today + timedelta(days=1),
        manager_review_due=today + timedelta(days=8),
        calibration_due=today + timedelta(days=15),
    )
    committee = Group.objects.create(name="Load run committee")
    cycle.calibrators = committee
    cycle.save(update_fields=["calibrators"])
    # One password hash for everyone: nobody signs in with it during the run, and
    # hashing it hundreds of times would only slow the seeding down.
    password = make_password("load-run-password")
    behaviours = list(
        level.areas.values_list("responsibilities__behaviours__id", flat=True).order_by(
            "order", "responsibilities__order", "responsibilities__behaviours__order"
        )
    )
    managers = []
    roster = []
    for index in range(people):
        role = role_of(index)
        user = User.objects.create(
            username=f"load{index:04d}",
            first_name=role.title(),
            last_name=f"{index:04d}",
            password=password,
            track=level.track,
            level_code="IC5",
            manager=managers[-1] if managers and role == "engineer" else None,
        )
        entry = {"username": user.username, "role": role, "session": sign_in(user)}
        if role == "manager":
            managers.append(user)
            reviews = []
            for n in range(REPORTS_PER_MANAGER):
                report = User.objects.create(
                    username=f"{user.username}-report{n}",
                    password=password,
                    track=level.track,
                    level_code="IC5",
                    manager=user,
                )
                assessment = answered_draft(cycle, report)
                workflow.submit(assessment, by=report)
                reviews.append(assessment.pk)
            entry["reviews"] = reviews
        elif role == "calibrator":
            committee.user_set.add(user)
            entry["cycle"] = cycle.pk
        else:
            entry["assessment"] = answered_draft(cycle, user).pk
        roster.append(entry)
    Path(out).write_text(
        json.dumps(
            {
                "session_cookie": settings.SESSION_COOKIE_NAME,
                "behaviours": behaviours,
                "people": roster,
            }
        )
    )

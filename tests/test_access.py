"""Every URL of the app, for every persona: who gets what.

The table below must name every URL pattern outside the admin. Adding a URL
without deciding here who may reach it fails test_every_url_is_in_the_table.
"""

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from assessments.services import start_assessment
from ladder.ladder_format import parse_ladder
from ladder.services import import_levels
from tests.assessments.conftest import answer_all, make_cycle
from tests.conftest import SEED_PATH
from tests.factories import UserFactory, level_doc

# The order matters: a persona whose request changes state comes last.
PERSONAS = ["anonymous", "peer", "other_manager", "admin_user", "calibrator", "engineer", "manager"]
SIGNED_IN = PERSONAS[1:]


def everyone_signed_in(status: int) -> dict[str, int]:
    return {"anonymous": 302, **dict.fromkeys(SIGNED_IN, status)}


def only(status_for: dict[str, int], others: int) -> dict[str, int]:
    return {"anonymous": 302, **dict.fromkeys(SIGNED_IN, others), **status_for}


# name -> (method, how to build the URL's arguments, what each persona gets)
TABLE = {
    "home": ("get", lambda w: [], everyone_signed_in(200)),
    "login": ("get", lambda w: [], {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)}),
    "logout": ("post", lambda w: [], dict.fromkeys(PERSONAS, 302)),
    "password_change": ("get", lambda w: [], everyone_signed_in(200)),
    "password_change_done": ("get", lambda w: [], everyone_signed_in(200)),
    "ladder:index": ("get", lambda w: [], everyone_signed_in(302)),
    "ladder:framework": ("get", lambda w: [w.slug, 1], everyone_signed_in(200)),
    "ladder:level": (
        "get",
        lambda w: [w.slug, 1, "machine-learning", "IC5"],
        everyone_signed_in(200),
    ),
    "ladder:level-markdown": (
        "get",
        lambda w: [w.slug, 1, "machine-learning", "IC5"],
        everyone_signed_in(200),
    ),
    "ladder:compare-levels": (
        "get",
        lambda w: [w.slug, 1, "machine-learning"],
        everyone_signed_in(200),
    ),
    "ladder:compare-versions": (
        "get",
        lambda w: [w.slug, "machine-learning", "IC5"],
        everyone_signed_in(200),
    ),
    # Anyone signed in may start their own assessment; without a level they are told why.
    "assessments:start": ("post", lambda w: [w.cycle.pk], everyone_signed_in(302)),
    "assessments:assessment": ("get", lambda w: [w.draft.pk], only({"engineer": 200}, 404)),
    "assessments:save": (
        "post",
        lambda w: [w.draft.pk, w.behaviour.pk],
        only({"engineer": 302}, 404),
    ),
    "assessments:progress": ("get", lambda w: [w.draft.pk], only({"engineer": 200}, 404)),
    "assessments:submit": ("post", lambda w: [w.draft.pk], only({"engineer": 302}, 404)),
    # The peer's own submission: the peer may read it but not return it.
    "assessments:return": (
        "post",
        lambda w: [w.submitted.pk],
        only({"manager": 302, "peer": 403}, 404),
    ),
}

# The same URLs against the peer's submitted assessment: now the manager may read it.
SUBMITTED_VIEW = only({"peer": 200, "manager": 200}, 404)


def url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_table():
    missing = url_names() - TABLE.keys()
    assert not missing, (
        f"Decide who may reach these URLs in tests/test_access.py: {sorted(missing)}"
    )
    assert not TABLE.keys() - url_names(), "The table names URLs that no longer exist."


class World:
    """A published IC4 + IC5, an open cycle, the engineer's draft and the peer's submission."""

    def __init__(self, engineer, peer):
        report = import_levels(
            framework_name=settings.LADDER_DEFAULT_FRAMEWORK,
            documents=[
                (SEED_PATH.name, parse_ladder(SEED_PATH.read_text(), SEED_PATH.name)),
                ("ic4.md", level_doc("IC4", "Senior Machine Learning Engineer")),
            ],
            publish_version=True,
        )
        self.slug = report.framework.slug
        self.cycle = make_cycle(report.framework)
        ic5 = report.framework.levels.get(code="IC5")
        for person in (engineer, peer):
            person.track, person.level_code = ic5.track, "IC5"
            person.save()
        self.draft = start_assessment(cycle=self.cycle, engineer=engineer)
        self.behaviour = self.draft.ratings.first().behaviour
        self.submitted = start_assessment(cycle=self.cycle, engineer=peer)
        answer_all(self.submitted)
        self.submitted.submit(by=peer)


@pytest.fixture
def world(db, engineer, peer):
    return World(engineer, peer)


def _request(client, method, url, name, world):
    data = {}
    if name == "assessments:save":
        data = {"score": "3", "evidence": "x", "version": "0"}
    elif name == "assessments:return":
        data = {"note": "Please add evidence."}
    return getattr(client, method)(url, data)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(TABLE))
def test_who_gets_what(client, world, name, request):
    method, arguments, expected = TABLE[name]
    url = reverse(name, args=arguments(world))
    got = {}
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        got[persona] = _request(client, method, url, name, world).status_code
    assert got == expected


@pytest.mark.django_db
def test_a_submitted_assessment_is_read_by_its_engineer_and_manager_only(client, world, request):
    url = reverse("assessments:assessment", args=[world.submitted.pk])
    got = {}
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        got[persona] = client.get(url).status_code
    assert got == SUBMITTED_VIEW


@pytest.mark.django_db
def test_the_admin_is_for_staff_only(client, admin_user):
    client.force_login(UserFactory(username="not-staff"))
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200

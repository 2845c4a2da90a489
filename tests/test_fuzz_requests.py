"""Whatever is sent to any address of the app, the answer is 2xx, 3xx or 4xx, never 5xx,
and a refused request (4xx) changes nothing.

Hypothesis writes the requests: for every form the app takes (every POST address of
tests/test_access.py's table, sent by a person allowed there), bodies made of the
app's own field names and strangers, with values from the ordinary to the hostile
(huge, NUL bytes, other scripts, numbers out of range); for every page, query strings
of the same kind; for the ladder import, files of any bytes under any name.
"""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import test_access
from tests.test_access import BODIES, TABLE

pytestmark = pytest.mark.django_db

# test_access's world, and the people it needs beyond the shared fixtures.
shared_world = test_access.shared_world
world = test_access.world
other_calibrator = test_access.other_calibrator
calibrating_manager = test_access.calibrating_manager

# Every name a form of the app reads, and a few it doesn't.
FIELDS = [
    "score", "evidence", "version", "overwrite_version", "comment", "summary", "outcome",
    "reason", "note", "username", "password", "old_password", "new_password1",
    "new_password2", "next", "paper", "scope", "level", "track", "text", "name",
    "description", "title", "digest", "confirm", "position", "direction", "kind", "q",
    "csrfmiddlewaretoken", "files", "framework_name", "publish", "dry_run",
]  # fmt: skip
ODD_VALUES = [
    "", "0", "-1", "1", "2", "4", "5", "99999999999999999999", "1e3", "NaN", "null", "true",
    "\x00", "a\x00b", "\ufeff", "\u202e", "<script>alert(1)</script>", "x" * 10_001,
    "[a](javascript:alert(1))", "../../etc/passwd", "' OR 1=1 --", "%00", "\r\n\r\n",
]  # fmt: skip
values = st.one_of(
    st.sampled_from(ODD_VALUES),
    st.text(max_size=200),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
)
bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=12), values, max_size=8)
# Ten requests per address and engine: the value classes above are each drawn often
# across the eighty addresses, and the suite keeps to its time.
FUZZ = settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Rows a request could write; sessions, sign-in records and the log of admin actions aside.
WATCHED = [
    model
    for model in apps.get_models()
    if model._meta.app_label in ("ladder", "assessments")
    and model._meta.model_name != "workerheartbeat"
]


def snapshot() -> dict:
    return {m._meta.label: list(m._default_manager.order_by("pk").values()) for m in WATCHED}


def allowed_persona(expected: dict[str, int]) -> str | None:
    for persona, status in expected.items():
        if persona != "anonymous" and status in (200, 302):
            return persona
    return None


def routes(method: str) -> list:
    return sorted(
        name
        for name, (how, _, expected) in TABLE.items()
        if how == method and allowed_persona(expected) and name != "logout"
    )


def answer_without_harm(client: Client, method: str, url: str, **kwargs) -> int:
    with transaction.atomic():
        before = snapshot()
        response = getattr(client, method)(url, **kwargs)
        assert response.status_code < 500, (url, kwargs, response.status_code)
        if response.status_code >= 400:
            assert snapshot() == before, f"{url} refused ({response.status_code}) yet changed"
        transaction.set_rollback(True)
    return response.status_code


def as_person(request, world, name: str) -> tuple[Client, str]:
    _, arguments, expected = TABLE[name]
    client = Client(raise_request_exception=False)
    client.force_login(request.getfixturevalue(allowed_persona(expected)))
    return client, reverse(name, args=arguments(world))


def changed_bodies(valid: dict) -> st.SearchStrategy:
    """The valid body with one to three fields given odd values, or a body of anything."""
    names = st.sampled_from(sorted(valid)) if valid else st.sampled_from(FIELDS)
    changes = st.dictionaries(names | st.sampled_from(FIELDS), values, min_size=1, max_size=3)
    return changes.map(lambda change: {**valid, **change}) | bodies


@pytest.mark.parametrize("name", routes("post"))
def test_any_form_body(request, world, name):
    client, url = as_person(request, world, name)

    @FUZZ
    @given(body=changed_bodies(BODIES.get(name, {})))
    def check(body):
        answer_without_harm(client, "post", url, data=body)

    check()


def _pdf_neutral(names: list[str]) -> list:
    """The PDF pages read only `paper` from a query string and spend their time in
    WeasyPrint, not the database: fuzzed once, in the SQLite pass."""
    return [
        pytest.param(name, marks=pytest.mark.engine_neutral) if name.endswith("pdf") else name
        for name in names
    ]


@pytest.mark.parametrize("name", _pdf_neutral(routes("get")))
def test_any_query_string(request, world, name):
    client, url = as_person(request, world, name)

    @FUZZ
    @given(query=bodies)
    def check(query):
        answer_without_harm(client, "get", url, data=query)

    check()


@pytest.mark.parametrize("name", ["ladder:level", "assessments:assessment", "ladder:import-report"])
def test_any_address_part(request, world, name):
    client, _ = as_person(request, world, name)
    _, arguments, _ = TABLE[name]
    parts = arguments(world)

    @FUZZ
    @given(
        position=st.integers(0, len(parts) - 1),
        value=st.one_of(
            st.sampled_from([0, 2**31, 2**63 - 1, 2**63, 2**64, 10**30]),
            st.integers(0, 2**70),
            st.text(st.characters(blacklist_characters="/"), min_size=1),
        ),
    )
    def check(position, value):
        changed = list(parts)
        changed[position] = value
        try:
            url = reverse(name, args=changed)
        except Exception:
            return  # the address can't even be written: the resolver refuses it
        answer_without_harm(client, "get", url)

    check()


def test_any_file_to_the_ladder_import(request, world):
    client, url = as_person(request, world, "ladder:import")

    @FUZZ
    @given(
        name=st.one_of(
            st.sampled_from(["page.md", "page.html", "page.csv", "page.txt", "page.pdf", ""]),
            st.text(max_size=40),
        ),
        content=st.one_of(st.binary(max_size=3000), st.text(max_size=3000).map(str.encode)),
    )
    def check(name, content):
        upload = SimpleUploadedFile(name or "unnamed", content)
        answer_without_harm(client, "post", url, data={"files": [upload]})

    check()

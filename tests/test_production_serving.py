"""The README's production set-up, run as written: gunicorn with several workers, the
background worker, WhiteNoise, PostgreSQL from DATABASE_URL (in the suite's PostgreSQL
pass), and a second gunicorn on another port against the same database, sharing
everything through it."""

import os
import re

import pytest
import requests

from loadtest.stack import Stack

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="production runs on PostgreSQL; this runs in the suite's PostgreSQL pass",
)

ADMIN_PASSWORD = "a long production passphrase"


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    with Stack(tmp_path_factory.mktemp("stack"), servers=2) as running:
        running.manage(
            "createsuperuser",
            "--noinput",
            "--username",
            "ops",
            "--email",
            "ops@example.com",
            env={"DJANGO_SUPERUSER_PASSWORD": ADMIN_PASSWORD},
        )
        yield running


def sign_in(session: requests.Session, url: str) -> requests.Response:
    form = session.get(f"{url}/accounts/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)[1]
    return session.post(
        f"{url}/accounts/login/",
        data={"username": "ops", "password": ADMIN_PASSWORD, "csrfmiddlewaretoken": token},
        headers={"Referer": f"{url}/accounts/login/"},
        allow_redirects=False,
    )


def test_both_servers_are_healthy_with_the_worker_beating(stack):
    for url in stack.urls:
        answer = requests.get(f"{url}/health/", timeout=30)
        assert answer.status_code == 200
        assert answer.json() == {"status": "ok", "database": "ok"}
        workers = requests.get(f"{url}/health/workers/", timeout=30)
        assert workers.status_code == 200
        assert workers.json() == {
            "status": "ok",
            "database": "ok",
            "queue default": "ok",
            "queue packets": "ok",
        }


def test_a_session_begun_on_one_server_works_on_the_other_and_ends_on_both(stack):
    first, second = stack.urls
    session = requests.Session()
    assert sign_in(session, first).status_code == 302
    home = session.get(f"{second}/", allow_redirects=False)
    assert home.status_code == 200
    assert "ops" in home.text
    # Signing out through the second ends the session the first began.
    token = session.cookies["csrftoken"]
    session.post(
        f"{second}/accounts/logout/",
        data={"csrfmiddlewaretoken": token},
        headers={"Referer": f"{second}/"},
    )
    assert session.get(f"{first}/", allow_redirects=False).status_code == 302


def test_static_files_are_served_by_whitenoise_with_hashed_names(stack):
    page = requests.get(f"{stack.urls[0]}/accounts/login/", timeout=30).text
    css = re.search(r'href="(/static/[^"]+\.[0-9a-f]{12}\.css)"', page)
    assert css, "the page links no hashed stylesheet"
    answer = requests.get(stack.urls[0] + css[1], timeout=30)
    assert answer.status_code == 200
    assert "immutable" in answer.headers["Cache-Control"]


def test_each_request_has_an_id_in_the_answer_and_one_line_in_the_log(stack):
    answer = requests.get(f"{stack.urls[1]}/accounts/login/", timeout=30)
    request_id = answer.headers["X-Request-ID"]
    assert f"[{request_id}] ladder.requests: GET /accounts/login/ 200 " in stack.log("gunicorn-1")


def test_each_server_warms_up_once_before_its_workers_start(stack):
    """--preload: the master reads templates and levels once, and every worker (a
    replacement for a crashed one included) is forked from it ready."""
    for index in range(len(stack.urls)):
        log = stack.log(f"gunicorn-{index}")
        warmed = re.findall(r"ladder\.warm: warm-up: (\d+) templates, (\d+) levels", log)
        assert len(warmed) == 1, log[-2000:]
        assert int(warmed[0][0]) > 50
        assert log.index("ladder.warm: warm-up") < log.index("Booting worker")

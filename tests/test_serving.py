"""What production relies on: request ids and log lines, /health/, 503 while the database is
away, error pages without collectstatic's manifest, 413 for oversized bodies, and a
deployment check that passes as the README says."""

import logging
import os
import subprocess
import sys
import threading
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.db import OperationalError
from django.template import loader
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ladder.models import WorkerHeartbeat
from ladder.site.jinja2 import static_url
from ladder.site.management.commands.db_worker import _check_queues
from ladder.site.workers import keep_beating

pytestmark = pytest.mark.django_db

# The README's production environment, minus what only a real host has.
PRODUCTION_ENV = {
    "SECRET_KEY": "k3y-for-the-deploy-check-" + "x" * 40,
    "DEBUG": "false",
    "ALLOWED_HOSTS": "ladder.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://ladder.example.com",
    "BEHIND_TLS_PROXY": "true",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SMTP_HOST": "smtp.example.com",
}


def beat(seconds_ago: float, queues: str = "*", worker_id: str = "w1") -> None:
    when = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"host": "h", "pid": 1, "started_at": when, "beat_at": when, "queues": queues},
    )


# Request ids and the request log


def test_every_answer_carries_a_request_id_and_logs_one_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="ladder.requests"):
        response = client.get(reverse("login"))
    request_id = response["X-Request-ID"]
    assert len(request_id) == 32
    [line] = [r for r in caplog.records if r.name == "ladder.requests"]
    assert line.getMessage().startswith("GET /accounts/login/ 200 ")
    assert line.getMessage().endswith(" user=-")
    assert line.request_id == request_id


def test_a_proxys_request_id_is_kept_and_a_strange_one_replaced(client):
    given = "edge-4f2a9c01"
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    forged = "a\nINFO fake line"
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID=forged)["X-Request-ID"] != forged


def test_a_signed_in_request_logs_who_and_a_path_cannot_forge_a_line(client, engineer, caplog):
    client.force_login(engineer)
    with caplog.at_level(logging.INFO, logger="ladder.requests"):
        client.get(reverse("home"))
        client.get("/nowhere%0AERROR forged/")
    home, nowhere = [r.getMessage() for r in caplog.records if r.name == "ladder.requests"]
    assert home.endswith(f" user={engineer.pk}")
    assert "\n" not in nowhere
    assert nowhere.startswith("GET /nowhere%0AERROR%20forged/ 404 ")


def test_lines_logged_during_a_request_carry_its_id(client, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/nowhere/")
    [warning] = [r for r in caplog.records if r.name == "django.request"]
    assert warning.request_id == response["X-Request-ID"]


def test_a_refusal_logs_its_line_without_a_traceback(client, engineer, ic5, caplog):
    client.force_login(engineer)
    framework = ic5.framework
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("ladder:publish", args=[framework.slug, framework.version]))
    assert response.status_code == 403
    [line] = [r.getMessage() for r in caplog.records if r.name == "ladder.requests"]
    assert line.startswith(f"GET /ladder/{framework.slug}/v{framework.version}/publish/ 403 ")
    [refusal] = [r for r in caplog.records if r.name == "django.request"]
    assert refusal.getMessage().startswith("Forbidden (Permission denied)")
    assert refusal.exc_info is None


def test_a_request_for_a_stranger_host_is_refused_without_a_traceback(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get(reverse("login"), HTTP_HOST="scanner.example")
    assert response.status_code == 400
    [refusal] = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert refusal.exc_info is None


def test_a_server_error_still_logs_its_traceback(calm_client, engineer, caplog):
    calm_client.force_login(engineer)
    with (
        caplog.at_level(logging.INFO),
        mock.patch("assessments.views.home_context", side_effect=ValueError("bug")),
    ):
        response = calm_client.get(reverse("home"))
    assert response.status_code == 500
    [error] = [r for r in caplog.records if r.name == "django.request"]
    assert error.exc_info[0] is ValueError


# /health/


def test_health_answers_for_the_web_server_and_its_database_with_no_worker(client):
    # A load balancer must not take every web server out because the worker stopped.
    response = client.get(reverse("health"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_health_fails_when_the_database_does_not_answer(client):
    with mock.patch("ladder.site.health.connection.cursor", side_effect=OperationalError("gone")):
        response = client.get(reverse("health"))
    assert response.status_code == 503
    assert response.json()["database"] == "not answering"


def test_workers_health_is_ok_when_every_queue_has_a_recent_heartbeat(client):
    beat(seconds_ago=3)
    response = client.get(reverse("health-workers"))
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "database": "ok",
        "queue default": "ok",
        "queue packets": "ok",
    }
    assert "no-cache" in response["Cache-Control"]


def test_workers_health_fails_without_a_worker(client):
    response = client.get(reverse("health-workers"))
    assert response.status_code == 503
    assert response.json()["queue default"].startswith("no worker seen")


def test_workers_health_fails_when_the_worker_went_quiet(client):
    beat(seconds_ago=settings.HEALTH_WORKER_MAX_AGE + 5)
    response = client.get(reverse("health-workers"))
    assert response.status_code == 503
    assert response.json()["queue packets"].startswith("last heartbeat")


def test_workers_health_names_the_queue_whose_worker_stopped(client):
    beat(seconds_ago=2, queues="default", worker_id="mail")
    beat(seconds_ago=settings.HEALTH_WORKER_MAX_AGE + 5, queues="packets", worker_id="pdf")
    answer = client.get(reverse("health-workers")).json()
    assert answer["queue default"] == "ok"
    assert answer["queue packets"].startswith("last heartbeat")
    assert client.get(reverse("health")).status_code == 200


def test_whoever_runs_cycles_sees_which_workers_are_down(client, admin_user):
    beat(seconds_ago=2, queues="default", worker_id="mail")
    client.force_login(admin_user)
    html = client.get(reverse("home")).content.decode()
    assert "E-mails: a worker is running" in html
    assert "Packet PDFs: <strong" in html
    assert "no worker seen" in html


def test_health_is_answered_over_plain_http_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    beat(seconds_ago=1)
    assert client.get(reverse("health")).status_code == 200
    assert client.get(reverse("health-workers")).status_code == 200
    assert client.get(reverse("login")).status_code == 301


def test_health_answers_head_as_it_answers_get(client):
    beat(seconds_ago=1)
    response = client.head(reverse("health"))
    assert response.status_code == 200
    assert response.content == b""


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options", "trace"])
def test_health_refuses_every_other_method(client, method):
    beat(seconds_ago=1)
    response = getattr(client, method)(reverse("health"))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.django_db(transaction=True)
def test_a_standing_worker_beats():
    stop = threading.Event()
    stop.set()  # one beat, then return
    keep_beating("worker-under-test", stop)
    row = WorkerHeartbeat.objects.get(worker_id="worker-under-test")
    assert row.pid == os.getpid()
    assert timezone.now() - row.beat_at < timedelta(seconds=30)


# The database going away


@pytest.fixture
def calm_client():
    return Client(raise_request_exception=False)


def test_a_database_that_is_away_gets_503_not_a_stack_trace(calm_client, engineer):
    calm_client.force_login(engineer)
    with mock.patch(
        "ladder.sessions.SessionStore.load",
        side_effect=OperationalError("terminating connection due to administrator command"),
    ):
        response = calm_client.get(reverse("home"))
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    text = response.content.decode()
    assert "back in a moment" in text
    assert "OperationalError" not in text
    assert "Traceback" not in text


def test_an_autosave_while_the_database_is_away_is_told_to_retry(calm_client, engineer):
    calm_client.force_login(engineer)
    with mock.patch(
        "ladder.sessions.SessionStore.load",
        side_effect=OperationalError("server closed the connection unexpectedly"),
    ):
        # Any assessment's address: the session is read before anything else.
        url = reverse("assessments:save", args=[1, 1])
        response = calm_client.post(url, {"score": "3"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 503
    assert response.content.decode() == "The database is restarting; trying again."


def test_other_errors_stay_500(calm_client, engineer):
    calm_client.force_login(engineer)
    with mock.patch("assessments.views.home_context", side_effect=ValueError("bug")):
        response = calm_client.get(reverse("home"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


# Error pages on a deploy that skipped collectstatic

ERROR_PAGES = ["400.html", "403.html", "404.html", "413.html", "500.html", "503.html"]


@pytest.fixture
def missing_manifest(settings, tmp_path):
    """Production's static storage, with nothing collected into STATIC_ROOT."""
    settings.DEBUG = False
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # The addresses earlier tests asked for are remembered for the process.
    static_url.cache_clear()
    yield
    static_url.cache_clear()


def test_the_500_page_renders_without_the_static_manifest(calm_client, engineer, missing_manifest):
    calm_client.force_login(engineer)
    with mock.patch("assessments.views.home_context", side_effect=ValueError("bug")):
        response = calm_client.get(reverse("home"))
    assert response.status_code == 500
    text = response.content.decode()
    assert "Something went wrong on our side" in text
    assert 'href="/static/css/app.css"' in text


def test_other_pages_still_fail_loudly_without_the_static_manifest(
    calm_client, missing_manifest, caplog
):
    with caplog.at_level(logging.INFO):
        response = calm_client.get(reverse("login"))
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
    [error] = [r for r in caplog.records if r.name == "django.request"]
    assert "Missing staticfiles manifest entry for 'css/app.css'" in str(error.exc_info[1])


@pytest.mark.parametrize("name", ERROR_PAGES)
def test_every_error_page_renders_without_the_static_manifest(name, missing_manifest):
    # As the error views render them: some with no context at all, so no request.
    html = loader.get_template(name, using="jinja2").render({"limit_mb": 3.0})
    assert 'href="/static/css/app.css"' in html
    assert "</main>" in html


# Bodies too large


def test_a_body_declared_too_large_gets_413_before_it_is_read(client, engineer):
    client.force_login(engineer)
    response = client.generic(
        "POST",
        reverse("home"),
        b"x=1",
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1),
    )
    assert response.status_code == 413
    assert "too large" in response.content.decode()


def test_the_import_page_takes_larger_bodies_up_to_its_own_limit(client, ladder_editor):
    client.force_login(ladder_editor)
    url = reverse("ladder:import")
    allowed = client.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.REQUEST_MAX_BYTES + 1),
    )
    assert allowed.status_code != 413
    refused = client.generic(
        "POST",
        url,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(settings.IMPORT_REQUEST_MAX_BYTES + 1),
    )
    assert refused.status_code == 413


def test_a_length_that_is_not_a_number_gets_400(client):
    response = client.generic("POST", reverse("login"), b"", CONTENT_LENGTH="lots")
    assert response.status_code == 400


# The deployment check


def run_deploy_check(**overrides) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DEBUG"))}
    env.update(PRODUCTION_ENV, DATABASE_URL="sqlite://:memory:", **overrides)
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )


def test_the_deployment_check_passes_with_the_production_settings():
    result = run_deploy_check()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_deployment_check_catches_a_missing_hsts_setting():
    result = run_deploy_check(SECURE_HSTS_SECONDS="0")
    assert result.returncode != 0
    assert "security.W004" in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("named", "excluded", "served"),
    [("*", "", "*"), ("packets", "", "packets"), ("*", "packets", "default")],
)
def test_a_worker_beats_with_the_queues_it_serves(named, excluded, served):
    assert _check_queues("default", named, excluded) == served

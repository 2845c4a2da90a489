"""Signing in: failures throttled per account and address, per address, and per account;
sessions that end when they must."""

import os
import subprocess
import sys

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

WRONG = "not the password"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 10
    settings.LADDER_ADDRESS_FAILURE_LIMIT = 100
    settings.LADDER_ACCOUNT_FAILURE_CEILING = 300


def client_at(address: str) -> Client:
    return Client(REMOTE_ADDR=address, raise_request_exception=False)


def sign_in(client: Client, username: str, password: str, where: str = "login"):
    return client.post(reverse(where), {"username": username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_nine_wrong_passwords_then_the_right_one_signs_in(engineer):
    client = client_at("192.0.2.1")
    for _ in range(9):
        assert sign_in(client, "engineer", WRONG).status_code == 200
    assert sign_in(client, "engineer", PASSWORD).status_code == 302
    assert signed_in(client)


@pytest.mark.parametrize("where", ["login", "admin:login"])
def test_fifty_wrong_passwords_pause_the_account_from_that_address_even_for_the_right_one(
    engineer, admin_user, where
):
    username = "admin" if where == "admin:login" else "engineer"
    client = client_at("192.0.2.1")
    for _ in range(50):
        sign_in(client, username, WRONG, where)
    response = sign_in(client, username, PASSWORD, where)
    assert response.status_code == 429
    assert not signed_in(client)
    text = response.content.decode()
    assert "too many failed sign-ins to this account from your network" in text
    assert "paused for 15 minutes" in text
    assert response["Retry-After"] == "900"


@pytest.mark.parametrize("where", ["login", "admin:login"])
def test_ten_failures_from_one_address_leave_the_owner_free_to_sign_in_from_another(
    engineer, admin_user, where
):
    username = "admin" if where == "admin:login" else "engineer"
    colleague = client_at("192.0.2.1")
    for _ in range(10):
        sign_in(colleague, username, WRONG, where)
    assert sign_in(colleague, username, PASSWORD, where).status_code == 429
    owner = client_at("198.51.100.9")
    assert sign_in(owner, username, PASSWORD, where).status_code == 302
    assert signed_in(owner)


def test_failures_spread_over_many_addresses_pause_the_account_everywhere_at_the_ceiling(
    engineer, settings
):
    # A smaller ceiling than the default keeps the test quick; the rule is the same.
    settings.LADDER_ACCOUNT_FAILURE_CEILING = 30
    for n in range(29):
        assert sign_in(client_at(f"198.18.0.{n}"), "engineer", WRONG).status_code == 200
    # One failure below the ceiling, and under ten from every address: not paused.
    assert sign_in(client_at("192.0.2.1"), "engineer", PASSWORD).status_code == 302
    assert sign_in(client_at("198.18.1.0"), "engineer", WRONG).status_code == 429
    owner = client_at("192.0.2.1")
    response = sign_in(owner, "engineer", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(owner)
    assert "from anywhere is paused for 15 minutes" in response.content.decode()


def test_ipv6_addresses_of_one_network_count_as_one_address(engineer):
    for n in range(1, 11):
        sign_in(client_at(f"2001:db8:1:2::{n:x}"), "engineer", WRONG)
    # Another address of the same /64: the same machine, as far as anyone can tell.
    assert sign_in(client_at("2001:db8:1:2:ffff::1"), "engineer", PASSWORD).status_code == 429
    owner = client_at("2001:db8:1:3::1")
    assert sign_in(owner, "engineer", PASSWORD).status_code == 302


def test_one_persons_failures_leave_colleagues_behind_the_same_address_alone(engineer, manager):
    office = "192.0.2.1"
    for _ in range(30):
        sign_in(client_at(office), "engineer", WRONG)
    colleague = client_at(office)
    assert sign_in(colleague, "manager", PASSWORD).status_code == 302
    assert signed_in(colleague)


def test_many_accounts_tried_from_one_address_pause_that_address_only(engineer, manager):
    attacker = "203.0.113.5"
    for n in range(100):
        sign_in(client_at(attacker), f"guess{n}", WRONG)
    refused = sign_in(client_at(attacker), "manager", PASSWORD)
    assert refused.status_code == 429
    assert "too many failed sign-ins from your network" in refused.content.decode()
    elsewhere = client_at("192.0.2.1")
    assert sign_in(elsewhere, "manager", PASSWORD).status_code == 302


def test_an_address_at_its_limit_is_paused_but_the_accounts_tried_from_it_are_not(
    engineer, manager
):
    attacker = "203.0.113.5"
    for username in ["engineer", *(f"guess{n}" for n in range(9))]:
        for _ in range(10):
            sign_in(client_at(attacker), username, WRONG)
    refused = sign_in(client_at(attacker), "manager", PASSWORD)
    assert refused.status_code == 429
    assert "too many failed sign-ins from your network" in refused.content.decode()
    owner = client_at("192.0.2.1")
    assert sign_in(owner, "engineer", PASSWORD).status_code == 302
    assert signed_in(owner)


def test_the_pause_ends_after_the_cool_off(engineer, settings):
    client = client_at("192.0.2.1")
    for _ in range(10):
        sign_in(client, "engineer", WRONG)
    assert sign_in(client, "engineer", PASSWORD).status_code == 429
    # The cool-off has passed: the attempts are older than the window.
    AccessAttempt.objects.update(attempt_time="2000-01-01T00:00:00Z")
    assert sign_in(client, "engineer", PASSWORD).status_code == 302


def test_trying_again_during_the_pause_does_not_make_it_longer(engineer):
    client = client_at("192.0.2.1")
    for _ in range(10):
        sign_in(client, "engineer", WRONG)
    paused_at = AccessAttempt.objects.get(username="engineer").attempt_time
    for password in (WRONG, PASSWORD, WRONG):
        assert sign_in(client, "engineer", password).status_code == 429
    attempt = AccessAttempt.objects.get(username="engineer")
    assert attempt.attempt_time == paused_at
    assert attempt.failures_since_start == 10


def test_an_admin_lifts_the_pause_by_deleting_the_attempts(engineer):
    client = client_at("192.0.2.1")
    for _ in range(10):
        sign_in(client, "engineer", WRONG)
    AccessAttempt.objects.filter(username="engineer").delete()
    assert sign_in(client, "engineer", PASSWORD).status_code == 302


def test_behind_a_proxy_the_forwarded_address_counts(settings, engineer, manager):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.1"
    for n in range(100):
        # The attacker's own claim comes first; the proxy appends what it saw.
        Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5").post(
            reverse("login"), {"username": f"guess{n}", "password": WRONG}
        )
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert sign_in(attacker, "manager", PASSWORD).status_code == 429
    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="192.0.2.1")
    assert sign_in(colleague, "manager", PASSWORD).status_code == 302


def test_deactivating_a_person_signs_them_out_at_once(client, engineer):
    client.force_login(engineer)
    assert client.get(reverse("home")).status_code == 200
    engineer.is_active = False
    engineer.save(update_fields=["is_active"])
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_changing_the_password_signs_out_the_other_sessions(engineer):
    here, elsewhere = Client(), Client()
    here.force_login(engineer)
    elsewhere.force_login(engineer)
    response = here.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a much newer passphrase",
            "new_password2": "a much newer passphrase",
        },
    )
    assert response.status_code == 302
    assert here.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).status_code == 302


def test_an_admin_setting_a_new_password_signs_the_person_out(client, engineer):
    client.force_login(engineer)
    engineer.set_password("set by an admin for them")
    engineer.save()
    assert client.get(reverse("home")).status_code == 302


def test_sessions_last_as_configured(client, engineer, settings):
    settings.SESSION_COOKIE_AGE = 2 * 3600
    client.post(reverse("login"), {"username": "engineer", "password": PASSWORD})
    assert client.cookies["sessionid"]["max-age"] == 2 * 3600


def load_settings(name: str, **environment: str) -> subprocess.CompletedProcess:
    """Import the settings afresh in another process, with these variables, and print one."""
    return subprocess.run(
        [sys.executable, "-c", f"import ladder.site.settings as s; print(s.{name})"],
        env={**os.environ, "SECRET_KEY": "x", **environment},
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
    )


def test_session_length_comes_from_the_environment():
    result = load_settings("SESSION_COOKIE_AGE", SESSION_HOURS="3")
    assert result.stdout.strip() == str(3 * 3600)


def test_the_account_ceiling_comes_from_the_environment():
    assert load_settings("LADDER_ACCOUNT_FAILURE_CEILING").stdout.strip() == "300"
    result = load_settings("LADDER_ACCOUNT_FAILURE_CEILING", SIGN_IN_ACCOUNT_CEILING="500")
    assert result.stdout.strip() == "500"


@pytest.mark.parametrize("ceiling", ["9", "many"])
def test_an_account_ceiling_below_the_account_limit_or_not_a_number_stops_the_start(ceiling):
    result = load_settings(
        "LADDER_ACCOUNT_FAILURE_CEILING",
        SIGN_IN_ACCOUNT_FAILURES="10",
        SIGN_IN_ACCOUNT_CEILING=ceiling,
    )
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SIGN_IN_ACCOUNT_CEILING" in result.stderr


def test_a_wrong_password_still_says_so_plainly(engineer):
    response = sign_in(client_at("192.0.2.1"), "engineer", WRONG)
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()

"""Requests the app must answer calmly: odd encodings, over-long file names, and private pages
kept out of caches."""

import io
from html import unescape

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

LATIN_1_FORM = "application/x-www-form-urlencoded; charset=latin-1"


@pytest.fixture
def strict_client():
    # The CSRF check is what reads the body first in production; the plain test
    # client skips it, and with it the failure this guards against.
    return Client(enforce_csrf_checks=True, raise_request_exception=False)


@pytest.mark.parametrize("path", ["/accounts/login/", "/accounts/logout/", "/cycles/1/start/"])
def test_a_form_body_in_another_charset_gets_400_signed_out(strict_client, path):
    response = strict_client.generic("POST", path, b"username=caf\xe9", content_type=LATIN_1_FORM)
    assert response.status_code == 400
    assert "couldn't be read" in response.content.decode()


def test_a_form_body_in_another_charset_gets_400_signed_in(strict_client, engineer, settings):
    settings.DEBUG = False
    strict_client.force_login(engineer)
    response = strict_client.generic(
        "POST", reverse("logout"), b"next=caf\xe9", content_type=LATIN_1_FORM
    )
    assert response.status_code == 400
    assert "Content-Security-Policy" in response


def test_utf_8_and_unlabelled_form_bodies_still_work(client, engineer):
    from tests.factories import PASSWORD

    for content_type in (
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded; charset=UTF-8",
    ):
        client.logout()
        response = client.generic(
            "POST",
            reverse("login"),
            f"username=engineer&password={PASSWORD.replace(' ', '+')}".encode(),
            content_type=content_type,
        )
        assert response.status_code == 302, content_type


def test_a_file_name_too_long_to_read_gets_400_saying_so_on_any_page(strict_client):
    # SimpleUploadedFile would cut the name to 255 characters; Django's parser refuses
    # a part whose headers pass 1,024 bytes, here when the CSRF check reads the form.
    file = io.BytesIO(b"text")
    file.name = "a" * 2000 + ".txt"
    strict_client.get(reverse("login"))  # the CSRF cookie, without which the body goes unread
    response = strict_client.post(reverse("login"), {"username": "x", "file": file})
    assert response.status_code == 400
    text = unescape(response.content.decode())
    assert "A file's name is too long to be read, so nothing was changed." in text
    assert "Traceback" not in text


def test_pages_for_signed_in_people_are_not_stored(client, engineer):
    client.force_login(engineer)
    response = client.get(reverse("home"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_signing_out_asks_the_browser_to_forget_stored_copies(client, engineer):
    client.force_login(engineer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'

"""A link to set a password: "Forgot your password?" and invitations from the org chart."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from ladder.models import User
from tests.conftest import run_worker
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
FORGOT = reverse("password_reset")


def link_in(message) -> str:
    (found,) = re.findall(r"http://[^\s]+/accounts/password/set/[^\s]+/", message.body)
    return found.split("://", 1)[1].split("/", 1)[1].join(["/", ""])


def test_a_forgotten_password_is_set_again_through_a_link_that_works_once(client, settings):
    settings.SITE_URL = "http://testserver"
    person = UserFactory(username="ana", email="ana@acme.test")
    sign_in_page = client.get(reverse("login")).content.decode()
    assert FORGOT in sign_in_page
    answer = client.post(FORGOT, {"email": "ANA@acme.test"}, follow=True)
    assert "Check your e-mail" in answer.content.decode()
    run_worker()
    (message,) = mail.outbox
    assert message.to == ["ana@acme.test"]
    url = link_in(message)
    form_page = client.get(url, follow=True)
    assert "Choose a password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    new = "a much longer passphrase 42"
    done = client.post(set_url, {"new_password1": new, "new_password2": new}, follow=True)
    assert "Your password is set" in done.content.decode()
    person.refresh_from_db()
    assert person.check_password(new)
    client.logout()
    again = client.get(url, follow=True).content.decode()
    assert "This link no longer works" in again


def test_an_unknown_address_gets_the_same_answer_and_no_email(client):
    UserFactory(username="ana", email="ana@acme.test")
    known = client.post(FORGOT, {"email": "ana@acme.test"}, follow=True).content.decode()
    unknown = client.post(FORGOT, {"email": "nobody@acme.test"}, follow=True).content.decode()
    strip = lambda html: re.sub(r'(value="|Token": ")[^"]*"', "", html)  # noqa: E731 (CSRF)
    assert strip(known) == strip(unknown)
    run_worker()
    assert [m.to for m in mail.outbox] == [["ana@acme.test"]]


def test_asking_again_and_again_is_throttled(client):
    UserFactory(username="ana", email="ana@acme.test")
    for _ in range(5):
        answer = client.post(FORGOT, {"email": "ana@acme.test"}, follow=True)
        assert "Check your e-mail" in answer.content.decode()
    run_worker()
    assert len(mail.outbox) == 3


def test_an_expired_link_says_so(client, settings):
    settings.SITE_URL = "http://testserver"
    UserFactory(username="ana", email="ana@acme.test")
    client.post(FORGOT, {"email": "ana@acme.test"})
    run_worker()
    settings.PASSWORD_RESET_TIMEOUT = -1
    page = client.get(link_in(mail.outbox[0]), follow=True).content.decode()
    assert "This link no longer works" in page


def test_people_loaded_from_a_file_are_invited_and_sign_in(client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SITE_URL = "http://testserver"
    hr = UserFactory(username="hr", is_staff=True, is_superuser=True)
    client.force_login(hr)
    text = "Work Email,Name\nzoe@acme.test,Zoe Ng\nsam@acme.test,Sam Lee\n"
    page = client.post(
        reverse("assessments:people-import"),
        {"file": SimpleUploadedFile("p.csv", text.encode(), content_type="text/csv")},
        follow=True,
    )
    (digest,) = re.findall(r'name="digest" value="([0-9a-f]+)"', page.content.decode())
    report = page.redirect_chain[-1][0]
    batch = report.rstrip("/").rsplit("/", 1)[-1]
    client.post(reverse("assessments:people-import-confirm", args=[batch]), {"digest": digest})
    run_worker()
    html = client.get(report).content.decode()
    assert "Invite 2 by e-mail" in html
    client.post(reverse("assessments:people-import-invite", args=[batch]))
    run_worker()
    invites = {m.to[0]: m for m in mail.outbox}
    assert set(invites) == {"zoe@acme.test", "sam@acme.test"}
    assert invites["zoe@acme.test"].subject == "You're invited to Ladder"
    client.logout()
    form_page = client.get(link_in(invites["zoe@acme.test"]), follow=True)
    new = "zoe's own long passphrase"
    client.post(form_page.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    zoe = User.objects.get(email="zoe@acme.test")
    assert zoe.check_password(new)
    zoe.last_login = zoe.date_joined  # signed in since
    zoe.save(update_fields=["last_login"])
    client.force_login(hr)
    assert "Invite 1 by e-mail" in client.get(report).content.decode()


def test_a_deactivated_person_gets_no_link(client):
    UserFactory(username="gone", email="gone@acme.test", is_active=False)
    client.post(FORGOT, {"email": "gone@acme.test"})
    run_worker()
    assert mail.outbox == []
    assert User.objects.get(username="gone").check_password(PASSWORD)

"""Single sign-on through a real OpenID provider (npm's oidc-provider, run by Node).

The provider's pages are filled in over HTTP here; Ladder is Django's test client, and
its back channel (the code for tokens, the keys, the user's claims) goes to the
provider for real. The browser walk is tests/browser/test_people_and_sign_in.py.
"""

from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
import requests
from bs4 import BeautifulSoup
from django.core import mail

from ladder.models import User
from tests.factories import PASSWORD, UserFactory
from tests.oidc_provider import running_provider

CALLBACK = "http://testserver/accounts/sso/callback/"
ACCOUNTS = {
    "ada": {"sub": "sub-ada", "email": "ada@example.com", "email_verified": True, "name": "Ada"},
    "stranger": {"sub": "sub-stranger", "email": "who@example.com", "email_verified": True},
    "unverified": {"sub": "sub-unv", "email": "bob@example.com", "email_verified": False},
    # As Entra ID answers: no word on whether the address is verified.
    "silent": {"sub": "sub-silent", "email": "cy@corp.example.com"},
}


@pytest.fixture(scope="module")
def provider():
    client = {
        "client_id": "ladder",
        "client_secret": "a-secret-for-tests-only",
        "redirect_uris": [CALLBACK],
        "post_logout_redirect_uris": ["http://testserver/accounts/login/"],
        "token_endpoint_auth_method": "client_secret_post",
    }
    with running_provider([client], ACCOUNTS, require_pkce=True, skip_consent=True) as op:
        yield op


@pytest.fixture
def sso(provider, settings):
    settings.OIDC_RP_CLIENT_ID = "ladder"
    settings.OIDC_RP_CLIENT_SECRET = "a-secret-for-tests-only"
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = provider.authorization_endpoint
    settings.OIDC_OP_TOKEN_ENDPOINT = provider.token_endpoint
    settings.OIDC_OP_USER_ENDPOINT = provider.userinfo_endpoint
    settings.OIDC_OP_JWKS_ENDPOINT = provider.jwks_uri
    settings.OIDC_OP_LOGOUT_ENDPOINT = provider.end_session_endpoint
    settings.SSO_PROVIDER_NAME = "Acme SSO"
    return provider


def at_provider(start: str, login: str) -> str:
    """Sign in on the provider's own pages as `login`; the URL it sends the browser back to."""
    browser = requests.Session()
    url, response = start, browser.get(start, allow_redirects=False, timeout=10)
    for _ in range(12):
        if response.is_redirect:
            url = urljoin(url, response.headers["Location"])
            if url.startswith("http://testserver"):
                return url
            response = browser.get(url, allow_redirects=False, timeout=10)
            continue
        form = BeautifulSoup(response.text, "html.parser").find("form")
        assert form is not None, response.text[:500]
        data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
        if "login" in data:
            data.update(login=login, password="anything")
        url = urljoin(url, form["action"])
        response = browser.post(url, data=data, allow_redirects=False, timeout=10)
    raise AssertionError("The provider never sent the browser back.")


def start(client) -> str:
    response = client.get("/accounts/sso/start/")
    assert response.status_code == 302
    location = response["Location"]
    query = parse_qs(urlsplit(location).query)
    # The flow Ladder starts: state, nonce and a PKCE challenge, all fresh.
    assert {"state", "nonce", "code_challenge"} <= query.keys()
    assert query["code_challenge_method"] == ["S256"]
    return location


def back_at_ladder(client, url: str):
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}")


pytestmark = pytest.mark.django_db


def test_without_single_sign_on_set_up_its_addresses_are_not_there(client):
    assert client.get("/accounts/sso/start/").status_code == 404
    assert client.get("/accounts/sso/callback/?code=x&state=y").status_code == 404
    assert "Sign in with" not in client.get("/accounts/login/").content.decode()


def test_the_sign_in_page_offers_the_company_account(client, sso):
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Acme SSO" in page
    assert "Or sign in with a password" in page


def test_a_first_sign_in_links_the_person_by_verified_email(client, sso):
    ada = UserFactory(username="ada.l", email="Ada@Example.com")
    response = back_at_ladder(client, at_provider(start(client), "ada"))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == ada.pk
    ada.refresh_from_db()
    assert ada.sso_subject == "sub-ada"
    # Nobody was made, and nobody became an admin.
    assert User.objects.count() == 1
    assert not ada.is_staff
    assert client.get("/").status_code == 200


def test_a_linked_person_is_found_by_subject_even_with_a_new_email(client, sso):
    ada = UserFactory(username="ada.l", email="ada.old@example.com", sso_subject="sub-ada")
    response = back_at_ladder(client, at_provider(start(client), "ada"))
    assert response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == ada.pk


def test_someone_the_org_chart_does_not_know_is_refused_with_a_clear_page(client, sso):
    response = back_at_ladder(client, at_provider(start(client), "stranger"))
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 403
    text = page.content.decode()
    assert "who@example.com" in text
    assert "nobody in Ladder has that address" in text
    assert "_auth_user_id" not in client.session
    assert not User.objects.exists()


def test_an_unverified_email_links_nobody(client, sso):
    UserFactory(username="bob", email="bob@example.com")
    response = back_at_ladder(client, at_provider(start(client), "unverified"))
    page = client.get(response["Location"])
    assert "hasn't verified" in page.content.decode()
    assert "_auth_user_id" not in client.session
    assert User.objects.get(username="bob").sso_subject == ""


def test_a_provider_silent_on_verification_is_trusted_for_the_companys_domains(
    client, sso, settings
):
    cy = UserFactory(username="cy", email="cy@corp.example.com")
    response = back_at_ladder(client, at_provider(start(client), "silent"))
    assert response["Location"] == "/accounts/sso/refused/"
    assert "_auth_user_id" not in client.session
    settings.SSO_VERIFIED_DOMAINS = ["corp.example.com"]
    response = back_at_ladder(client, at_provider(start(client), "silent"))
    assert response["Location"] == "/"
    assert int(client.session["_auth_user_id"]) == cy.pk


def test_a_deactivated_person_is_refused(client, sso):
    UserFactory(username="ada.l", email="ada@example.com", sso_subject="sub-ada", is_active=False)
    response = back_at_ladder(client, at_provider(start(client), "ada"))
    assert response["Location"] == "/accounts/sso/refused/"
    assert "_auth_user_id" not in client.session
    assert "is deactivated" in client.get(response["Location"]).content.decode()


def test_two_people_with_one_address_link_neither(client, sso):
    UserFactory(username="ada.l", email="ada@example.com")
    UserFactory(username="ada.2", email="ADA@example.com")
    response = back_at_ladder(client, at_provider(start(client), "ada"))
    page = client.get(response["Location"])
    assert page.status_code == 403
    assert "More than one person" in page.content.decode()
    assert not User.objects.exclude(sso_subject="").exists()


def test_a_replayed_callback_is_refused(client, sso):
    ada = UserFactory(username="ada.l", email="ada@example.com")
    callback = at_provider(start(client), "ada")
    assert back_at_ladder(client, callback)["Location"] == "/"
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    response = back_at_ladder(client, callback)
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert response["Location"] == "/accounts/sso/refused/"
    assert "_auth_user_id" not in client.session
    # And in another browser, with a flow of its own started, the old code still fails.
    other = type(client)()
    start(other)
    assert back_at_ladder(other, callback).status_code == 400
    assert "_auth_user_id" not in other.session
    ada.refresh_from_db()
    assert ada.sso_subject == "sub-ada"  # linked once, by the one sign-in that worked


def test_a_forged_state_or_a_changed_nonce_is_refused(client, sso):
    UserFactory(username="ada.l", email="ada@example.com")
    callback = at_provider(start(client), "ada")
    forged = callback.replace("state=", "state=forged")
    assert back_at_ladder(client, forged).status_code == 400
    assert "_auth_user_id" not in client.session
    # The ID token's nonce must be the one this browser's session asked for.
    callback = at_provider(start(client), "ada")
    session = client.session
    state = parse_qs(urlsplit(callback).query)["state"][0]
    session["oidc_states"][state]["nonce"] = "not-the-nonce-sent"
    session.save()
    response = back_at_ladder(client, callback)
    assert response.status_code in (302, 400)
    assert "_auth_user_id" not in client.session


def test_signing_out_ends_the_session_here_and_at_the_provider(client, sso):
    UserFactory(username="ada.l", email="ada@example.com")
    back_at_ladder(client, at_provider(start(client), "ada"))
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"].startswith(sso.end_session_endpoint)
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/accounts/login/"]
    assert "id_token_hint" in query
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302


def test_with_break_glass_only_superusers_use_passwords(client, sso, settings, admin_user):
    settings.PASSWORD_SIGN_IN = "break-glass"
    person = UserFactory(username="ada.l", email="ada@example.com")
    page = client.get("/accounts/login/").content.decode()
    assert "Administrators: sign in with a password" in page
    assert "Forgot your password" not in page
    refused = client.post("/accounts/login/", {"username": "ada.l", "password": PASSWORD})
    assert refused.status_code == 200
    assert "_auth_user_id" not in client.session
    admin_user.set_password(PASSWORD)
    admin_user.save()
    allowed = client.post(
        "/accounts/login/", {"username": admin_user.username, "password": PASSWORD}
    )
    assert allowed.status_code == 302
    client.post("/accounts/logout/")
    # No link to set a password goes to someone who signs in with SSO only.
    mail.outbox.clear()
    client.post("/accounts/password/forgot/", {"email": person.email})
    assert not mail.outbox

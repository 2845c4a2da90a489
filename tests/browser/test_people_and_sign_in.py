"""People at company scale, in Chromium: the org chart from a 300-person file, single
sign-on through a real OpenID provider, and the directory over SCIM.

An HR partner (who also manages people) uploads the HR system's export, reads the
dry run, fixes the one problem it names, and applies; a second, changed export
shows exactly its four changes. One of the people then signs in with the company's
account through the provider's own pages and lands on her home; the identity
provider's SCIM client creates a person, moves them to another manager, and
deprovisions her, which ends her session in the browser.
"""

import re

import pytest
import requests
from django.contrib.auth.models import Permission
from playwright.sync_api import expect

from assessments import scim
from assessments.models import HRPartner
from ladder.models import User
from tests.assessments.conftest import make_cycle
from tests.conftest import run_worker
from tests.factories import PASSWORD, UserFactory, level_doc, make_framework
from tests.oidc_provider import running_provider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = "Employee ID,First Name,Last Name,Work Email,Supervisor Email,Department,Job Level,Track"
MANAGERS = 10
PEOPLE = 300
ENTERPRISE = scim.ENTERPRISE


def rows(people: int = PEOPLE) -> dict[str, list[str]]:
    """An export: ten managers (the first at the top), everyone else under one of them."""
    found = {}
    for n in range(1, people + 1):
        boss = "" if n == 1 else f"p{1 if n <= MANAGERS else 2 + n % (MANAGERS - 1)}@acme.test"
        department = "Research" if n % 2 else "Platform"
        level = "M2" if n <= MANAGERS else "IC5"
        found[f"E{n:04}"] = [
            f"E{n:04}",
            f"Person{n}",
            f"Surname{n:03}",
            f"p{n}@acme.test",
            boss,
            department,
            level,
            "Machine Learning",
        ]
    return found


def as_csv(found: dict[str, list[str]]) -> bytes:
    lines = [HEADER, *(",".join(row) for row in found.values())]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")


@pytest.fixture
def framework(db):
    return make_framework(level_doc("IC5", "Staff Machine Learning Engineer", behaviours=1))


@pytest.fixture
def hr_partner(framework):
    person = UserFactory(
        username="hana",
        first_name="Hana",
        last_name="Partner",
        is_staff=True,
        email="hana@acme.test",
    )
    person.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_user", "change_user", "add_user"])
    )
    HRPartner.objects.create(person=person, department="Research")
    return person


def upload(page, live_server, content: bytes, name: str = "people.csv") -> None:
    page.goto(f"{live_server.url}/people/import/")
    page.get_by_label("CSV file from your HR system").set_input_files(
        files=[{"name": name, "mimeType": "text/csv", "buffer": content}]
    )
    page.get_by_role("button", name="Upload and see what would change").click()
    page.wait_for_load_state()


def test_an_hr_partner_loads_300_people_then_a_changed_file(
    page, live_server, sign_in, hr_partner, framework
):
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, hr_partner, PASSWORD)
    expect(page.get_by_text("You are an HR partner.")).to_be_visible()
    page.get_by_role("link", name=re.compile("Load the org chart")).click()
    expect(page.get_by_role("heading", name="Load the org chart")).to_be_visible()

    # The first export has one problem: a supervisor nobody knows, on row 42.
    people = rows()
    people["E0041"][4] = "nobody@acme.test"
    upload(page, live_server, as_csv(people))
    problems = page.get_by_role("alert")
    expect(problems).to_contain_text("1 problem: nothing can be applied yet")
    expect(problems).to_contain_text("Row 42")
    expect(problems).to_contain_text("nobody@acme.test")
    expect(page.get_by_role("button", name="Apply these changes")).to_have_count(0)
    assert not User.objects.filter(email__endswith="@acme.test").exclude(pk=hr_partner.pk).exists()

    # Fixed in the file and uploaded again: 300 new, applied once.
    people["E0041"][4] = "p3@acme.test"
    upload(page, live_server, as_csv(people))
    expect(page.get_by_role("heading", name=re.compile("300 new"))).to_be_visible()
    page.get_by_role("button", name="Apply these changes").click()
    # The worker applies it; the page shows it under way, then looks again by itself.
    expect(page.get_by_role("heading", name="Applying people.csv…")).to_be_visible()
    run_worker()
    expect(page.get_by_role("heading", name="Applied: people.csv")).to_be_visible(timeout=10_000)
    expect(page.get_by_text("300 new, 0 changed, 0 deactivated")).to_be_visible()
    assert User.objects.filter(employee_id__startswith="E").count() == PEOPLE
    assert User.objects.get(email="p41@acme.test").manager.email == "p3@acme.test"

    # The next export: one joiner, one leaver, one promotion, one move.
    people["E0301"] = ["E0301", "New", "Joiner", "p301@acme.test", "p2@acme.test",
                       "Research", "IC5", "Machine Learning"]  # fmt: skip
    del people["E0200"]
    people["E0150"][6] = "IC6"
    people["E0151"][4] = "p4@acme.test"  # from p9
    upload(page, live_server, as_csv(people), "people-december.csv")
    heading = page.get_by_role("heading", name=re.compile("new ·"))
    expect(heading).to_have_text("1 new · 2 changed · 1 deactivated · 297 unchanged")
    changes = page.locator(".people-changes")
    expect(changes.nth(0)).to_contain_text("New Joiner")
    expect(changes.nth(1)).to_contain_text("Person150 Surname150: level code IC5 → IC6")
    expect(changes.nth(1)).to_contain_text("Person151 Surname151")
    expect(changes.nth(2)).to_contain_text("Person200 Surname200")
    page.screenshot(path="var/screenshots/org-chart-changed-file.png", full_page=True)
    page.get_by_role("button", name="Apply these changes").click()
    run_worker()
    expect(page.get_by_text("1 new, 2 changed, 1 deactivated")).to_be_visible(timeout=10_000)
    assert not User.objects.get(employee_id="E0200").is_active
    assert User.objects.get(employee_id="E0151").manager.email == "p4@acme.test"

    # As HR partner for Research, the cycle's page is Research's people only.
    cycle = make_cycle(framework, name="2027 H1 review")
    page.goto(f"{live_server.url}/cycles/{cycle.pk}/enrol/")
    page.get_by_role("button", name="See who that is").click()
    page.get_by_role("button", name=re.compile("^Enrol \\d+ people")).click()
    expect(page.get_by_text(re.compile(r"\d+ people enrolled"))).to_be_visible()
    departments = set(cycle.assessments.values_list("engineer__department", flat=True))
    assert departments == {"Research"}


@pytest.fixture
def provider(live_server, settings):
    client = {
        "client_id": "ladder",
        "client_secret": "browser-test-secret",
        "redirect_uris": [f"{live_server.url}/accounts/sso/callback/"],
        "post_logout_redirect_uris": [f"{live_server.url}/accounts/login/"],
        "token_endpoint_auth_method": "client_secret_post",
    }
    accounts = {
        "ana": {
            "sub": "00u-ana",
            "email": "ana@acme.test",
            "email_verified": True,
            "given_name": "Ana",
            "family_name": "Petrova",
        },
    }
    with running_provider([client], accounts, require_pkce=True) as op:
        settings.OIDC_RP_CLIENT_ID = "ladder"
        settings.OIDC_RP_CLIENT_SECRET = "browser-test-secret"
        settings.OIDC_OP_AUTHORIZATION_ENDPOINT = op.authorization_endpoint
        settings.OIDC_OP_TOKEN_ENDPOINT = op.token_endpoint
        settings.OIDC_OP_USER_ENDPOINT = op.userinfo_endpoint
        settings.OIDC_OP_JWKS_ENDPOINT = op.jwks_uri
        settings.OIDC_OP_LOGOUT_ENDPOINT = op.end_session_endpoint
        settings.SSO_PROVIDER_NAME = "Acme SSO"
        yield op


def test_single_sign_on_then_the_directory_over_scim(
    page, live_server, provider, hr_partner, framework
):
    track = framework.levels.get().track
    make_cycle(framework, name="2027 H1 review")
    boss = UserFactory(username="mira", first_name="Mira", email="mira@acme.test")
    other_boss = UserFactory(username="tomas", first_name="Tomás", email="tomas@acme.test")
    ana = UserFactory(
        username="ana",
        first_name="Ana",
        email="ana@acme.test",
        manager=boss,
        track=track,
        level_code="IC5",
    )
    ana.set_unusable_password()
    ana.save()

    # Ana signs in with the company account, on the provider's own pages.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Sign in with Acme SSO").click()
    page.locator("input[name=login]").fill("ana")
    page.locator("input[name=password]").fill("anything")
    page.get_by_role("button", name="Sign-in").click()
    consent = page.get_by_role("button", name="Continue")
    consent.wait_for()
    consent.click()
    expect(page.get_by_role("heading", name="Hello, Ana")).to_be_visible()
    assert page.url == f"{live_server.url}/"
    expect(
        page.get_by_role("button", name=re.compile("Start your IC5 self-assessment"))
    ).to_be_visible()
    page.screenshot(path="var/screenshots/sso-home-phone.png", full_page=True)
    ana.refresh_from_db()
    assert ana.sso_subject == "00u-ana"

    # The identity provider's SCIM client, over HTTP with its bearer token.
    _, token = scim.new_token("Acme SSO", by=hr_partner)
    api = requests.Session()
    api.headers.update(
        {"Authorization": f"Bearer {token}", "Content-Type": "application/scim+json"}
    )
    base = f"{live_server.url}/scim/v2"
    created = api.post(
        f"{base}/Users",
        json={
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
            "userName": "leo@acme.test",
            "name": {"givenName": "Leo", "familyName": "Novak"},
            "emails": [{"value": "leo@acme.test", "type": "work", "primary": True}],
            "active": True,
            ENTERPRISE: {"department": "Research", "manager": {"value": str(boss.pk)}},
        },
        timeout=10,
    )
    assert created.status_code == 201, created.text
    leo = User.objects.get(pk=created.json()["id"])
    assert (leo.manager, leo.department, leo.is_staff) == (boss, "Research", False)
    moved = api.patch(
        f"{base}/Users/{leo.pk}",
        json={
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": str(other_boss.pk)}
            ],
        },
        timeout=10,
    )
    assert moved.status_code == 200, moved.text
    assert User.objects.get(pk=leo.pk).manager == other_boss
    found = api.get(f"{base}/Users", params={"filter": 'userName eq "ana"'}, timeout=10)
    assert found.status_code == 200, found.text
    found = found.json()
    assert found["totalResults"] == 1
    gone = api.delete(f"{base}/Users/{found['Resources'][0]['id']}", timeout=10)
    assert gone.status_code == 204

    # Deprovisioned: her session is over; the next page she opens is the sign-in page.
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert not User.objects.get(pk=ana.pk).is_active

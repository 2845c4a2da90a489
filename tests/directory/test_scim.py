"""SCIM as an identity provider uses it: tokens, people created, moved and deprovisioned,
filters and pages, and what it must never do (grant a review, lock out the admin)."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

from assessments import scim
from assessments.models import DirectoryEntry
from ladder.models import User, UserSession
from tests.factories import UserFactory

USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = scim.ENTERPRISE
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture
def it_admin(db):
    """Whoever made the directory's token: staff who may change people."""
    person = UserFactory(username="it-admin", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="change_user"))
    return person


@pytest.fixture
def token(it_admin):
    return scim.new_token("Okta", by=it_admin)[1]


@pytest.fixture
def api(client, token):
    """The identity provider: JSON in, JSON out, the bearer token on every request."""

    class Provider:
        def __call__(self, method, path, body=None, **query):
            response = getattr(client, method)(
                f"/scim/v2/{path}",
                data=json.dumps(body) if body is not None else (query or None),
                content_type="application/scim+json",
                headers={"Authorization": f"Bearer {token}"},
            )
            data = json.loads(response.content) if response.content else None
            return response.status_code, data

    return Provider()


def new_user(user_name, email=None, **extension):
    body = {
        "schemas": [USER, ENTERPRISE] if extension else [USER],
        "userName": user_name,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": email or user_name, "type": "work", "primary": True}],
        "active": True,
    }
    if extension:
        body[ENTERPRISE] = extension
    return body


def test_without_a_working_token_nothing_is_read(client, token, it_admin):
    UserFactory(username="someone")
    for headers in ({}, {"Authorization": "Bearer nope"}, {"Authorization": f"Basic {token}"}):
        response = client.get("/scim/v2/Users", headers=headers)
        assert response.status_code == 401
        assert response.json()["schemas"] == [ERROR]
        assert "someone" not in response.content.decode()
    scim.ScimToken.objects.update(revoked_at=timezone.now())
    response = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    # Nor once its maker may no longer change people, or is deactivated.
    scim.ScimToken.objects.update(revoked_at=None)
    it_admin.user_permissions.clear()
    response = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    it_admin.user_permissions.add(Permission.objects.get(codename="change_user"))
    response = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    User.objects.filter(pk=it_admin.pk).update(is_active=False)
    response = client.get("/scim/v2/Users", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_only_the_digest_of_a_token_is_kept(it_admin):
    row, token = scim.new_token("Entra ID", by=it_admin)
    assert token not in row.digest
    assert len(row.digest) == 64
    assert scim.token_for(f"Bearer {token}") == row


def test_a_provider_creates_a_person_with_their_manager_and_reads_them_back(api, it_admin):
    boss = UserFactory(username="boss", email="boss@example.com")
    status, created = api(
        "post",
        "Users",
        new_user(
            "ada@example.com",
            employeeNumber="E-1",
            department="Research",
            manager={"value": str(boss.pk)},
        ),
    )
    assert status == 201, created
    person = User.objects.get(pk=created["id"])
    assert (person.email, person.first_name, person.department, person.employee_id) == (
        "ada@example.com",
        "Ada",
        "Research",
        "E-1",
    )
    assert person.manager == boss
    # Never an admin, and no password anyone knows: they sign in with SSO or a link.
    assert not person.is_staff
    assert not person.is_superuser
    assert not person.has_usable_password()
    status, read = api("get", f"Users/{person.pk}")
    assert status == 200
    assert read[ENTERPRISE]["manager"]["value"] == str(boss.pk)
    assert read["meta"]["location"].endswith(f"/scim/v2/Users/{person.pk}")
    assert read["userName"] == "ada@example.com"


def test_someone_from_the_org_chart_is_linked_by_email_not_made_twice(api):
    loaded = UserFactory(username="ada", email="ada@example.com", department="Research")
    status, created = api("post", "Users", new_user("ada.lovelace@corp.example", "ada@example.com"))
    assert status == 201
    assert created["id"] == str(loaded.pk)
    assert User.objects.filter(email__iexact="ada@example.com").count() == 1
    # A second create for the same user name is a conflict, as SCIM says.
    status, error = api("post", "Users", new_user("ada.lovelace@corp.example", "x@example.com"))
    assert status == 409
    assert error["scimType"] == "uniqueness"


def test_filters_and_pages_as_providers_send_them(api):
    for n in range(5):
        UserFactory(username=f"user{n}", email=f"user{n}@example.com")
    status, found = api("get", "Users", filter='userName eq "user3"')
    assert status == 200
    assert found["totalResults"] == 1
    assert found["Resources"][0]["userName"] == "user3"
    status, found = api("get", "Users", filter='emails[value eq "USER2@example.com"]')
    assert [r["userName"] for r in found["Resources"]] == ["user2"]
    # Six people: the five and whoever made the token, in the order they were added.
    status, page = api("get", "Users", startIndex="3", count="2")
    assert (page["totalResults"], page["startIndex"], page["itemsPerPage"]) == (6, 3, 2)
    assert [r["userName"] for r in page["Resources"]] == ["user1", "user2"]
    status, page = api("get", "Users", count="100000")
    assert page["itemsPerPage"] == 6
    for bad in ('userName eq "unterminated', 'nickName eq "x"', "userName zz 1", "x" * 2_000):
        status, error = api("get", "Users", filter=bad)
        assert status == 400, bad
        assert error["scimType"] == "invalidFilter"


def test_a_manager_change_by_patch_goes_on_the_record(api, it_admin):
    old, new = UserFactory(username="old-boss"), UserFactory(username="new-boss")
    _, created = api("post", "Users", new_user("ada@example.com", manager={"value": str(old.pk)}))
    body = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": {"value": str(new.pk)}}
        ],
    }
    status, patched = api("patch", f"Users/{created['id']}", body)
    assert status == 200, patched
    assert User.objects.get(pk=created["id"]).manager == new
    assert patched[ENTERPRISE]["manager"]["value"] == str(new.pk)


def test_the_directory_grants_no_review_to_whoever_made_its_token(api, it_admin):
    _, created = api("post", "Users", new_user("ada@example.com"))
    body = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": str(it_admin.pk)}}
        ],
    }
    status, error = api("patch", f"Users/{created['id']}", body)
    assert status == 403, error
    assert "yourself" in error["detail"]
    assert User.objects.get(pk=created["id"]).manager is None


def test_a_reporting_loop_or_an_unknown_manager_is_refused(api):
    top = UserFactory(username="top")
    _, created = api("post", "Users", new_user("ada@example.com", manager={"value": str(top.pk)}))
    top_body = {
        "schemas": [PATCH],
        "Operations": [
            {"op": "add", "path": f"{ENTERPRISE}:manager", "value": {"value": created["id"]}}
        ],
    }
    status, error = api("patch", f"Users/{top.pk}", top_body)
    assert status == 400
    assert "loop" in error["detail"]
    status, error = api("post", "Users", new_user("bob@example.com", manager={"value": "999999"}))
    assert status == 400
    assert error["scimType"] == "invalidValue"
    assert not User.objects.filter(username="bob@example.com").exists()


def test_deprovisioning_deactivates_and_ends_sessions_but_keeps_the_person(api):
    _, created = api("post", "Users", new_user("ada@example.com"))
    person = User.objects.get(pk=created["id"])
    browser = Client()
    browser.force_login(person)
    assert browser.get("/").status_code == 200
    assert UserSession.objects.filter(user_id=person.pk).exists()
    body = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}
    status, patched = api("patch", f"Users/{person.pk}", body)
    assert status == 200
    assert patched["active"] is False
    assert not UserSession.objects.filter(user_id=person.pk).exists()
    assert browser.get("/").status_code == 302
    # Deleting deprovisions: gone from SCIM, kept in Ladder, inactive.
    status, _ = api("delete", f"Users/{person.pk}")
    assert status == 204
    status, error = api("get", f"Users/{person.pk}")
    assert status == 404
    assert error["schemas"] == [ERROR]
    person.refresh_from_db()
    assert not person.is_active
    assert person.directory.deprovisioned_at is not None
    # Hired again: the same person, active.
    status, again = api("post", "Users", new_user("ada@example.com"))
    assert status == 201
    assert again["id"] == str(person.pk)
    person.refresh_from_db()
    assert person.is_active


def test_a_ladder_administrator_is_not_locked_out_by_the_directory(api, admin_user):
    body = {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]}
    status, error = api("patch", f"Users/{admin_user.pk}", body)
    assert status == 403
    assert "admin" in error["detail"]
    status, _ = api("delete", f"Users/{admin_user.pk}")
    assert status == 403
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_ladder_changes_since_are_what_the_provider_reads(api):
    _, created = api("post", "Users", new_user("ada@example.com", department="Research"))
    User.objects.filter(pk=created["id"]).update(department="Platform", first_name="Augusta")
    _, read = api("get", f"Users/{created['id']}")
    assert read[ENTERPRISE]["department"] == "Platform"
    assert read["name"]["givenName"] == "Augusta"
    assert read["name"]["familyName"] == "Lovelace"  # as the provider wrote it


def test_hostile_bodies_get_a_scim_error_and_change_nothing(api, client, token):
    before = User.objects.count()
    headers = {"Authorization": f"Bearer {token}"}
    for body in (b"{not json", b"[1, 2]", b'"text"', json.dumps(new_user("x" * 300)).encode()):
        response = client.post(
            "/scim/v2/Users", body, content_type="application/scim+json", headers=headers
        )
        assert response.status_code == 400, body[:40]
        assert response.json()["schemas"] == [ERROR]
    huge = json.dumps({**new_user("big@example.com"), "displayName": "x" * 300_000})
    response = client.post(
        "/scim/v2/Users", huge, content_type="application/scim+json", headers=headers
    )
    assert response.status_code in (400, 413)
    for path in ("Users/abc", "Users/99999999999999999999999", "Groups", "nothing/here"):
        response = client.get(f"/scim/v2/{path}", headers=headers)
        assert response.status_code == 404, path
        assert response.json()["schemas"] == [ERROR]
    assert User.objects.count() == before
    assert not DirectoryEntry.objects.exists()


def test_filters_never_answer_more_than_asked_nor_fail(api):
    UserFactory(username="ada", email="ada@example.com")
    # An attribute Ladder doesn't filter on is refused, not quietly left out.
    status, error = api("get", "Users", filter='title eq "x" and userName eq "ada"')
    assert status == 400
    assert error["scimType"] == "invalidFilter"
    status, error = api("get", "Users", filter='id eq "abc"')
    assert status == 400
    # A value of the wrong kind finds nobody, or is refused; never an error page.
    status, found = api("get", "Users", filter='active eq "yes"')
    assert status in (200, 400)
    assert status == 400 or found["totalResults"] == 0
    status, page = api("get", "Users", startIndex="99999999999999999999")
    assert status == 200
    assert page["Resources"] == []


def test_the_directory_leaves_a_ladder_administrator_as_they_are(api, admin_user):
    admin_user.email = "root@example.com"
    admin_user.save()
    # A new user with the administrator's address is not linked to them.
    status, created = api("post", "Users", new_user("root.person", "root@example.com"))
    assert status == 201
    assert created["id"] != str(admin_user.pk)
    body = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": "userName", "value": "taken-over"}],
    }
    status, _ = api("patch", f"Users/{admin_user.pk}", body)
    assert status == 403
    admin_user.refresh_from_db()
    assert admin_user.username != "taken-over"


def test_an_hr_partner_moves_nobody_into_their_own_part(api, it_admin):
    from assessments.models import HRPartner

    HRPartner.objects.create(person=it_admin, department="Research")
    _, created = api("post", "Users", new_user("ada@example.com", department="Platform"))
    body = {
        "schemas": [PATCH],
        "Operations": [{"op": "replace", "path": f"{ENTERPRISE}:department", "value": "Research"}],
    }
    status, error = api("patch", f"Users/{created['id']}", body)
    assert status == 403
    assert "HR partner for Research" in error["detail"]
    assert User.objects.get(pk=created["id"]).department == "Platform"
    # Someone new joins the department: they have no reviews yet to read.
    status, _ = api("post", "Users", new_user("bob@example.com", department="Research"))
    assert status == 201

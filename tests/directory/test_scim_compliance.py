"""scim2-tester, a SCIM compliance checker, against Ladder's /scim/v2: zero failures on Users.

It reads the server's discovery documents, then creates, reads, lists, replaces,
patches (add, replace, remove on every advertised attribute) and deletes users,
checking each answer against the protocol. It runs in the test's process, through
Django's WSGI application, so each request is a real one through the middleware.
"""

import pytest
from django.contrib.auth.models import Permission
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from scim2_client.engines.wsgi import WSGISCIMClient
from scim2_tester import Status, check_server

from assessments import scim
from assessments.models import DirectoryEntry
from ladder.models import User
from tests.factories import UserFactory


@pytest.fixture
def wsgi_client(db):
    # As Django's test client does: the handler would otherwise close the test's
    # connection (inside its transaction) at the end of each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    admin = UserFactory(username="it-admin", is_staff=True)
    admin.user_permissions.add(Permission.objects.get(codename="change_user"))
    _, token = scim.new_token("Compliance checker", by=admin)
    yield WSGISCIMClient(
        get_wsgi_application(),
        base_url="http://testserver/scim/v2",
        headers={"Authorization": f"Bearer {token}"},
    )
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_scim2_tester_finds_no_failure_on_users(wsgi_client):
    results = check_server(wsgi_client, resource_types=["User"])
    failures = [r for r in results if r.status in (Status.ERROR, Status.CRITICAL)]
    assert not failures, "\n".join(
        f"[{r.resource_type}] {r.title}: {r.reason}\n    {r.data!r}"[:800] for r in failures
    )
    passed = {r.title for r in results if r.status is Status.SUCCESS}
    # The checks that matter ran, not only discovery.
    assert {"object_creation", "object_query", "object_replacement", "object_deletion"} <= passed
    assert {"check_add_attribute", "check_replace_attribute", "check_remove_attribute"} <= passed
    # Deleting deprovisions: people stay (their assessments with them), deactivated.
    assert User.objects.filter(is_active=False).exists()
    assert DirectoryEntry.objects.filter(deprovisioned_at__isnull=False).exists()

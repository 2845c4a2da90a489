"""The admin tests' site, built once for a test module instead of once per test.

The admin page and filter tests open hundreds of pages against the same site; building
it for each took most of their time. Here it is built once, in a transaction that stays
open for the module and is rolled back after it; each test runs in a savepoint inside
it (as Django's setUpTestData does), so what one test changes is gone for the next.
A module imports these fixtures by name; every test in it then sees the site, so tests
that need an empty database belong in another module.
"""

import pytest
from django.db import transaction

from ladder.models import User
from tests.admin_site import build_site, make_editor, make_runner
from tests.factories import UserFactory


@pytest.fixture(scope="module")
def shared_site(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        # In the order the per-test fixtures make them: the admin tests open the first
        # and the last person's pages.
        superuser = UserFactory(username="admin", is_staff=True, is_superuser=True)
        editor = make_editor()
        manager = UserFactory(username="manager")
        engineer = UserFactory(username="engineer", manager=manager, level_code="IC5")
        build_site(superuser, editor, engineer)
        people = {"superuser": superuser, "editor": editor, "runner": make_runner()}
        yield {name: person.pk for name, person in people.items()}
        transaction.set_rollback(True)


def _person(shared_site, name: str) -> User:
    # Read afresh for each test: a test may change the object it is given.
    return User.objects.get(pk=shared_site[name])


@pytest.fixture(name="site_data")
def shared_site_data(shared_site, db):
    return shared_site


@pytest.fixture(name="superuser")
def shared_superuser(shared_site, db):
    return _person(shared_site, "superuser")


@pytest.fixture(name="editor")
def shared_editor(shared_site, db):
    return _person(shared_site, "editor")


@pytest.fixture(name="runner")
def shared_runner(shared_site, db):
    return _person(shared_site, "runner")

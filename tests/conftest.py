"""Shared fixtures: the seed ladder and the personas every access test walks through."""

from pathlib import Path

import pytest
from django.conf import settings

from ladder.formats.markdown import parse_ladder
from ladder.models import Level
from ladder.services import import_levels
from tests.factories import UserFactory

# The admin's personas and sample site (superuser, editor, runner, site_data).
pytest_plugins = ["tests.admin_site"]

SEED_PATH = (
    Path(settings.BASE_DIR)
    / "ladder"
    / "data"
    / "ladders"
    / "ic5-staff-machine-learning-engineer.md"
)


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


@pytest.fixture
def ic5(db, seed_text) -> Level:
    """The seed imported and published as v1 of the default framework."""
    report = import_levels(
        framework_name=settings.LADDER_DEFAULT_FRAMEWORK,
        documents=[(SEED_PATH.name, parse_ladder(seed_text, SEED_PATH.name))],
        publish_version=True,
    )
    return Level.objects.select_related("framework", "track").get(
        framework=report.framework, code="IC5"
    )


@pytest.fixture
def admin_user(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def manager(db):
    return UserFactory(username="manager")


@pytest.fixture
def other_manager(db):
    return UserFactory(username="other-manager")


@pytest.fixture
def engineer(db, manager):
    return UserFactory(username="engineer", manager=manager, level_code="IC5")


@pytest.fixture
def peer(db, manager):
    return UserFactory(username="peer", manager=manager, level_code="IC5")


@pytest.fixture
def calibrator(db):
    return UserFactory(username="calibrator")


@pytest.fixture
def ladder_editor(db):
    """Staff with the right to change the ladder: drafts, the editor, imports."""
    from django.contrib.auth.models import Permission

    person = UserFactory(username="ladder-editor", is_staff=True)
    person.user_permissions.add(Permission.objects.get(codename="change_framework"))
    return person


@pytest.fixture
def skip(manager):
    """The manager's own manager: reads their reviews, writes none."""
    person = UserFactory(username="skip")
    manager.manager = person
    manager.save(update_fields=["manager"])
    return person


@pytest.fixture(autouse=True)
def _fresh_level_caches():
    from assessments import progress

    progress.forget_published_levels()
    # Tests roll their data back rather than restore it: the check for a restored
    # database (a query a second) would only blur their query counts. Its own tests
    # (tests/test_backup_restore.py) run it in real server processes.
    progress._epoch[:] = [progress._UNREAD, float("inf")]
    yield
    progress.forget_published_levels()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing is slow on purpose; seven personas per test would add up.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # Production serves hashed files from collectstatic's manifest; tests don't run it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def pytest_collection_modifyitems(config, items):
    # From its first test on, Playwright keeps an event loop running in this thread
    # and Django then refuses ORM calls here; so the browser tests go last, and only
    # they allow that (tests/browser/conftest.py).
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
    # Reading and writing ladder files touches no database, and what a page lets
    # through or a browser clicks doesn't depend on the engine: those tests run in the
    # suite's SQLite pass and are left out of its PostgreSQL pass.
    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        kept = [item for item in items if not _engine_neutral(item)]
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept


def _engine_neutral(item) -> bool:
    # What a browser clicks goes through the same views on either engine, so browser
    # tests run once, in the SQLite pass; a browser test about the engine itself would
    # say so with the `engine` marker.
    browser_only = item.get_closest_marker("browser") and not item.get_closest_marker("engine")
    return bool(
        item.get_closest_marker("no_database")
        or item.get_closest_marker("engine_neutral")
        or browser_only
    )


def run_worker(queue_name: str = "*") -> None:
    """Run every queued background job with the real worker (`db_worker --batch`), or
    those of one queue (`queue_name="default"`: what the e-mail worker runs).

    The worker checks its database connection between jobs, as a long-running process
    must, and drops one whose autocommit looks changed. Inside a test that is the test's
    own transaction (on PostgreSQL it would close under the test), so that check is left
    out here; everything else is the worker as `make run` starts it.
    """
    import io
    from unittest import mock

    from django.core.management import call_command

    target = "django_tasks_db.management.commands.db_worker.close_old_connections"
    # Nor does it beat: the heartbeat thread writes through a connection of its own,
    # outside the test's transaction (tests/test_worker_recovery.py runs real workers).
    beating = "ladder.site.management.commands.db_worker.keep_beating"
    with mock.patch(target), mock.patch(beating):
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--queue-name",
            queue_name,
            stdout=io.StringIO(),
        )


@pytest.fixture
def run_jobs(db):
    """Run the queued jobs (see run_worker); returns the jobs this run ran."""
    from django_tasks_db.models import DBTaskResult

    def run(queue_name: str = "*") -> list:
        finished = DBTaskResult.objects.filter(finished_at__isnull=False)
        before = set(finished.values_list("pk", flat=True))
        run_worker(queue_name)
        return list(finished.exclude(pk__in=before).order_by("enqueued_at"))

    return run


@pytest.fixture(autouse=True)
def _files_in_a_temporary_folder(settings, tmp_path):
    # Packet PDFs made by tests go to a folder of their own, never into var/.
    settings.MEDIA_ROOT = tmp_path / "files"


@pytest.fixture
def hr_partner(db):
    """Someone to make an HR partner (tests/test_access.py makes them one for manager's team)."""
    return UserFactory(username="hr-partner")


@pytest.fixture
def committee_keeper(db):
    """Staff who may add and change groups: the calibration committees' pages."""
    from django.contrib.auth.models import Permission

    person = UserFactory(username="committee-keeper", is_staff=True)
    person.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_group", "change_group"])
    )
    return person

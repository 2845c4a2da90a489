"""The deploy check Ladder adds: PostgreSQL's autovacuum must be on."""

from contextlib import contextmanager
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connection

from ladder.site import checks


class FakeConnection:
    vendor = "postgresql"

    def __init__(self, setting: str):
        self.setting = setting

    @contextmanager
    def cursor(self):
        fake = mock.Mock()
        fake.fetchone.return_value = (self.setting,)
        yield fake


@pytest.mark.no_database
@pytest.mark.parametrize(("setting", "warned"), [("off", True), ("on", False)])
def test_the_check_warns_only_when_autovacuum_is_off(setting, warned):
    with mock.patch.object(checks, "connections", {"default": FakeConnection(setting)}):
        found = checks.autovacuum_is_on(databases=["default"])
    assert [w.id for w in found] == (["ladder.W001"] if warned else [])
    # Without --database, Django asks no database anything.
    with mock.patch.object(checks, "connections", {"default": FakeConnection("off")}):
        assert checks.autovacuum_is_on(databases=None) == []


@pytest.mark.django_db
def test_the_check_reads_the_server_it_runs_against(capsys):
    found = checks.autovacuum_is_on(databases=["default"])
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            off = cursor.fetchone()[0] != "on"
        assert bool(found) == off
    else:
        assert found == []
    # It is one of the checks `check --deploy --database default` runs.
    call_command("check", "--deploy", "--database", "default", "--fail-level", "CRITICAL")
    assert ("ladder.W001" in capsys.readouterr().err) == bool(found)

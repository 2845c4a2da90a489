"""On SQLite, many people saving at once wait their turn instead of failing."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="about the SQLite set-up (WAL, busy timeout, IMMEDIATE)"
)

PEOPLE, SAVES = 24, 25


def test_concurrent_saves_never_fail_with_database_is_locked(tmp_path):
    env = {**os.environ, "SECRET_KEY": "load"}
    env.pop("DATABASE_URL", None)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.sqlite_load",
            str(tmp_path / "load.sqlite3"),
            str(PEOPLE),
            str(SAVES),
        ],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["journal_mode"] == "wal"
    assert outcome["errors"] == []
    assert outcome["saved"] == PEOPLE * SAVES

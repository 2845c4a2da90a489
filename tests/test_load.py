"""The load run's short forms, in the suite's PostgreSQL pass (loadtest/run.py): 300
people for 30 seconds against gunicorn with two gunicorn workers killed (kill -9) on
the way, and 60 people through a restart of PostgreSQL; every acknowledged save is
found in the database afterwards."""

import os
import re
import subprocess
import sys

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the load run is against PostgreSQL; it runs in the suite's PostgreSQL pass",
)


def load_run(tmp_path, *args) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "loadtest.run", "--work", str(tmp_path), *args],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=600,
    )
    return result.returncode, result.stdout + result.stderr


def figure(report: str, label: str) -> int:
    return int(re.search(rf"^{label}: (\d+)", report, re.MULTILINE)[1])


def test_three_hundred_people_at_the_deadline_lose_nothing_through_killed_workers(tmp_path):
    code, report = load_run(
        tmp_path,
        "--people",
        "300",
        "--duration",
        "30",
        "--spawn-rate",
        "100",
        "--kill-workers",
        "2",
    )
    print(report)
    assert code == 0, report
    assert figure(report, "5xx answers that count") == 0
    assert figure(report, "lost or mismatched writes") == 0
    assert report.count("killed gunicorn worker") == 2
    # Enough of each side's saves to prove anything.
    assert figure(report, "acknowledged self saves") > 300
    assert figure(report, "acknowledged review saves") > 30


def test_a_database_restart_mid_run_answers_503_meanwhile_and_loses_nothing(tmp_path):
    code, report = load_run(
        tmp_path, "--people", "60", "--duration", "30", "--web-workers", "2",
        "--restart-database",
    )  # fmt: skip
    print(report)
    assert code == 0, report
    assert "restarted PostgreSQL at 15 s" in report
    assert figure(report, "5xx answers that count") == 0
    assert figure(report, "lost or mismatched writes") == 0
    assert "stack trace" not in report
    # After the restart the run went on saving: the app came back by itself.
    assert figure(report, "acknowledged self saves") > 100

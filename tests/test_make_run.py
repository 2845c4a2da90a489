"""`make run` serves, prints and mails one address, derived from PORT, with its worker."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make")

# The server stands in for a long-running process: it waits (up to 5 s) for the worker
# started beside it to have run, as a real server would outlive it.
FAKE_PYTHON = """#!/bin/sh
calls="$(dirname "$0")/calls"
echo "SITE_URL=$SITE_URL DEBUG=$DEBUG $*" >> "$calls"
if [ "$2" = runserver ]; then
  for i in $(seq 50); do grep -q db_worker "$calls" && break; sleep 0.1; done
fi
"""


def test_make_run_gives_every_command_the_address_of_its_port(tmp_path: Path):
    # A stand-in virtualenv whose python records how each step was called.
    venv = tmp_path / "venv"
    (venv / "bin").mkdir(parents=True)
    python = venv / "bin" / "python"
    python.write_text(FAKE_PYTHON)
    python.chmod(0o755)
    (venv / ".app").touch()
    os.utime(venv / ".app", (2**31, 2**31))  # newer than pyproject.toml: no install
    env = {k: v for k, v in os.environ.items() if k not in {"SITE_URL", "PORT", "MAKEFLAGS"}}
    subprocess.run(
        ["make", "--no-print-directory", "run", f"VENV={venv}", "PORT=8123"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        capture_output=True,
    )
    calls = (venv / "bin" / "calls").read_text().splitlines()
    steps = [c.split()[3] for c in calls]
    assert steps[:3] == ["migrate", "load_builtin_ladder", "create_demo_org"]
    # The worker starts in the background beside the server, so either may log first.
    assert sorted(steps[3:]) == ["db_worker", "runserver"]
    assert all(c.startswith("SITE_URL=http://127.0.0.1:8123 DEBUG=true ") for c in calls)
    assert any(c.endswith("runserver 127.0.0.1:8123") for c in calls)

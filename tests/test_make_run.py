"""`make run` serves, prints and mails one address, derived from PORT, with its workers."""

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings

# make run always serves SQLite, on a fixed port: once, in the SQLite pass.
pytestmark = [
    pytest.mark.skipif(shutil.which("make") is None, reason="needs GNU make"),
    pytest.mark.engine_neutral,
]

# The server stands in for a long-running process: it waits (up to 5 s) for the two
# workers started beside it to have run, as a real server would outlive them. A worker
# notes its process id and then runs until it is stopped, as a real one would.
FAKE_PYTHON = """#!/bin/sh
here="$(dirname "$0")"
if [ "$2" = db_worker ]; then
  echo $$ >> "$here/workers"
fi
echo "SITE_URL=$SITE_URL DEBUG=$DEBUG $*" >> "$here/calls"
if [ "$2" = db_worker ]; then
  exec sleep 60
fi
if [ "$2" = runserver ]; then
  for i in $(seq 50); do [ "$(grep -c db_worker "$here/calls")" -ge 2 ] && break; sleep 0.1; done
fi
"""


def make_run(tmp_path: Path) -> Path:
    """`make run` with a stand-in virtualenv whose python records how each step was
    called; returns the folder of its records."""
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
        timeout=30,  # a worker left running would hold the output open for 60 s
    )
    return venv / "bin"


def test_make_run_gives_every_command_the_address_of_its_port(tmp_path: Path):
    calls = (make_run(tmp_path) / "calls").read_text().splitlines()
    steps = [c.split()[3] for c in calls]
    assert steps[:3] == ["migrate", "load_builtin_ladder", "create_demo_org"]
    # The workers start in the background beside the server, so any may log first.
    assert sorted(steps[3:]) == ["db_worker", "db_worker", "runserver"]
    assert all(c.startswith("SITE_URL=http://127.0.0.1:8123 DEBUG=true ") for c in calls)
    assert any(c.endswith("runserver 127.0.0.1:8123") for c in calls)


def test_make_run_starts_a_worker_for_each_queue_and_stops_both_with_the_server(
    tmp_path: Path,
):
    records = make_run(tmp_path)
    workers = [c.split(maxsplit=3)[3] for c in (records / "calls").read_text().splitlines()]
    workers = sorted(c for c in workers if c.startswith("db_worker"))
    # E-mails never wait behind packets: each queue has its worker.
    assert workers == ["db_worker --queue-name default", "db_worker --queue-name packets"]
    assert set(settings.TASKS["default"]["QUEUES"]) == {"default", "packets"}
    pids = [int(pid) for pid in (records / "workers").read_text().split()]
    deadline = time.monotonic() + 5
    while any(running(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(pid) for pid in pids)


def running(pid: int) -> bool:
    """Whether the process lives (a zombie waiting to be reaped has stopped)."""
    if not Path("/proc").is_dir():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"

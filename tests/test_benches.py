"""Every benchmark in bench/ still runs, in a short form: a bench nobody can run measures nothing.

Each starts from a copy of one migrated SQLite file (made once here) and builds its own
data (or server), and exits non-zero when it can't run or misses a query-count target;
its timings are only printed, never asserted here.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# The benches bring their own database, so the engine of the pass doesn't matter.
pytestmark = pytest.mark.engine_neutral

BENCH = Path(__file__).resolve().parent.parent / "bench"
SHORT_FORMS = {
    "assessment_page.py": ["--requests", "5", "--warmup", "2"],
    "review_page.py": ["--requests", "5", "--warmup", "2", "--team", "3"],
    "calibration_view.py": ["--requests", "2", "--warmup", "1", "--people", "100", "--own"],
    "cycle_page.py": ["--requests", "2", "--warmup", "1", "--people", "20"],
    "import_ladders.py": ["--pages", "3", "--repeat", "1", "--megabytes", "0.4"],
    "org_chart_import.py": ["--sizes", "20", "60"],
    "markdown_render.py": [],
    "packet_pdf.py": ["--packets", "3", "--repeat", "1"],
    "autosave.py": ["--clients", "2", "--seconds", "1", "--rounds", "1", "--workers", "1"],
    "autosave_capacity.py": [
        "--rates",
        "20",
        "--seconds",
        "1",
        "--people",
        "6",
        "--clients",
        "4",
        "--workers",
        "1",
    ],
}


def test_every_bench_has_a_short_form_here():
    scripts = {path.name for path in BENCH.glob("*.py") if not path.name.startswith("_")}
    assert scripts == set(SHORT_FORMS)


@pytest.fixture(scope="module")
def prepared(tmp_path_factory) -> dict[str, str]:
    """One migrated SQLite file and one folder of collected static files for every
    bench (bench/_setup.py copies the one and reads the other): each bench migrating
    its own took a third of this file's time."""
    folder = tmp_path_factory.mktemp("bench-template")
    database, static = folder / "migrated.sqlite3", folder / "static"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "DJANGO_"))}
    env.update(
        DATABASE_URL=f"sqlite:///{database}", STATIC_ROOT=str(static), DEBUG="false", SECRET_KEY="x"
    )
    for command in (["migrate", "--noinput"], ["collectstatic", "--noinput"]):
        subprocess.run(
            [sys.executable, "manage.py", *command],
            cwd=BENCH.parent,
            env=env,
            check=True,
            capture_output=True,
        )
    return {
        "LADDER_BENCH_TEMPLATE_DATABASE": str(database),
        "LADDER_BENCH_TEMPLATE_STATIC": str(static),
    }


@pytest.mark.parametrize("script", sorted(SHORT_FORMS))
def test_the_bench_runs(script, prepared):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(prepared)
    done = subprocess.run(
        [sys.executable, str(BENCH / script), *SHORT_FORMS[script]],
        cwd=BENCH.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]

"""A deadline's load on Ladder as it runs in production, and a check that no save was lost.

    .venv/bin/python -m loadtest.run                      # the full run: 300 people, 3 minutes
    .venv/bin/python -m loadtest.run --people 300 --duration 30   # the form CI runs

Starts loadtest/stack.py (gunicorn with several workers and the background worker, on a
fresh PostgreSQL database beside DATABASE_URL's, or on SQLite without one), seeds the
people (loadtest/seed.py), restarts gunicorn so that it warms up on the open cycle, as
after a deploy on a deadline's morning, runs locust headless on loopback
(loadtest/locustfile.py), then compares the ledger of acknowledged saves with the
database. Prints requests per second by kind and latency percentiles, for the whole
run and again for the opening minute (everyone arriving, 50 a second by default) and
for the steady state after it; 5xx answers and lost or mismatched writes; exits 1 when
there was any 5xx answer or lost write.

--kill-workers N sends kill -9 to a gunicorn worker N times during the run (gunicorn
starts a new one); --restart-database runs on a PostgreSQL server of its own and
restarts it half-way through (pages answer 503 meanwhile, which is then not counted
as an error). Both are faults the run must survive with nothing acknowledged lost.
"""

import argparse
import contextlib
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

from loadtest.stack import BIN, ROOT, PrivatePostgres, Stack


def arguments(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--duration", type=int, default=180, help="seconds")
    parser.add_argument("--spawn-rate", type=float, default=50)
    parser.add_argument("--web-workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", help="gunicorn's")
    parser.add_argument("--kill-workers", type=int, default=0)
    parser.add_argument("--restart-database", action="store_true")
    parser.add_argument("--work", type=Path, help="keep logs and results here")
    return parser.parse_args(argv)


def run_locust(stack: Stack, roster: Path, ledger: Path, args, work: Path) -> None:
    env = {
        **os.environ,
        "LADDER_ROSTER": str(roster),
        "LADDER_LEDGER": str(ledger),
        "LADDER_TIMINGS": str(work / "timings.csv"),
    }
    command = [
        str(BIN / "locust"),
        "-f", str(ROOT / "loadtest" / "locustfile.py"),
        "--headless",
        "--host", stack.urls[0],
        "--users", str(args.people),
        "--spawn-rate", str(args.spawn_rate),
        "--run-time", f"{args.duration}s",
        "--stop-timeout", "10",
        "--csv", str(work / "locust"),
        "--only-summary",
        "--loglevel", "WARNING",
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    with open(work / "locust.log", "wb") as log:
        subprocess.run(command, env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, check=True)


def faults(stack: Stack, database, args, stop: threading.Event, seen: list[str]) -> None:
    """Kill gunicorn workers spread over the run; restart PostgreSQL half-way."""
    events = []
    if args.kill_workers:
        step = args.duration / (args.kill_workers + 1)
        events += [(step * (n + 1), "kill") for n in range(args.kill_workers)]
    if args.restart_database:
        events.append((args.duration / 2, "restart"))
    started = time.monotonic()
    for at, what in sorted(events):
        if stop.wait(max(0, at - (time.monotonic() - started))):
            return
        if what == "kill":
            seen.append(f"killed gunicorn worker {stack.kill_web_worker()} at {at:.0f} s")
        else:
            took = database.restart()
            seen.append(f"restarted PostgreSQL at {at:.0f} s ({took:.1f} s down)")


def statistics(work: Path) -> list[dict]:
    with open(work / "locust_stats.csv") as f:
        return list(csv.DictReader(f))


OPENING = 60  # seconds: the opening minute, when everyone arrives at once


def percentile(ordered: list[float], share: float) -> float:
    """The nearest-rank percentile of an ascending list."""
    return ordered[max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))]


def phases(timings: Path) -> list[tuple[str, dict[str, list[float]]]]:
    """The milliseconds of each kind of request, split into the opening minute (from
    the first request) and the steady state after it."""
    rows = []
    for line in timings.read_text().splitlines():
        if line:
            started, rest = line.split(",", 1)
            rows.append((started, *rest.rsplit(",", 2)))
    if not rows:
        return []
    first = min(float(row[0]) for row in rows)
    split = ({}, {})
    for started, name, ms, _status in rows:
        split[float(started) - first >= OPENING].setdefault(name, []).append(float(ms))
    return [(f"the opening minute (0-{OPENING} s)", split[0]), (f"after {OPENING} s", split[1])]


def phase_report(timings: Path) -> list[str]:
    lines = []
    for title, kinds in phases(timings):
        if not kinds:
            continue
        lines.append(f"{title}:")
        lines.append(f"  {'kind':<22}{'requests':>9}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
                     f"{'max ms':>8}{'> 1 s':>7}")  # fmt: skip
        for name in sorted(kinds):
            ms = sorted(kinds[name])
            lines.append(
                f"  {name:<22}{len(ms):>9}{percentile(ms, 0.5):>8.0f}{percentile(ms, 0.95):>8.0f}"
                f"{percentile(ms, 0.99):>8.0f}{ms[-1]:>8.0f}{sum(m > 1000 for m in ms):>7}"
            )
    return lines


def check_ledger(stack: Stack, ledger: Path) -> dict:
    """Compare the acknowledged saves with the rows in the database.

    A row must hold its last acknowledged save, or, if its version is further on, one of
    the saves sent to it whose answer never came (a worker killed mid-request). Two
    different saves acknowledged with the same version, a submit acknowledged but not
    recorded, or a row holding text nobody sent are lost or mismatched writes.
    """
    acknowledged = defaultdict(dict)  # (side, assessment, behaviour) -> version -> (text, score)
    attempted = defaultdict(set)  # (side, assessment, behaviour) -> {(text, score)}
    submitted, saves, clashes = set(), Counter(), 0
    trouble = Counter()
    for line in ledger.read_text().splitlines():
        entry = json.loads(line)
        kind = entry["kind"]
        if kind == "trouble":
            status = entry["status"]
            if status == "trace":
                trouble["5xx answers showing a stack trace"] += 1
            else:
                trouble["dropped connections" if status == 0 else f"{status} answers"] += 1
        elif kind == "submit":
            submitted.add(entry["assessment"])
        elif kind == "attempt":
            key = (entry["side"], entry["assessment"], entry["behaviour"])
            attempted[key].add((entry["text"], entry["score"]))
        else:
            saves[kind] += 1
            key = (kind, entry["assessment"], entry["behaviour"])
            content = (entry["text"], entry["score"])
            if acknowledged[key].setdefault(entry["version"], content) != content:
                clashes += 1
    out = stack.manage(
        "shell",
        "-c",
        "import json; from assessments.models import Rating, Assessment; "
        "print(json.dumps({'ratings': list(Rating.objects.values_list("
        "'assessment_id', 'behaviour_id', 'version', 'evidence', 'score', "
        "'manager_version', 'manager_comment', 'manager_score')), "
        "'submitted': list(Assessment.objects.exclude(status='draft')"
        ".values_list('pk', flat=True))}))",
    )
    data = json.loads(out.strip().splitlines()[-1])
    rows = {(r[0], r[1]): r for r in data["ratings"]}
    lost = mismatched = ahead = 0
    for (side, assessment, behaviour), versions in acknowledged.items():
        row = rows[(assessment, behaviour)]
        version, text, score = (row[2], row[3], row[4]) if side == "self" else row[5:8]
        last = max(versions)
        if version < last:
            lost += 1
        elif version == last:
            mismatched += (text, score) != versions[last]
        else:
            ahead += 1
            mismatched += (text, score) not in attempted[(side, assessment, behaviour)]
    lost += len(submitted - set(data["submitted"]))
    return {
        "acknowledged saves": sum(saves.values()),
        "by side": dict(saves),
        "rows checked": len(acknowledged),
        "rows ahead of their last answer": ahead,
        "submits": len(submitted),
        "lost": lost,
        "mismatched": mismatched + clashes,
        "trouble": trouble,
    }


def server_errors(trouble: Counter, database_restarted: bool) -> int:
    """5xx answers that count against the run: all of them, but for 503 while the
    database was being restarted on purpose (the answer the app must give then)."""
    return sum(
        count
        for kind, count in trouble.items()
        if kind[0] == "5" and not (database_restarted and kind.startswith("503"))
    )


def report(rows: list[dict], errors: int, ledger: dict, events: list[str], timings: Path) -> str:
    lines = [f"{'kind':<22}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}"
             f"{'p99 ms':>8}{'failed':>8}"]  # fmt: skip
    for row in rows:
        lines.append(
            f"{row['Name']:<22}{row['Request Count']:>9}{float(row['Requests/s']):>8.1f}"
            f"{row['50%']:>8}{row['95%']:>8}{row['99%']:>8}{row['Failure Count']:>8}"
        )
    if timings.exists():
        lines += phase_report(timings)
    lines += events
    for kind, count in sorted(ledger["trouble"].items()):
        lines.append(f"{kind}: {count}")
    lines.append(f"5xx answers that count: {errors}")
    lines.append(
        f"acknowledged saves: {ledger['acknowledged saves']} over {ledger['rows checked']} rows,"
        f" {ledger['submits']} submits"
    )
    lines += [f"acknowledged {side} saves: {n}" for side, n in sorted(ledger["by side"].items())]
    ahead = ledger["rows ahead of their last answer"]
    lines.append(f"rows saved once more by a request never answered: {ahead}")
    lines.append(f"lost or mismatched writes: {ledger['lost'] + ledger['mismatched']}")
    return "\n".join(lines)


def server_tracebacks(work: Path, most: int = 3) -> str:
    """The last few errors the web servers logged, with their tracebacks."""
    found = []
    for log in sorted(work.glob("**/gunicorn-*.log")):
        lines = log.read_text(errors="replace").splitlines()
        for number, line in enumerate(lines):
            if " ERROR " in line or line.startswith("Traceback"):
                found.append(f"{log.name}:{number + 1}\n" + "\n".join(lines[number : number + 40]))
    return "\n\n".join(found[-most:]) or "the servers' logs hold no error"


def main(argv=None) -> int:
    args = arguments(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="ladder-load-"))
    work.mkdir(parents=True, exist_ok=True)
    print(f"load run: {args.people} people for {args.duration} s; files in {work}", flush=True)
    with contextlib.ExitStack() as cleanup:
        database = None
        if args.restart_database:
            # A server of its own, so that restarting it disturbs nobody else's.
            database = cleanup.enter_context(PrivatePostgres(work))
        stack = Stack(
            work / "stack",
            database_url=database.url if database else None,
            workers=args.web_workers,
            threads=args.threads,
            worker_class=args.worker_class,
        )
        cleanup.enter_context(stack)
        roster, ledger = work / "roster.json", work / "ledger.jsonl"
        started = time.monotonic()
        stack.manage(
            "shell", "-c", f"from loadtest.seed import seed; seed({args.people}, {str(roster)!r})"
        )
        print(f"seeded in {time.monotonic() - started:.1f} s", flush=True)
        # The deadline's morning: the servers start with the cycle open, as after a
        # deploy, and warm up on its levels before the first person arrives.
        stack.restart_web()
        stop, events = threading.Event(), []
        troublemaker = threading.Thread(target=faults, args=(stack, database, args, stop, events))
        troublemaker.start()
        try:
            run_locust(stack, roster, ledger, args, work)
        finally:
            stop.set()
            troublemaker.join()
        rows = statistics(work)
        checked = check_ledger(stack, ledger)
    errors = server_errors(checked["trouble"], args.restart_database)
    text = report(rows, errors, checked, events, work / "timings.csv")
    if errors:
        # What the servers logged about them, so a rare one can be read where it failed.
        text += "\n" + server_tracebacks(work)
    print(text)
    (work / "report.txt").write_text(text + "\n")
    bad = errors or checked["lost"] or checked["mismatched"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())

"""Autosave under load from gunicorn on loopback, against a minimal view that updates one row.

Run: .venv/bin/python bench/autosave.py [--clients 16] [--seconds 5] [--rounds 3]
     .venv/bin/python bench/autosave.py --side manager   (the reviewer's autosave)

Builds a fresh SQLite file (WAL, as the settings configure it) in a temporary folder:
a published framework with an 80-behaviour level (level_doc responsibilities=1,
behaviours=10), an open cycle, and one engineer per client with a started
assessment and a signed-in session created server-side. Counts the queries of one
htmx autosave in-process first (target: at most 6).

With --side manager, each client is instead a manager reviewing one submitted
assessment: saves go to the review's own endpoint, carry a comment, and are checked
against the ratings' manager_version.

Then starts gunicorn on 127.0.0.1 at a free port (gthread, --workers 2 --threads 4,
DEBUG off) and drives it from this process only: one thread per engineer, each on
its own keep-alive connection, each stopping at the deadline or after its share of
--max-requests. A client cycles through its engineer's behaviours, alternating the
score and changing the evidence on every save, and sends back the version the last
answer carried in X-Rating-Version, so every save is a real write and none conflicts.
The baseline is a minimal view behind the same login and CSRF check that runs one
UPDATE of one rating. The two alternate for --rounds rounds after a warm-up.

Prints requests per second for both (median of the rounds), autosave / minimal with
the target (at least 0.5), latencies, gunicorn's CPU time per answer (from /proc on
Linux; steadier than req/s when something else shares the machine), and every error.
Checks afterwards that the database holds exactly the saves that were answered.
Exits non-zero on any non-2xx answer, connection error, unwritten save or "database
is locked" (and on more than 6 queries); never on the ratio. gunicorn is always
stopped on the way out.
"""

import argparse
import http.client
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import _setup

HOST = "127.0.0.1"
RATIO_TARGET = 0.5
AUTOSAVE_QUERY_LIMIT = 6


@dataclass
class Engineer:
    """What one load client needs: its session, and its ratings with their current versions."""

    assessment: int
    cookie: str
    behaviours: list[int]
    ratings: list[int]
    versions: dict[int, int]
    sent: int = 0  # across runs, so no two saves of a rating ever post the same text
    side: str = "engineer"  # or "manager": which autosave endpoint the client uses


@dataclass
class Run:
    kind: str
    seconds: float
    statuses: Counter = field(default_factory=Counter)
    latencies: list[float] = field(default_factory=list)
    unwritten: int = 0  # 200s whose version did not go up by one
    cpu: float | None = None  # seconds of CPU gunicorn used during the run

    @property
    def ok(self) -> int:
        return sum(n for status, n in self.statuses.items() if str(status).startswith("2"))

    @property
    def errors(self) -> dict:
        return {s: n for s, n in self.statuses.items() if not str(s).startswith("2")}

    @property
    def rate(self) -> float:
        return self.ok / self.seconds


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def start_gunicorn(
    work: Path,
    port: int,
    workers: int,
    threads: int,
    *,
    options: tuple[str, ...] = (),
    env: dict[str, str] | None = None,
) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:port serving the bench's URLs for `work`; `options` go on its
    command line and `env` over _setup.environment(work)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith("GUNICORN")}
    environ.update(_setup.environment(work, hosts=HOST), **(env or {}))
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--bind", f"{HOST}:{port}",
        "--worker-class", "gthread",
        "--workers", str(workers),
        "--threads", str(threads),
        *options,
        "--pythonpath", f"{_setup.ROOT},{_setup.BENCH}",
        "--log-level", "warning",
        "_setup:wsgi_application()",
    ]  # fmt: skip
    # cwd=work: no gunicorn.conf.py from the project folder is picked up.
    with open(work / "gunicorn.log", "ab") as log:
        return subprocess.Popen(
            command, env=environ, cwd=work, stdout=log, stderr=subprocess.STDOUT
        )


def server_cpu(server: subprocess.Popen) -> float | None:
    """CPU seconds gunicorn's master and workers have used so far (Linux /proc), else None."""
    try:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        ticks = 0
        for pid in [server.pid, *children]:
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(stat[11]) + int(stat[12])  # utime and stime, all threads
    except (OSError, IndexError, ValueError):
        return None
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_until_serving(server: subprocess.Popen, port: int, path: str, headers: dict) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {server.returncode}")
        connection = http.client.HTTPConnection(HOST, port, timeout=5)
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            response.read()
            if response.status == 200:
                return
            raise RuntimeError(f"GET {path} answered {response.status}")
        except OSError:
            time.sleep(0.2)
        finally:
            connection.close()
    raise RuntimeError("gunicorn did not answer within 60 s")


def load(
    port: int, engineers: list[Engineer], kind: str, evidence: list[str], seconds: float, limit: int
) -> Run:
    """Every engineer's client posts as fast as answers come, until the deadline or its share."""
    from django.conf import settings

    per_client = max(1, limit // len(engineers))
    start_line = threading.Barrier(len(engineers) + 1)
    results = [Run(kind, seconds) for _ in engineers]
    deadline = 0.0

    def client(engineer: Engineer, run: Run) -> None:
        headers = {
            "Cookie": f"{settings.SESSION_COOKIE_NAME}={engineer.cookie}; "
            f"{settings.CSRF_COOKIE_NAME}={_setup.CSRF_TOKEN}",
            "X-CSRFToken": _setup.CSRF_TOKEN,
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
        }
        connection = http.client.HTTPConnection(HOST, port, timeout=30)
        start_line.wait()
        for _ in range(per_client):
            if time.perf_counter() >= deadline:
                break
            n = engineer.sent
            engineer.sent += 1
            slot = n % len(engineer.behaviours)
            behaviour, version = engineer.behaviours[slot], None
            text = f"{evidence[n % len(evidence)]}\n\nUpdated in save {n}."
            if kind == "autosave":
                version = engineer.versions[behaviour]
                score = (n // len(engineer.behaviours)) % 5
                if engineer.side == "manager":
                    path = f"/assessments/{engineer.assessment}/review/behaviours/{behaviour}/"
                    body = urlencode({"score": score, "comment": text, "version": version})
                else:
                    path = f"/assessments/{engineer.assessment}/behaviours/{behaviour}/"
                    body = urlencode({"score": score, "evidence": text, "version": version})
            else:
                path = f"/bench/update/{engineer.ratings[slot]}/"
                body = urlencode({"evidence": text})
            began = time.perf_counter()
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as error:
                run.statuses[type(error).__name__] += 1
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=30)
                continue
            run.latencies.append((time.perf_counter() - began) * 1000)
            run.statuses[response.status] += 1
            if version is not None and response.status == 200:
                answered = int(response.getheader("X-Rating-Version", "-1"))
                run.unwritten += answered != version + 1
                engineer.versions[behaviour] = answered
        connection.close()

    threads = [
        threading.Thread(target=client, args=(engineer, run), daemon=True)
        for engineer, run in zip(engineers, results, strict=True)
    ]
    for thread in threads:
        thread.start()
    deadline = time.perf_counter() + seconds
    start = time.perf_counter()
    start_line.wait()
    for thread in threads:
        thread.join()
    total = Run(kind, time.perf_counter() - start)
    for run in results:
        total.statuses.update(run.statuses)
        total.latencies.extend(run.latencies)
        total.unwritten += run.unwritten
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="engineers saving at once")
    parser.add_argument("--seconds", type=float, default=5.0, help="length of each timed run")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each, alternating")
    parser.add_argument("--max-requests", type=int, default=30_000, help="cap on each run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--side", choices=["engineer", "manager"], default="engineer", help="whose autosave"
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ladder-bench-autosave-"))
    _setup.start_django(work, hosts=f"testserver,{HOST}")

    from django.conf import settings
    from django.db import connection
    from django.db.models import Sum
    from django.test import Client

    from assessments.models import Rating
    from ladder.models import Level
    from tests.factories import level_doc

    rng = random.Random(6)
    framework = _setup.framework_with(
        level_doc("IC5", "Staff Machine Learning Engineer", responsibilities=1, behaviours=10)
    )
    level = Level.objects.get(framework=framework)
    cycle = _setup.open_cycle(framework)
    manager_side = args.side == "manager"
    version_field = "manager_version" if manager_side else "version"
    engineers, assessments = [], []
    for n in range(args.clients):
        user, assessment = _setup.engineer_with_assessment(
            cycle, username=f"engineer{n}", level=level
        )
        if manager_side:
            # The client is the engineer's reviewer, on their submitted assessment.
            user = _setup.submitted_for_review(assessment, username=f"manager{n}")
        ratings = list(assessment.ratings.order_by("pk"))
        engineers.append(
            Engineer(
                assessment=assessment.pk,
                cookie=_setup.session_key_for(user),
                behaviours=[r.behaviour_id for r in ratings],
                ratings=[r.pk for r in ratings],
                versions={r.behaviour_id: getattr(r, version_field) for r in ratings},
                side=args.side,
            )
        )
        assessments.append(assessment.pk)
    behaviours = len(engineers[0].behaviours)

    # The query count, in-process through the same middleware.
    client = Client()
    client.force_login(user)
    probe = Rating.objects.get(pk=engineers[-1].ratings[0])
    measure = _setup.review_autosave_queries if manager_side else _setup.autosave_queries
    autosave_queries, autosave_sql = measure(client, probe, rng)
    engineers[-1].versions[probe.behaviour_id] = getattr(probe, version_field)
    ours = Rating.objects.filter(assessment__in=assessments)
    versions_before = ours.aggregate(total=Sum(version_field))["total"]
    connection.close()

    evidence = [_setup.evidence_text(rng) for _ in range(64)]
    port = free_port()
    server = start_gunicorn(work, port, args.workers, args.threads)
    runs: dict[str, list[Run]] = {"minimal": [], "autosave": []}
    warmup = []
    try:
        headers = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={engineers[0].cookie}"}
        wait_until_serving(server, port, f"/bench/read/{cycle.pk}/", headers)
        for kind in runs:
            warmup.append(load(port, engineers, kind, evidence, 1.0, args.max_requests))
        for _ in range(args.rounds):
            for kind in runs:
                before = server_cpu(server)
                run = load(port, engineers, kind, evidence, args.seconds, args.max_requests)
                after = server_cpu(server)
                if before is not None and after is not None:
                    run.cpu = after - before
                runs[kind].append(run)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    log = (work / "gunicorn.log").read_text(encoding="utf-8", errors="replace")
    locked = log.count("database is locked")

    every = [*warmup, *runs["minimal"], *runs["autosave"]]
    saves = sum(run.ok for run in every if run.kind == "autosave")
    versions_after = ours.aggregate(total=Sum(version_field))["total"]

    print(
        f"SQLite (WAL) at {work}; gunicorn gthread {args.workers} workers x {args.threads} "
        f"threads on {HOST}:{port}, DEBUG off"
    )
    print(
        f"{args.clients} clients, one engineer and one keep-alive connection each; level of "
        f"{behaviours} behaviours; {args.rounds} rounds of {args.seconds:g} s per view, alternating"
    )
    verdict = "PASS" if autosave_queries <= AUTOSAVE_QUERY_LIMIT else "FAIL"
    print(
        f"queries, htmx autosave POST (in-process, BEGIN and COMMIT aside): {autosave_queries}; "
        f"target at most {AUTOSAVE_QUERY_LIMIT}: {verdict}"
    )

    def show(label: str, kind: str) -> float:
        rates = [run.rate for run in runs[kind]]
        latencies = [ms for run in runs[kind] for ms in run.latencies]
        p50 = statistics.median(latencies)
        p99 = statistics.quantiles(latencies, n=100)[-1]
        each = ", ".join(f"{rate:.0f}" for rate in rates)
        print(
            f"{label:<38} median {statistics.median(rates):6.0f} req/s  (runs: {each}; "
            f"latency p50 {p50:.1f} ms, p99 {p99:.1f} ms)"
        )
        return statistics.median(rates)

    minimal = show("minimal view: one UPDATE of one row", "minimal")
    autosave = show(f"{args.side}'s autosave endpoint (htmx POST)", "autosave")
    ratio = autosave / minimal
    verdict = "PASS" if ratio >= RATIO_TARGET else "FAIL"
    print(f"autosave / minimal: {ratio:.2f}; target at least {RATIO_TARGET:g}: {verdict}")
    if all(run.cpu is not None for kind in runs for run in runs[kind]):
        # Steadier than req/s when other work shares the machine: what each answer costs.
        cost = {
            kind: 1000 * sum(run.cpu for run in runs[kind]) / sum(run.ok for run in runs[kind])
            for kind in runs
        }
        share = cost["minimal"] / cost["autosave"]
        print(
            f"gunicorn CPU per answer: minimal {cost['minimal']:.2f} ms, autosave "
            f"{cost['autosave']:.2f} ms; minimal / autosave: {share:.2f}"
        )

    errors = Counter()
    for run in every:
        errors.update(run.errors)
    unwritten = sum(run.unwritten for run in every)
    answered = sum(run.ok for run in every)
    print(
        f"answers: {answered} 2xx, errors {dict(errors) or 'none'}; saves not written: "
        f"{unwritten}; 'database is locked' in the server log: {locked}"
    )
    print(
        f"database: rating {version_field}s rose by {versions_after - versions_before} "
        f"for {saves} answered autosaves"
    )

    failures = []
    if errors:
        failures.append(f"non-2xx answers or connection errors: {dict(errors)}")
    if unwritten or versions_after - versions_before != saves:
        failures.append("some answered autosaves were not written")
    if locked:
        failures.append(f"'database is locked' {locked} times; see {work / 'gunicorn.log'}")
    if autosave_queries > AUTOSAVE_QUERY_LIMIT:
        failures.extend(["autosave runs too many queries:", *autosave_sql])
    if failures:
        sys.exit("\n".join(failures))


if __name__ == "__main__":
    main()

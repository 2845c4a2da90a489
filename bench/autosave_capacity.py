"""Autosave capacity, open loop: saves arrive at fixed rates whatever the answers do.

Run: .venv/bin/python bench/autosave_capacity.py [--rates 150,200,250,300,350] [--seconds 10]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/ladder_bench_capacity \\
         .venv/bin/python bench/autosave_capacity.py           (PostgreSQL, as in production)

A closed-loop client (bench/autosave.py) waits for each answer before it sends the next
save, so a slow server slows the load down and hides its own queue. People don't wait:
at a deadline's opening each one saves when they type. Here requests are sent on a fixed
schedule (one every 1/rate seconds) by a pool of client threads, and each latency is
measured from the moment the save was due, not from when a free thread sent it, so a
queue anywhere (client, gunicorn's backlog, the workers) shows in the figures.

Set-up: a fresh database (SQLite in a temporary folder, or the PostgreSQL database
DATABASE_URL names, which must contain "bench" and is emptied), a published framework
with an 80-behaviour level, an open cycle, and --people engineers, each with a started
assessment, a signed-in session of their own and their own rows and versions. Saves
go round the people and, for each, round their rows, carrying the version the row's
last answer gave, so none conflicts. As the page sends them: each person writes in a
row for --saves-per-row saves, the pauses in their typing (typing=1, a real write each)
and then the save on leaving the row (the same text again, which renders its Markdown),
then moves to the next row. Evidence is a few hundred characters of Markdown as people
write it (a list, links, emphasis, a quote). Against code from before issue 20 (which
ignores typing=1) every typing save renders, and the leaving save writes nothing.

gunicorn as the README runs it (--preload, gthread, --workers × --threads, DEBUG off)
on a free port of 127.0.0.1. At each rate the one-row view (the same middleware, one
UPDATE of one row with the posted evidence) and the autosave each run --seconds, in
turns, with gunicorn's CPU time read from /proc before and after each (CPU per answer
is steadier than latency when the generator shares the machine).

Prints, per rate and kind: the rate achieved, p50/p95/p99 latency, CPU per answer and
errors; the autosave's CPU per answer over the one-row view's at each rate; the highest
rate at which the autosave's p99 stayed under 250 ms. Checks afterwards that every
answered save is in the database. Exits non-zero on any non-2xx answer, connection
error or unwritten save; never on a figure.
"""

import argparse
import functools
import http.client
import os
import queue
import random
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
from autosave import HOST, Run, free_port, server_cpu, start_gunicorn, wait_until_serving

P99_TARGET_MS = 250


@dataclass
class Person:
    assessment: int
    cookie: str
    behaviours: list[int]
    ratings: list[int]
    versions: dict[int, int | None]  # None while a save of the row awaits its answer
    sent: int = 0
    typed: dict[int, tuple[str, int]] = field(default_factory=dict)  # last text and score


@dataclass
class Phase(Run):
    """One kind of request at one rate: a Run, with the rate it was sent at (Run.rate is
    the rate answered) and the saves that wrote."""

    scheduled: float = 0.0
    written: int = 0  # answered saves that changed the row

    def percentile(self, share: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return float("nan")
        return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]

    @property
    def cpu_ms(self) -> float | None:
        return None if self.cpu is None or not self.ok else 1000 * self.cpu / self.ok


def start_server(work: Path, database_url: str, port: int, workers: int, threads: int):
    """gunicorn as the README runs it (--preload), on the bench's database."""
    options = (
        "--preload",
        # Longer than the generator's pauses, so a kept-alive connection is never closed
        # under a request.
        "--keep-alive", "30",
        "--backlog", "2048",
    )  # fmt: skip
    env = {
        "DATABASE_URL": database_url,
        "STATIC_ROOT": os.environ["STATIC_ROOT"],  # collected by bench_database
    }
    return start_gunicorn(work, port, workers, threads, options=options, env=env)


def _take_version(person: Person, behaviour: int, lock: threading.Lock) -> int:
    """The row's version, once the answer to its previous save is back; marked taken."""
    for _ in range(2000):
        with lock:
            version = person.versions[behaviour]
            if version is not None:
                person.versions[behaviour] = None
                return version
        time.sleep(0.005)
    raise RuntimeError("a save's answer never came back")


def drive(
    port: int,
    people: list[Person],
    kind: str,
    rate: float,
    seconds: float,
    *,
    evidence: list[str],
    clients: int,
    saves_per_row: int,
) -> Phase:
    """Send `rate` requests a second for `seconds`, on schedule; wait for every answer."""
    from django.conf import settings

    phase = Phase(kind, 0.0, scheduled=rate)
    if kind == "autosave":
        # Leaving a row repeats the text typed in this run: the one-row view's runs
        # write other text into the same rows.
        for person in people:
            person.typed.clear()
    due: queue.SimpleQueue = queue.SimpleQueue()
    lock = threading.Lock()
    order = iter(range(10**9))

    def client() -> None:
        connection = http.client.HTTPConnection(HOST, port, timeout=60)
        while (at := due.get()) is not None:
            with lock:
                person = people[next(order) % len(people)]
                n = person.sent
                person.sent += 1
            # A person writes in one row for `saves_per_row` saves: pauses in typing, then
            # the save the page sends when they leave the row (the same text, not typing).
            slot = (n // saves_per_row) % len(person.behaviours)
            behaviour = person.behaviours[slot]
            leaving = (
                kind == "autosave"
                and n % saves_per_row == saves_per_row - 1
                and behaviour in person.typed
            )
            if leaving:
                text, score = person.typed[behaviour]
            else:
                text, score = f"{evidence[n % len(evidence)]}\n\nUpdated in save {n}.", n % 5
            version = None
            if kind == "autosave":
                version = _take_version(person, behaviour, lock)
            if kind == "minimal":
                path = f"/bench/update/{person.ratings[slot]}/"
                body = urlencode({"evidence": text})
            else:
                path = f"/assessments/{person.assessment}/behaviours/{behaviour}/"
                fields = {"score": score, "evidence": text, "version": version}
                body = urlencode(fields if leaving else {**fields, "typing": "1"})
            headers = {
                "Cookie": f"{settings.SESSION_COOKIE_NAME}={person.cookie}; "
                f"{settings.CSRF_COOKIE_NAME}={_setup.CSRF_TOKEN}",
                "X-CSRFToken": _setup.CSRF_TOKEN,
                "Content-Type": "application/x-www-form-urlencoded",
                "HX-Request": "true",
            }
            status, answered = None, None
            try:
                connection.request("POST", path, body, headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                answered = response.getheader("X-Rating-Version")
            except (OSError, http.client.HTTPException) as error:
                status = type(error).__name__
                connection.close()
                connection = http.client.HTTPConnection(HOST, port, timeout=60)
            took = (time.perf_counter() - at) * 1000
            with lock:
                phase.statuses[status] += 1
                if status == 200:
                    phase.latencies.append(took)
                if kind == "autosave":
                    new = int(answered) if status == 200 and answered else version
                    # A change is written with the next version; leaving keeps it.
                    phase.unwritten += status == 200 and new != version + (not leaving)
                    phase.written += status == 200 and not leaving
                    person.versions[behaviour] = new
                    person.typed[behaviour] = (text, score)
        connection.close()

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    count = max(1, round(rate * seconds))
    started = time.perf_counter()
    for i in range(count):
        at = started + i / rate
        pause = at - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        due.put(at)
    for _ in threads:
        due.put(None)
    for thread in threads:
        thread.join()
    phase.seconds = time.perf_counter() - started
    return phase


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="150,200,250,300,350", help="saves a second, in turn")
    parser.add_argument("--seconds", type=float, default=10.0, help="at each rate, for each kind")
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument("--clients", type=int, default=96, help="the generator's threads")
    parser.add_argument(
        "--saves-per-row",
        type=int,
        default=5,
        help="saves in a row before its writer leaves it: the last is the leaving save",
    )
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    rates = [float(rate) for rate in args.rates.split(",")]

    engine = _setup.bench_database("capacity")
    from django.db import connection
    from django.db.models import Sum

    from assessments.models import Rating
    from ladder.models import Level
    from tests.factories import level_doc

    rng = random.Random(20)
    framework = _setup.framework_with(
        level_doc("IC5", "Staff Machine Learning Engineer", responsibilities=1, behaviours=10)
    )
    level = Level.objects.get(framework=framework)
    cycle = _setup.open_cycle(framework)
    people = []
    for n in range(args.people):
        user, assessment = _setup.engineer_with_assessment(
            cycle, username=f"engineer{n}", level=level
        )
        ratings = sorted(assessment.ratings.values_list("pk", "behaviour_id", "version"))
        people.append(
            Person(
                assessment=assessment.pk,
                cookie=_setup.session_key_for(user),
                behaviours=[b for _, b, _ in ratings],
                ratings=[pk for pk, _, _ in ratings],
                versions={b: v for _, b, v in ratings},
            )
        )
    versions_before = Rating.objects.aggregate(total=Sum("version"))["total"]
    database_url = os.environ["DATABASE_URL"]
    connection.close()

    work = Path(tempfile.mkdtemp(prefix="ladder-bench-capacity-"))
    evidence = [_setup.evidence_text(rng) for _ in range(64)]
    port = free_port()
    server = start_server(work, database_url, port, args.workers, args.threads)
    phases: list[Phase] = []
    warmup: list[Phase] = []
    try:
        from django.conf import settings

        cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={people[0].cookie}"}
        wait_until_serving(server, port, f"/bench/read/{cycle.pk}/", cookie)
        run = functools.partial(
            drive,
            port,
            people,
            evidence=evidence,
            clients=args.clients,
            saves_per_row=args.saves_per_row,
        )
        # Every worker's first requests, and each person's connection, before timing.
        for kind in ("minimal", "autosave"):
            warmup.append(run(kind, min(rates), 1.0))
        for index, rate in enumerate(rates):
            # In turns, so neither kind always runs on a machine warmed by the other.
            kinds = ("minimal", "autosave") if index % 2 == 0 else ("autosave", "minimal")
            for kind in kinds:
                before = server_cpu(server)
                phase = run(kind, rate, args.seconds)
                after = server_cpu(server)
                if before is not None and after is not None:
                    phase.cpu = after - before
                phases.append(phase)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()

    every = [*warmup, *phases]
    saves = sum(phase.written for phase in every if phase.kind == "autosave")
    versions_after = Rating.objects.aggregate(total=Sum("version"))["total"]
    print(
        f"{engine}; gunicorn --preload gthread {args.workers} workers x {args.threads} threads "
        f"on {HOST}:{port}, DEBUG off; {args.people} people, each with their own session and "
        f"rows; {args.clients} client threads; {args.seconds:g} s per rate and kind"
    )
    print(
        f"{'rate/s':>7} {'kind':<9}{'sent/s':>7}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}"
        f"{'CPU ms':>8}  errors"
    )
    by_rate: dict[float, dict[str, Phase]] = {}
    for phase in phases:
        by_rate.setdefault(phase.scheduled, {})[phase.kind] = phase
        cpu = f"{phase.cpu_ms:8.2f}" if phase.cpu_ms is not None else f"{'-':>8}"
        sent = sum(phase.statuses.values()) / phase.seconds
        print(
            f"{phase.scheduled:7.0f} {phase.kind:<9}{sent:7.0f}"
            f"{phase.percentile(0.5):8.0f}{phase.percentile(0.95):8.0f}"
            f"{phase.percentile(0.99):8.0f}{cpu}  {phase.errors or 'none'}"
        )
    ratios = []
    for rate, kinds in by_rate.items():
        mine, baseline = kinds["autosave"].cpu_ms, kinds["minimal"].cpu_ms
        if mine is not None and baseline:
            ratios.append(mine / baseline)
            print(f"CPU per answer at {rate:.0f}/s, autosave / one-row view: {mine / baseline:.2f}")
    if ratios:
        print(f"CPU per answer, autosave / one-row view, median over rates: "
              f"{statistics.median(ratios):.2f} (target at most 1.15)")  # fmt: skip
    held = [
        rate
        for rate, kinds in by_rate.items()
        if kinds["autosave"].percentile(0.99) < P99_TARGET_MS and not kinds["autosave"].errors
    ]
    print(
        f"highest rate with autosave p99 < {P99_TARGET_MS} ms: "
        f"{f'{max(held):.0f}/s' if held else 'none'} (target at least 300/s)"
    )
    errors = Counter()
    for phase in every:
        errors.update(phase.errors)
    unwritten = sum(phase.unwritten for phase in every)
    print(
        f"answers: {sum(p.ok for p in every)} 2xx; errors {dict(errors) or 'none'}; saves "
        f"answered but not written: {unwritten}; rating versions rose by "
        f"{versions_after - versions_before} for {saves} answered autosaves"
    )
    failures = []
    if errors:
        failures.append(f"non-2xx answers or connection errors: {dict(errors)}")
    if unwritten or versions_after - versions_before != saves:
        failures.append("some answered autosaves were not written")
    if failures:
        sys.exit("\n".join(failures))


if __name__ == "__main__":
    main()

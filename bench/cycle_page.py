"""The cycle page for whoever runs it, at 2,000 participants, against the same page at one.

Run: SECRET_KEY=x .venv/bin/python bench/cycle_page.py [--requests 30] [--warmup 5]
     [--people 2000]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/ladder_bench_cycle SECRET_KEY=x \\
         .venv/bin/python bench/cycle_page.py

Without DATABASE_URL it builds a fresh SQLite file in a temporary folder. With one,
the database named there is emptied and filled again, so the script refuses any
database whose name does not contain "bench".

Seeds with bulk_create: a published framework with one 16-behaviour level, two open
cycles on it: one with `--people` participants (250 managers, 10 departments, every
stage from draft to reviewed, a tenth overdue), and one with a single participant,
the one-row view it is compared with. Each round requests, through Django's test
Client signed in as whoever runs cycles, the page of the big cycle as people, by
manager and by department, and the one-row cycle's page. Then times enrolling every
participant into a third cycle (assessments.cycles.enrol), for the record. Prints the query count of
each view at both sizes (target: the same), the medians and each view over the
one-row view (target: at most 3x). Exits non-zero if a query count differs; timings
are only printed.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta

import _setup

PEOPLE = 2000
MANAGERS = 250
DEPARTMENTS = 10
RATIO_TARGET = 3.0
VIEWS = {"people": {}, "by manager": {"view": "managers"}, "by department": {"view": "departments"}}


def configure() -> str:
    return _setup.bench_database("cycle")


def seed(level, people: int, rng: random.Random, *, prefix: str):
    """A cycle with `people` participants at every stage, their managers and departments."""
    from django.utils import timezone

    from assessments.models import Assessment, Cycle, Rating
    from ladder.models import Behaviour, User

    cycle = _setup.open_cycle(level.framework)
    # A tenth of the drafts are given until yesterday: overdue.
    Cycle.objects.filter(pk=cycle.pk).update(name=f"Bench cycle {prefix or 'big'}")
    behaviours = list(Behaviour.objects.filter(area__level=level).values_list("pk", flat=True))
    managers = User.objects.bulk_create(
        User(username=f"manager-{prefix}{n}", last_name=f"Manager {n}", password="!")
        for n in range(min(MANAGERS, people))
    )
    engineers = User.objects.bulk_create(
        User(
            username=f"engineer-{prefix}{n}",
            first_name="Engineer",
            last_name=f"Bench {n:05}",
            password="!",
            manager=managers[n % len(managers)],
            department=f"Department {n % DEPARTMENTS}",
            track=level.track,
            level_code=level.code,
        )
        for n in range(people)
    )
    now = timezone.now()
    yesterday = timezone.localdate() - timedelta(days=1)
    stages = ["draft", "draft", "submitted", "in_review", "reviewed"]
    assessments = []
    for n, engineer in enumerate(engineers):
        status = stages[n % len(stages)]
        assessments.append(
            Assessment(
                cycle=cycle,
                engineer=engineer,
                level=level,
                status=status,
                reviewer_id=engineer.manager_id,
                submitted_at=None if status == "draft" else now,
                reviewed_at=now if status == "reviewed" else None,
                proposed_outcome=2 if status == "reviewed" else None,
                extended_to=yesterday if status == "draft" and n % 10 == 0 else None,
            )
        )
    assessments = Assessment.objects.bulk_create(assessments, batch_size=1000)
    Rating.objects.bulk_create(
        (
            Rating(
                assessment=a,
                behaviour_id=pk,
                score=rng.choice([None, 1, 2, 3]),
                manager_score=rng.choice([None, 2]) if a.status != "draft" else None,
            )
            for a in assessments
            for pk in behaviours
        ),
        batch_size=5000,
    )
    return cycle


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=5, help="untimed rounds first")
    parser.add_argument("--people", type=int, default=PEOPLE, help="participants (target: 2,000)")
    args = parser.parse_args()
    if args.people <= 1:
        parser.error("--people: more than the one-row cycle it is compared with")

    database = configure()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from ladder.models import User
    from tests.factories import level_doc

    started = time.perf_counter()
    framework = _setup.framework_with(
        level_doc("IC5", "Staff Engineer", responsibilities=1, behaviours=2)
    )
    level = framework.levels.select_related("track").get()
    rng = random.Random(7)
    big = seed(level, args.people, rng, prefix="")
    one = seed(level, 1, rng, prefix="one-")
    seeded = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    runner = User.objects.create_user(
        username="runner", password=None, is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(runner)

    def url(cycle, query: dict) -> str:
        base = reverse("assessments:cycle", args=[cycle.pk])
        return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")

    def get(target: str) -> float:
        start = time.perf_counter()
        response = client.get(target)
        elapsed = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (target, response.status_code)
        return elapsed

    def queries(target: str) -> int:
        get(target)
        with CaptureQueriesContext(connection) as captured:
            get(target)
        return _setup.counted(captured)

    counts = {
        name: (queries(url(big, query)), queries(url(one, query))) for name, query in VIEWS.items()
    }
    html = client.get(url(big, {})).content.decode()
    assert f"<strong>{args.people}</strong> taking part" in html, "everyone is counted"

    timings: dict[str, list[float]] = {name: [] for name in VIEWS}
    baseline: list[float] = []
    for round_ in range(args.warmup + args.requests):
        measured = {name: get(url(big, query)) for name, query in VIEWS.items()}
        one_row = get(url(one, {}))
        if round_ >= args.warmup:
            for name, value in measured.items():
                timings[name].append(value)
            baseline.append(one_row)

    # Enrolling them all into a third cycle, as its page does: one transaction.
    from assessments import cycles

    third = _setup.open_cycle(level.framework)
    start = time.perf_counter()
    enrolled = cycles.enrol(third, cycles.Choice(), by=runner)
    enrol_s = time.perf_counter() - start

    base = statistics.median(baseline)
    print(f"{database}; seeded in {seeded:.1f} s")
    print(
        f"enrolling {len(enrolled)} people ({len(enrolled) * 16:,} ratings) from the "
        f"enrolment page's service: {enrol_s:.2f} s"
    )
    print(
        f"{args.people} participants ({min(MANAGERS, args.people)} managers, {DEPARTMENTS} "
        f"departments) against a cycle of one; {args.requests} timed rounds after "
        f"{args.warmup} warm-up"
    )
    print(f"one-row view (the cycle of one):      median {base:7.2f} ms")
    failed = []
    for name in VIEWS:
        median = statistics.median(timings[name])
        ratio = median / base
        verdict = "PASS" if ratio <= RATIO_TARGET else "FAIL"
        big_q, one_q = counts[name]
        print(
            f"cycle page, {name:<14} median {median:7.2f} ms: {ratio:.2f}x the one-row view "
            f"(target at most {RATIO_TARGET:g}x: {verdict}); queries {big_q} at "
            f"{args.people}, {one_q} at one"
        )
        if big_q != one_q:
            failed.append(name)
    if failed:
        sys.exit(f"the queries follow the participants: {', '.join(failed)}")


if __name__ == "__main__":
    main()

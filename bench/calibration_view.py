"""The committee's calibration page over 1,000 reviewed people of one level, against its SQL.

Run: SECRET_KEY=x .venv/bin/python bench/calibration_view.py [--requests 30] [--warmup 5]
     [--people 1000] [--own]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/ladder_bench_cal SECRET_KEY=x \\
         .venv/bin/python bench/calibration_view.py

Without DATABASE_URL it builds a fresh SQLite file in a temporary folder. With one,
the database named there is emptied and filled again, so the script refuses any
database whose name does not contain "bench".

Seeds with bulk_create: a published framework with one 80-behaviour level (level_doc
responsibilities=1, behaviours=10: the default framework's eight areas; with --own,
16 areas of a framework's own in 4 groups, 5 behaviours each), an open cycle, 40
managers and 1,000 engineers at that level, each with a reviewed assessment (a
proposed outcome, a third of them calibrated) and 80 ratings holding both scores:
80,000 ratings. Each manager has a leaning (harsher or more lenient) so the figures
are not flat.

Requests go in-process through Django's test Client, so through the whole
middleware stack, signed in as a calibrator of the cycle, without DEBUG, asking for
the level (?level=IC5, or E4). The statements of one request are recorded with their
parameters; those with a GROUP BY are the aggregates that compute the page's figures
(outcomes, area scores, managers, gaps, and the whole cycle's counts for
closing it). Each round times one request of the page,
then runs those aggregate statements bare on a cursor, fetching every row. Prints
the query count at 1,000 people and at 10 (target: the same), the medians and
page / bare aggregates (target: at most 3x). Exits non-zero if the query counts
differ; timings are only printed.
"""

import argparse
import random
import statistics
import sys
import time
from datetime import timedelta

import _setup

PEOPLE = 1000
MANAGERS = 40
RATIO_TARGET = 3.0
# The page's aggregate statements, in the order it runs them.
AGGREGATES = ["outcomes", "area scores", "managers", "gaps", "cycle counts"]


def configure() -> str:
    return _setup.bench_database("calibration")


def bench_level(own: bool):
    """A published framework version with one 80-behaviour level: the default framework's
    eight areas, or (`own`) sixteen areas of a framework's own in four groups."""
    from tests.factories import level_doc, own_level_doc

    doc = (
        own_level_doc("E4", "Senior Engineer", areas=16, behaviours=5, groups=4)
        if own
        else level_doc("IC5", "Staff Machine Learning Engineer", responsibilities=1, behaviours=10)
    )
    framework = _setup.framework_with(doc)
    return framework.levels.select_related("track").get()


def seed(level, people: int, rng: random.Random, *, prefix: str):
    """A cycle with `people` reviewed engineers at `level` and their managers."""
    from django.utils import timezone

    from assessments.models import Assessment, Rating
    from ladder.models import Behaviour, User

    cycle = _setup.open_cycle(level.framework)
    behaviours = list(Behaviour.objects.filter(area__level=level).values_list("pk", flat=True))
    assert len(behaviours) == 80, len(behaviours)

    def user(username: str, **fields) -> User:
        return User(
            username=username,
            first_name=username.split("-")[0].title(),
            last_name=f"Bench {username.split('-')[-1]}",
            password="!",
            **fields,
        )

    managers = User.objects.bulk_create(user(f"manager-{prefix}{n}") for n in range(MANAGERS))
    leaning = {m.pk: rng.choice([-1, -1, 0, 0, 0, 1]) for m in managers}
    engineers = User.objects.bulk_create(
        user(
            f"engineer-{prefix}{n}",
            manager=managers[n % MANAGERS],
            track=level.track,
            level_code=level.code,
        )
        for n in range(people)
    )
    now = timezone.now()
    assessments = []
    for n, engineer in enumerate(engineers):
        proposed = rng.choice(
            [1, 2, 2, 3, 4]  # the default scale's outcomes: below, at, strong, ready
        )
        decided = n % 3 == 0
        assessments.append(
            Assessment(
                cycle=cycle,
                engineer=engineer,
                level=level,
                status="calibrated" if decided else "reviewed",
                submitted_at=now - timedelta(days=20),
                reviewer_id=engineer.manager_id,
                summary="A solid half.",
                summary_html="<p>A solid half.</p>",
                proposed_outcome=proposed,
                review_started_at=now - timedelta(days=10),
                reviewed_at=now - timedelta(days=5),
                calibrated_outcome=proposed if decided else None,
                calibration_reason="As proposed." if decided else "",
                calibrated_at=now if decided else None,
            )
        )
    assessments = Assessment.objects.bulk_create(assessments, batch_size=500)
    ratings = []
    for a in assessments:
        lean = leaning[a.reviewer_id]
        for pk in behaviours:
            own = rng.choice([0, 1, 2, 2, 3, 3, 3, 4])
            theirs = own if own == 0 else max(1, min(4, own + lean + rng.choice([-1, 0, 0, 1])))
            ratings.append(
                Rating(
                    assessment=a,
                    behaviour_id=pk,
                    score=own,
                    manager_score=theirs,
                    version=1,
                    manager_version=1,
                )
            )
    Rating.objects.bulk_create(ratings, batch_size=5000)
    return cycle, len(ratings)


def calibrator_of(cycle):
    from django.contrib.auth.models import Group

    from ladder.models import User

    group = Group.objects.create(name=f"{cycle} calibrators {cycle.pk}")
    person = User.objects.create_user(username=f"calibrator-{cycle.pk}", password=None)
    person.groups.add(group)
    cycle.calibrators = group
    cycle.save(update_fields=["calibrators"])
    return person


class Recorder:
    """Every statement a request runs, with its parameters, as the database got it."""

    def __init__(self):
        self.statements: list[tuple[str, tuple]] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append((sql, params))
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=30, help="timed rounds")
    parser.add_argument("--warmup", type=int, default=5, help="untimed rounds first")
    parser.add_argument(
        "--people", type=int, default=PEOPLE, help="reviewed people (the target is at 1,000)"
    )
    parser.add_argument(
        "--own",
        action="store_true",
        help="a level of a framework's own: 16 areas in 4 groups (80 behaviours)",
    )
    args = parser.parse_args()
    if args.people <= 10:
        parser.error("--people: more than 10, the small cycle the query count is compared with")

    database = configure()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    rng = random.Random(7)
    started = time.perf_counter()
    level = bench_level(args.own)
    cycle, rating_count = seed(level, args.people, rng, prefix="")
    seeded = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    calibrator = calibrator_of(cycle)
    client = Client()
    client.force_login(calibrator)
    url = f"{reverse('assessments:calibration', args=[cycle.pk])}?level={level.code}"

    def get(target: str) -> bytes:
        response = client.get(target)
        assert response.status_code == 200, (target, response.status_code)
        return response.content

    def record(target: str) -> list[tuple[str, tuple]]:
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            html = get(target).decode()
        return recorder.statements, html

    get(url)
    statements, html = record(url)
    assert f"<dd>{args.people}</dd>" in html, "every reviewed person is counted"
    aggregates = [(sql, params) for sql, params in statements if "GROUP BY" in sql.upper()]
    # With a filter, the closing section counts the whole cycle too: a fifth aggregate.
    assert len(aggregates) == len(AGGREGATES), [sql[:80] for sql, _ in aggregates]

    # The same page over a small cycle: the query count must not follow the people.
    small_cycle, _ = seed(level, 10, random.Random(8), prefix="small-")
    small_client = Client()
    small_client.force_login(calibrator_of(small_cycle))
    small_url = f"{reverse('assessments:calibration', args=[small_cycle.pk])}?level={level.code}"
    small_client.get(small_url)
    recorder = Recorder()
    with connection.execute_wrapper(recorder):
        assert small_client.get(small_url).status_code == 200
    small_queries = len(recorder.statements)

    def bare() -> list[float]:
        times = []
        with connection.cursor() as cursor:
            for sql, params in aggregates:
                start = time.perf_counter()
                cursor.execute(sql, params)
                cursor.fetchall()
                times.append((time.perf_counter() - start) * 1000)
        return times

    page_ms: list[float] = []
    bare_ms: list[list[float]] = []
    for round_ in range(args.warmup + args.requests):
        start = time.perf_counter()
        get(url)
        elapsed = (time.perf_counter() - start) * 1000
        times = bare()
        if round_ >= args.warmup:
            page_ms.append(elapsed)
            bare_ms.append(times)

    page = statistics.median(page_ms)
    total = statistics.median(sum(times) for times in bare_ms)
    ratio = page / total
    print(f"{database}; seeded in {seeded:.1f} s")
    print(
        f"{args.people} reviewed assessments of {level.code} ({rating_count:,} ratings, "
        f"{MANAGERS} managers); {args.requests} timed rounds after {args.warmup} warm-up"
    )
    print(f"queries per page: {len(statements)} at {args.people} people, {small_queries} at 10")
    for index, name in enumerate(AGGREGATES):
        median = statistics.median(times[index] for times in bare_ms)
        print(f"  bare aggregate, {name:<12} median {median:7.2f} ms")
    print(f"bare aggregates together:             median {total:7.2f} ms")
    p90 = statistics.quantiles(page_ms, n=10)[-1]
    print(f"calibration page through the client:  median {page:7.2f} ms  (p90 {p90:.2f} ms)")
    verdict = "PASS" if ratio <= RATIO_TARGET else "FAIL"
    print(f"page / bare aggregates: {ratio:.2f}x; target at most {RATIO_TARGET:g}x: {verdict}")
    if len(statements) != small_queries:
        sys.exit(f"the page's queries follow the people: {small_queries} at 10, {len(statements)}")


if __name__ == "__main__":
    main()

"""Queries and time of the assessment page at ~20 and 80 behaviours, against a minimal view.

Run: .venv/bin/python bench/assessment_page.py [--requests 200] [--warmup 20] [--profile]

Builds a fresh SQLite file in a temporary folder: one published framework with a
small level (level_doc responsibilities=2, behaviours=2: 26 behaviours under 10
responsibilities), a large one (responsibilities=1, behaviours=10: 80 behaviours
under 5) and a wide one of a framework's own (16 areas in 4 groups, 5 behaviours each:
80 behaviours), an open cycle, and an engineer at each level whose started assessment
has a score and a few hundred characters of Markdown evidence on every behaviour.

Requests go in-process through Django's test Client, so through the whole
middleware stack (sessions, auth, CSRF, messages, CSP, htmx), signed in with
force_login and without DEBUG. Prints, from the same run:

- queries per page for both sizes (target: the same, at most 12), and for an htmx
  autosave POST (target: at most 6);
- the median time per request of the page at each size and of a minimal view that
  reads one row behind the same login, all requested in turn so drift hits all of
  them alike, in this process's CPU time (SQLite runs in it; the wall clock counts
  other work on a busy machine); page(80) / minimal and page(16 areas) / minimal
  (target: at most 3x).

Exits non-zero if the query counts miss their targets; timings are only printed.
--profile adds cProfile's top functions for the 80-behaviour page.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _setup

PAGE_QUERY_LIMIT = 12
AUTOSAVE_QUERY_LIMIT = 6
RATIO_TARGET = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per view")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per view first")
    parser.add_argument("--profile", action="store_true", help="profile the 80-behaviour page")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ladder-bench-page-"))
    _setup.start_django(work, hosts="testserver")

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from ladder.models import Level
    from tests.factories import level_doc, own_level_doc

    rng = random.Random(20)
    framework = _setup.framework_with(
        level_doc("IC3", "Machine Learning Engineer", responsibilities=2, behaviours=2),
        level_doc("IC5", "Staff Machine Learning Engineer", responsibilities=1, behaviours=10),
        own_level_doc("E4", "Senior Engineer", areas=16, behaviours=5, groups=4),
    )
    cycle = _setup.open_cycle(framework)
    manager, _ = _setup.engineer_with_assessment(
        cycle, username="manager", level=Level.objects.get(framework=framework, code="IC5")
    )
    pages = {}  # code -> (client, url, behaviours, assessment)
    for code in ("IC3", "IC5", "E4"):
        level = Level.objects.get(framework=framework, code=code)
        user, assessment = _setup.engineer_with_assessment(
            cycle, username=f"engineer-{code.lower()}", level=level, manager=manager
        )
        filled = _setup.fill_ratings(assessment, rng)
        assert filled == assessment.ratings.count(), "every rating gets evidence"
        client = Client()
        client.force_login(user)
        pages[code] = (client, assessment.get_absolute_url(), filled, assessment)
    small, large, wide = pages["IC3"], pages["IC5"], pages["E4"]
    minimal_url = reverse("bench-read", args=[cycle.pk])

    def get(client, url) -> bytes:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content

    # What each page shows: a form per behaviour, with the rendered evidence in it.
    for client, url, behaviours, assessment in (small, large, wide):
        html = get(client, url).decode()
        assert html.count("<textarea") == behaviours, (url, html.count("<textarea"))
        for rating in assessment.ratings.all():
            assert f'id="b-{rating.behaviour_id}"' in html
            assert rating.evidence_html in html, "evidence is shown rendered"
    assert get(large[0], minimal_url) == cycle.name.encode()

    def count_queries(client, url) -> int:
        with CaptureQueriesContext(connection) as queries:
            get(client, url)
        return _setup.counted(queries)

    small_queries = count_queries(small[0], small[1])
    large_queries = count_queries(large[0], large[1])
    wide_queries = count_queries(wide[0], wide[1])
    minimal_queries = count_queries(large[0], minimal_url)
    rating = large[3].ratings.order_by("pk").first()
    autosave_queries, autosave_sql = _setup.autosave_queries(large[0], rating, rng)

    timings: dict[str, list[float]] = {"small": [], "large": [], "wide": [], "minimal": []}
    targets = {
        "small": small[:2],
        "large": large[:2],
        "wide": wide[:2],
        "minimal": (large[0], minimal_url),
    }
    for _ in range(args.warmup):
        for client, url in targets.values():
            get(client, url)
    for _ in range(args.requests):
        for name, (client, url) in targets.items():
            start = time.process_time()
            get(client, url)
            timings[name].append((time.process_time() - start) * 1000)

    ms = {name: statistics.median(values) for name, values in timings.items()}
    ratio = ms["large"] / ms["minimal"]
    wide_ratio = ms["wide"] / ms["minimal"]
    print(f"SQLite at {work}; {args.requests} timed requests each after {args.warmup} warm-up")
    print(
        f"behaviours: {small[2]} (small level) and {large[2]} (large level); "
        f"evidence on every rating, {len(rating.evidence)} characters of Markdown for example"
    )
    print(f"queries, assessment page with {small[2]:>2} behaviours: {small_queries}")
    print(f"queries, assessment page with {large[2]:>2} behaviours: {large_queries}")
    print(f"queries, assessment page with 16 areas:       {wide_queries}")
    print(f"queries, minimal view reading one row:         {minimal_queries}")
    print(f"queries, htmx autosave POST:                   {autosave_queries}")

    def show(label: str, name: str) -> None:
        values = timings[name]
        p90 = statistics.quantiles(values, n=10)[-1]
        print(f"{label:<46} median {ms[name]:7.2f} ms  (p90 {p90:.2f} ms)")

    show(f"assessment page, {small[2]} behaviours", "small")
    show(f"assessment page, {large[2]} behaviours", "large")
    show(f"assessment page, 16 areas ({wide[2]} behaviours)", "wide")
    show("minimal view (sign-in check + one row)", "minimal")
    verdict = "PASS" if ratio <= RATIO_TARGET else "FAIL"
    print(f"page({large[2]}) / minimal: {ratio:.1f}x; target at most {RATIO_TARGET:g}x: {verdict}")
    verdict = "PASS" if wide_ratio <= RATIO_TARGET else "FAIL"
    print(
        f"page(16 areas) / minimal: {wide_ratio:.1f}x; target at most {RATIO_TARGET:g}x: {verdict}"
    )

    if args.profile:
        _setup.profile(
            lambda: get(*targets["large"]), repeat=50, what=f"the {large[2]}-behaviour page"
        )

    failures = []
    if not small_queries == large_queries == wide_queries:
        failures.append(
            f"the page's queries grow with the level: {small_queries} at {small[2]} behaviours, "
            f"{large_queries} at {large[2]}, {wide_queries} at 16 areas"
        )
    if max(small_queries, large_queries) > PAGE_QUERY_LIMIT:
        failures.append(f"the page runs more than {PAGE_QUERY_LIMIT} queries")
    if autosave_queries > AUTOSAVE_QUERY_LIMIT:
        failures.append(f"autosave runs more than {AUTOSAVE_QUERY_LIMIT} queries")
        failures.extend(f"  {sql}" for sql in autosave_sql)
    verdict = "FAIL" if failures else "PASS"
    print(
        f"query targets (page the same at both sizes and at most {PAGE_QUERY_LIMIT}, "
        f"autosave at most {AUTOSAVE_QUERY_LIMIT}): {verdict}"
    )
    if failures:
        sys.exit("\n".join(failures))


if __name__ == "__main__":
    main()

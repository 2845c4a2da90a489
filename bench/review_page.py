"""Queries and time of the manager's review page and team dashboard, against a minimal view.

Run: .venv/bin/python bench/review_page.py [--requests 200] [--warmup 20] [--team 15]

Builds a fresh SQLite file in a temporary folder: a published framework with a small
level (26 behaviours), a large one (80) and a wide one of a framework's own (16 areas
in 4 groups, 80 behaviours), an open cycle, and a manager with one report at each
level whose assessment is submitted, every behaviour answered with a few hundred
characters of Markdown evidence and half of them already scored and commented by the
manager. A second manager has --team reports (all submitted) for the dashboard's query
count at two team sizes.

Requests go in-process through Django's test Client and the whole middleware stack,
signed in with force_login, DEBUG off. Prints, from the same run:

- queries of the review page at both level sizes (target: the same) and of the team
  dashboard for 2 and for --team reports (target: the same);
- the median time of the review page at each size, of the 80-behaviour page in a
  cycle with peer input (six colleagues' answers on every area, with comments), and of
  a minimal view that reads one row behind the same login, requested in turn; the
  time is this process's CPU time (SQLite runs in it), which other work on a busy
  machine doesn't inflate as it does the wall clock;
  review(80) / minimal, review(16 areas) / minimal and review(80, 6 peers) / minimal
  (target: at most 3x);
- the queries peer input adds (target: at most two, however many answered).

Exits non-zero if a query count grows with the size; timings are only printed.
--profile NAME adds cProfile's costliest functions for that page.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _setup

RATIO_TARGET = 3.0
# Colleagues whose input the peer-input page shows beside the 80 behaviours.
PEERS = 6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200, help="timed requests per view")
    parser.add_argument("--warmup", type=int, default=20, help="untimed requests per view first")
    parser.add_argument("--team", type=int, default=15, help="reports of the larger team")
    parser.add_argument(
        "--profile",
        choices=("small", "large", "wide", "peers"),
        help="after timing, print where that page's time goes (cProfile, 100 requests)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ladder-bench-review-"))
    _setup.start_django(work, hosts="testserver")

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from assessments import peers
    from assessments.models import PeerAnswer, Rating, evidence_html
    from ladder.models import Level, User
    from tests.factories import level_doc, own_level_doc

    rng = random.Random(21)
    framework = _setup.framework_with(
        level_doc("IC3", "Machine Learning Engineer", responsibilities=2, behaviours=2),
        level_doc("IC5", "Staff Machine Learning Engineer", responsibilities=1, behaviours=10),
        own_level_doc("E4", "Senior Engineer", areas=16, behaviours=5, groups=4),
    )
    cycle = _setup.open_cycle(framework)
    manager = User.objects.create_user(username="manager", password=None)
    client = Client()
    client.force_login(manager)
    pages = {}
    for code in ("IC3", "IC5", "E4"):
        level = Level.objects.get(framework=framework, code=code)
        _user, assessment = _setup.engineer_with_assessment(
            cycle, username=f"engineer-{code.lower()}", level=level, manager=manager
        )
        behaviours = _setup.fill_ratings(assessment, rng)
        _setup.submitted_for_review(assessment, username=f"first-reviewer-{code.lower()}")
        assessment.engineer.manager = manager
        assessment.engineer.save(update_fields=["manager"])
        type(assessment).objects.filter(pk=assessment.pk).update(reviewer=manager)
        ratings = list(assessment.ratings.order_by("pk"))
        for rating in ratings[::2]:
            rating.manager_score = rng.randrange(0, 5)
            rating.manager_comment = _setup.evidence_text(rng)
            rating.manager_comment_html = evidence_html(rating.manager_comment)
        Rating.objects.bulk_update(
            ratings[::2], ["manager_score", "manager_comment", "manager_comment_html"]
        )
        pages[code] = (reverse("assessments:review", args=[assessment.pk]), behaviours)
    # The large level again, in a cycle with peer input: six colleagues answered every
    # area with a comment.
    peer_cycle = _setup.open_cycle(framework)
    peer_cycle.peers_max = 6
    peer_cycle.save(update_fields=["peers_max"])
    level = Level.objects.get(framework=framework, code="IC5")
    _user, assessment = _setup.engineer_with_assessment(
        peer_cycle, username="engineer-peers", level=level, manager=manager
    )
    _setup.fill_ratings(assessment, rng)
    _setup.submitted_for_review(assessment, username="first-reviewer-peers")
    type(assessment).objects.filter(pk=assessment.pk).update(reviewer=manager)
    assessment.refresh_from_db()
    for n in range(PEERS):
        colleague = User.objects.create_user(username=f"colleague{n}", password=None)
        request = peers.add(assessment, by=manager, person=colleague)
        answers = list(request.answers.all())
        for answer in answers:
            answer.score = rng.randrange(1, 5)
            answer.evidence = _setup.evidence_text(rng)
            answer.evidence_html = evidence_html(answer.evidence)
        PeerAnswer.objects.bulk_update(answers, ["score", "evidence", "evidence_html"])
        peers.submit(request, by=colleague)
    pages["peers"] = (
        reverse("assessments:review", args=[assessment.pk]),
        pages["IC5"][1],
    )
    minimal_url = reverse("bench-read", args=[cycle.pk])

    def get(c, url) -> bytes:
        response = c.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content

    for url, behaviours in pages.values():
        html = get(client, url).decode()
        assert html.count('class="rating-form manager-side"') == behaviours, url
    peer_html = get(client, pages["peers"][0]).decode()
    assert f"{PEERS} of {PEERS} colleagues asked answered" in peer_html

    def count_queries(c, url) -> int:
        get(c, url)  # the level's outline is kept after the first view in a process
        with CaptureQueriesContext(connection) as queries:
            get(c, url)
        return _setup.counted(queries)

    page_queries = {code: count_queries(client, url) for code, (url, _) in pages.items()}

    # The dashboard at two team sizes.
    team_manager = User.objects.create_user(username="team-manager", password=None)
    team_client = Client()
    team_client.force_login(team_manager)
    level = Level.objects.get(framework=framework, code="IC3")
    team_url = reverse("assessments:team")
    team_queries = {}
    for size in (2, args.team):
        while User.objects.filter(manager=team_manager).count() < size:
            n = User.objects.filter(manager=team_manager).count()
            _user, assessment = _setup.engineer_with_assessment(
                cycle, username=f"report{n}", level=level, manager=team_manager
            )
            Rating.objects.filter(assessment=assessment).update(score=3)
            from assessments import workflow

            workflow.submit(assessment, by=assessment.engineer)
        team_queries[size] = count_queries(team_client, team_url)

    timings: dict[str, list[float]] = {
        "small": [],
        "large": [],
        "wide": [],
        "peers": [],
        "minimal": [],
    }
    targets = {
        "small": pages["IC3"][0],
        "large": pages["IC5"][0],
        "wide": pages["E4"][0],
        "peers": pages["peers"][0],
        "minimal": minimal_url,
    }
    for _ in range(args.warmup):
        for url in targets.values():
            get(client, url)
    for _ in range(args.requests):
        for name, url in targets.items():
            start = time.process_time()
            get(client, url)
            timings[name].append((time.process_time() - start) * 1000)
    ms = {name: statistics.median(values) for name, values in timings.items()}
    ratio = ms["large"] / ms["minimal"]
    wide_ratio = ms["wide"] / ms["minimal"]
    peer_ratio = ms["peers"] / ms["minimal"]

    small, large = pages["IC3"][1], pages["IC5"][1]
    print(f"SQLite at {work}; {args.requests} timed requests each after {args.warmup} warm-up")
    print(f"queries, review page with {small} behaviours: {page_queries['IC3']}")
    print(f"queries, review page with {large} behaviours: {page_queries['IC5']}")
    print(f"queries, review page with 16 areas:     {page_queries['E4']}")
    print(f"queries, review page with {large} and {PEERS} peers: {page_queries['peers']}")
    for size, count in team_queries.items():
        print(f"queries, team dashboard with {size:>2} reports:   {count}")
    for label, name in (
        (f"review page, {small} behaviours", "small"),
        (f"review page, {large} behaviours", "large"),
        (f"review page, 16 areas ({pages['E4'][1]} behaviours)", "wide"),
        (f"review page, {large} behaviours, {PEERS} peers", "peers"),
        ("minimal view (sign-in check + one row)", "minimal"),
    ):
        p90 = statistics.quantiles(timings[name], n=10)[-1]
        print(f"{label:<42} median {ms[name]:7.2f} ms  (p90 {p90:.2f} ms)")
    verdict = "PASS" if ratio <= RATIO_TARGET else "FAIL"
    print(f"review({large}) / minimal: {ratio:.1f}x; target at most {RATIO_TARGET:g}x: {verdict}")
    verdict = "PASS" if wide_ratio <= RATIO_TARGET else "FAIL"
    target = f"target at most {RATIO_TARGET:g}x"
    print(f"review(16 areas) / minimal: {wide_ratio:.1f}x; {target}: {verdict}")
    verdict = "PASS" if peer_ratio <= RATIO_TARGET else "FAIL"
    print(f"review({large}, {PEERS} peers) / minimal: {peer_ratio:.1f}x; {target}: {verdict}")

    if args.profile:
        _setup.profile(
            lambda: get(client, targets[args.profile]), repeat=100, what=f"the {args.profile} page"
        )

    failures = []
    peer_queries = page_queries.pop("peers")
    if len(set(page_queries.values())) != 1:
        failures.append(f"the review page's queries grow with the level: {page_queries}")
    # Peer input costs two queries (who was asked, what they answered), however many.
    if peer_queries > page_queries["IC5"] + 2:
        failures.append(f"peer input costs {peer_queries - page_queries['IC5']} queries")
    if len(set(team_queries.values())) != 1:
        failures.append(f"the dashboard's queries grow with the team: {team_queries}")
    print(f"query targets (the same at every size): {'FAIL' if failures else 'PASS'}")
    if failures:
        sys.exit("\n".join(failures))


if __name__ == "__main__":
    main()

"""Time of a calibration packet's PDF against plain WeasyPrint, and of N packets against one.

Run: SECRET_KEY=x .venv/bin/python bench/packet_pdf.py [--packets 100] [--repeat 5]

Builds a fresh SQLite file in a temporary folder, production-like (no DEBUG, static
files collected with their hashed names): one published framework with an 80-behaviour
IC5 (level_doc responsibilities=1, behaviours=10) and an IC6 above it, an open cycle,
one manager, and N + 1 engineers whose assessments have a score and a few hundred
characters of Markdown evidence on every behaviour, the manager's score on every
behaviour (about one in three different from the engineer's), a comment on one in four
and a summary; every review finished. One engineer reports to a second manager, whose
team is that one packet.

Prints, from the same run (medians of --repeat runs):

- one packet: the packet PDF view through Django's test Client (signed in, the whole
  middleware stack: the reads, the template, WeasyPrint with the app's stylesheet and
  fetcher), against WeasyPrint alone rendering a static HTML file from disk with as many
  characters as the packet's HTML (plain headings and paragraphs, the default style).
  Target: at most 2x. For reference, also WeasyPrint alone on the packet's own HTML and
  stylesheet saved as files, which shows what the packet's layout itself costs.
- N packets in one PDF: the background job (assessments.packets.jobs.write_packets, run
  in this process) for the N-packet team against the same job for the one-packet team.
  Target: at most 1.1 x N (110x for 100): time grows linearly.

Timings are only printed; the run exits non-zero if a PDF isn't what it should be
(page sizes, one "Page 1 of" per packet).
"""

import argparse
import html
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import _setup

ONE_PACKET_TARGET = 2.0
LINEAR_SLACK = 1.1
COMMENTS = [
    "Agree; the design doc shows it.",
    "Seen once this half, with help from the tech lead; not yet consistent.",
    "Beyond the level: the whole org now uses the standard.",
]
SUMMARY = (
    "A strong half: the ranking migration shipped on time and raised the bar for evaluation "
    "across teams.\n\nTo grow: set direction beyond the team, in writing, and let others lead "
    "the rollouts."
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packets", type=int, default=100, help="packets in the large job")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of the small cases")
    parser.add_argument("--large-repeat", type=int, default=1, help="timed runs of the N job")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ladder-bench-packets-"))
    _setup.start_django(work, hosts="testserver")
    from django.conf import settings

    settings.MEDIA_ROOT = work / "files"

    from django.contrib.staticfiles import finders
    from django.test import Client
    from django.urls import reverse
    from weasyprint import HTML

    from assessments.models import Assessment, PacketJob
    from assessments.packets.content import packet_html, packet_of
    from assessments.packets.jobs import write_packets
    from assessments.progress import published_level
    from ladder.models import Level
    from tests.factories import level_doc

    rng = random.Random(41)
    framework = _setup.framework_with(
        level_doc("IC5", "Staff Machine Learning Engineer", responsibilities=1, behaviours=10),
        level_doc("IC6", "Principal Machine Learning Engineer", responsibilities=1, behaviours=10),
    )
    cycle = _setup.open_cycle(framework)
    level = Level.objects.get(framework=framework, code="IC5")
    manager = _manager("manager")
    solo_manager = _manager("solo-manager")
    assessments = [
        _reviewed(cycle, level, f"engineer-{n:03}", manager, rng) for n in range(args.packets)
    ]
    solo = _reviewed(cycle, level, "engineer-solo", solo_manager, rng)
    behaviours = solo.ratings.count()

    # ---- one packet: the view, against WeasyPrint on a static file of the same length
    client = Client()
    client.force_login(manager)
    url = reverse("assessments:packet-pdf", args=[assessments[0].pk])
    one = Assessment.objects.for_page().get(pk=assessments[0].pk)
    one.level = published_level(one.level_id)
    packet_markup = packet_html(packet_of(one))
    # The same markup and stylesheet as plain files, for WeasyPrint alone.
    same_markup = work / "packet.html"
    linked = packet_markup.replace("</head>", '<link rel="stylesheet" href="packet.css"></head>')
    same_markup.write_text(linked, encoding="utf-8")
    shutil.copy(finders.find("css/packet.css"), work / "packet.css")
    plain = work / "plain.html"
    plain.write_text(_plain_document(packet_markup), encoding="utf-8")

    def view() -> bytes:
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        return response.content

    def static_file() -> bytes:
        return HTML(filename=str(plain)).write_pdf()

    def same_file() -> bytes:
        return HTML(filename=str(same_markup)).write_pdf()

    view_pdf, plain_pdf = view(), static_file()  # warm up: fonts, caches
    same_file()
    timings = {"view": [], "static": [], "same": []}
    for _ in range(args.repeat):
        for name, run in (("view", view), ("static", static_file), ("same", same_file)):
            start = time.perf_counter()
            run()
            timings[name].append(time.perf_counter() - start)
    ms = {name: statistics.median(values) * 1000 for name, values in timings.items()}
    pages = _pages(view_pdf, work)
    plain_pages = _pages(plain_pdf, work)

    # ---- N packets against one, through the background job
    def job(requested_by) -> tuple[float, PacketJob]:
        created = PacketJob.objects.create(cycle=cycle, requested_by=requested_by, scope="team")
        start = time.perf_counter()
        assert write_packets.call(created.pk) == "done"
        elapsed = time.perf_counter() - start
        created.refresh_from_db()
        assert created.status == PacketJob.Status.DONE, created.error
        return elapsed, created

    job(solo_manager)  # warm up
    small = [job(solo_manager)[0] for _ in range(args.repeat)]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    large_runs = [job(manager) for _ in range(args.large_repeat)]
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    large = [elapsed for elapsed, _ in large_runs]
    large_job = large_runs[-1][1]
    with large_job.file.open("rb") as handle:
        large_pdf = handle.read()
    large_pages = _pages(large_pdf, work)

    one_ratio = ms["view"] / ms["static"]
    small_s, large_s = statistics.median(small), statistics.median(large)
    linear_ratio = large_s / small_s
    linear_target = LINEAR_SLACK * args.packets

    print(f"SQLite at {work}; {args.repeat} timed runs of each small case, median")
    print(
        f"level: {behaviours} behaviours, evidence on every one, the next level shown; "
        f"packet HTML {len(packet_markup):,} characters, {len(pages)} pages on A4"
    )
    print(f"one packet PDF, view through the test client:       {ms['view']:8.1f} ms")
    print(
        f"WeasyPrint alone, static HTML file of that length:    {ms['static']:8.1f} ms  "
        f"({len(plain_pages)} pages)"
    )
    print(f"WeasyPrint alone, the packet's HTML and CSS as files: {ms['same']:8.1f} ms")
    verdict = "PASS" if one_ratio <= ONE_PACKET_TARGET else "FAIL"
    print(
        f"packet / static file: {one_ratio:.2f}x; target at most {ONE_PACKET_TARGET:g}x: {verdict}"
    )
    print(f"job with 1 packet:    {small_s * 1000:8.1f} ms")
    print(
        f"job with {args.packets} packets: {large_s * 1000:8.1f} ms  "
        f"({large_s / args.packets * 1000:.1f} ms a packet, {len(large_pages)} pages, "
        f"{len(large_pdf) / 1e6:.1f} MB; peak memory up {(rss_after - rss_before) / 1024:.0f} MB)"
    )
    verdict = "PASS" if linear_ratio <= linear_target else "FAIL"
    print(
        f"{args.packets} packets / 1 packet: {linear_ratio:.1f}x; "
        f"target at most {linear_target:g}x: {verdict}"
    )

    failures = []
    if set(large_pages) != {"A4"} or set(pages) != {"A4"}:
        failures.append(f"pages not all A4: {set(large_pages) | set(pages)}")
    # Each packet numbers its own pages, as does the contents page the batch starts with.
    firsts = _text(large_pdf, work).count("Page 1 of") - 1
    if firsts != args.packets:
        failures.append(f"{firsts} packets in the PDF, not {args.packets}")
    if failures:
        sys.exit("\n".join(failures))


def _manager(username: str):
    from ladder.models import User

    return User.objects.create_user(
        username=username, first_name=username.title(), last_name="Bench", password=None
    )


def _reviewed(cycle, level, username: str, manager, rng: random.Random):
    """An engineer's assessment with evidence everywhere, submitted and reviewed by manager."""
    from assessments import workflow
    from assessments.models import Assessment, Rating, evidence_html

    _user, assessment = _setup.engineer_with_assessment(
        cycle, username=username, level=level, manager=manager
    )
    _setup.fill_ratings(assessment, rng)
    workflow.submit(assessment, by=assessment.engineer)
    ratings = list(assessment.ratings.all())
    for rating in ratings:
        step = rng.choice([-2, -1, 0, 0, 0, 0, 1])
        rating.manager_score = max(0, min(4, rating.score + step))
        if rng.random() < 0.25:
            rating.manager_comment = rng.choice(COMMENTS)
            rating.manager_comment_html = evidence_html(rating.manager_comment)
    Rating.objects.bulk_update(
        ratings, ["manager_score", "manager_comment", "manager_comment_html"]
    )
    Assessment.objects.filter(pk=assessment.pk).update(
        proposed_outcome=3,  # "Strong at level"
        summary=SUMMARY,
        summary_html=evidence_html(SUMMARY),
    )
    return workflow.finish_review(assessment, by=manager)


def _plain_document(markup: str) -> str:
    """A static HTML document as long as `markup`: its words as plain headings and paragraphs."""
    words = html.escape(" ".join(_visible_text(markup).split())).split(" ")
    parts, paragraph = ["<!doctype html><html><head><meta charset=utf-8></head><body>"], []
    for n, word in enumerate(words):
        paragraph.append(word)
        if len(paragraph) == 60:
            tag = "h2" if n % 600 < 60 else "p"
            parts.append(f"<{tag}>{' '.join(paragraph)}</{tag}>")
            paragraph = []
    parts.append(f"<p>{' '.join(paragraph)}</p>")
    body = "".join(parts)
    filler = len(markup) - len(body) - len("</body></html>")
    # Pad with a comment, which costs WeasyPrint nothing to lay out, to the same length.
    return body + (f"<!--{'-' * (filler - 7)}-->" if filler > 7 else "") + "</body></html>"


def _visible_text(markup: str) -> str:
    from assessments.packets.text import plain_text

    return plain_text(markup.split("<body", 1)[1])


def _pdf_file(pdf: bytes, work: Path) -> Path:
    path = work / "check.pdf"
    path.write_bytes(pdf)
    return path


def _pages(pdf: bytes, work: Path) -> list[str]:
    """Each page's paper size as poppler names it ("A4", "letter")."""
    import subprocess

    info = subprocess.run(
        ["pdfinfo", "-f", "1", "-l", "100000", str(_pdf_file(pdf, work))],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    sizes = [line for line in info.splitlines() if line.startswith("Page") and " size: " in line]
    return [line.rsplit("(", 1)[-1].rstrip(")") for line in sizes]


def _text(pdf: bytes, work: Path) -> str:
    import subprocess

    return subprocess.run(
        ["pdftotext", str(_pdf_file(pdf, work)), "-"], capture_output=True, check=True, text=True
    ).stdout


if __name__ == "__main__":
    main()

"""Import 50 generated ladder pages of ~70 behaviours into a fresh SQLite file and time it.

Run: .venv/bin/python bench/import_ladders.py [--pages 50] [--repeat 3] [--megabytes 2]

Prints, from the same run: the time to parse the pages alone, the time of a bare
bulk insert of the same number of rows (the floor for any importer), and the time of
`manage.py import_ladder` on the files: into an empty database, again with nothing
changed, and again with every behaviour reworded (keys carried by similarity, the
slowest path). Then the same 50 levels as HTML pages and as one CSV file, each as a
ratio to the Markdown import; and single pages of 0.5, 1 and 2 MB (--megabytes and
its half and quarter), whose time per MB shows whether import time grows linearly
with the page: in the default framework's shape, and a level of a framework's own
(16 areas in 4 groups, read by the other reader) as Markdown and as CSV.
"""

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WORDS = [
    "I",
    "lead",
    "design",
    "reviews",
    "across",
    "teams",
    "and",
    "set",
    "technical",
    "direction",
    "for",
    "the",
    "platform",
    "while",
    "mentoring",
    "engineers",
    "on",
    "reliability",
    "latency",
    "cost",
    "quality",
    "experimentation",
    "and",
    "delivery",
]


def sentence(rng: random.Random) -> str:
    return "I " + " ".join(rng.choice(WORDS) for _ in range(rng.randint(12, 40)))


def generate(pages: int, directory: Path, seed: int = 5000) -> list[Path]:
    from ladder.areas import AREA_KINDS, EXPECTATION_KINDS
    from ladder.formats.document import (
        AreaDoc,
        BehaviourDoc,
        LevelDoc,
        ResponsibilityDoc,
        derived_key,
    )
    from ladder.formats.markdown import render_ladder

    rng = random.Random(seed)
    paths = []
    for n in range(pages):
        areas = []
        for kind in AREA_KINDS:
            if kind in EXPECTATION_KINDS:
                items = tuple(
                    BehaviourDoc(sentence(rng), derived_key(kind, None, i)) for i in range(1, 5)
                )
                areas.append(AreaDoc(kind, "What this covers", items, ()))
                continue
            groups = tuple(
                ResponsibilityDoc(
                    f"Responsibility {r}",
                    tuple(
                        BehaviourDoc(sentence(rng), derived_key(kind, f"Responsibility {r}", i))
                        for i in range(1, 5)
                    ),
                )
                for r in range(1, 4)
            )
            areas.append(AreaDoc(kind, "", (), groups))
        doc = LevelDoc(
            f"IC{n + 1}",
            f"Level {n + 1} Software Engineer",
            "Software",
            sentence(rng),
            tuple(areas),
        )
        path = directory / f"level-{n + 1}-{seed}.md"
        path.write_text(render_ladder(doc), encoding="utf-8")
        paths.append(path)
    return paths


def big_page(megabytes: float) -> str:
    """One level page of about this size: long lists of short behaviours."""
    from ladder.areas import AREA_NAMES, EXPECTATION_KINDS

    per_area = int(megabytes * 1_000_000 / 8 / 45)
    lines = ["# IC5 Big Software Engineer", "", "***One big page.***", ""]
    for kind, name in AREA_NAMES.items():
        if kind in EXPECTATION_KINDS:
            lines += [f"**{name}**", ""]
            lines += [f"- I do {kind} thing {i} with a few more words" for i in range(per_area)]
        else:
            lines += [f"## {name}", ""]
            for r in range(per_area // 10):
                lines += [f"**Part {r}**", ""]
                lines += [f"- I do {kind} part {r} thing {i} with words" for i in range(10)]
                lines.append("")
        lines.append("")
    return "\n".join(lines)


def own_big_page(megabytes: float, form: str) -> str:
    """One level of a framework's own of about this size, as Markdown or CSV: 16 areas
    in 4 groups with long lists of short behaviours."""
    from ladder.formats.csv import render_csv
    from ladder.formats.markdown import render_ladder
    from tests.factories import own_level_doc

    def page(per_area: int) -> str:
        doc = own_level_doc("E4", "Big Engineer", areas=16, behaviours=per_area, groups=4)
        return render_ladder(doc) if form == "md" else render_csv([doc])

    per_area = int(megabytes * 1_000_000 / len(page(100).encode()) * 100)
    return page(per_area)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--megabytes",
        type=float,
        default=2.0,
        help="the largest single page (at most 2, the import's limit); the others are a "
        "half and a quarter of it",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="ladder-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ.setdefault("SECRET_KEY", "bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ladder.site.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from ladder.formats.markdown import parse_ladder
    from ladder.models import Behaviour, Framework, Level
    from ladder.services import create_levels

    call_command("migrate", verbosity=0)
    pages = generate(args.pages, work)
    texts = [p.read_text(encoding="utf-8") for p in pages]
    docs = [parse_ladder(t, str(p)) for t, p in zip(texts, pages, strict=True)]
    behaviours = sum(d.behaviour_count for d in docs)

    def timed(fn) -> list[float]:
        runs = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            fn()
            runs.append(time.perf_counter() - start)
        return runs

    parse_runs = timed(lambda: [parse_ladder(t, "x") for t in texts])

    def bare_insert():
        # The floor: the same rows written straight through create_levels, no parsing
        # or comparison, then removed again.
        with transaction.atomic():
            framework = Framework.objects.create(name="Floor", version=1)
            create_levels(framework=framework, documents=docs)
            transaction.set_rollback(True)

    floor_runs = timed(bare_insert)

    def import_fresh():
        with connection.cursor() as cursor:
            for table in (
                "ladder_behaviour",
                "ladder_responsibility",
                "ladder_area",
                "ladder_level",
                "ladder_framework",
            ):
                cursor.execute(f"DELETE FROM {table}")
        call_command("import_ladder", *map(str, pages), framework="Bench", stdout=StringIO())

    import_runs = timed(import_fresh)
    unchanged_runs = timed(
        lambda: call_command(
            "import_ladder", *map(str, pages), framework="Bench", stdout=StringIO()
        )
    )
    reworded = generate(args.pages, work, seed=6000)

    def import_reworded():
        # Every behaviour's words change, so keys are carried by similarity: the
        # slowest path of the importer. The import is rolled back to repeat it.
        with transaction.atomic():
            call_command("import_ladder", *map(str, reworded), framework="Bench", stdout=StringIO())
            transaction.set_rollback(True)

    reworded_runs = timed(import_reworded)
    assert Level.objects.filter(framework__name="Bench").count() == args.pages
    assert Behaviour.objects.filter(area__level__framework__name="Bench").count() == behaviours

    from ladder.formats.csv import render_csv
    from ladder.formats.html import render_html

    html_dir = work / "html"
    html_dir.mkdir()
    html_pages = []
    for doc, path in zip(docs, pages, strict=True):
        html_path = html_dir / (path.stem + ".html")
        html_path.write_text(render_html(doc), encoding="utf-8")
        html_pages.append(html_path)
    csv_path = work / "all.csv"
    csv_path.write_text(render_csv(docs), encoding="utf-8")

    def import_fresh_from(paths):
        def run():
            with transaction.atomic():
                call_command(
                    "import_ladder", *map(str, paths), framework="Other", stdout=StringIO()
                )
                transaction.set_rollback(True)

        return run

    markdown_again = timed(import_fresh_from(pages))
    html_runs = timed(import_fresh_from(html_pages))
    csv_runs = timed(import_fresh_from([csv_path]))

    big = {}
    largest = args.megabytes
    sizes = (largest / 4, largest / 2, largest)
    for size in sizes:
        path = work / f"big-{size}.md"
        path.write_text(big_page(size), encoding="utf-8")
        big[size] = (path.stat().st_size, timed(import_fresh_from([path])))

    own = {}
    for form in ("md", "csv"):
        for size in (sizes[0], largest):
            path = work / f"own-big-{size}.{form}"
            # A tenth smaller: the page must stay under the import's limit.
            path.write_text(own_big_page(size * 0.9, form), encoding="utf-8")
            own[form, size] = (path.stat().st_size, timed(import_fresh_from([path])))

    def show(label: str, runs: list[float]) -> None:
        each = ", ".join(f"{r:.3f}" for r in runs)
        print(f"{label:<46} median {statistics.median(runs):7.3f}s  (runs: {each})")

    per_page = behaviours / args.pages
    print(f"{args.pages} pages, {behaviours} behaviours ({per_page:.0f} a page), SQLite at {work}")
    show("parse only", parse_runs)
    show("floor: bulk insert of the same rows", floor_runs)
    show("import_ladder into an empty database", import_runs)
    show("import_ladder again, nothing changed", unchanged_runs)
    show("import_ladder again, every behaviour reworded", reworded_runs)
    ratio = statistics.median(import_runs) / statistics.median(floor_runs)
    print(f"import / floor: {ratio:.1f}x; target: well under 10 s for the import")
    print("target for the reworded import: below 1 s")
    show("the same 50 levels again, from Markdown", markdown_again)
    show("the same 50 levels, from 50 HTML pages", html_runs)
    show("the same 50 levels, from one CSV file", csv_runs)
    base = statistics.median(markdown_again)
    print(f"HTML / Markdown: {statistics.median(html_runs) / base:.2f}x")
    print(f"CSV / Markdown: {statistics.median(csv_runs) / base:.2f}x")
    for _size, (length, runs) in big.items():
        per_mb = statistics.median(runs) / (length / 1_000_000)
        show(f"one page of {length / 1_000_000:.2f} MB ({per_mb:.2f} s per MB)", runs)
    first = statistics.median(big[sizes[0]][1]) / big[sizes[0]][0]
    last = statistics.median(big[largest][1]) / big[largest][0]
    print(f"time per byte, largest page / a quarter of it: {last / first:.2f}x (1.0 is linear)")
    for form, label in (("md", "Markdown"), ("csv", "CSV")):
        for size in (sizes[0], largest):
            length, runs = own[form, size]
            per_mb = statistics.median(runs) / (length / 1_000_000)
            show(
                f"a framework's own, {label}, {length / 1_000_000:.2f} MB ({per_mb:.2f} s/MB)", runs
            )
        first = statistics.median(own[form, sizes[0]][1]) / own[form, sizes[0]][0]
        last = statistics.median(own[form, largest][1]) / own[form, largest][0]
        print(
            f"a framework's own, {label}, time per byte, largest / a quarter: {last / first:.2f}x"
        )


if __name__ == "__main__":
    main()

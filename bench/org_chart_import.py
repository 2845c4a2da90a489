"""The org chart from a CSV at 1,000, 5,000 and 10,000 people: reading, planning, applying.

Run: SECRET_KEY=x .venv/bin/python bench/org_chart_import.py [--sizes 1000 5000 10000]
     DATABASE_URL=postgres://postgres@127.0.0.1:5432/ladder_bench_people SECRET_KEY=x \\
         .venv/bin/python bench/org_chart_import.py

Without DATABASE_URL it builds a fresh SQLite file in a temporary folder; with one, the
database named there is emptied first (its name must contain "bench"). For each size,
a file as an HR system exports it (a manager for every ten people, departments,
levels, start dates) is read, planned against an empty org chart and applied, then
planned again (nothing to do: the second run). Prints each step's time per 1,000
people; the target is time linear in rows: the largest size's per-row time at most
1.5x the smallest's. Exits non-zero if the second plan finds anything to do.
"""

import argparse
import sys
import time

import _setup

LINEAR_TARGET = 1.5


def configure() -> str:
    return _setup.bench_database("people", pages=False)


def export(people: int, prefix: str) -> str:
    """An HR export: a manager for every ten, each manager under the first person."""
    lines = ["Employee ID,First Name,Last Name,Work Email,Supervisor Email,Department,"
             "Job Level,Hire Date,Status"]  # fmt: skip
    for n in range(people):
        boss = "" if n == 0 else f"{prefix}{(n // 10) * 10 if n % 10 else 0}@acme.test"
        lines.append(
            f"{prefix}E{n},Person,Number {n},{prefix}{n}@acme.test,{boss},"
            f"Department {n % 12},IC{3 + n % 4},20{10 + n % 15}-0{1 + n % 9}-1{n % 9},Active"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000, 10000])
    args = parser.parse_args()
    database = configure()
    from assessments import org_chart
    from ladder.models import User

    hr = User.objects.create_user(username="hr", password=None, is_staff=True, is_superuser=True)
    print(f"{database}")
    per_row = {}
    for size in args.sizes:
        User.objects.exclude(pk=hr.pk).delete()
        text = export(size, prefix=f"s{size}-")
        times = {}
        start = time.perf_counter()
        sheet = org_chart.read(text)
        times["read"] = time.perf_counter() - start
        start = time.perf_counter()
        plan = org_chart.plan(sheet, by=hr)
        times["plan"] = time.perf_counter() - start
        assert not plan.errors, plan.errors[:3]
        start = time.perf_counter()
        org_chart.apply(sheet, by=hr)
        times["apply"] = time.perf_counter() - start
        start = time.perf_counter()
        again = org_chart.plan(org_chart.read(text), by=hr)
        times["plan again"] = time.perf_counter() - start
        if not again.nothing_to_do:
            sys.exit(f"applied twice, the second plan still changes things at {size}")
        total = sum(times.values())
        per_row[size] = total / size
        steps = ", ".join(f"{k} {v * 1000 / size * 1000:.0f} ms" for k, v in times.items())
        print(f"{size:>6} people: {total:.2f} s in all; per 1,000 people: {steps}")
    smallest, largest = min(per_row), max(per_row)
    ratio = per_row[largest] / per_row[smallest]
    verdict = "PASS" if ratio <= LINEAR_TARGET else "FAIL"
    print(
        f"time per person at {largest} / at {smallest}: {ratio:.2f}x; target at most "
        f"{LINEAR_TARGET:g}x (linear in rows): {verdict}"
    )


if __name__ == "__main__":
    main()

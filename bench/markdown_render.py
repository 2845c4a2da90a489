"""CPU time to render each hostile shape of evidence, beside ordinary evidence at the same length.

Run: .venv/bin/python bench/markdown_render.py [--unguarded] [--timeout 30] [SHAPE ...]

The shapes are the ones tests/test_markdown_hostile.py guards against, each at the
10,000-character limit; the baseline is ordinary evidence (prose, lists of links,
emphasis, code, a quote) at that length. For each shape it prints the least CPU
time (time.process_time) of three renders through ladder.safe_markdown.render_markdown,
that time over the baseline's, and how the text was rendered: by python-markdown
(with the work units its meter charged, the figure WORK_BUDGET caps), or as plain
paragraphs because the look before parsing refused it ("refused") or because the
meter ran out ("over budget"). Units per millisecond show whether the meter's
costs still match this machine and python-markdown's version.

--unguarded also renders each shape with plain python-markdown and nh3, as
ladder.safe_markdown did before the guards, in a child process stopped after
--timeout seconds, which is how the "before" column of the report was made.
"""

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from ladder import safe_markdown as guarded  # noqa: E402
from tests.test_markdown_hostile import HOSTILE_SHAPES, ordinary_evidence  # noqa: E402


def least_cpu(render, text: str, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        render(text)
        best = min(best, time.process_time() - started)
    return best


def how_rendered(text: str) -> str:
    if guarded._too_costly_to_parse(text):
        return "refused"
    if guarded._markdown_html(text) is None:
        return "over budget"
    meter = next(
        extension
        for extension in guarded._local.markdown.registeredExtensions
        if isinstance(extension, guarded._WorkMeter)
    )
    return f"markdown, {guarded.WORK_BUDGET - meter.left:.0f} units"


def unguarded_render(text: str) -> None:
    import markdown
    import nh3

    html = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html").convert(text)
    nh3.clean(html, tags=guarded.ALLOWED_TAGS, attributes=guarded.ALLOWED_ATTRIBUTES)


def unguarded_seconds(name: str, timeout: float) -> str:
    """The unguarded render's CPU time in a child process, or how it failed."""
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--unguarded-child", name],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s"
    lines = done.stdout.strip().splitlines()
    return lines[-1] if done.returncode == 0 and lines else done.stderr.strip().splitlines()[-1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("shapes", nargs="*", help="names from HOSTILE_SHAPES (default: all)")
    parser.add_argument("--unguarded", action="store_true", help="also time the unguarded render")
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--unguarded-child", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.unguarded_child:
        text = HOSTILE_SHAPES[args.unguarded_child]
        unguarded_render("warm up")
        started = time.process_time()
        try:
            unguarded_render(text)
        except RecursionError:
            print("RecursionError")
            return 0
        print(f"{time.process_time() - started:.3f} s")
        return 0

    names = args.shapes or list(HOSTILE_SHAPES)
    guarded.render_markdown("warm up")
    baseline = least_cpu(guarded.render_markdown, ordinary_evidence())
    print(f"baseline: ordinary evidence, {len(ordinary_evidence())} characters, ", end="")
    print(f"{baseline * 1000:.1f} ms, {how_rendered(ordinary_evidence())}")
    print(f"{'shape':42} {'ms':>7} {'× base':>7}  {'before':>10}  rendered")
    worst = 0.0
    for name in names:
        text = HOSTILE_SHAPES[name]
        seconds = least_cpu(guarded.render_markdown, text)
        worst = max(worst, seconds)
        before = unguarded_seconds(name, args.timeout) if args.unguarded else ""
        print(
            f"{name:42} {seconds * 1000:7.1f} {seconds / baseline:7.1f}  {before:>10}  "
            f"{how_rendered(text)}",
            flush=True,
        )
    print(f"worst: {worst * 1000:.1f} ms, {worst / baseline:.1f} × baseline")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Evidence shaped to make python-markdown slow renders within a small, fixed budget."""

import re
import time

import pytest

from ladder.safe_markdown import render_markdown

# assessments.models.EVIDENCE_MAX_LENGTH; comments, summaries and notes share it.
LIMIT = 10_000


def fill(unit: str, length: int = LIMIT) -> str:
    """unit repeated and cut to exactly length characters."""
    return (unit * (length // len(unit) + 1))[:length]


def lines_of(make, length: int = LIMIT) -> str:
    """make(0), make(1), … joined as lines and cut to exactly length characters."""
    lines, size, i = [], 0, 0
    while size < length:
        line = make(i) + "\n"
        lines.append(line)
        size += len(line)
        i += 1
    return "".join(lines)[:length]


def half_and_half(first: str, second: str) -> str:
    return fill(first, LIMIT // 2) + fill(second, LIMIT - LIMIT // 2)


# Each shape at the largest size anyone can save. The comments give the CPU
# time python-markdown 3.11 took before the guards, where it was over 0.1 s.
HOSTILE_SHAPES = {
    # Brackets: every unclosed "[" scans to the end of its paragraph, three times.
    "open brackets": fill("["),  # 20.5 s
    "image openers": fill("!["),  # 11.4 s
    "link openers": fill("[a]("),  # 2.9 s
    "image link openers": fill("![a]("),  # 2.1 s
    "links without a close": fill("[a](<"),  # 1.8 s
    "references without a close": fill("[x]["),  # 4.4 s
    "brackets and parentheses": fill("[("),  # 11.2 s
    "brackets and backticks": fill("[`"),  # 19.7 s
    "backticks and brackets": fill("`["),  # 21.1 s
    "brackets and tags": fill("[<"),  # 11.3 s
    "brackets and stars": fill("[*"),  # 10.5 s
    "list of open brackets": fill("* ["),  # 7.8 s
    "emphasised link openers": fill("*[a]("),  # 2.3 s
    "brackets hiding in code spans": fill("[`]`"),  # 22.6 s
    "fifty brackets, then prose": fill("[", 60) + fill("lorem ipsum ", LIMIT - 60),  # 0.28 s
    "nested brackets": fill("[", LIMIT // 2) + fill("]", LIMIT // 2),  # 9.2 s
    "closed links": fill("[a](b) "),
    "closed images": fill("![a](b) "),
    "empty links": fill("[]()"),  # 0.11 s
    "bracketed words": fill("[a] "),
    "link titles left open": fill('[a](b "'),
    "parentheses in a link": "[a](" + fill("(", LIMIT - 4),
    "mixed punctuation": fill("[*`<&\\_!"),  # 2.5 s
    "mixed link syntax": fill("[a](<*`"),  # 1.1 s
    # Footnotes and abbreviations: each reference or definition passes over the rest.
    "footnote openers": fill("[^"),  # 11.1 s
    "footnote references": half_and_half("[^1]: x\n", "[^1]"),  # 1.7 s
    "footnote definitions": fill("[^1]: a\n"),
    "abbreviation openers": fill("*["),  # 10.6 s
    "abbreviation definitions": fill("*[A]: a\n"),  # 1.3 s
    "abbreviations and uses": half_and_half("*[A]: a\n", "A "),  # 0.82 s
    "many abbreviations": lines_of(lambda i: f"*[A{i}]: a")[: LIMIT // 2]
    + fill("A1 ", LIMIT // 2),  # 0.60 s
    # Code spans and fences.
    "backticks": fill("`"),
    "backtick and space": fill("` "),
    "backtick pairs": fill("``a"),
    "growing backtick runs": "".join("`" * k + " a " for k in range(1, 141))[:LIMIT],  # 0.12 s
    "shrinking backtick runs": "".join("`" * k + " a " for k in range(140, 0, -1))[:LIMIT],
    "code spans": fill("`a` "),  # 0.10 s
    "fence lines": fill("```\n"),  # 0.13 s
    "fence lines with a language": fill("```a\n"),  # 0.47 s
    "tilde fences": fill("~~~~\n"),  # 0.11 s
    "fences with attributes": fill("```{a}\n"),  # 0.21 s
    "fences of every length": lines_of(lambda i: "`" * (3 + i % 130)),
    # As many fence lines as the guard lets through, the unclosed ones first.
    "open fences before closed ones": fill("````x\n", 114)
    + fill("```\na\n```\n", 100)
    + fill("a\n", LIMIT - 214),
    "fence with hl_lines quotes": fill("```hl_lines='\n", 140) + fill("'\n", LIMIT - 140),  # 13.0 s
    # Emphasis.
    "stars": fill("*"),
    "underscores": fill("_"),
    "star words": fill("*a"),  # 0.17 s
    "strong words": fill("**a"),
    "star runs": fill("*a**a***"),  # 0.10 s
    "underscore runs": fill("_a__a___"),
    "stars and underscores": fill("*_"),  # 0.13 s
    "stars after words": fill("a*"),  # 0.12 s
    "emphasised words": fill("*a* "),  # 0.13 s
    # Raw HTML and entities: the standard library's parser rescans from each tag.
    "angle brackets": fill("<"),
    "tag openers": fill("<a"),  # 0.12 s
    "tags with attributes left open": fill("<a "),  # 1.8 s
    "closed tags": fill("<b>"),
    "end tag openers": fill("</a"),
    "comment openers": fill("<!--"),
    "processing instructions": fill("<?"),
    "declarations": fill("<!"),
    "autolink openers": fill("<http://"),  # 0.34 s
    "mail openers": fill("<x@"),  # 0.11 s
    "html blocks": fill("<div>\n"),
    "markdown in html": fill('<div markdown="1">\n', LIMIT // 2) + fill("</div>\n", LIMIT // 2),
    "ampersands": fill("&"),
    "entity openers": fill("&#"),
    "entities": fill("&amp; "),
    "backslashes": fill("\\"),
    "escaped brackets": fill("\\["),
    "escaped stars": fill("\\*"),
    # Blocks: nesting, and blocks python-markdown peels off one line at a time.
    "quote markers": fill(">"),  # 0.21 s
    "spaced quote markers": fill("> "),  # 0.21 s
    "deepening quotes": lines_of(lambda i: ">" * (i + 1) + " a"),
    "ordered list markers": fill("1. "),  # RecursionError
    "bullet markers": fill("- ", LIMIT - 1) + "a",  # RecursionError
    "star bullet markers": fill("* ", LIMIT - 1) + "a",  # RecursionError
    "deepening lists": lines_of(lambda i: "    " * i + "- a"),
    "nested list items": fill("- a\n    - b\n"),  # 0.10 s
    "quotes between paragraphs": fill(">\n\n^*"),  # 0.11 s
    "definition lists": fill("a\n:   b\n"),  # RecursionError
    "definition markers": fill(": a\n"),
    "headings": fill("# a\n"),  # 0.31 s
    "underlined headings": fill("a\n=\n"),  # 0.79 s
    "dashed headings": fill("a\n---\n"),  # 0.49 s
    "rules": fill("---\na\n"),  # 0.61 s
    "headings then short lines": fill("a\n=\n", 400) + fill("a\n", LIMIT - 400),
    "table cells": fill("|"),
    "one long table row": "| a | b |\n|---|---|\n" + fill("| a ", LIMIT - 20),
    "table rows": "|a|b|\n|-|-|\n" + fill("|a|b|\n", LIMIT - 12),  # 0.13 s
    "dashes and a pipe": fill("-", LIMIT - 1) + "|",
    "attribute lists": fill("{: "),
    "reference definitions": fill("[x]: http://a.b\n"),
    "reference definitions inside a paragraph": fill("a\n[x]: http://a\n"),  # 0.39 s
    "reference titles left open": fill('[x]: http://a "'),
    "numbered reference definitions": lines_of(lambda i: f"[x{i}]: http://a.b"),
    "short paragraphs": fill("a\n\n"),  # 0.14 s
    "loose list": fill("- a\n\n"),  # 0.20 s
    "tight list": fill("- a\n"),  # 0.16 s
    "hard line breaks": fill("a  \n"),
    # Bare links.
    "bare link prefixes": fill("http://"),
    "www prefixes": fill("www."),
    "one long address": "https://x.org/" + fill("a", LIMIT - 14),
    "address of parentheses": "https://x.org/" + fill("(", LIMIT - 14),
    "address of closing parentheses": "https://x.org/" + fill(")", LIMIT - 14),
    "address of full stops": "https://x.org/" + fill(".", LIMIT - 14),
    "addresses": fill("https://x.org/a "),
    "addresses in parentheses": fill("(https://x.org/a) "),
}


def ordinary_evidence(length: int = LIMIT) -> str:
    """Evidence as people write it, to length: prose, lists of links, emphasis, code, a quote."""
    section = (
        "Led the design review for the **embeddings v2** rollout, which cut p95 latency "
        "from 180 ms to 95 ms and unblocked two teams waiting on the schema.\n\n"
        "- Design doc: [embeddings v2](https://docs.example.com/d/4821)\n"
        "- PRs: [#4410](https://git.example.com/ml/pull/4410) and `serve.go`\n"
        "- Dashboard: https://grafana.example.com/d/latency?from=now-7d\n"
        "- *Outcome:* the on-call load dropped to one page a week\n\n"
        "> Feedback from the tech lead: _clear trade-offs, written down early_.\n\n"
    )
    return fill(section, length)


def cpu_seconds(text: str) -> float:
    started = time.process_time()
    render_markdown(text)
    return time.process_time() - started


def test_every_shape_is_at_the_limit():
    assert {len(text) for text in HOSTILE_SHAPES.values()} == {LIMIT}


@pytest.mark.parametrize("text", HOSTILE_SHAPES.values(), ids=HOSTILE_SHAPES.keys())
def test_hostile_evidence_renders_within_the_budget(text):
    # Against ordinary evidence of the same length, rendered beside it so that
    # both see the same machine: a busy machine can slow a render down, never
    # speed one up, so the least of a few tries counts. The floor is for fast
    # machines; the shapes this guards against took seconds.
    render_markdown("warm up")
    ordinary = hostile = float("inf")
    for _ in range(3):
        ordinary = min(ordinary, cpu_seconds(ordinary_evidence()))
        hostile = min(hostile, cpu_seconds(text))
        if hostile <= max(0.1, 5 * ordinary) or hostile > 1:
            break
    assert hostile <= max(0.1, 5 * ordinary)


PAYLOAD = '<script>alert(1)</script> [x](javascript:alert(1)) <a href="javascript:alert(1)">x</a>'


@pytest.mark.parametrize("text", HOSTILE_SHAPES.values(), ids=HOSTILE_SHAPES.keys())
def test_hostile_evidence_stays_safe(text):
    html = render_markdown(f"{text}\n\n{PAYLOAD}")
    assert "<script" not in html
    # Shown as plain text, the payload is only words on the page; in a tag it would run.
    assert not [tag for tag in re.findall(r"<[^>]*>", html) if "javascript:" in tag]

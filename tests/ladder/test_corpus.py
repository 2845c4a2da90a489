"""The ladder corpus: real-looking level pages, each in Markdown and in HTML, read to
hand-counted expectations (tests/ladder/corpus/expected.py), and pages that must be refused."""

import re
from collections import Counter
from pathlib import Path

import pytest

from ladder.areas import AREA_KINDS
from ladder.formats.document import (
    AreaDoc,
    BehaviourDoc,
    LadderFormatError,
    LevelDoc,
    ParsedPage,
    Problem,
    ResponsibilityDoc,
)
from ladder.formats.markdown import parse_page
from tests.conftest import SEED_PATH
from tests.ladder.corpus.expected import ERROR_PAGES, PAGES, ErrorPage, Page

pytestmark = pytest.mark.no_database

CORPUS = Path(__file__).parent / "corpus"
FORMATS = ("md", "html")

PAGE_CASES = [pytest.param(page, fmt, id=f"{page.name}.{fmt}") for page in PAGES for fmt in FORMATS]
ERROR_CASES = [
    pytest.param(page, fmt, id=f"{page.name}.{fmt}") for page in ERROR_PAGES for fmt in FORMATS
]


def read_text(filename: str) -> str:
    # Bytes decoded by hand: read_text() would turn the CRLF page's line endings into LF,
    # and the parser is meant to see them.
    return (CORPUS / filename).read_bytes().decode("utf-8")


def parse(name: str, fmt: str) -> ParsedPage:
    filename = f"{name}.{fmt}"
    text = read_text(filename)
    if fmt == "md":
        return parse_page(text, filename)
    # Imported here so that the Markdown half of the corpus runs without the HTML reader.
    from ladder.formats.html import parse_html

    return parse_html(text, filename)


def read(page: Page, fmt: str) -> LevelDoc:
    return parse(page.name, fmt).doc


def responsibility(area: AreaDoc, name: str) -> ResponsibilityDoc:
    found = [r for r in area.responsibilities if r.name == name]
    assert found, f"no {name!r} in {area.name}: {[r.name for r in area.responsibilities]}"
    return found[0]


def behaviour(doc: LevelDoc, kind: str, owner: str | None, index: int) -> BehaviourDoc:
    area = doc.area(kind)
    items = area.behaviours if owner is None else responsibility(area, owner).behaviours
    assert len(items) >= index, f"{kind}/{owner} has only {len(items)} behaviours"
    return items[index - 1]


def notes(doc: LevelDoc) -> dict[tuple[str, str | None], str]:
    found = {}
    for area in doc.areas:
        if area.note:
            found[area.key, None] = area.note
        for resp in area.responsibilities:
            if resp.note:
                found[area.key, resp.name] = resp.note
    return found


def assert_problems_at(
    problems: list[Problem], expected: tuple[tuple[int, str], ...], filename: str
) -> None:
    """Exactly the expected lines, as often as expected, each with its words somewhere."""
    assert all(p.filename == filename for p in problems), [str(p) for p in problems]
    got = Counter(p.line for p in problems)
    assert got == Counter(line for line, _words in expected), [str(p) for p in problems]
    for line, words in expected:
        messages = [p.message.lower() for p in problems if p.line == line]
        assert any(words.lower() in m for m in messages), (line, words, messages)


# --------------------------------------------------------------------------- pages


@pytest.mark.parametrize(("page", "fmt"), PAGE_CASES)
def test_page_reads_its_level_code_title_track_and_summary(page: Page, fmt: str):
    doc = read(page, fmt)
    assert (doc.code, doc.title, doc.track) == (page.code, page.title, page.track)
    assert doc.summary == page.summary


@pytest.mark.parametrize(("page", "fmt"), PAGE_CASES)
def test_page_has_every_counted_responsibility_and_behaviour(page: Page, fmt: str):
    doc = read(page, fmt)
    assert [area.key for area in doc.areas] == list(AREA_KINDS)
    per_area = {area.key: len(area.all_behaviours) for area in doc.areas}
    assert per_area == dict(zip(AREA_KINDS, page.per_area, strict=True))
    assert doc.responsibility_count == page.responsibilities
    assert doc.behaviour_count == page.behaviours


@pytest.mark.parametrize(("page", "fmt"), PAGE_CASES)
def test_page_keeps_descriptions_responsibility_names_and_behaviour_texts(page: Page, fmt: str):
    doc = read(page, fmt)
    for kind, description in page.descriptions.items():
        assert doc.area(kind).description == description, kind
    for kind, names in page.names.items():
        assert tuple(r.name for r in doc.area(kind).responsibilities) == names, kind
    for kind, owner, index, text in page.texts:
        assert behaviour(doc, kind, owner, index).text == text, (kind, owner, index)


@pytest.mark.parametrize(("page", "fmt"), PAGE_CASES)
def test_page_gives_behaviours_their_written_or_derived_keys(page: Page, fmt: str):
    doc = read(page, fmt)
    for kind, owner, index, key in page.keys:
        assert behaviour(doc, kind, owner, index).key == key, (kind, owner, index)


@pytest.mark.parametrize(("page", "fmt"), PAGE_CASES)
def test_page_has_exactly_the_expected_notes(page: Page, fmt: str):
    assert notes(read(page, fmt)) == page.notes


@pytest.mark.parametrize(("page", "fmt"), PAGE_CASES)
def test_page_warns_where_the_rules_say(page: Page, fmt: str):
    parsed = parse(page.name, fmt)
    warnings = list(parsed.warnings)
    if fmt == "md":
        assert_problems_at(warnings, page.warnings, f"{page.name}.md")
    else:
        assert all(w.filename == f"{page.name}.html" for w in warnings)
        assert len(warnings) == page.expected_html_warnings, [str(w) for w in warnings]


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_markdown_and_html_versions_of_a_page_read_the_same(page: Page):
    assert read(page, "html") == read(page, "md")


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(("page", "fmt"), ERROR_CASES)
def test_error_page_is_refused_with_every_error_it_has(page: ErrorPage, fmt: str):
    filename = f"{page.name}.{fmt}"
    with pytest.raises(LadderFormatError) as raised:
        parse(page.name, fmt)
    errors = raised.value.errors
    assert all(e.filename == filename for e in errors), [str(e) for e in errors]
    if fmt == "html":
        assert len({e.line for e in errors}) == page.expected_html_lines, [str(e) for e in errors]
        for _line, words in page.errors:
            assert any(words.lower() in e.message.lower() for e in errors), (words, errors)
    elif any(line is None for line, _words in page.errors):
        assert len(errors) == len(page.errors), [str(e) for e in errors]
        for _line, words in page.errors:
            assert any(words.lower() in e.message.lower() for e in errors), (words, errors)
    else:
        # Two missing areas may be one message or two on the last line: compare lines as a set.
        assert {e.line for e in errors} == {line for line, _words in page.errors}, [
            str(e) for e in errors
        ]
        for line, words in page.errors:
            messages = [e.message.lower() for e in errors if e.line == line]
            assert any(words.lower() in m for m in messages), (line, words, messages)


# --------------------------------------------------------------------------- the corpus


def test_seed_page_gives_eight_areas_and_58_behaviours():
    doc = parse_page(SEED_PATH.read_text(encoding="utf-8"), SEED_PATH.name).doc
    assert [area.key for area in doc.areas] == list(AREA_KINDS)
    assert doc.behaviour_count == 58


def test_corpus_holds_at_least_thirty_page_pairs_and_six_error_pairs():
    pairs = {p.stem for p in CORPUS.glob("*.md") if p.with_suffix(".html").exists()}
    errors = {name for name in pairs if name.startswith("error-")}
    assert len(pairs - errors) >= 30
    assert len(errors) >= 6


def test_every_corpus_file_is_one_half_of_a_listed_pair():
    names = [page.name for page in PAGES] + [page.name for page in ERROR_PAGES]
    assert len(names) == len(set(names))
    expected = {f"{name}.{fmt}" for name in names for fmt in FORMATS}
    on_disk = {path.name for path in CORPUS.iterdir() if path.suffix in (".md", ".html")}
    assert on_disk == expected


@pytest.mark.parametrize("name", [p.name for p in PAGES + ERROR_PAGES])
def test_every_corpus_page_says_what_it_exercises_in_both_formats(name: str):
    for fmt in FORMATS:
        head = read_text(f"{name}.{fmt}").removeprefix("\ufeff")[:400]
        assert "<!-- corpus" in head, f"{name}.{fmt}"


@pytest.mark.parametrize("name", [p.name for p in PAGES + ERROR_PAGES])
def test_html_half_is_a_whole_web_page_with_chrome_to_ignore(name: str):
    html = read_text(f"{name}.html").removeprefix("\ufeff")
    assert html.lstrip().lower().startswith("<!doctype html>")
    assert re.search(r"<(main|article)\b", html)
    assert re.search(r"<(nav|header|footer)\b", html)
    assert "</html>" in html


def test_corpus_keeps_one_crlf_page_and_one_byte_order_mark_page_in_both_formats():
    # Editors and checkouts normalise these silently; the corpus must still have them.
    for fmt in FORMATS:
        raw = {p.name: p.read_bytes() for p in CORPUS.glob(f"*.{fmt}")}
        assert [n for n, data in raw.items() if b"\r\n" in data] == [
            f"fabrikam-ic5-staff-site-reliability-engineer.{fmt}"
        ]
        assert [n for n, data in raw.items() if data.startswith(b"\xef\xbb\xbf")] == [
            f"initech-l5-senior-engineer.{fmt}"
        ]

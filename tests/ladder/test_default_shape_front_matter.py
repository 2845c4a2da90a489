"""Front matter on pages of the built-in framework's shapes: read as the own reader reads
it (frameworks/README.md, rule 6), the page below it read exactly as without it."""

import re
from dataclasses import replace

import pytest

from ladder.areas import AREA_KINDS
from ladder.formats.document import LadderFormatError, ParsedPage
from ladder.formats.markdown import read
from tests.conftest import SEED_PATH
from tests.ladder.corpus.expected import ERROR_PAGES, PAGES
from tests.ladder.test_corpus import read_text

pytestmark = pytest.mark.no_database

# A track line or comment of the page's own: front matter naming one too is an error.
OWN_TRACK = re.compile(r"^\s*(?:track\s*:|<!--\s*track\s*:)", re.IGNORECASE | re.MULTILINE)
OWN_PAGE = "# E1 Engineer\n\n## Craft\n\n- I build pages\n"


def seed() -> str:
    return SEED_PATH.read_text(encoding="utf-8")


def read_one(text: str, filename: str = "page.md") -> ParsedPage:
    [page] = read(text, filename)
    return page


def errors_of(text: str, filename: str = "page.md") -> list[str]:
    with pytest.raises(LadderFormatError) as raised:
        read(text, filename)
    return [str(p) for p in raised.value.errors]


def shifted(problems, by: int) -> list[tuple[int, str]]:
    """Problems as if ``by`` lines above them weren't there: their lines, and the lines
    their messages name ("first on line 36")."""

    def earlier(found: re.Match) -> str:
        return f"line {int(found.group(1)) - by}"

    return [(p.line - by, re.sub(r"line (\d+)", earlier, p.message)) for p in problems]


def test_the_seed_with_front_matter_naming_its_track_imports_whole_in_that_track():
    doc = read_one("---\ntrack: Machine Learning\n---\n" + seed()).doc
    assert [area.key for area in doc.areas] == list(AREA_KINDS)
    assert (doc.behaviour_count, doc.responsibility_count) == (58, 18)
    assert doc.track == "Machine Learning"
    assert doc == read_one(seed()).doc


def test_the_front_matters_track_is_the_pages_track():
    doc = read_one("---\ntrack: Research\n---\n" + seed()).doc
    assert doc == replace(read_one(seed()).doc, track="Research")


@pytest.mark.parametrize("page", PAGES, ids=[page.name for page in PAGES])
def test_a_corpus_page_with_front_matter_reads_as_without_it(page):
    text = read_text(f"{page.name}.md").removeprefix("\ufeff")
    keys = [f"level: {page.code}", f"title: {page.title}"]
    if not OWN_TRACK.search(text):
        keys.append(f"track: {page.track}")
    front = "\n".join(["---", *keys, "---"]) + "\n"
    plain, fronted = read_one(text, "p.md"), read_one(front + text, "p.md")
    assert fronted.doc == plain.doc
    assert shifted(fronted.warnings, len(keys) + 2) == shifted(plain.warnings, 0)


# With front matter, a page of two levels is a company's own file of several levels
# (tiers.in_default_shape): this one is read, below, not refused.
TWO_LEVELS = "error-second-level-heading"
ONE_LEVEL_ERRORS = [page for page in ERROR_PAGES if page.name != TWO_LEVELS]


@pytest.mark.parametrize("page", ONE_LEVEL_ERRORS, ids=[page.name for page in ONE_LEVEL_ERRORS])
def test_a_corpus_error_page_with_front_matter_has_the_same_errors(page):
    text = read_text(f"{page.name}.md").removeprefix("\ufeff")
    found = []
    for front in ("", "---\ntrack: Errors\n---\n"):
        with pytest.raises(LadderFormatError) as raised:
            read(front + text, "p.md")
        found.append(shifted(raised.value.errors, front.count("\n")))
    assert found[1] == found[0]


def test_front_matter_naming_the_level_stands_for_the_level_heading():
    body = seed().replace(" # IC5 Staff Machine Learning Engineer\n", "", 1)
    front = "---\nlevel: IC5\ntitle: Staff Machine Learning Engineer\n---\n"
    assert read_one(front + body).doc == read_one(seed()).doc


def test_a_level_heading_that_disagrees_with_the_front_matter_is_refused_as_the_own_reader_does():
    front = "---\nlevel: IC4\ntitle: Senior Machine Learning Engineer\n---\n"
    refused = [
        "page.md:5: the heading's level IC5 and the front matter's IC4 differ",
        "page.md:5: the heading's title and the front matter's differ",
    ]
    assert errors_of(front + seed()) == refused
    own = front + OWN_PAGE.replace("# E1 Engineer", "# IC5 Staff Machine Learning Engineer")
    assert errors_of(own) == refused


def test_a_track_in_the_front_matter_and_on_a_line_is_given_twice():
    text = seed().replace("\n\n|", "\n\ntrack: Research\n\n|", 1)
    assert errors_of("---\ntrack: Machine Learning\n---\n" + text) == [
        "page.md:8: the track is given twice"
    ]


@pytest.mark.parametrize(
    ("front", "error"),
    [
        ("---\n- Machine Learning\n---\n", "page.md:2: expected 'key: value' in the front matter"),
        ("---\nMachine Learning\n---\n", "page.md:2: expected 'key: value' in the front matter"),
        ("---\ntrack: A\ntrack: B\n---\n", "page.md:3: 'track' is given twice in the front matter"),
        (
            "---\ngrouping: piles\n---\n",
            "page.md:2: grouping must be one of: categories, sub-groups",
        ),
    ],
)
def test_bad_front_matter_on_a_default_page_is_the_own_readers_one_error(front, error):
    [found] = errors_of(front + seed())
    assert found.startswith(error)
    assert errors_of(front + OWN_PAGE) == [found]


def test_front_matter_left_open_is_one_error_at_its_first_line():
    for page in (seed(), OWN_PAGE):
        assert errors_of("---\ntrack: Machine Learning\n" + page) == [
            "page.md:1: the front matter has no closing '---' within 50 lines"
        ]


def test_an_unknown_front_matter_key_is_a_warning_as_on_an_own_page():
    warning = (
        "page.md:2: front matter key 'author' is not read; Ladder reads track, level, title, "
        "grouping"
    )
    for page in (seed(), OWN_PAGE):
        parsed = read_one("---\nauthor: Ann\n---\n" + page)
        assert [str(w) for w in parsed.warnings][:1] == [warning]
    assert read_one("---\nauthor: Ann\n---\n" + seed()).doc == read_one(seed()).doc


def test_front_matter_naming_a_level_without_its_title_is_refused_at_the_level_key():
    body = seed().replace(" # IC5 Staff Machine Learning Engineer\n", "", 1)
    assert errors_of("---\nlevel: IC5\n---\n" + body) == [
        "page.md:2: the level has a code but no title"
    ]


def test_a_grouping_is_not_read_on_a_default_page_and_says_so():
    parsed = read_one("---\ngrouping: sub-groups\n---\n" + seed())
    assert [str(w) for w in parsed.warnings][:1] == [
        "page.md:2: grouping is not read on a page of the built-in framework's areas: "
        "its pillars hold responsibilities"
    ]
    assert parsed.doc == read_one(seed()).doc


@pytest.mark.parametrize("front", ["---\ntitle:\n---\n", "---\nlevel:\ntitle:\n---\n"])
def test_front_matter_with_an_empty_title_and_no_heading_is_refused_not_a_crash(front):
    body = seed().replace(" # IC5 Staff Machine Learning Engineer\n", "", 1)
    assert errors_of(front + body) == ["page.md:2: the level has no title"]


def test_two_levels_of_the_default_areas_under_front_matter_are_a_companys_own_file():
    text = read_text(f"{TWO_LEVELS}.md").removeprefix("\ufeff")
    with pytest.raises(LadderFormatError):
        read(text, "p.md")
    assert [p.doc.code for p in read("---\ntrack: Errors\n---\n" + text, "p.md")] == [
        "IC3",
        "IC4",
    ]


def test_a_company_page_of_several_levels_with_front_matter_is_its_own_readers():
    """Four of the default framework's area names, but two levels in one file: a page of
    the default framework holds one, so it is a company's own."""
    level = "## Scope\n- I do {0}\n## Results\n- I deliver {0}\n## Craft\n- I craft {0}\n"
    level += "## Culture\n- I help {0}\n"
    page = "---\ntrack: Web\n---\n# E1 Engineer\n" + level.format("a thing")
    page += "# E2 Senior Engineer\n" + level.format("more")
    pages = read(page, "page.md")
    assert [(p.doc.code, p.doc.track, len(p.doc.areas)) for p in pages] == [
        ("E1", "Web", 4),
        ("E2", "Web", 4),
    ]

"""The CSV ladder format: one row per behaviour, any number of levels, and back."""

import csv
import io
import random

import pytest

from ladder import rubric_text
from ladder.areas import AREA_KINDS, AREA_NAMES, EXPECTATION_KINDS
from ladder.formats.csv import COLUMNS, parse_csv, render_csv
from ladder.formats.document import LadderFormatError, LevelDoc
from ladder.formats.markdown import parse_page
from tests.conftest import SEED_PATH
from tests.ladder.test_html_format import random_level

pytestmark = pytest.mark.no_database

HEADER = "level,title,track,area,responsibility,behaviour"


def seed() -> LevelDoc:
    return parse_page(SEED_PATH.read_text(encoding="utf-8"), SEED_PATH.name).doc


def rows_of(level: str = "IC4", title: str = "Software Engineer", track: str = "") -> list[str]:
    """One behaviour in every area: the smallest complete level, as CSV lines."""
    lines = []
    for kind in AREA_KINDS:
        responsibility = "" if kind in EXPECTATION_KINDS else f"{kind.title()} Part"
        lines.append(
            f"{level},{title},{track},{AREA_NAMES[kind]},{responsibility},I do {kind} well"
        )
    return lines


def csv_text(*lines: str, header: str = HEADER) -> str:
    return "\n".join([header, *lines]) + "\n"


def errors_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(LadderFormatError) as raised:
        parse_csv(text, "ladder.csv")
    assert all(e.filename == "ladder.csv" for e in raised.value.errors)
    return [(e.line, e.message) for e in raised.value.errors]


# --------------------------------------------------------------------------- reading


def test_the_smallest_file_reads_one_level_with_derived_track_and_keys():
    [page] = parse_csv(csv_text(*rows_of()), "ladder.csv")
    doc = page.doc
    assert (doc.code, doc.title, doc.track, doc.summary) == (
        "IC4",
        "Software Engineer",
        "Software",
        "",
    )
    assert [b.key for b in doc.area("scope").behaviours] == ["scope-1"]
    results = doc.area("results")
    assert [(r.name, [b.key for b in r.behaviours]) for r in results.responsibilities] == [
        ("Results Part", ["results-part-1"])
    ]
    assert page.warnings == ()


@pytest.mark.parametrize(
    "header",
    [
        "Level,Title,Track,Area,Responsibility,Behaviour",
        " LEVEL , title ,TRACK,area , Responsibility,behaviour ",
        "level,title,track,area,responsibility,behaviour,responsibility_note",
        "level,title,track,area,responsibility,behaviour,Responsibility-Note,unknown extra",
        "Level,Title,Track,Area,Responsibility,Behavior",
    ],
)
def test_header_names_match_ignoring_case_spaces_underscores_and_hyphens(header):
    [page] = parse_csv(csv_text(*rows_of(), header=header))
    assert page.doc.behaviour_count == 8


def test_a_responsibility_note_column_is_read_whatever_its_spelling():
    header = HEADER + ",Responsibility_Note"
    lines = [line + "," for line in rows_of()]
    lines[3] = lines[3][:-1] + ",See [the guide](guide.html)"
    [page] = parse_csv(csv_text(*lines, header=header))
    assert page.doc.area("results").responsibilities[0].note == "See [the guide](guide.html)"


def test_a_missing_column_is_one_error_naming_it_and_the_expected_ones():
    errors = errors_of(
        csv_text("IC4,Engineer,,Scope,I do things", header="Level,Title,Track,Area,Text")
    )
    assert len(errors) == 1
    line, message = errors[0]
    assert line == 1
    assert "missing column(s): responsibility, behaviour" in message
    for name in COLUMNS:
        assert name in message


def test_an_empty_file_is_refused():
    assert errors_of("")[0][0] == 1


def test_cells_are_inline_markdown_read_like_the_markdown_importer():
    lines = rows_of()
    lines[0] = (
        'IC4,**Software** Engineer,,Scope,,"I keep **bold** out, [links](a.html) in, and \\* too"'
    )
    lines[3] = "IC4,Software Engineer,,Results,_Impact_,I ship"
    doc = parse_csv(csv_text(*lines)).pop().doc
    assert doc.title == "Software Engineer"
    assert doc.area("scope").behaviours[0].text == "I keep bold out, [links](a.html) in, and * too"
    assert doc.area("results").responsibilities[0].name == "Impact"


def test_summary_description_and_notes_may_be_given_once_or_repeated():
    header = HEADER + ",summary,description,note,responsibility note"
    lines = [line + ",,,," for line in rows_of()]
    lines[0] = lines[0][:-4] + ",I lead,Ownership,A note,"
    lines.insert(1, "IC4,Software Engineer,,Scope,,I also lead,I lead,Ownership,A note,")
    doc = parse_csv(csv_text(*lines, header=header)).pop().doc
    assert doc.summary == "I lead"
    assert doc.area("scope").description == "Ownership"
    assert doc.area("scope").note == "A note"
    assert [b.text for b in doc.area("scope").behaviours] == ["I do scope well", "I also lead"]


def test_two_different_summaries_are_an_error_naming_both_lines():
    header = HEADER + ",summary"
    lines = [line + "," for line in rows_of()]
    lines[0] = lines[0][:-1] + ",I lead"
    lines[5] = lines[5][:-1] + ",I follow"
    errors = errors_of(csv_text(*lines, header=header))
    assert len(errors) == 1
    line, message = errors[0]
    assert line == 7
    assert "'I lead' (line 2)" in message
    assert "'I follow' (line 7)" in message


def test_every_error_of_the_file_is_reported_at_the_line_its_row_starts():
    lines = rows_of()
    lines += [
        'IC4,Software Engineer,,Scope,,"a behaviour written\nover two lines"',  # lines 10-11
        "IC4,Software Engineer,,Scoop,,I misspell my area",  # 12
        "IC4,Software Engineer,,Results,,I have no responsibility",  # 13
        "IC4,Software Engineer,,Scope,Impact,I have one I should not",  # 14
        "IC4,Software Engineer,,Craft,Code,**  **",  # 15
        "4IC,Software Engineer,,Scope,,My level is no code",  # 16
        "IC4,Software Engineer,,Talent,Craft,My responsibility is named like an area",  # 17
    ]
    header = HEADER + ",key"
    lines = [line + "," for line in lines]
    lines.append("IC4,Software Engineer,,Scope,,My key is bad,Bad Key")  # 18
    lines.append("IC4,Software Engineer,,Scope,,My key is taken,scope-1")  # 19
    errors = errors_of(csv_text(*lines, header=header))
    assert [line for line, _message in errors] == [12, 13, 14, 15, 16, 17, 18, 19]
    words = ["unknown area", "needs a responsibility", "no responsibility", "empty", "level code"]
    expected = [*words, "named like an area", "malformed key", "duplicate key"]
    for (_line, message), words_of_error in zip(errors, expected, strict=True):
        assert words_of_error in message


def test_a_mistake_repeated_on_every_row_is_reported_once_with_its_rows_counted():
    lines = rows_of()
    lines += [f"IC4,Software Engineer,,Scoop,,I misspell my area again {n}" for n in range(600)]
    lines.append("IC4,Software Engineer,,Results,,I have no responsibility")  # line 610
    errors = errors_of(csv_text(*lines))
    assert [line for line, _message in errors] == [10, 610]
    (_line, repeated), (_line, other) = errors
    assert repeated.startswith("unknown area 'Scoop'")
    assert repeated.endswith("(also on 599 more rows: lines 11, 12, 13 and 596 more)")
    assert "needs a responsibility" in other
    assert "more row" not in other


def test_a_level_without_rows_for_some_areas_is_an_error_naming_them():
    lines = [line for line in rows_of() if ",Talent," not in line and ",Culture," not in line]
    [(line, message)] = errors_of(csv_text(*lines))
    assert line == 2
    assert "Talent, Culture" in message


def test_rows_group_into_levels_by_track_and_code():
    lines = rows_of("IC4", "Data Engineer") + rows_of("ic4", "Senior Data Scientist")
    lines += rows_of("IC4", "Engineer", "Platform") + rows_of("IC5", "Staff Data Engineer")
    pages = parse_csv(csv_text(*lines))
    assert [(p.doc.code, p.doc.track, p.doc.title) for p in pages] == [
        ("IC4", "Data", "Data Engineer"),
        ("IC4", "Data Scientist", "Senior Data Scientist"),
        ("IC4", "Platform", "Engineer"),
        ("IC5", "Data", "Staff Data Engineer"),
    ]


def test_the_same_level_with_two_titles_is_an_error():
    lines = rows_of("IC4", "Data Engineer") + rows_of("IC4", "Staff Data Engineer")
    errors = errors_of(csv_text(*lines))
    assert errors[0][0] == 10
    assert "two different titles" in errors[0][1]


def test_the_track_argument_puts_every_level_in_one_track():
    pages = parse_csv(csv_text(*rows_of("IC4", "Data Engineer", "Data")), track="ML")
    assert [p.doc.track for p in pages] == ["ML"]


def test_order_sorts_behaviours_within_their_area():
    header = HEADER + ",order"
    lines = [line + "," for line in rows_of()]
    lines[3] = "IC4,Software Engineer,,Results,Impact,third,3"
    lines.insert(4, "IC4,Software Engineer,,Results,Ownership,first,1")
    lines.insert(5, "IC4,Software Engineer,,Results,Impact,second,2")
    lines.insert(6, "IC4,Software Engineer,,Results,Impact,after second,")
    doc = parse_csv(csv_text(*lines, header=header)).pop().doc
    results = doc.area("results")
    assert [(r.name, [b.text for b in r.behaviours]) for r in results.responsibilities] == [
        ("Ownership", ["first"]),
        ("Impact", ["second", "after second", "third"]),
    ]


def test_a_cell_larger_than_the_csv_modules_default_limit_is_read():
    lines = rows_of()
    long_text = "I " + "write " * 40_000
    lines[0] = f"IC4,Software Engineer,,Scope,,{long_text}"
    doc = parse_csv(csv_text(*lines)).pop().doc
    assert doc.area("scope").behaviours[0].text == long_text.strip()


def test_a_quote_left_open_is_an_error_at_the_row_it_starts():
    lines = [*rows_of(), 'IC4,Software Engineer,,Scope,,"unclosed', *rows_of("IC5")]
    [(line, message)] = errors_of(csv_text(*lines))
    assert line == 10
    assert "CSV" in message


# --------------------------------------------------------------------------- formulas


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "'"])
def test_cells_a_spreadsheet_would_run_are_written_after_a_quote_and_read_back(start):
    doc = seed()
    scope = doc.area("scope")
    text = f"{start}SUM(A1:A9) and more"
    behaviour = type(scope.behaviours[0])(rubric_text.escape(text), scope.behaviours[0].key)
    scope = type(scope)("scope", scope.description, (behaviour, *scope.behaviours[1:]))
    doc = LevelDoc(doc.code, f"{start}Title", doc.track, f"{start}summary", (scope, *doc.areas[1:]))
    written = render_csv([doc])
    cells = [cell for row in csv.reader(io.StringIO(written)) for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert f"'{start}SUM(A1:A9) and more" in cells
    assert [p.doc for p in parse_csv(written)] == [doc]


def test_a_quote_before_a_formula_typed_in_a_spreadsheet_is_removed():
    lines = rows_of()
    lines[0] = "IC4,Software Engineer,,Scope,,'=1+1 is two"
    lines[1] = "IC4,Software Engineer,,Collaborative Reach,,'quoted' words stay"
    doc = parse_csv(csv_text(*lines)).pop().doc
    assert doc.area("scope").behaviours[0].text == "=1+1 is two"
    assert doc.area("reach").behaviours[0].text == "'quoted' words stay"


# --------------------------------------------------------------------------- writing


def test_the_header_lists_every_column():
    assert render_csv([seed()]).split("\n", 1)[0] == (
        "level,title,track,area,responsibility,behaviour,key,order,summary,description,"
        "note,responsibility note"
    )


def test_the_seed_survives_writing_and_reading_csv():
    written = render_csv([seed()])
    assert len(list(csv.reader(io.StringIO(written)))) == 1 + 58
    assert [p.doc for p in parse_csv(written, "seed.csv")] == [seed()]


def test_summary_and_descriptions_are_written_on_the_first_row_of_their_scope_only():
    rows = list(csv.DictReader(io.StringIO(render_csv([seed()]))))
    assert [bool(row["summary"]) for row in rows].count(True) == 1
    assert [row["area"] for row in rows if row["description"]] == [
        "Scope",
        "Collaborative Reach",
        "Impact Levers",
        "Craft",
    ]


def test_random_levels_survive_writing_and_reading_csv():
    rng = random.Random(20261124)
    for number in range(30):
        docs, seen = [], set()
        for _ in range(rng.randint(1, 3)):
            doc = random_level(rng)
            if (doc.track.casefold(), doc.code) not in seen:
                seen.add((doc.track.casefold(), doc.code))
                docs.append(doc)
        written = render_csv(docs)
        assert [p.doc for p in parse_csv(written, f"random-{number}.csv")] == docs, written

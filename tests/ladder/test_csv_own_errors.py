"""Errors of a company's own ladder as CSV: each problem once, with its rows counted, as
the built-in framework's CSV reports them (test_csv_format.py)."""

import pytest

from ladder.formats.csv import read
from ladder.formats.document import LadderFormatError

pytestmark = pytest.mark.no_database

HEADER = "track,level,title,group,area,behaviour"


def errors_of(*lines: str) -> list[tuple[int, str]]:
    with pytest.raises(LadderFormatError) as raised:
        read("\n".join([HEADER, *lines]) + "\n", "ladder.csv")
    assert all(e.filename == "ladder.csv" for e in raised.value.errors)
    return [(e.line, e.message) for e in raised.value.errors]


def test_a_bad_level_code_on_600_rows_is_reported_once_with_its_rows_counted():
    lines = [f"Web,4IC,Engineer,Making,Craft,I build page {n}" for n in range(600)]
    lines.append("Web,E1,Engineer,Making,Craft,")  # line 602
    errors = errors_of(*lines)
    assert [line for line, _message in errors] == [2, 602]
    (_line, repeated), (_line, other) = errors
    assert repeated == (
        "the level '4IC' is not a code such as E3 or IC5 "
        "(also on 599 more rows: lines 3, 4, 5 and 596 more)"
    )
    assert "without a behaviour" in other
    assert "more row" not in other


def test_an_area_in_another_group_on_300_rows_is_reported_once_with_its_rows_counted():
    lines = ["Web,E1,Engineer,Making,Craft,I build"]
    lines += [f"Web,E1,Engineer,Doing,Craft,I build page {n}" for n in range(300)]
    [(line, message)] = errors_of(*lines)
    assert line == 3
    assert message == (
        'the area "Craft" is in the group "Making" on line 2 '
        "(also on 299 more rows: lines 4, 5, 6 and 296 more)"
    )


def test_a_mistake_on_two_rows_counts_one_more_row():
    [(line, message)] = errors_of("Web,4IC,Engineer,Making,Craft,I build", "Web,4IC,,,Craft,I ship")
    assert line == 2
    assert message.endswith("(also on 1 more row: lines 3)")


def test_a_matrix_row_wrong_in_every_column_is_one_error():
    long_name = "A" * 201
    text = "area,E1 Engineer,E2 Senior Engineer\n" + f"{long_name},I build,I lead\n"
    with pytest.raises(LadderFormatError) as raised:
        read(text, "matrix.csv")
    assert [str(e) for e in raised.value.errors] == [
        "matrix.csv:2: an area name of 201 characters; at most 200"
    ]

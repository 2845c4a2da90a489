"""One formula guard for every CSV the app writes: nothing a spreadsheet runs, and reversible."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ladder.spreadsheets import guarded, unguarded

pytestmark = pytest.mark.no_database

SIGNS = ("=", "+", "-", "@")


@pytest.mark.parametrize(
    "cell",
    ["=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "  =1", " @x", "'=1", "'"],
)
def test_a_cell_a_spreadsheet_would_run_or_unquote_gets_a_quote(cell):
    assert guarded(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Solid half.", "", "1.50", "a=b", "x-y"])
def test_an_ordinary_cell_is_left_alone(cell):
    assert guarded(cell) == cell


@given(st.text())
def test_what_is_guarded_reads_back_word_for_word(text):
    assert unguarded(guarded(text)) == text


@given(st.text())
def test_no_guarded_cell_starts_like_a_formula(text):
    cell = guarded(text)
    assert not cell.lstrip().startswith(SIGNS)
    assert not cell.startswith(("\t", "\r", "\n"))

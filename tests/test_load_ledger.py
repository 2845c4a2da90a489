"""The load run's ledger check finds what it exists to find (loadtest/run.py check_ledger).

The load run passes when nothing acknowledged is lost; these cases show the check
failing on each kind of loss, so a passing run means something.
"""

import json

import pytest

from loadtest.run import check_ledger

pytestmark = pytest.mark.no_database

A, B = 7, 101  # an assessment and a behaviour


class FakeStack:
    """Answers check_ledger's one question about the database with the rows given."""

    def __init__(self, ratings, submitted=()):
        self.answer = json.dumps({"ratings": ratings, "submitted": list(submitted)})

    def manage(self, *args):
        return self.answer + "\n"


def row(version, text, score, manager=(0, "", None)):
    return [A, B, version, text, score, *manager]


def checked(tmp_path, entries, ratings, submitted=()):
    ledger = tmp_path / "ledger.jsonl"
    ledger.write_text("".join(json.dumps(e) + "\n" for e in entries))
    result = check_ledger(FakeStack(ratings, submitted), ledger)
    return result["lost"], result["mismatched"]


def attempt(text, score=3):
    return {"kind": "attempt", "side": "self", "assessment": A, "behaviour": B,
            "text": text, "score": score}  # fmt: skip


def saved(version, text, score=3):
    return {"kind": "self", "assessment": A, "behaviour": B, "version": version,
            "text": text, "score": score}  # fmt: skip


def test_every_acknowledged_save_in_place_passes(tmp_path):
    entries = [attempt("one"), saved(1, "one"), attempt("two"), saved(2, "two")]
    assert checked(tmp_path, entries, [row(2, "two", 3)]) == (0, 0)


def test_a_row_behind_its_last_acknowledged_save_is_a_lost_write(tmp_path):
    entries = [attempt("one"), saved(1, "one"), attempt("two"), saved(2, "two")]
    assert checked(tmp_path, entries, [row(1, "one", 3)]) == (1, 0)


def test_other_text_at_the_acknowledged_version_is_a_mismatch(tmp_path):
    entries = [attempt("one"), saved(1, "one")]
    assert checked(tmp_path, entries, [row(1, "someone else's", 3)]) == (0, 1)


def test_two_saves_acknowledged_with_one_version_are_a_mismatch(tmp_path):
    entries = [attempt("one"), saved(1, "one"), attempt("two"), saved(1, "two")]
    lost, mismatched = checked(tmp_path, entries, [row(1, "two", 3)])
    assert (lost, mismatched > 0) == (0, True)


def test_a_row_ahead_must_hold_a_save_that_was_sent(tmp_path):
    sent = [attempt("one"), saved(1, "one"), attempt("never answered")]
    assert checked(tmp_path, sent, [row(2, "never answered", 3)]) == (0, 0)
    assert checked(tmp_path, sent, [row(2, "nobody sent this", 3)]) == (0, 1)


def test_an_acknowledged_submit_not_recorded_is_lost(tmp_path):
    entries = [{"kind": "submit", "assessment": A}]
    assert checked(tmp_path, entries, [], submitted=[]) == (1, 0)
    assert checked(tmp_path, entries, [], submitted=[A]) == (0, 0)

"""An area's name beside a chart's bar: one line, two broken between words, or cut."""

import pytest

from assessments.progress import label_lines


@pytest.mark.parametrize(
    ("name", "lines"),
    [
        ("Impact", ("Impact",)),
        ("Technical Craft", ("Technical Craft",)),
        ("Collaboration and Communication", ("Collaboration and", "Communication")),
        # A word longer than a line is cut where the line ends.
        ("Internationalisation-readiness", ("Internationalisat…",)),
        # What two lines can't hold ends the second in an ellipsis.
        (
            "Security, Privacy and Compliance Engineering",
            ("Security, Privacy", "and Compliance…"),
        ),
    ],
)
def test_a_name_takes_one_line_or_two_and_never_runs_past_its_column(name, lines):
    assert label_lines(name, 18) == lines
    assert all(len(line) <= 18 for line in label_lines(name, 18))

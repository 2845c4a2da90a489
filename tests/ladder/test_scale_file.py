"""A company's scale file: what it may say, and every way it can be wrong, each at its line."""

import pytest

from ladder.formats.document import LadderFormatError
from ladder.formats.files import read_framework, read_scale
from ladder.scale import DEFAULT, NO_EVIDENCE

pytestmark = pytest.mark.no_database

STEPS = """steps:
  - value: 1
    label: Learning
    meaning: Not yet.
  - value: 2
    label: Doing
    meaning: Most of the time.
  - value: 3
    label: Leading
    meaning: Others learn it from me.
"""
OUTCOMES = """outcomes:
  - value: 1
    label: Not yet
    meaning: Growing into it.
  - value: 2
    label: Ready
    meaning: Working at the next level.
"""


def refused(text: str) -> list[str]:
    with pytest.raises(LadderFormatError) as error:
        read_scale("scale.yaml", text.encode())
    return [str(problem) for problem in error.value.errors]


def test_a_scale_without_no_evidence_offers_only_its_steps():
    scale = read_scale("scale.yaml", (STEPS + OUTCOMES).encode())
    assert scale.no_evidence is None
    assert [a.label for a in scale.answers] == ["Learning", "Doing", "Leading"]
    assert scale.highest == 3
    assert scale.promotion == 2
    assert NO_EVIDENCE not in scale.labels


def test_the_shades_of_any_scale_run_from_lightest_to_darkest():
    scale = read_scale("scale.yaml", (STEPS + OUTCOMES).encode())
    assert [scale.shade(v) for v in scale.charted] == [1, 4, 7]
    assert [DEFAULT.shade(v) for v in DEFAULT.charted] == [1, 3, 5, 7]


@pytest.mark.parametrize(
    ("text", "errors"),
    [
        (OUTCOMES, ["scale.yaml:1: 'steps' is missing"]),
        (STEPS, ["scale.yaml:1: 'outcomes' is missing"]),
        ("", ["scale.yaml:1: empty; write the steps and outcomes"]),
        ("- 1\n- 2\n", ["scale.yaml:1: expected 'steps', 'no_evidence' and 'outcomes'"]),
        (
            STEPS + OUTCOMES.replace("value: 2", "value: 5"),
            ["scale.yaml:15: the outcomes are valued 1, 2, 3… in order; this one should be 2"],
        ),
        (
            STEPS.replace("label: Doing", "label: Learning") + OUTCOMES,
            ["scale.yaml:6: two steps are labelled 'Learning'"],
        ),
        (
            STEPS.replace("label: Doing", "label: " + "x" * 41) + OUTCOMES,
            ["scale.yaml:6: a label is at most 40 characters; this one has 41"],
        ),
        (
            STEPS + OUTCOMES + "colour: blue\n",
            [
                "scale.yaml:18: 'colour' is not read here; expected 'steps', 'outcomes', "
                "'no_evidence'"
            ],
        ),
        (
            STEPS + "outcomes:\n  - value: 1\n    label: Only\n    meaning: One.\n",
            ["scale.yaml:11: an outcome scale has 2 to 7 outcomes; this one has 1"],
        ),
        (
            STEPS + OUTCOMES + "no_evidence:\n  label: Leading\n  meaning: Same as a step.\n",
            ["scale.yaml:19: 'Leading' is already a step's label"],
        ),
        (
            STEPS.replace("value: 3", "value: three") + OUTCOMES,
            ["scale.yaml:8: a value is a whole number"],
        ),
        (STEPS + OUTCOMES + "steps: []\n", ["scale.yaml:18: 'steps' is given twice"]),
        (
            "steps: [unclosed\n",
            ["scale.yaml:2: expected ',' or ']', but got '<stream end>'; write plain YAML."],
        ),
    ],
)
def test_a_bad_scale_is_refused_with_every_error_at_its_line(text, errors):
    assert refused(text) == errors


def test_a_tag_that_would_run_code_is_never_constructed():
    text = STEPS.replace("label: Doing", "label: !!python/object/apply:os.system ['false']")
    assert refused(text + OUTCOMES) == ["scale.yaml:6: a label is one line of text"]
    text = STEPS.replace("label: Doing", "label: !!python/name:os.system")
    # A tagged scalar is read as the words it holds: here none.
    assert refused(text + OUTCOMES) == ["scale.yaml:6: the label is empty"]


def test_aliases_cannot_multiply_the_work():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    errors = refused(bomb)
    assert "scale.yaml:1: 'a' is not read here" in errors[0]


def test_a_scale_file_beyond_its_size_is_not_read():
    assert refused("#" * (64 * 1024 + 1)) == [
        "scale.yaml:1: larger than 65,536 bytes; is it a scale file?"
    ]


def test_an_import_takes_one_scale_file():
    text = (STEPS + OUTCOMES).encode()
    with pytest.raises(LadderFormatError) as error:
        read_framework([("scale.yaml", text), ("ladder/scale.yaml", text)])
    assert (
        str(error.value) == "ladder/scale.yaml:1: a framework has one scale file; scale.yaml is one"
    )


@pytest.mark.parametrize("text", ["[" * 30_000, "- " * 30_000])
def test_nesting_beyond_any_scale_is_refused_not_an_error(text):
    assert refused(text) == ["scale.yaml:1: nested far deeper than a scale is; write plain YAML."]

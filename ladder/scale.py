"""A framework's two scales: the answers a person gives per behaviour, and the outcomes.

The rating scale has 3 to 7 steps, valued 1, 2, 3… in order, and may offer a "no
evidence yet" answer beside them (valued 0: an answer, never a point on the scale). The
outcome scale is where a person stands at the end of a cycle, 2 to 7 outcomes valued
1, 2, 3…; the last is the promotion case. Both belong to a framework version and are
frozen with it, so a rating keeps the meaning it was given with.

A company writes its scales in a `scale.yaml` beside its pages (ladder.formats.scale_file);
a framework without one uses DEFAULT, Ladder's own five answers and four outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import yaml

MIN_STEPS, MAX_STEPS = 3, 7
MIN_OUTCOMES, MAX_OUTCOMES = 2, 7
NO_EVIDENCE = 0
FIRST_STEP = 1
LABEL_MAX_LENGTH = 40
MEANING_MAX_LENGTH = 300
# A chart has this many shades; a scale of fewer steps spreads its own over them.
SHADES = 7


@dataclass(frozen=True)
class Answer:
    """One step of a scale, or the "no evidence yet" answer, or one outcome.

    A step's meaning is written as the engineer says it ("I show this reliably"); the
    reviewer reads `reviewer_meaning` where one is written ("Shows this reliably").
    """

    value: int
    label: str
    meaning: str
    reviewer_meaning: str = ""

    @property
    def for_reviewer(self) -> str:
        return self.reviewer_meaning or self.meaning


@dataclass(frozen=True)
class Scale:
    steps: tuple[Answer, ...]
    no_evidence: Answer | None
    outcomes: tuple[Answer, ...]

    @cached_property
    def answers(self) -> tuple[Answer, ...]:
        """What a person may answer for a behaviour, in the order the page offers them."""
        return ((self.no_evidence,) if self.no_evidence else ()) + self.steps

    @cached_property
    def highest(self) -> int:
        return self.steps[-1].value

    @cached_property
    def charted(self) -> list[int]:
        """The scores a chart plots; "no evidence yet" is an answer but not a position."""
        return [step.value for step in self.steps]

    @cached_property
    def labels(self) -> dict[int, str]:
        return {answer.value: answer.label for answer in self.answers}

    @cached_property
    def outcome_labels(self) -> dict[int, str]:
        return {outcome.value: outcome.label for outcome in self.outcomes}

    @cached_property
    def choices(self) -> list[tuple[int, str]]:
        return [(answer.value, answer.label) for answer in self.answers]

    @cached_property
    def outcome_choices(self) -> list[tuple[int, str]]:
        return [(outcome.value, outcome.label) for outcome in self.outcomes]

    @property
    def promotion(self) -> int:
        """The outcome that makes a promotion case: the last."""
        return self.outcomes[-1].value

    def label(self, value: int | None, missing: str = "") -> str:
        return missing if value is None else self.labels.get(value, f"Score {value}")

    def outcome_label(self, value: int | None, missing: str = "") -> str:
        return missing if value is None else self.outcome_labels.get(value, f"Outcome {value}")

    def shade(self, value: int) -> int:
        """The chart shade of a step, 1 (lightest) to SHADES, the same for the top of any scale."""
        if self.highest == FIRST_STEP:
            return SHADES
        return FIRST_STEP + int((value - FIRST_STEP) * (SHADES - 1) / (self.highest - 1) + 0.5)

    def to_data(self) -> dict:
        """As stored in Framework.scale_data and written to scale.yaml."""
        data: dict = {"steps": [_answer_data(step) for step in self.steps]}
        if self.no_evidence is not None:
            data["no_evidence"] = _answer_data(self.no_evidence)
            del data["no_evidence"]["value"]
        data["outcomes"] = [_answer_data(outcome) for outcome in self.outcomes]
        return data

    @classmethod
    def from_data(cls, data: dict) -> Scale:
        """From stored data, which was checked when it was written."""
        no_evidence = data.get("no_evidence")
        return cls(
            steps=tuple(_answer(s, s["value"]) for s in data["steps"]),
            no_evidence=_answer(no_evidence, NO_EVIDENCE) if no_evidence else None,
            outcomes=tuple(_answer(o, o["value"]) for o in data["outcomes"]),
        )

    def as_yaml(self) -> str:
        return yaml.safe_dump(self.to_data(), sort_keys=False, allow_unicode=True, width=1000)


def _answer_data(answer: Answer) -> dict:
    data = {"value": answer.value, "label": answer.label, "meaning": answer.meaning}
    if answer.reviewer_meaning:
        data["reviewer_meaning"] = answer.reviewer_meaning
    return data


def _answer(data: dict, value: int) -> Answer:
    return Answer(value, data["label"], data["meaning"], data.get("reviewer_meaning", ""))


DEFAULT = Scale(
    steps=(
        Answer(1, "Not yet", "I haven't shown this yet.", "Hasn't shown this yet."),
        Answer(
            2,
            "Sometimes",
            "I show this now and then, or with support.",
            "Shows this now and then, or with support.",
        ),
        Answer(
            3,
            "Consistently",
            "I show this reliably, as the level expects.",
            "Shows this reliably, as the level expects.",
        ),
        Answer(
            4,
            "Beyond this level",
            "I go past what this level expects.",
            "Goes past what this level expects.",
        ),
    ),
    no_evidence=Answer(
        NO_EVIDENCE,
        "No evidence yet",
        "Nothing to show for this yet, or it doesn't apply to my work.",
        "Nothing to show for this yet, or it doesn't apply to their work.",
    ),
    outcomes=(
        Answer(1, "Below level", "Does not yet show what this level expects in several areas."),
        Answer(2, "At level", "Shows what this level expects."),
        Answer(3, "Strong at level", "Shows this level's behaviours consistently, some beyond it."),
        Answer(4, "Ready for the next level", "Already works at the next level: a promotion case."),
    ),
)


def is_pair(score: int | None, other: int | None) -> bool:
    """Two scores of one behaviour both on the scale ("no evidence yet" on neither side):
    what every comparison of self and manager counts, the packet, the review page, the
    committee's page and the disagreement map alike."""
    return score is not None and other is not None and score >= FIRST_STEP and other >= FIRST_STEP


def default_scale_data() -> dict:
    return DEFAULT.to_data()


def problems(scale: Scale) -> list[str]:
    """What is wrong with a scale as a whole, in words for the person who wrote it."""
    found = []
    if not MIN_STEPS <= len(scale.steps) <= MAX_STEPS:
        found.append(
            f"A scale has {MIN_STEPS} to {MAX_STEPS} steps; this one has {len(scale.steps)}."
        )
    if not MIN_OUTCOMES <= len(scale.outcomes) <= MAX_OUTCOMES:
        found.append(
            f"There are {MIN_OUTCOMES} to {MAX_OUTCOMES} outcomes; this scale has "
            f"{len(scale.outcomes)}."
        )
    for kind, answers in (("answers", scale.answers), ("outcomes", scale.outcomes)):
        labels = [answer.label for answer in answers]
        for label in sorted({label for label in labels if labels.count(label) > 1}):
            found.append(f"Two {kind} are labelled “{label}”; give each its own label.")
        for answer in answers:
            if not answer.label or not answer.meaning:
                found.append(f"Every one of the {kind} needs a label and a meaning.")
                break
        for answer in answers:
            if len(answer.label) > LABEL_MAX_LENGTH:
                found.append(
                    f"“{answer.label[:20]}…”: a label is at most {LABEL_MAX_LENGTH} characters."
                )
            if len(answer.meaning) > MEANING_MAX_LENGTH:
                found.append(
                    f"The meaning of “{answer.label}” is over {MEANING_MAX_LENGTH} characters."
                )
    return found

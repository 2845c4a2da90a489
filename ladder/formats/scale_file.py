"""A framework's scales as a company writes them: `scale.yaml`, beside its pages.

Only plain YAML is read (mappings, lists, one-line strings and whole numbers): the
nodes are walked as composed, never constructed, so no tag runs code and an alias can
never multiply the work. Every problem is reported, each at its line.
"""

from __future__ import annotations

import yaml

from ladder.formats.document import LadderFormatError, Problem
from ladder.scale import (
    DEFAULT,
    LABEL_MAX_LENGTH,
    MAX_OUTCOMES,
    MAX_STEPS,
    MEANING_MAX_LENGTH,
    MIN_OUTCOMES,
    MIN_STEPS,
    NO_EVIDENCE,
    Answer,
    Scale,
)

MAX_BYTES = 64 * 1024


def is_scale_file(filename: str) -> bool:
    """A YAML file among a framework's files is its scale file (pages are never YAML)."""
    return filename.lower().endswith((".yaml", ".yml"))


def read(filename: str, text: str) -> Scale:
    """A company's scale file (ladder.formats.files.read_scale checks its size and
    encoding first), or LadderFormatError with every problem at its line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(error, "problem", None) or "not readable as YAML"
        raise LadderFormatError(filename, line, f"{problem}; write plain YAML.") from None
    except RecursionError:
        # Lists in lists thousands deep: PyYAML composes them by recursion.
        raise LadderFormatError(
            filename, 1, "nested far deeper than a scale is; write plain YAML."
        ) from None
    reader = _Reader(filename)
    scale = reader.read(root)
    if reader.errors:
        raise LadderFormatError.of(reader.errors)
    return scale


def render(scale: Scale) -> str:
    """The scale as a scale file reads it back."""
    return "# The rating scale and the outcomes (Ladder).\n" + scale.as_yaml()


class _Reader:
    def __init__(self, filename: str):
        self.filename = filename
        self.errors: list[Problem] = []

    def error(self, node, message: str) -> None:
        self.errors.append(Problem(self.filename, node.start_mark.line + 1, message))

    def read(self, root) -> Scale:
        if root is None:
            self.errors.append(Problem(self.filename, 1, "empty; write the steps and outcomes"))
            return DEFAULT
        if not isinstance(root, yaml.MappingNode):
            self.error(root, "expected 'steps', 'no_evidence' and 'outcomes'")
            return DEFAULT
        fields = self.mapping(root, required=("steps", "outcomes"), optional=("no_evidence",))
        steps = self.answers(fields.get("steps"), "step", MIN_STEPS, MAX_STEPS, "a scale")
        outcomes = self.answers(
            fields.get("outcomes"), "outcome", MIN_OUTCOMES, MAX_OUTCOMES, "an outcome scale"
        )
        no_evidence = None
        if "no_evidence" in fields:
            _, node = fields["no_evidence"]
            if isinstance(node, yaml.MappingNode):
                given = self.mapping(
                    node, required=("label", "meaning"), optional=("reviewer_meaning",)
                )
                label = self.text(given.get("label"), LABEL_MAX_LENGTH, "label")
                meaning = self.text(given.get("meaning"), MEANING_MAX_LENGTH, "meaning")
                reviewer = self.text(
                    given.get("reviewer_meaning"), MEANING_MAX_LENGTH, "reviewer's meaning"
                )
                no_evidence = Answer(NO_EVIDENCE, label, meaning, reviewer)
                if label and label in {step.label for step in steps}:
                    self.error(given["label"][1], f"{label!r} is already a step's label")
            else:
                self.error(node, "'no_evidence' takes a 'label' and a 'meaning'")
        return Scale(tuple(steps), no_evidence, tuple(outcomes))

    def mapping(self, node, *, required=(), optional=()) -> dict:
        """The mapping's keys, each to its (key node, value node)."""
        fields: dict = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key not in required and key not in optional:
                expected = ", ".join(repr(k) for k in (*required, *optional))
                self.error(key_node, f"{key!r} is not read here; expected {expected}")
            elif key in fields:
                self.error(key_node, f"{key!r} is given twice")
            else:
                fields[key] = (key_node, value_node)
        for key in required:
            if key not in fields:
                self.error(node, f"{key!r} is missing")
        return fields

    def answers(self, field, what: str, least: int, most: int, whole: str) -> list:
        if field is None:
            return []
        key, node = field
        if not isinstance(node, yaml.SequenceNode):
            self.error(key, f"'{key.value}' is a list of items with a value, a label and a meaning")
            return []
        if not least <= len(node.value) <= most:
            count = len(node.value)
            self.error(key, f"{whole} has {least} to {most} {what}s; this one has {count}")
            return []
        found: list[Answer] = []
        labels: set[str] = set()
        for place, item in enumerate(node.value, start=1):
            if not isinstance(item, yaml.MappingNode):
                self.error(item, f"each {what} has a value, a label and a meaning")
                continue
            # Steps may say what they mean in the reviewer's words too; outcomes are said
            # of the person already.
            optional = ("reviewer_meaning",) if what == "step" else ()
            given = self.mapping(item, required=("value", "label", "meaning"), optional=optional)
            value = self.number(given.get("value"))
            if value is not None and value != place:
                self.error(
                    given["value"][1],
                    f"the {what}s are valued 1, 2, 3… in order; this one should be {place}",
                )
            label = self.text(given.get("label"), LABEL_MAX_LENGTH, "label")
            meaning = self.text(given.get("meaning"), MEANING_MAX_LENGTH, "meaning")
            if label and label in labels:
                self.error(given["label"][1], f"two {what}s are labelled {label!r}")
            labels.add(label)
            reviewer = self.text(
                given.get("reviewer_meaning"), MEANING_MAX_LENGTH, "reviewer's meaning"
            )
            found.append(Answer(place, label, meaning, reviewer))
        return found

    def number(self, field) -> int | None:
        if field is None:
            return None
        _, node = field
        if isinstance(node, yaml.ScalarNode) and node.value.isdigit() and len(node.value) < 4:
            return int(node.value)
        self.error(node, "a value is a whole number")
        return None

    def text(self, field, limit: int, what: str) -> str:
        if field is None:
            return ""
        _, node = field
        # A bare number or yes/no is read as the words it is: YAML's types are not applied.
        if not isinstance(node, yaml.ScalarNode):
            self.error(node, f"a {what} is one line of text")
            return ""
        value = " ".join(node.value.split())
        if not value:
            self.error(node, f"the {what} is empty")
        elif len(value) > limit:
            self.error(node, f"a {what} is at most {limit} characters; this one has {len(value)}")
        return value

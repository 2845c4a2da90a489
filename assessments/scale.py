"""The rating scale, in one place: labels, help text, and what counts for charts."""

from django.db import models


class Score(models.IntegerChoices):
    """How often a behaviour shows in someone's work. NO_EVIDENCE counts as an answer."""

    NO_EVIDENCE = 0, "No evidence yet"
    NOT_YET = 1, "Not yet"
    SOMETIMES = 2, "Sometimes"
    CONSISTENTLY = 3, "Consistently"
    BEYOND = 4, "Beyond this level"


HELP = {
    Score.NO_EVIDENCE: "Nothing to show for this yet, or it doesn't apply to my work.",
    Score.NOT_YET: "I haven't shown this yet.",
    Score.SOMETIMES: "I show this now and then, or with support.",
    Score.CONSISTENTLY: "I show this reliably, as the level expects.",
    Score.BEYOND: "I go past what this level expects.",
}

# The scores a chart plots; "no evidence yet" is an answer but not a position.
CHARTED = [Score.NOT_YET, Score.SOMETIMES, Score.CONSISTENTLY, Score.BEYOND]
HIGHEST = max(CHARTED)


class Outcome(models.IntegerChoices):
    """Where a person stands at the end of a cycle: the manager proposes, the committee decides."""

    BELOW = 1, "Below level"
    AT = 2, "At level"
    STRONG = 3, "Strong at level"
    READY = 4, "Ready for the next level"


OUTCOME_HELP = {
    Outcome.BELOW: "Does not yet show what this level expects in several areas.",
    Outcome.AT: "Shows what this level expects.",
    Outcome.STRONG: "Shows this level's behaviours consistently, some beyond it.",
    Outcome.READY: "Already works at the next level: a promotion case.",
}

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

"""The default scale's values by name (ladder.scale.DEFAULT), for tests whose framework uses it."""

from enum import IntEnum


class Score(IntEnum):
    NO_EVIDENCE = 0
    NOT_YET = 1
    SOMETIMES = 2
    CONSISTENTLY = 3
    BEYOND = 4


class Outcome(IntEnum):
    BELOW = 1
    AT = 2
    STRONG = 3
    READY = 4

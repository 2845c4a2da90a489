"""The ladder app's models, one module per kind of row; every name is importable from here.

Django imports this package to find the app's models, and the rest of the project
imports them as `from ladder.models import Level, User`.
"""

from ladder.models.content import (
    Area,
    Behaviour,
    DataEpoch,
    FrameworkContent,
    FrameworkContentQuerySet,
    ImportBatch,
    ImportBatchQuerySet,
    Level,
    LevelQuerySet,
    Responsibility,
    User,
    WorkerHeartbeat,
    frameworks_of,
    level_rank,
    one_line,
    rubric_prefetches,
)
from ladder.models.framework import (
    Framework,
    FrameworkQuerySet,
    PublishedFrameworkError,
    Track,
    lock_frameworks,
)

__all__ = [
    "Area",
    "Behaviour",
    "DataEpoch",
    "Framework",
    "FrameworkContent",
    "FrameworkContentQuerySet",
    "FrameworkQuerySet",
    "ImportBatch",
    "ImportBatchQuerySet",
    "Level",
    "LevelQuerySet",
    "PublishedFrameworkError",
    "Responsibility",
    "Track",
    "User",
    "WorkerHeartbeat",
    "frameworks_of",
    "level_rank",
    "lock_frameworks",
    "one_line",
    "rubric_prefetches",
]

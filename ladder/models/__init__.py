"""The ladder app's models, one module per kind of row; every name is importable from here.

framework.py holds framework versions and tracks (and the lock that keeps a published
version frozen), content.py what a version holds (levels, area groups, areas,
responsibilities, behaviours), people.py the people model, imports.py uploaded ladder
files waiting for confirmation, upkeep.py the site's house-keeping rows (workers' heartbeats, the
database's epoch). Django imports this package to find the models, and the rest of
the project imports them from here: `from ladder.models import Level, User`.
"""

from ladder.models.content import (
    Area,
    AreaGroup,
    Behaviour,
    FrameworkContent,
    FrameworkContentQuerySet,
    Level,
    LevelQuerySet,
    Responsibility,
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
from ladder.models.imports import ImportBatch, ImportBatchQuerySet
from ladder.models.people import PasswordLinkRequest, User, UserSession, end_sessions
from ladder.models.upkeep import DataEpoch, WorkerHeartbeat

__all__ = [
    "Area",
    "AreaGroup",
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
    "PasswordLinkRequest",
    "PublishedFrameworkError",
    "Responsibility",
    "Track",
    "User",
    "UserSession",
    "WorkerHeartbeat",
    "end_sessions",
    "frameworks_of",
    "level_rank",
    "lock_frameworks",
    "one_line",
    "rubric_prefetches",
]

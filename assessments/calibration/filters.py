"""Who and what the committee's pages count: the scope a reader may see, and the filters
from the address (level, track, manager, page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Q

from assessments.models import Assessment, Cycle
from assessments.permissions import (
    counted,
    whole_number,
)
from ladder.models import Level

if TYPE_CHECKING:
    from django.http import QueryDict

    from ladder.models import User

# Filter values longer than this are nobody's level, track or id; cut before echoing.
ECHO_MAX = 40


def person_name(first: str, last: str, username: str) -> str:
    """A name as User.__str__ writes it, from values read in an aggregate's row."""
    return f"{first} {last}".strip() or username


# ---- filters ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


@dataclass
class Scope:
    """The cycle's levels and the people who reviewed in it: what filters may name."""

    levels: dict[int, Level]  # the cycle's framework version, with tracks
    managers: dict[int, str]  # reviewers of the assessments the reader may count

    @classmethod
    def of(cls, user: User, cycle: Cycle) -> Scope:
        levels = Level.objects.filter(framework_id=cycle.framework_id).select_related("track")
        reviewers = (
            Assessment.objects.filter(counted(user, cycle), reviewer__isnull=False)
            .order_by()
            .values_list(
                "reviewer_id", "reviewer__first_name", "reviewer__last_name", "reviewer__username"
            )
            .distinct()
        )
        return cls(
            levels={level.pk: level for level in levels},
            managers={pk: person_name(*names) for pk, *names in reviewers},
        )

    def level_choices(self) -> list[Choice]:
        codes = sorted({(lv.rank, lv.code) for lv in self.levels.values()})
        return [Choice(code, code) for _rank, code in codes]

    def track_choices(self) -> list[Choice]:
        tracks = sorted({(lv.track.name, lv.track.slug) for lv in self.levels.values()})
        return [Choice(slug, name) for name, slug in tracks]

    def manager_choices(self) -> list[Choice]:
        return [
            Choice(str(pk), name)
            for pk, name in sorted(self.managers.items(), key=lambda item: item[1].casefold())
        ]


@dataclass
class Filters:
    level: str = ""  # a level code, such as IC5, across tracks
    track: str = ""  # a track's slug
    manager: int | None = None  # a reviewer's id
    page: int = 1
    errors: list[str] = field(default_factory=list)

    @classmethod
    def read(cls, params: QueryDict, scope: Scope) -> Filters:
        """The filters asked for; an unknown value is dropped with a message saying so."""
        filters = cls()
        level = params.get("level", "").strip().upper()
        if level and level in {lv.code for lv in scope.levels.values()}:
            filters.level = level
        elif level:
            filters.errors.append(
                f"This cycle has no level “{level[:ECHO_MAX]}”, so every level is shown."
            )
        track = params.get("track", "").strip()
        if track and track in {lv.track.slug for lv in scope.levels.values()}:
            filters.track = track
        elif track:
            filters.errors.append(
                f"This cycle has no track “{track[:ECHO_MAX]}”, so every track is shown."
            )
        manager = params.get("manager", "").strip()
        if whole_number(manager) in scope.managers:
            filters.manager = whole_number(manager)
        elif manager:
            filters.errors.append(
                "Nobody by that id reviewed an assessment in this cycle, so every manager is shown."
            )
        page = params.get("page", "")
        filters.page = whole_number(page) or 1
        return filters

    @property
    def active(self) -> bool:
        return bool(self.level or self.track or self.manager)

    def query(self, **changes) -> str:
        """The query string of these filters with `changes`, for links that keep them."""
        values = {"level": self.level, "track": self.track, "manager": self.manager or ""}
        values.update(changes)
        return urlencode({key: value for key, value in values.items() if value})

    def where(self, base: Q, scope: Scope, prefix: str = "", *, by_manager: bool = True) -> Q:
        """`base` narrowed to these filters; `prefix` as in permissions.counted."""
        level_ids = None
        if self.level:
            level_ids = {pk for pk, lv in scope.levels.items() if lv.code == self.level}
        if self.track:
            on_track = {pk for pk, lv in scope.levels.items() if lv.track.slug == self.track}
            level_ids = on_track if level_ids is None else level_ids & on_track
        where = base
        if level_ids is not None:
            where &= Q(**{f"{prefix}level_id__in": sorted(level_ids)})
        if by_manager and self.manager:
            where &= Q(**{f"{prefix}reviewer_id": self.manager})
        return where

"""The committee's page as one piece of data, in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from assessments import workflow
from assessments.calibration import figures
from assessments.calibration.figures import (
    AreaDistribution,
    Gap,
    Managers,
    Outcomes,
    Person,
    areas_of,
    gaps_of,
    managers_of,
    outcomes_of,
    people_of,
)
from assessments.calibration.filters import Filters, Scope
from assessments.models import Cycle
from assessments.permissions import (
    can_close_calibration,
    counted,
)

if TYPE_CHECKING:
    from django.http import QueryDict

    from ladder.models import User
    from ladder.scale import Scale


@dataclass
class CommitteePage:
    cycle: Cycle
    scope: Scope
    filters: Filters
    outcomes: Outcomes
    areas: AreaDistribution
    managers: Managers
    gaps: list[Gap]
    people: list[Person]
    page: int
    pages: int
    can_close: bool
    everyone: Outcomes  # the whole cycle as the reader may count it, for closing
    unfinished: list  # who has no outcome on the way, the first UNFINISHED_NAMED by name
    unfinished_count: int  # and how many they are in all

    @property
    def scale(self) -> Scale:
        return self.cycle.framework.scale

    @property
    def first(self) -> int:
        return (self.page - 1) * figures.PAGE_SIZE + 1 if self.people else 0

    @property
    def last(self) -> int:
        return (self.page - 1) * figures.PAGE_SIZE + len(self.people)


# Before closing, the page names this many of the unfinished and counts the rest: a whole
# company can be unfinished while self-assessments are still being written, and
# building everyone's row was half of the page's time.
UNFINISHED_NAMED = 20


def committee_page(user: User, cycle: Cycle, params: QueryDict) -> CommitteePage:
    """Everything the committee's page shows, in a fixed number of queries."""
    scope = Scope.of(user, cycle)
    filters = Filters.read(params, scope)
    base = counted(user, cycle)
    population = filters.where(base, scope)
    scale = cycle.framework.scale
    can_close = can_close_calibration(user, cycle)
    outcomes = outcomes_of(population, scale)
    people, page, pages = people_of(
        user, cycle, population, scope, page=filters.page, total=outcomes.total
    )
    ratings = filters.where(counted(user, cycle, "assessment__"), scope, "assessment__")
    # Managers are compared with everyone at the chosen level and track, so the
    # manager filter marks one of them instead of leaving them alone in the comparison.
    all_managers = filters.where(
        counted(user, cycle, "assessment__"), scope, "assessment__", by_manager=False
    )
    return CommitteePage(
        cycle=cycle,
        scope=scope,
        filters=filters,
        outcomes=outcomes,
        areas=areas_of(ratings, scale),
        managers=managers_of(all_managers, scope.managers, filters.manager),
        gaps=gaps_of(population, scope.managers),
        people=people,
        page=page,
        pages=pages,
        can_close=can_close,
        everyone=outcomes_of(base, scale) if filters.active else outcomes,
        unfinished=(
            workflow.unfinished(cycle, reader=user, named=UNFINISHED_NAMED) if can_close else []
        ),
        unfinished_count=workflow.unfinished_count(cycle, reader=user) if can_close else 0,
    )

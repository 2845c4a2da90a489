"""The cycle's results as rows for a CSV: the committee's copy and whoever runs cycles'."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from django.db.models import Avg, Q
from django.utils import timezone

from assessments.models import Assessment, Cycle, Rating
from assessments.permissions import (
    calibrates,
    counted,
    others,
    shows_results,
)
from ladder.areas import merged_order
from ladder.formats.document import FLAT_LIST_LABEL
from ladder.models import Area, Level
from ladder.scale import FIRST_STEP
from ladder.spreadsheets import guarded

if TYPE_CHECKING:
    from ladder.models import User


def _day(moment) -> str:
    return f"{timezone.localtime(moment):%Y-%m-%d}" if moment else ""


def _average(value: float | None) -> str:
    return f"{value:.2f}" if value is not None else ""


def results_table(user: User, cycle: Cycle) -> Iterator[list[str]]:
    """The cycle's results, a header then one row per assessment, no cell a formula.

    Every assessment of the cycle has a row, so whoever runs it sees who is where.
    The committee also gets the review figures and outcomes once reviewed
    (permissions.shows_results): proposed outcome, its own reason, average scores per
    area. Whoever runs cycles without a seat on the committee reads no scores: they
    get each person's progress, and the calibrated outcome once it is shared with the
    engineer (what they act on). The reader's own row is left out, as on the
    committee's page.
    """
    if not calibrates(user, cycle):
        yield from _progress_table(user, cycle)
        return
    levels = _levels(cycle)
    assessments = _assessments(user, cycle)
    averages: dict[tuple[int, str], tuple[float | None, float | None]] = {
        (pk, key): (own, manager)
        for pk, key, own, manager in Rating.objects.filter(counted(user, cycle, "assessment__"))
        .order_by()
        .values_list("assessment_id", "behaviour__area__key")
        .annotate(
            own=Avg("score", filter=Q(score__gte=FIRST_STEP)),
            manager=Avg("manager_score", filter=Q(manager_score__gte=FIRST_STEP)),
        )
    }
    header = [
        *PROGRESS_COLUMNS,
        "Reviewed",
        "Proposed outcome",
        "Calibrated outcome",
        "Calibration reason",
    ]
    areas = _areas(cycle)
    for name in areas.values():
        header += [f"{name} self", f"{name} manager"]
    yield [guarded(cell) for cell in header]
    outcome_label = cycle.framework.scale.outcome_label
    for a in assessments:
        results = shows_results(a.status)
        row = [
            *_progress(a, levels.get(a.level_id)),
            _day(a.reviewed_at) if results else "",
            outcome_label(a.proposed_outcome) if results else "",
            outcome_label(a.calibrated_outcome) if results else "",
            a.calibration_reason if results else "",
        ]
        for key in areas:
            own, manager = averages.get((a.pk, key), (None, None))
            row += [_average(own), _average(manager)]
        yield [guarded(cell) for cell in row]


PROGRESS_COLUMNS = ["Engineer", "Username", "Level", "Track", "Reviewer", "Status", "Submitted"]


def _progress_table(user: User, cycle: Cycle) -> Iterator[list[str]]:
    """Who is where, for whoever runs the cycle: no score, no reason, outcomes once shared."""
    levels = _levels(cycle)
    outcome_label = cycle.framework.scale.outcome_label
    yield [guarded(cell) for cell in [*PROGRESS_COLUMNS, "Shared outcome"]]
    for a in _assessments(user, cycle):
        shared = a.results_shared and a.calibrated_outcome is not None
        outcome = outcome_label(a.calibrated_outcome) if shared else ""
        yield [guarded(cell) for cell in [*_progress(a, levels.get(a.level_id)), outcome]]


def _areas(cycle: Cycle) -> dict[str, str]:
    """The areas of the cycle's framework by key, a column pair each: the levels' areas
    merged in reading order (ladder.areas.merged_order), named as where first met."""
    names: dict[str, str] = {}
    levels: dict[int, list[str]] = {}
    for level_id, key, name in (
        Area.objects.filter(level__framework_id=cycle.framework_id)
        .order_by("level__track__name", "level__rank", "level__code", "order", "pk")
        .values_list("level_id", "key", "name")
    ):
        names.setdefault(key, name or FLAT_LIST_LABEL)
        levels.setdefault(level_id, []).append(key)
    return {key: names[key] for key in merged_order(levels.values())}


def _levels(cycle: Cycle) -> dict[int, Level]:
    levels = Level.objects.filter(framework_id=cycle.framework_id).select_related("track")
    return {level.pk: level for level in levels}


def _assessments(user: User, cycle: Cycle):
    return (
        Assessment.objects.filter(others(user, cycle))
        .select_related("engineer", "reviewer")
        .defer("summary", "summary_html", "return_note", "calibration_reason_html")
        .order_by("engineer__last_name", "engineer__first_name", "engineer__username", "pk")
    )


def _progress(a: Assessment, level: Level | None) -> list[str]:
    return [
        str(a.engineer),
        a.engineer.username,
        level.code if level else "",
        level.track.name if level else "",
        str(a.reviewer) if a.reviewer else "",
        a.get_status_display(),
        _day(a.submitted_at),
    ]

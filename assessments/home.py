"""The home page's data: what is due for the signed-in person, and for their reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils import timezone

from assessments.models import Assessment, Cycle
from ladder.models import User


@dataclass
class Deadline:
    label: str
    day: date
    today: date

    @property
    def days_left(self) -> int:
        return (self.day - self.today).days

    @property
    def days_ago(self) -> int:
        return -self.days_left

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def soon(self) -> bool:
        return 0 <= self.days_left <= 7


@dataclass
class CycleCard:
    cycle: Cycle
    deadlines: list[Deadline]
    mine: Assessment | None  # with answered/total annotated
    can_start: bool
    reports: list[tuple[User, Assessment | None]]


def _with_progress(assessments):
    return assessments.select_related("level").annotate(
        total=Count("ratings"), answered=Count("ratings", filter=Q(ratings__score__isnull=False))
    )


def home_context(user: User) -> dict:
    """Open cycles with the person's own assessment and their reports': four queries."""
    today = timezone.localdate()
    cycles = list(Cycle.objects.open().select_related("framework"))
    mine = {
        a.cycle_id: a
        for a in _with_progress(Assessment.objects.filter(engineer=user, cycle__in=cycles))
    }
    reports = list(
        user.reports.filter(is_active=True)
        .select_related("track")
        .order_by("first_name", "username")
    )
    theirs = (
        {
            (a.cycle_id, a.engineer_id): a
            for a in _with_progress(
                Assessment.objects.filter(engineer__in=reports, cycle__in=cycles)
            )
        }
        if reports
        else {}
    )
    cards = [
        CycleCard(
            cycle=cycle,
            deadlines=[
                Deadline("Self-assessment", cycle.self_assessment_due, today),
                Deadline("Manager review", cycle.manager_review_due, today),
                Deadline("Calibration", cycle.calibration_due, today),
            ],
            mine=mine.get(cycle.pk),
            can_start=bool(user.level_code and user.track_id),
            reports=[(person, theirs.get((cycle.pk, person.pk))) for person in reports],
        )
        for cycle in cycles
    ]
    return {"cards": cards, "today": today}

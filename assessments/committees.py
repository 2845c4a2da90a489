"""Calibration committees as the org chart draws them, and their membership.

A committee is a group of people that a cycle names as its calibrators. Groups that
carry admin permissions are roles, not committees, and stay in the admin. A company
that runs a cycle per department (or per level) makes a committee for each in one
step: the managers of that department, or the managers of the people at that level.
Every change of membership goes through assessments.roles, on the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Count, Q, QuerySet

from ladder.models import User

PREFIX = "Calibration · "
NAME_MAX = Group._meta.get_field("name").max_length


def committees() -> QuerySet[Group]:
    """Groups without admin permissions, with their members and cycles counted."""
    return (
        Group.objects.filter(permissions__isnull=True)
        .annotate(
            member_count=Count("user", distinct=True),
            cycle_count=Count("calibrated_cycles", distinct=True),
        )
        .order_by("name")
    )


def is_committee(group: Group) -> bool:
    return not group.permissions.exists()


@dataclass
class Drawn:
    """What one step would create: a committee per department or per level."""

    new: list[tuple[str, list[int]]] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    without_managers: list[str] = field(default_factory=list)


def _managers() -> QuerySet[User]:
    return User.objects.filter(is_active=True, reports__is_active=True).distinct()


def draw(per: str) -> Drawn:
    """Committees the org chart gives, per "department" or per "level"."""
    members: dict[str, set[int]] = {}
    if per == "department":
        departments = (
            User.objects.filter(is_active=True)
            .exclude(department="")
            .values_list("department", flat=True)
            .distinct()
        )
        for name in departments:
            members[name] = set()
        for pk, department in _managers().exclude(department="").values_list("pk", "department"):
            members[department].add(pk)
    else:
        levels = (
            User.objects.filter(is_active=True)
            .exclude(level_code="")
            .values_list("level_code", "manager_id")
        )
        active_managers = set(_managers().values_list("pk", flat=True))
        for code, manager_id in levels:
            members.setdefault(code, set())
            if manager_id in active_managers:
                members[code].add(manager_id)
    taken = set(Group.objects.filter(name__startswith=PREFIX).values_list("name", flat=True))
    drawn = Drawn()
    for key in sorted(members):
        name = f"{PREFIX}{key}"[:NAME_MAX]
        if name in taken:
            drawn.existing.append(name)
        elif not members[key]:
            drawn.without_managers.append(key)
        else:
            drawn.new.append((name, sorted(members[key])))
    return drawn


def create_drawn(per: str) -> Drawn:
    """Create the committees `draw` gives; none is yet a cycle's, so nobody reads anything."""
    with transaction.atomic():
        drawn = draw(per)
        for name, ids in drawn.new:
            group = Group.objects.create(name=name)
            group.user_set.add(*ids)
    return drawn


def find_person(text: str) -> User | None:
    """An active person by e-mail or username, as typed into the committee's page."""
    text = text.strip()
    if not text or len(text) > 254:
        return None
    return (
        User.objects.filter(is_active=True)
        .filter(Q(email__iexact=text) | Q(username__iexact=text))
        .order_by("pk")
        .first()
    )

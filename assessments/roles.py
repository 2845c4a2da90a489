"""Changes that hand out the right to read reviews: a person's manager, a committee's members.

The admin (and, later, the org chart's imports) call here. Each change is refused
when it would give its maker that right (permissions.manager_refusal and friends),
and otherwise written with its record and its e-mails in one transaction:
- a new manager is recorded on each of the person's assessments not yet submitted
  (the manager then becomes its reviewer), and a new manager's manager on their
  reports' (who then read it as skip-level); the person and their reports are told,
  whether or not they have started an assessment;
- someone joining or leaving a committee is recorded on the cycle, shown on the
  committee's page, and the committee and the person are told.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from assessments.models import Assessment, CommitteeChange, Cycle, Event
from assessments.permissions import (
    committee_refusal,
    manager_refusal,
    partner_refusal,
    seat_refusal,
)
from assessments.tasks import tell_committee, tell_person
from ladder.models import User

JOINED, LEFT = CommitteeChange.Kind.JOINED, CommitteeChange.Kind.LEFT


def _refuse(reason: str | None) -> None:
    if reason:
        raise ValidationError(reason, code="grants_self")


def _not_yet_submitted(engineer_ids: Iterable[int]):
    """Assessments whose reviewer is still to be fixed, in cycles not yet final."""
    return Assessment.objects.filter(
        engineer_id__in=list(engineer_ids),
        reviewer__isnull=True,
        cycle__calibration_closed_at__isnull=True,
    )


def check_manager(person: User, *, by: User, to: User | None) -> None:
    """Refuse a new manager for `person` that would hand its maker their reviews."""
    _refuse(manager_refusal(by, person, to))


def set_manager(person: User, *, by: User, to: User | None) -> None:
    """Give `person` a new manager (or none), recorded where their reviewers will read it."""
    with transaction.atomic():
        old_id = (
            User.objects.select_for_update().values_list("manager_id", flat=True).get(pk=person.pk)
        )
        new_id = to.pk if to is not None else None
        if old_id == new_id:
            return
        check_manager(person, by=by, to=to)
        User.objects.filter(pk=person.pk).update(manager_id=new_id)
        person.manager_id = new_id
        old = User.objects.filter(pk=old_id).first() if old_id else None
        own = list(_not_yet_submitted([person.pk]).values_list("pk", flat=True))
        their_reports = list(User.objects.filter(manager=person).values_list("pk", flat=True))
        reports = list(_not_yet_submitted(their_reports).values_list("pk", flat=True))
        Event.objects.bulk_create(
            [
                *(_event(pk, by, Event.Kind.MANAGER_CHANGED, old, to) for pk in own),
                *(_event(pk, by, Event.Kind.SKIP_MANAGER_CHANGED, old, to) for pk in reports),
            ]
        )
        tell_person.enqueue("manager_changed", person.pk, old_id, new_id, by.pk)
        for report_id in their_reports:
            tell_person.enqueue("skip_manager_changed", report_id, person.pk, old_id, new_id, by.pk)


def _event(assessment_id: int, by: User, kind: str, old: User | None, new: User | None):
    return Event(
        assessment_id=assessment_id,
        actor=by,
        kind=kind,
        old=str(old) if old else "nobody",
        new=str(new) if new else "nobody",
    )


def check_groups(person: User, *, by: User, groups: Iterable[Group]) -> None:
    """Refuse a change of `person`'s groups that would seat its maker on a committee."""
    current = set(person.groups.values_list("pk", flat=True)) if person.pk else set()
    added = {group.pk for group in groups} - current
    _refuse(seat_refusal(by, person, added))


def set_groups(person: User, *, by: User, groups: Iterable[Group]) -> None:
    """Put `person` in exactly these groups; seats on committees recorded and told."""
    groups = list(groups)
    with transaction.atomic():
        before = set(person.groups.values_list("pk", flat=True))
        after = {group.pk for group in groups}
        _hold(after ^ before)
        check_groups(person, by=by, groups=groups)
        person.groups.set(groups)
        changes = [
            CommitteeChange(cycle=cycle, member=person, actor=by, kind=kind)
            for kind, group_ids in (
                (JOINED, after - before),
                (LEFT, before - after),
            )
            for cycle in Cycle.objects.filter(calibrators_id__in=group_ids)
        ]
        _record(changes)


def _lock(person: User) -> None:
    """Hold the person's row: two changes of their groups at once are made one after
    the other, each reading what the other left."""
    list(User.objects.select_for_update().filter(pk=person.pk))


def join(group: Group, person: User, *, by: User) -> None:
    """Seat `person` in the group (a committee's page adds members here)."""
    with transaction.atomic():
        _lock(person)
        current = list(person.groups.all())
        if group not in current:
            set_groups(person, by=by, groups=[*current, group])


def leave(group: Group, person: User, *, by: User) -> None:
    """Take `person` out of the group; leaving a committee is recorded and told."""
    with transaction.atomic():
        _lock(person)
        current = list(person.groups.all())
        if group in current:
            set_groups(person, by=by, groups=[g for g in current if g.pk != group.pk])


def _hold(group_ids: set[int]) -> None:
    """Lock these groups' rows until the change commits.

    Adding someone to a group and making that group a committee both take the group's
    row first, so each checks what the other committed: an admin can't slip into a
    committee by doing both at once.
    """
    if group_ids:
        list(Group.objects.select_for_update().filter(pk__in=group_ids).order_by("pk"))


def check_committee(cycle: Cycle, *, by: User, group: Group | None) -> None:
    _refuse(committee_refusal(by, group.pk if group else None))


def set_committee(cycle: Cycle, *, by: User, group: Group | None) -> None:
    """Make `group` the cycle's committee; everyone who joins or leaves is recorded and told."""
    with transaction.atomic():
        old_id = (
            Cycle.objects.select_for_update()
            .values_list("calibrators_id", flat=True)
            .get(pk=cycle.pk)
        )
        new_id = group.pk if group else None
        if old_id == new_id:
            return
        _hold({new_id} - {None})
        check_committee(cycle, by=by, group=group)
        Cycle.objects.filter(pk=cycle.pk).update(calibrators_id=new_id)
        cycle.calibrators_id = new_id
        before = _members(old_id)
        after = _members(new_id)
        _record(
            [
                *(
                    CommitteeChange(cycle=cycle, member_id=pk, actor=by, kind=JOINED)
                    for pk in sorted(after - before)
                ),
                *(
                    CommitteeChange(cycle=cycle, member_id=pk, actor=by, kind=LEFT)
                    for pk in sorted(before - after)
                ),
            ]
        )


def _members(group_id: int | None) -> set[int]:
    if group_id is None:
        return set()
    return set(User.objects.filter(groups=group_id).values_list("pk", flat=True))


def _record(changes: list[CommitteeChange]) -> None:
    if not changes:
        return
    saved = CommitteeChange.objects.bulk_create(changes)
    for cycle_id in {change.cycle_id for change in saved}:
        tell_committee.enqueue(cycle_id, [c.pk for c in saved if c.cycle_id == cycle_id])


def committee_of(cycle: Cycle, *, recent: int = 20) -> tuple[list[User], list[CommitteeChange]]:
    """Who sits on the cycle's committee now, and its latest changes, for its page."""
    members = (
        list(User.objects.filter(groups=cycle.calibrators_id).order_by("first_name", "username"))
        if cycle.calibrators_id
        else []
    )
    changes = list(
        cycle.committee_changes.select_related("member", "actor").order_by("-at", "-pk")[:recent]
    )
    return members, changes


def check_partner(person: User, *, by: User) -> None:
    """Refuse making `by` an HR partner by their own hand: the role reads reviews."""
    _refuse(partner_refusal(by, person))


def password_set(person: User, *, by: User) -> None:
    """Someone else set this person's password in the admin: tell them."""
    if person.pk != by.pk:
        tell_person.enqueue("password_set", person.pk, by.pk)


def delete_groups(groups: Iterable[Group], *, by: User) -> None:
    """Delete groups; a committee's members are recorded as leaving it, and told."""
    groups = list(groups)
    with transaction.atomic():
        _hold({group.pk for group in groups})
        members = {group.pk: _members(group.pk) for group in groups}
        _record(
            [
                CommitteeChange(cycle=cycle, member_id=pk, actor=by, kind=LEFT)
                for cycle in Cycle.objects.filter(calibrators__in=groups)
                for pk in sorted(members[cycle.calibrators_id])
            ]
        )
        Group.objects.filter(pk__in=[group.pk for group in groups]).delete()

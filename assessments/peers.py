"""Peer input: colleagues nominated by the engineer, approved by their reviewer, answer
per area of the engineer's level; who may read what they wrote, and with whose name.

The rules in one place:
- the engineer nominates while the cycle is in its self-assessment phase, up to the
  cycle's number; their reviewer (the manager) approves, removes, or adds someone, until
  the review is finished; a nominee is asked only once approved;
- a colleague who was asked answers on their own page, or declines with a reason, until
  the review is finished; they read nothing of the engineer's assessment;
- the reviewer, their manager, the committee and HR partners (whoever reads the review)
  read the answers, with names only if the cycle says so; the engineer reads them once
  results are shared, without names in an anonymous cycle and only when at least
  ANONYMOUS_FEWEST colleagues answered (an area's figures, when that many scored it);
- admins have no right to any of it, and no page lists it for them.
Answers still being written are their writer's alone.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from assessments import sql
from assessments.models import (
    ANONYMOUS_FEWEST,
    Assessment,
    Cycle,
    PeerAnswer,
    PeerRequest,
    evidence_html,
)
from assessments.permissions import Action, allowed
from assessments.progress import Outline, outline_of
from assessments.tasks import notify
from ladder.models import User

Status = PeerRequest.Status
Kind = PeerRequest.Kind
# While the review is open, colleagues may answer and the reviewer may change the list.
BEFORE_REVIEW_FINISHED = ("draft", "submitted", "in_review")
# "Not seen" as the answer pages send it, beside the scale's steps.
NOT_SEEN = "not-seen"


# ---- who may do what


def approver_id(assessment: Assessment) -> int | None:
    """Who approves the engineer's nominations: the reviewer fixed at enrolment, or
    their manager if none was."""
    return assessment.reviewer_id or assessment.engineer.manager_id


def nominations_open(assessment: Assessment) -> bool:
    cycle = assessment.cycle
    return (
        cycle.asks_peers
        and cycle.status == Cycle.Status.OPEN
        and cycle.phase == Cycle.Phase.SELF_ASSESSMENT
        and assessment.status in ("draft", "submitted")
    )


def input_open(assessment: Assessment) -> bool:
    """Whether colleagues may still answer and the reviewer change who is asked."""
    cycle = assessment.cycle
    return (
        (cycle.asks_peers or cycle.upward_input)
        and cycle.status == Cycle.Status.OPEN
        and cycle.phase in (Cycle.Phase.SELF_ASSESSMENT, Cycle.Phase.MANAGER_REVIEW)
        and assessment.status in BEFORE_REVIEW_FINISHED
    )


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def may_nominate(user: User, assessment: Assessment) -> bool:
    return _active(user) and assessment.engineer_id == user.pk and nominations_open(assessment)


def may_decide(user: User, assessment: Assessment) -> bool:
    """Approve, remove and add: the reviewer, while input is open."""
    return (
        _active(user)
        and user.pk != assessment.engineer_id
        and approver_id(assessment) == user.pk
        and input_open(assessment)
    )


def may_see_list(user: User, assessment: Assessment) -> bool:
    """The list of who is asked (the peers page): the engineer and their approver."""
    cycle = assessment.cycle
    if not _active(user) or not (cycle.asks_peers or cycle.upward_input):
        return False
    return user.pk in (assessment.engineer_id, approver_id(assessment))


def may_answer(user: User, request: PeerRequest) -> bool:
    return (
        _active(user)
        and request.peer_id == user.pk
        and request.status == Status.ASKED
        and input_open(request.assessment)
    )


def sees_request(user: User, request: PeerRequest) -> bool:
    """The colleague's own page: theirs once asked, and still theirs to read after."""
    return (
        _active(user)
        and request.peer_id == user.pk
        and request.status in (Status.ASKED, Status.ANSWERED, Status.DECLINED)
    )


@dataclass(frozen=True)
class Reading:
    """How someone reads an assessment's peer input: with names or not, as the engineer."""

    names: bool
    engineer: bool


def reading(user: User, assessment: Assessment) -> Reading | None:
    """None if the person may not read the peer input at all."""
    if not allowed(user, assessment, Action.READ_REVIEW):
        return None
    cycle = assessment.cycle
    if assessment.engineer_id == user.pk:
        return Reading(names=not cycle.peers_anonymous, engineer=True)
    return Reading(names=cycle.peer_names_to_reviewers, engineer=False)


def list_link(user: User, assessment: Assessment) -> tuple[str, str] | None:
    """The link to who is asked, with how it stands, for the engineer and their approver."""
    if not may_see_list(user, assessment):
        return None
    from django.urls import reverse

    url = reverse("assessments:peers", args=[assessment.pk])
    cycle = assessment.cycle
    if not cycle.asks_peers:
        # Upward input only: nothing to say to someone without reports.
        reports = get_user_model().objects.filter(manager_id=assessment.engineer_id)
        if not reports.filter(is_active=True).exists():
            return None
        if assessment.engineer_id == user.pk:
            return url, "Upward input: your reports are asked by your reviewer"
        return url, "Upward input: ask their reports"
    counts = dict(
        assessment.peer_requests.filter(kind=Kind.PEER)
        .exclude(status=Status.REMOVED)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    waiting = counts.get(Status.NOMINATED, 0)
    wanted = cycle.peers_wanted
    if assessment.engineer_id == user.pk:
        # Declines counted too: a count that drops would say someone declined, and when.
        standing = sum(counts.values())
        if nominations_open(assessment):
            return url, f"Peer input: nominate {wanted} colleagues ({standing} so far)"
        return url, f"Peer input: {standing} colleague{'s' if standing != 1 else ''} nominated"
    if waiting:
        return url, f"Peer input: {waiting} nomination{'s' if waiting != 1 else ''} to approve"
    standing = sum(n for status, n in counts.items() if status in PeerRequest.STANDING)
    return url, f"Peer input: {standing} colleague{'s' if standing != 1 else ''} on the list"


# ---- the list: nominate, approve, add, remove, decline


def find_person(text: str) -> User | None:
    """A colleague by username or e-mail, as typed into the nomination box."""
    text = text.strip()
    if not text or len(text) > 254:
        return None
    model = get_user_model()
    return model.objects.filter(
        Q(username__iexact=text) | Q(email__iexact=text), is_active=True
    ).first()


def _lock(assessment: Assessment) -> Assessment:
    return (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("cycle", "engineer")
        .get(pk=assessment.pk)
    )


def add(assessment: Assessment, *, by: User, person: User) -> PeerRequest:
    """The engineer nominates `person`, or the reviewer adds them (asked at once)."""
    with transaction.atomic():
        current = _lock(assessment)
        engineer = current.engineer_id == by.pk
        if not (may_nominate(by, current) if engineer else may_decide(by, current)):
            raise ValidationError("Nominations for this assessment are closed.")
        _check_person(current, person)
        earlier = current.peer_requests.filter(peer=person).first()
        if earlier is not None and earlier.status == Status.DECLINED:
            raise ValidationError(f"{person} declined already; choose someone else.")
        if earlier is not None and earlier.status in PeerRequest.STANDING:
            raise ValidationError(f"{person} is already on the list.")
        listed = current.peer_requests.filter(kind=Kind.PEER)
        # The engineer's places don't come back when someone declines (that would say
        # who, and when); the reviewer, who reads declines, asks someone else instead.
        listed = (
            listed.exclude(status=Status.REMOVED)
            if engineer
            else listed.filter(status__in=PeerRequest.STANDING)
        )
        if listed.count() >= current.cycle.peers_max:
            raise ValidationError(
                f"This cycle asks for at most {current.cycle.peers_max} colleagues; "
                "remove one first."
            )
        status = Status.NOMINATED if engineer else Status.ASKED
        # The reviewer hears of nominations once, when the first is waiting for them.
        first_waiting = (
            engineer and not current.peer_requests.filter(status=Status.NOMINATED).exists()
        )
        # Someone removed earlier comes back on the same row (one per person), as a peer.
        request = earlier or PeerRequest(assessment=current, peer=person)
        request.status, request.kind, request.nominated_by = status, Kind.PEER, by
        request.decided_by = None if engineer else by
        try:
            with transaction.atomic():
                request.save()
        except IntegrityError:
            raise ValidationError(f"{person} is already on the list.") from None
        if status == Status.ASKED:
            _ask(request, current)
        elif first_waiting and approver_id(current):
            notify.enqueue("peers_nominated", current.pk)
    return request


def _check_person(assessment: Assessment, person: User) -> None:
    if person.pk == assessment.engineer_id:
        raise ValidationError("Choose a colleague: your own view is your self-assessment.")
    if person.pk == approver_id(assessment):
        raise ValidationError(
            f"{person} reviews this assessment and gives their own view in the review; "
            "choose a colleague."
        )
    if not person.is_active:
        raise ValidationError(f"{person} no longer has an account here.")


def reports_to_ask(assessment: Assessment) -> list[User]:
    """For upward input: the engineer's active reports not yet on the list."""
    if not assessment.cycle.upward_input:
        return []
    listed = assessment.peer_requests.values_list("peer_id", flat=True)
    return list(
        get_user_model()
        .objects.filter(manager_id=assessment.engineer_id, is_active=True)
        .exclude(pk__in=listed)
        .order_by("first_name", "last_name", "username")
    )


def ask_reports(assessment: Assessment, *, by: User) -> int:
    """The reviewer asks the engineer's reports for upward input, at once; returns how many.
    The engineer (their manager) doesn't choose which reports are asked."""
    with transaction.atomic():
        current = _lock(assessment)
        if not current.cycle.upward_input or not may_decide(by, current):
            raise ValidationError("Only the reviewer asks for upward input, until the review ends.")
        asked = 0
        for person in reports_to_ask(current):
            if person.pk == by.pk:
                continue
            request = PeerRequest.objects.create(
                assessment=current,
                peer=person,
                kind=Kind.UPWARD,
                status=Status.ASKED,
                nominated_by=by,
                decided_by=by,
            )
            _ask(request, current)
            asked += 1
    return asked


def approve(request: PeerRequest, *, by: User) -> PeerRequest:
    with transaction.atomic():
        current = _lock(request.assessment)
        if not may_decide(by, current):
            raise ValidationError("Only the reviewer approves nominations, until the review ends.")
        request = PeerRequest.objects.select_for_update().get(pk=request.pk)
        if request.status != Status.NOMINATED:
            raise ValidationError(f"{request.peer} was approved or removed already.")
        request.status, request.decided_by = Status.ASKED, by
        request.save(update_fields=["status", "decided_by"])
        _ask(request, current)
    return request


def approve_all(assessment: Assessment, *, by: User) -> int:
    waiting = list(assessment.peer_requests.filter(status=Status.NOMINATED).select_related("peer"))
    for request in waiting:
        approve(request, by=by)
    return len(waiting)


def _ask(request: PeerRequest, assessment: Assessment) -> None:
    """Make the colleague's answer rows (one per area with behaviours, or one per
    behaviour where the cycle asks so) and tell them."""
    outline = outline_of(assessment.level)
    if assessment.cycle.peers_by_behaviour:
        answers = [
            PeerAnswer(request=request, area_id=area.id, behaviour_id=b.id)
            for area in outline.areas
            for g in area.groups
            for b in g.behaviours
        ]
    else:
        answers = [
            PeerAnswer(request=request, area_id=area.id)
            for area in outline.areas
            if any(g.behaviours for g in area.groups)
        ]
    PeerAnswer.objects.bulk_create(answers, ignore_conflicts=True)
    notify.enqueue("peer_asked", assessment.pk, request.pk)


def remove(request: PeerRequest, *, by: User) -> PeerRequest:
    """The engineer withdraws a nomination not yet approved; the reviewer removes
    anyone who hasn't answered."""
    with transaction.atomic():
        current = _lock(request.assessment)
        request = PeerRequest.objects.select_for_update().get(pk=request.pk)
        if current.engineer_id == by.pk:
            if not may_nominate(by, current) or request.status != Status.NOMINATED:
                raise ValidationError(
                    "Only a nomination still waiting for approval can be withdrawn; ask your "
                    "manager to remove someone already asked."
                )
        elif not may_decide(by, current) or request.status not in (
            Status.NOMINATED,
            Status.ASKED,
        ):
            raise ValidationError(f"{request.peer} can no longer be removed.")
        request.status, request.decided_by = Status.REMOVED, by
        request.save(update_fields=["status", "decided_by"])
    return request


def decline(request: PeerRequest, *, by: User, reason: str) -> PeerRequest:
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why, in a sentence: the manager reads it.")
    with transaction.atomic():
        current = PeerRequest.objects.select_for_update(of=("self",)).select_related(
            "assessment__cycle", "assessment__engineer"
        )
        request = current.get(pk=request.pk)
        if not may_answer(by, request):
            raise ValidationError("This request is closed.")
        request.status, request.decline_reason = Status.DECLINED, reason
        request.save(update_fields=["status", "decline_reason"])
    return request


def nominated_fewer_than_asked(assessment: Assessment) -> str | None:
    """Why the engineer can't submit yet, if the cycle asks for more nominations."""
    wanted = assessment.cycle.peers_min
    if not wanted:
        return None
    # Someone who declined was nominated all the same: the engineer did their part.
    have = assessment.peer_requests.filter(kind=Kind.PEER).exclude(status=Status.REMOVED).count()
    if have >= wanted:
        return None
    return (
        f"Nominate at least {wanted} colleagues for peer input before you submit ({have} so far)."
    )


# ---- answering


@dataclass
class AnswerState:
    """One area (or behaviour) of a colleague's answer, in the names the row and conflict
    templates read."""

    id: int
    area_id: int
    score: int | str | None  # a step, NOT_SEEN, or None
    evidence: str
    evidence_html: str
    version: int
    updated_at: object = None
    labels: dict = field(default_factory=dict, repr=False)
    behaviour: int | None = None  # where the cycle asks per behaviour

    @property
    def behaviour_id(self) -> str:
        # The page's element ids: a<area> or q<behaviour>, each row's own.
        return f"a{self.area_id}" if self.behaviour is None else f"q{self.behaviour}"

    @property
    def score_label(self) -> str:
        if self.score == NOT_SEEN:
            return "Not seen"
        return self.labels.get(self.score, "Not answered")

    @classmethod
    def of(cls, answer: PeerAnswer, labels: dict) -> AnswerState:
        score = NOT_SEEN if answer.not_seen else answer.score
        return cls(
            answer.pk,
            answer.area_id,
            score,
            answer.evidence,
            answer.evidence_html,
            answer.version,
            answer.updated_at,
            labels,
            answer.behaviour_id,
        )


@dataclass(frozen=True)
class Saved:
    state: AnswerState
    conflict: bool


def save_answer(
    request: PeerRequest,
    answer: PeerAnswer,
    *,
    score: int | str | None,
    evidence: str,
    base_version: int,
    labels: dict,
) -> Saved:
    """Save one area of the answer if unchanged since base_version; else the conflict."""
    not_seen = score == NOT_SEEN
    values = {
        "score": None if not_seen else score,
        "not_seen": not_seen,
        "evidence": evidence,
        "evidence_html": evidence_html(evidence),
        "updated_at": timezone.now(),
    }
    updated = PeerAnswer.objects.filter(
        pk=answer.pk, version=base_version, request__status=Status.ASKED
    ).update(version=F("version") + 1, **values)
    fresh = PeerAnswer.objects.get(pk=answer.pk)
    return Saved(AnswerState.of(fresh, labels), conflict=not updated)


def submit(request: PeerRequest, *, by: User) -> PeerRequest:
    with transaction.atomic():
        request = (
            PeerRequest.objects.select_for_update(of=("self",))
            .select_related("assessment__cycle", "assessment__engineer")
            .get(pk=request.pk)
        )
        if not may_answer(by, request):
            raise ValidationError("This request is closed.")
        open_rows = request.answers.filter(score__isnull=True, not_seen=False).count()
        if open_rows:
            what = "behaviour" if request.assessment.cycle.peers_by_behaviour else "area"
            raise ValidationError(
                f"{open_rows} {what}{'s' if open_rows != 1 else ''} still need an answer "
                "(a step of the scale, or “not seen”)."
            )
        request.status, request.answered_at = Status.ANSWERED, timezone.now()
        request.save(update_fields=["status", "answered_at"])
    return request


# ---- reading: per area, how many answered, the spread, the comments


class Comment(NamedTuple):
    """A colleague's comment as shown (a tuple: a review page makes dozens)."""

    html: str
    name: str  # "" where names are not shown


@dataclass(frozen=True)
class AreaInput:
    """What colleagues said of one area, or of one behaviour where the cycle asks so."""

    scored: int  # scores given (per behaviour: one per colleague; per area, all of its)
    not_seen: int
    counts: tuple[tuple[str, int, int], ...]  # (label, value, how many) per step of the scale
    comments: tuple[Comment, ...]
    shown: bool  # False: too few answers to show an anonymous reader any figure
    # Where the cycle asks per behaviour: each behaviour's own, by id, in ladder order.
    behaviours: dict[int, AreaInput] = field(default_factory=dict)


@dataclass(frozen=True)
class PeerInput:
    answered: int
    asked: int
    enough: bool
    names: bool
    engineer: bool
    areas: dict[str, AreaInput]
    by_behaviour: bool = False  # answers were per behaviour; an area's figures sum them

    def __bool__(self) -> bool:
        return self.asked > 0


NO_INPUT = PeerInput(0, 0, False, False, False, {})


class _Row(NamedTuple):
    """One answer as assessments.sql.peer_rows reads it (names only where shown)."""

    request: int
    status: str
    shuffle: int
    area: int | None
    behaviour: int | None
    score: int | None
    not_seen: bool
    html: str | None
    first_name: str = ""
    last_name: str = ""
    username: str = ""

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.username


def peer_input(
    assessment: Assessment, seen_as: Reading | None, outline: Outline, kind: str = Kind.PEER
) -> PeerInput:
    """The answered input of one kind on an assessment, as `seen_as` may read it: one
    query, whatever the number of colleagues (the answers of those still writing are read
    and left out: a few rows, where filtering the join would cost more), written by hand
    in assessments.sql."""
    cycle = assessment.cycle
    if seen_as is None or not (cycle.asks_peers if kind == Kind.PEER else cycle.upward_input):
        return NO_INPUT
    if kind == Kind.UPWARD and seen_as.engineer:
        # A manager never reads which of their reports wrote what.
        seen_as = Reading(names=False, engineer=True)
    rows = sql.peer_rows(
        assessment.pk,
        kind,
        (Status.ASKED, Status.ANSWERED, Status.DECLINED),
        names=seen_as.names,
    )
    asked: set[int] = set()
    writers: set[int] = set()
    by_area: dict[int, list[_Row]] = defaultdict(list)
    for row in (_Row(*values) for values in rows):
        asked.add(row.request)
        if row.status == Status.ANSWERED and row.area is not None:
            writers.add(row.request)
            by_area[row.area].append(row)
    if not asked:
        return NO_INPUT
    answered = len(writers)
    # An anonymous reader reads nothing until enough answered to hide each among them.
    anonymous = seen_as.engineer and not seen_as.names
    enough = answered >= ANONYMOUS_FEWEST if anonymous else answered > 0
    summing = _Summing(outline.scale.steps, seen_as.names, enough, anonymous)
    areas = {}
    for area in outline.areas:
        found = by_area.get(area.id)
        if found and any(row.behaviour is not None for row in found):
            areas[area.key] = summing.by_behaviour(area, found)
        elif found:
            areas[area.key] = summing.of(found, area.key)
    return PeerInput(
        answered,
        len(asked),
        enough,
        seen_as.names,
        seen_as.engineer,
        areas,
        by_behaviour=cycle.peers_by_behaviour,
    )


@dataclass(frozen=True)
class _Summing:
    """How answers become figures and comments for one reader."""

    steps: tuple
    names: bool
    enough: bool
    anonymous: bool

    def of(self, found: list[_Row], place: str, colleagues: int | None = None) -> AreaInput:
        """The figures and comments of these answers. `colleagues`: how many people gave
        them, where that isn't one per score (an area summed over its behaviours)."""
        scores = [row.score for row in found if row.score is not None]
        # Named: by name. Otherwise in an order drawn from each request's random number and
        # the place (an area's key, or a behaviour's id in it), the same on every page but a
        # different one in each place: which comments one person wrote can't be told from
        # their places either.
        found = sorted(found, key=_by_name if self.names else _shuffled_in(place))
        return AreaInput(
            scored=len(scores),
            not_seen=sum(1 for row in found if row.not_seen),
            counts=tuple((step.label, step.value, scores.count(step.value)) for step in self.steps),
            comments=tuple(
                Comment(row.html, row.name if self.names else "") for row in found if row.html
            ),
            shown=self.enough
            and (
                not self.anonymous
                or (len(scores) if colleagues is None else colleagues) >= ANONYMOUS_FEWEST
            ),
        )

    def by_behaviour(self, area, found: list[_Row]) -> AreaInput:
        """An area answered per behaviour: each behaviour's figures and comments, and the
        area's figures as their sum. An anonymous reader's sum counts only the behaviours
        whose own figures they may read: a hidden behaviour's answers would otherwise be
        the area's figures less the others'."""
        rows: dict[int, list[_Row]] = defaultdict(list)
        for row in found:
            if row.behaviour is not None:  # an answer on the whole area has no place here
                rows[row.behaviour].append(row)
        behaviours = {
            b.id: self.of(rows[b.id], f"{area.key}:{b.id}")
            for g in area.groups
            for b in g.behaviours
            if b.id in rows
        }
        counted = [
            row
            for pk, each in behaviours.items()
            if each.shown or not self.anonymous
            for row in rows[pk]
        ]
        scorers = len({row.request for row in counted if row.score is not None})
        summed = self.of(counted, area.key, colleagues=scorers)
        return replace(
            summed,
            comments=tuple(c for each in behaviours.values() for c in each.comments),
            behaviours=behaviours,
        )


def _by_name(row: _Row) -> tuple:
    return (row.first_name, row.last_name, row.username)


def _shuffled_in(place: str):
    return lambda row: zlib.crc32(f"{row.shuffle}:{place}".encode())

"""Who may do what with an assessment and a cycle, in which state. Every view and export asks here.

The people around an assessment:
- its engineer, who sees and edits it while it is a draft, and sees the manager's
  review and the outcome only once results are shared;
- its reviewer, fixed when it is submitted (usually the engineer's manager), who
  reads it once submitted, reviews it, and can return it or reopen their review;
- the reviewer's own manager (skip-level), who reads what the reviewer reads;
- the calibrators of its cycle, who read the packets of reviewed assessments and
  decide the outcome, never for their own assessment;
- an HR partner for the engineer's department or a manager above them, who reads
  the packet and the outcome once the review is finished, never a draft.
Admins have no special right to anyone's evidence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.contrib.auth.views import redirect_to_login
from django.db.models import Q
from django.http import HttpResponse

from ladder.permissions import can_edit_rubric

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from assessments.models import Assessment, Cycle, PacketJob
    from ladder.models import Level, User


class Action(StrEnum):
    VIEW = "view"  # the self-assessment page
    EDIT = "edit"  # save the engineer's ratings
    SUBMIT = "submit"
    RETURN = "return"  # send back to draft with a note
    READ_REVIEW = "read_review"  # the manager's scores, comments, summary and outcome
    REVIEW = "review"  # save the manager's side, finish the review
    REOPEN = "reopen"  # take a finished review back before the committee decides
    PACKET = "packet"  # the calibration packet, page and PDF
    DECIDE = "decide"  # record the calibrated outcome
    HISTORY = "history"  # every change after submission
    HISTORY_DECISIONS = "history_decisions"  # the decisions only, for calibrators
    REASSIGN = "reassign"  # move the review to another person
    EXPORT_OWN = "export_own"  # the engineer's copy, Markdown and PDF


# From here on the manager has finished; the committee may read the packet.
REVIEWED_OR_LATER = ("reviewed", "calibrated", "shared")
# The manager may write their side while the assessment is in one of these.
UNDER_REVIEW = ("submitted", "in_review")


def can_run_cycles(user: User) -> bool:
    """Enrolling, reminding, extending and moving a cycle's phases: its page in the app.

    Staff with the permission "run cycles" (an HR partner, say, who sets deadlines in
    the admin too), or who may change cycles. Neither reads anyone's evidence or review
    by it. Staff only: everyone else is answered without reading permissions.
    """
    return (
        user.is_active
        and user.is_staff
        and (user.has_perm("assessments.run_cycles") or user.has_perm("assessments.change_cycle"))
    )


@dataclass(frozen=True)
class Reach:
    """Whose part of the company's cycles a person runs: everyone's, or an HR partner's.

    Whoever runs cycles reaches everyone; an HR partner the people of their department
    or under their manager, themselves left out. Pages and actions filter by it.
    """

    everyone: bool
    ids: frozenset[int] = frozenset()

    def people(self, field: str = "engineer_id") -> Q:
        """The rows about people within reach; `field` names the person's id."""
        return Q() if self.everyone else Q(**{f"{field}__in": sorted(self.ids)})

    def covers(self, person_id: int | None) -> bool:
        return self.everyone or person_id in self.ids


def reach(user: User) -> Reach | None:
    """How far the person runs cycles, or None if they don't."""
    if not user.is_authenticated or not user.is_active:
        return None
    if can_run_cycles(user):
        return Reach(everyone=True)
    ids = partner_ids(user)
    return None if ids is None else Reach(everyone=False, ids=ids)


def partner_ids(user: User) -> frozenset[int] | None:
    """The people an HR partner looks after, or None if they are no HR partner.

    Read once per request and kept on the user: everyone in their departments and
    everyone under their managers, directly or not, as the org chart stands now.
    """
    if hasattr(user, "_ladder_partner_ids"):
        return user._ladder_partner_ids
    scope = partner_scope(user)
    ids = None
    if scope is not None:
        departments, _managers, under = scope
        found = set(under)
        if departments:
            model = get_user_model()
            found |= set(
                model.objects.filter(department__in=departments).values_list("pk", flat=True)
            )
        found.discard(user.pk)
        ids = frozenset(found)
    user._ladder_partner_ids = ids
    return ids


def partner_scope(user: User):
    """An HR partner's departments, their managers, and everyone under those managers;
    None for anyone else. Read once per request and kept on the user."""
    if not user.is_authenticated or not user.is_active:
        return None
    if hasattr(user, "_ladder_partner_scope"):
        return user._ladder_partner_scope
    from assessments.models import HRPartner

    scopes = list(HRPartner.objects.filter(person=user).values_list("department", "manager_id"))
    found = None
    if scopes:
        model = get_user_model()
        managers = frozenset(m for _, m in scopes if m)
        under: set[int] = set()
        for manager_id in managers:
            under |= everyone_under(model, manager_id)
        found = (frozenset(d for d, _ in scopes if d), managers, frozenset(under))
    user._ladder_partner_scope = found
    return found


def everyone_under(model, manager_id: int) -> set[int]:
    """Everyone under the manager, directly or not: one query per layer of the org chart."""
    team: set[int] = set()
    layer = {manager_id}
    while layer:
        layer = set(model.objects.filter(manager_id__in=layer).values_list("pk", flat=True)) - team
        layer.discard(manager_id)
        team |= layer
    return team


def can_manage_committees(user: User) -> bool:
    """Calibration committees' membership: staff who may change groups."""
    return user.is_active and user.is_staff and user.has_perm("auth.change_group")


def can_manage_people(user: User) -> bool:
    """Loading the org chart: staff who may change people (an HR admin)."""
    return user.is_active and user.is_staff and user.has_perm("ladder.change_user")


def calibrator_group_ids(user: User) -> frozenset[int]:
    """The groups the person belongs to, read once per request (kept on the user)."""
    ids = getattr(user, "_ladder_group_ids", None)
    if ids is None:
        ids = frozenset(user.groups.values_list("pk", flat=True)) if user.is_active else frozenset()
        user._ladder_group_ids = ids
    return ids


def calibrates(user: User, cycle: Cycle) -> bool:
    """Whether the person sits on this cycle's calibration committee."""
    return (
        user.is_authenticated
        and cycle.calibrators_id is not None
        and cycle.calibrators_id in calibrator_group_ids(user)
    )


def calibrates_any(user: User) -> bool:
    from assessments.models import Cycle

    ids = calibrator_group_ids(user)
    return bool(ids) and Cycle.objects.filter(calibrators_id__in=ids).exists()


def can_export_cycle(user: User, cycle: Cycle) -> bool:
    """The cycle's results as CSV: for whoever runs cycles and for its committee."""
    return can_run_cycles(user) or calibrates(user, cycle)


def can_read_disagreements(user: User, cycle: Cycle) -> bool:
    """The aggregated disagreement map: for ladder editors and the cycle's committee."""
    return can_edit_rubric(user) or calibrates(user, cycle)


def can_close_calibration(user: User, cycle: Cycle) -> bool:
    return calibrates(user, cycle) and not cycle.calibration_closed


# Ids in URLs are whole numbers of any size; past this no row can match, and SQLite
# would overflow rather than find nothing.
LARGEST_ID = 2**63 - 1


def whole_number(value: str) -> int | None:
    """An id or page number typed into an address or a form, or None if it is not one.

    Only ASCII digits count: str.isdigit() also says yes to "²", which int() refuses.
    """
    if not value or not value.isascii() or not value.isdigit():
        return None
    number = int(value)
    return number if number <= LARGEST_ID else None


def allowed(user: User, assessment: Assessment, action: Action) -> bool:
    """The whole policy for one assessment: one place to read, one place to change."""
    if not user.is_authenticated or not user.is_active:
        return False
    status = assessment.status
    is_engineer = assessment.engineer_id == user.pk
    is_reviewer = assessment.reviewer_id is not None and assessment.reviewer_id == user.pk

    def reads_as_manager() -> bool:
        # The reviewer and their manager as they were when the reviewer was fixed:
        # editing the org chart afterwards gives nobody access.
        if status == "draft" or assessment.reviewer_id is None:
            return False
        return is_reviewer or assessment.skip_reviewer_id == user.pk

    def on_committee() -> bool:
        return not is_engineer and calibrates(user, assessment.cycle)

    def partners() -> bool:
        # An HR partner reads finished reviews of the people they look after.
        if is_engineer or status not in REVIEWED_OR_LATER:
            return False
        ids = partner_ids(user)
        return ids is not None and assessment.engineer_id in ids

    closed = assessment.cycle.calibration_closed if action in _NEEDS_CYCLE else False
    match action:
        case Action.VIEW:
            # The committee reads the whole self-assessment once it is reviewed; the
            # review page shows all of it anyway.
            return (
                is_engineer
                or reads_as_manager()
                or (status in REVIEWED_OR_LATER and on_committee())
                or partners()
            )
        case Action.EDIT | Action.SUBMIT:
            return is_engineer and status == "draft" and not closed and not assessment.locked
        case Action.RETURN | Action.REVIEW:
            return is_reviewer and status in UNDER_REVIEW and not closed
        case Action.REOPEN:
            return is_reviewer and status == "reviewed" and not closed
        case Action.READ_REVIEW:
            return (
                (is_engineer and status == "shared")
                or reads_as_manager()
                or (status in REVIEWED_OR_LATER and on_committee())
                or partners()
            )
        case Action.PACKET | Action.HISTORY_DECISIONS:
            return (
                reads_as_manager() or (status in REVIEWED_OR_LATER and on_committee()) or partners()
            )
        case Action.HISTORY:
            return reads_as_manager()
        case Action.DECIDE:
            return status in ("reviewed", "calibrated") and not closed and on_committee()
        case Action.REASSIGN:
            # Never one's own assessment: moving it would choose one's own reviewer.
            # A draft's reviewer is fixed at enrolment, so it can be moved too.
            return (
                status in ("draft", *UNDER_REVIEW, "reviewed")
                and not closed
                and not is_engineer
                and can_run_cycles(user)
            )
        case Action.EXPORT_OWN:
            return is_engineer
    return False


# Once the cycle's calibration is closed, its reviews and outcomes are final.
_NEEDS_CYCLE = (
    Action.EDIT,
    Action.SUBMIT,
    Action.RETURN,
    Action.REVIEW,
    Action.REOPEN,
    Action.DECIDE,
    Action.REASSIGN,
)
# Seeing any of these makes an assessment exist for the person: refusing another
# action on it is a 403 with a reason, not a 404.
_SEES = (Action.VIEW, Action.PACKET)


def sees(user: User, assessment: Assessment) -> bool:
    return any(allowed(user, assessment, action) for action in _SEES)


def refusal(assessment: Assessment, action: Action) -> str:
    """Why an action is refused, in words for the person who tried it."""
    status = assessment.get_status_display().lower()
    if action in (Action.EDIT, Action.SUBMIT) and assessment.cycle.calibration_closed:
        return (
            "This cycle is closed: your self-assessment can no longer change. It is kept "
            "as you left it."
        )
    if action in (Action.EDIT, Action.SUBMIT) and assessment.locked:
        return (
            f"Self-assessments for {assessment.cycle} were due on "
            f"{assessment.self_assessment_due:%-d %B %Y}: yours can no longer change. Your "
            "answers are kept; whoever runs the cycle can give you more time."
        )
    if action in (Action.EDIT, Action.SUBMIT) and not assessment.is_draft:
        return (
            f"This self-assessment is {status} and can no longer be changed. "
            "Your manager can return it to you as a draft."
        )
    if action in (Action.REVIEW, Action.RETURN) and assessment.status not in UNDER_REVIEW:
        if assessment.status == "reviewed":
            return "You finished this review. Reopen it to change it, until the committee decides."
        if assessment.status == "draft":
            return "This self-assessment is a draft again; it can be reviewed once resubmitted."
        return f"This assessment is {status}: the review can no longer change."
    if action in (Action.REVIEW, Action.RETURN, Action.REOPEN, Action.SUBMIT) and (
        assessment.cycle.calibration_closed
    ):
        return "This cycle's calibration is closed: its reviews and outcomes are final."
    if action in (Action.RETURN, Action.REVIEW, Action.REOPEN):
        return "Only the reviewer of this assessment can do that."
    if action is Action.READ_REVIEW:
        return "The review and the outcome are shared with you once calibration is closed."
    if action is Action.DECIDE:
        return "Only the cycle's calibrators decide outcomes, until calibration is closed."
    return "You can't change this assessment."


# ---- packets many at once: only ever those the person could open one by one


def may_request_packets(user: User, cycle: Cycle, scope: str) -> bool:
    """A team's packets are for whoever reviewed them; a level's or the cycle's, the committee's."""
    if not user.is_authenticated or not user.is_active:
        return False
    if scope == "team":
        return True
    return scope in ("level", "cycle") and calibrates(user, cycle)


def packets_in_scope(
    user: User, cycle: Cycle, scope: str, level: Level | None = None
) -> QuerySet[Assessment]:
    """The reviewed (or later) assessments whose packets the scope holds for this person.

    The team: those the person reviewed in the cycle. A level, or the whole cycle: every
    one the committee reads, except the person's own. Nothing for a scope not theirs.
    """
    from assessments.models import Assessment

    assessments = Assessment.objects.filter(cycle=cycle, status__in=REVIEWED_OR_LATER)
    if not may_request_packets(user, cycle, scope):
        return assessments.none()
    if scope == "team":
        return assessments.filter(reviewer=user)
    assessments = assessments.exclude(engineer=user)
    if scope == "level":
        return assessments.filter(level=level) if level is not None else assessments.none()
    return assessments


def may_include(user: User, assessment: Assessment) -> bool:
    """Asked again of each packet as the job writes it: rights may change while it waits."""
    return allowed(user, assessment, Action.PACKET)


def may_read_job(user: User, job: PacketJob) -> bool:
    """A job's progress and its file are for the person who asked for it, no one else."""
    return user.is_authenticated and user.is_active and job.requested_by_id == user.pk


def may_download_job(user: User, job: PacketJob) -> bool:
    """The file, only while its asker may still open every packet in it, one by one."""
    from assessments.models import Assessment

    if not may_read_job(user, job) or not may_request_packets(user, job.cycle, job.scope):
        return False
    held = Assessment.objects.filter(pk__in=job.included).select_related("cycle", "engineer")
    return len(held) == len(job.included) and all(
        allowed(user, assessment, Action.PACKET) for assessment in held
    )


# ---- which of a cycle's assessments the committee's pages count


def others(user: User, cycle: Cycle, prefix: str = "") -> Q:
    """The cycle's assessments except the reader's own, whatever their state.

    `prefix` names the way to the assessment from another model ("assessment__" from
    a rating), so the same rule filters ratings with a join rather than a subquery.
    """
    return Q(**{f"{prefix}cycle": cycle}) & ~Q(**{f"{prefix}engineer_id": user.pk})


def counted(user: User, cycle: Cycle, prefix: str = "") -> Q:
    """The assessments a committee page counts: reviewed or later, the reader's own left out.

    Ladder editors who are not in the cycle lose nothing by the exclusion; one who is
    would otherwise read their own manager's scores before results are shared.
    """
    return others(user, cycle, prefix) & Q(**{f"{prefix}status__in": REVIEWED_OR_LATER})


def shows_results(status: str) -> bool:
    """Whether an export may carry an assessment's review figures and outcomes.

    Only once the manager finished: before that the self-scores are the engineer's
    work in progress, which neither the committee nor whoever runs cycles may read.
    """
    return status in REVIEWED_OR_LATER


def signed_in(view):
    """login_required that answers htmx requests with 401, not a login page to swap in."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.htmx:
            return HttpResponse("Your session has ended. Sign in again.", status=401)
        return redirect_to_login(request.get_full_path())

    return wrapper


# ---- who may hand out a role that reads reviews (assessments/roles.py asks here)
#
# A person's manager becomes the reviewer of their next submission, and that manager's
# own manager reads it as skip-level; a seat on a cycle's committee reads every
# reviewed person's evidence. Nobody hands any of these to themselves: someone else
# does it, on the record.


def _outside_reach(by: User, person: User) -> bool:
    """Whether `person` is someone `by` doesn't look after as HR partner, and exists:
    someone new has no reviews to read, and joins their department's partner's part."""
    ids = partner_ids(by)
    return ids is not None and person.pk is not None and person.pk not in ids


def department_refusal(by: User, person: User, department: str) -> str | None:
    """Why `by` may not put `person` in this department: an HR partner for it would
    then read the person's reviews, brought in by their own hand. None if they may."""
    scope = partner_scope(by)
    if scope is None or department not in scope[0] or not _outside_reach(by, person):
        return None
    return (
        f"You are HR partner for {department}, so moving {person} into it would let you "
        "read their reviews. Another admin can make this change."
    )


def manager_refusal(by: User, person: User, manager: User | None) -> str | None:
    """Why `by` may not make `manager` the manager of `person`; None if they may."""
    if manager is None:
        return None
    scope = partner_scope(by)
    if (
        scope is not None
        and (manager.pk in scope[1] or manager.pk in scope[2])
        and _outside_reach(by, person)
    ):
        return (
            f"You are HR partner for the people under {manager}'s part of the company, so "
            f"moving {person} there would let you read their reviews. Another admin can "
            "make this change."
        )
    if manager.pk == person.pk:
        return "Nobody is their own manager."
    if manager.pk == by.pk:
        return (
            f"You can't make yourself {person}'s manager: their self-assessments would "
            "come to you for review. Another admin can make this change."
        )
    if manager.manager_id is not None and manager.manager_id == by.pk:
        return (
            f"You are {manager}'s manager, so you would read {person}'s reviews as "
            "their manager's manager. Another admin can make this change."
        )
    return None


def reviewer_refusal(by: User, to: User) -> str | None:
    """Why `by` may not move a review to `to`; None if they may."""
    if to.pk == by.pk:
        return "You can't move a review to yourself; name the new reviewer."
    if to.manager_id is not None and to.manager_id == by.pk:
        return (
            f"You are {to}'s manager, so you would read this review as their manager's "
            "manager. Name someone else, or ask another admin."
        )
    return None


def seat_refusal(by: User, person: User, added_group_ids: set[int]) -> str | None:
    """Why `by` may not add `person` to these groups; None if they may."""
    from assessments.models import Cycle

    if person.pk != by.pk or not added_group_ids:
        return None
    committees = Cycle.objects.filter(calibrators_id__in=added_group_ids).select_related(
        "calibrators"
    )
    if not committees.exists():
        return None
    names = ", ".join(sorted({cycle.calibrators.name for cycle in committees}))
    return (
        f"You can't add yourself to {names}: it calibrates a review cycle, whose "
        "committee reads everyone's evidence. Another admin can make this change."
    )


def committee_refusal(by: User, group_id: int | None) -> str | None:
    """Why `by` may not make this group a cycle's committee; None if they may."""
    if group_id is None or not by.groups.filter(pk=group_id).exists():
        return None
    return (
        "You are a member of this group, so choosing it would seat you on the committee, "
        "which reads everyone's evidence. Choose another group, or ask another admin."
    )


def partner_refusal(by: User, person: User) -> str | None:
    """Why `by` may not make `person` an HR partner; None if they may."""
    if person.pk != by.pk:
        return None
    return (
        "You can't make yourself an HR partner: the role reads finished reviews. "
        "Another admin can make this change."
    )


def reads_reviews(person: User) -> bool:
    """Whether the person holds a role that reads someone's review, now or at a submission."""
    from assessments.models import Assessment, Cycle, HRPartner

    return (
        type(person).objects.filter(manager=person).exists()
        or Assessment.objects.filter(Q(reviewer=person) | Q(skip_reviewer=person)).exists()
        or Cycle.objects.filter(calibrators__user=person).exists()
        or HRPartner.objects.filter(person=person).exists()
    )


def password_refusal(by: User, person: User) -> str | None:
    """Why `by` may not set `person`'s password in the admin; None if they may.

    Whoever sets a password can sign in as its owner: for someone who reads reviews,
    that is a way to read them. They change their own, or their roles go first, on
    the record.
    """
    if person.pk == by.pk or not reads_reviews(person):
        return None
    return (
        f"{person} reads reviews (as a manager, a reviewer or on a committee), so nobody "
        "else may set their password: whoever did could sign in as them. They change it "
        "themselves under their name at the top of any page."
    )

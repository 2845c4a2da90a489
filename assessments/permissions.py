"""Who may do what with an assessment, in which state. Every view and export asks here.

An engineer sees and edits only their own, and edits only while it is a draft.
A manager sees their reports' assessments once submitted, never their drafts.
Admins have no special right to anyone's evidence.
"""

from __future__ import annotations

from enum import StrEnum
from functools import wraps
from typing import TYPE_CHECKING

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse

if TYPE_CHECKING:
    from assessments.models import Assessment
    from ladder.models import User


class Action(StrEnum):
    VIEW = "view"
    EDIT = "edit"  # save ratings
    SUBMIT = "submit"
    RETURN = "return"  # send back to draft with a note


# Members of this group sit on the calibration committee.
CALIBRATORS_GROUP = "Calibrators"


def can_run_cycles(user: User) -> bool:
    """Opening, closing and scheduling cycles happens in the admin, so staff only."""
    return user.is_active and user.is_staff and user.has_perm("assessments.change_cycle")


def is_calibrator(user: User) -> bool:
    return user.is_active and user.groups.filter(name=CALIBRATORS_GROUP).exists()


# Ids in URLs are whole numbers of any size; past this no row can match, and SQLite
# would overflow rather than find nothing.
LARGEST_ID = 2**63 - 1


def allowed(user: User, assessment: Assessment, action: Action) -> bool:
    """The whole policy: one place to read, one place to change."""
    if not user.is_authenticated or not user.is_active:
        return False
    Status = type(assessment).Status
    is_engineer = assessment.engineer_id == user.pk

    def is_manager() -> bool:
        # Only asked when needed: the engineer's own saves never load the engineer row.
        return assessment.engineer.manager_id == user.pk

    match action:
        case Action.VIEW:
            return is_engineer or (assessment.status != Status.DRAFT and is_manager())
        case Action.EDIT | Action.SUBMIT:
            return is_engineer and assessment.status == Status.DRAFT
        case Action.RETURN:
            return assessment.status in (Status.SUBMITTED, Status.IN_REVIEW) and is_manager()
    return False


def get_assessment_for_user(user: User, pk: int, action: Action = Action.VIEW) -> Assessment:
    """The assessment if the user may do `action`; 404 if they may not even see it, else 403."""
    from assessments.models import Assessment
    from assessments.progress import published_level

    if pk > LARGEST_ID:
        raise Http404("No such assessment.")
    # A primary-key lookup needs no ORDER BY, which first() would add.
    assessment = next(iter(Assessment.objects.for_page().filter(pk=pk).order_by()[:1]), None)
    if assessment is None or not allowed(user, assessment, Action.VIEW):
        raise Http404("No such assessment.")
    assessment.level = published_level(assessment.level_id)
    if not allowed(user, assessment, action):
        raise PermissionDenied(refusal(assessment, action))
    return assessment


def get_rating_for_user(user: User, assessment_pk: int, behaviour_pk: int):
    """A rating the user may edit, with its assessment; 404 or 403 as above. One query."""
    from assessments.models import Rating

    if max(assessment_pk, behaviour_pk) > LARGEST_ID:
        raise Http404("No such behaviour in this assessment.")
    ratings = (
        Rating.objects.select_related("assessment")
        .filter(assessment_id=assessment_pk, behaviour_id=behaviour_pk)
        .order_by()
    )
    rating = next(iter(ratings[:1]), None)
    if rating is None or not allowed(user, rating.assessment, Action.VIEW):
        raise Http404("No such behaviour in this assessment.")
    if not allowed(user, rating.assessment, Action.EDIT):
        raise PermissionDenied(refusal(rating.assessment, Action.EDIT))
    return rating


def refusal(assessment: Assessment, action: Action) -> str:
    """Why an action is refused, in words for the person who tried it."""
    if action in (Action.EDIT, Action.SUBMIT) and not assessment.is_draft:
        return (
            f"This self-assessment is {assessment.get_status_display().lower()} and can no "
            "longer be changed. Your manager can return it to you as a draft."
        )
    if action is Action.RETURN:
        return "Only the engineer's manager can return a submitted self-assessment."
    return "You can't change this self-assessment."


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

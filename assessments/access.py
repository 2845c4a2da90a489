"""Loaders that fetch an assessment, a rating or a cycle for a person, or refuse: 404 or 403.

Every view, export and PDF gets its objects here; what the person may do is asked of
assessments.permissions, which holds the rules and loads nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404

from assessments.models import Assessment, Cycle
from assessments.permissions import LARGEST_ID, Action, allowed, refusal, sees
from assessments.progress import published_level
from assessments.sql import (
    RATING_FIELDS,
    REVIEW_FIELDS,
    assessment_for_page,
    rating_for_save,
)
from ladder.models import User


def get_assessment_for_user(user: User, pk: int, action: Action = Action.VIEW) -> Assessment:
    """The assessment if the user may do `action`; 404 if they may not even see it, else 403."""
    if pk > LARGEST_ID:
        raise Http404("No such assessment.")
    assessment = assessment_for_page(pk)
    if assessment is None or not sees(user, assessment):
        raise Http404("No such assessment.")
    assessment.level = published_level(assessment.level_id)
    if not allowed(user, assessment, action):
        raise PermissionDenied(refusal(assessment, action))
    return assessment


def get_rating_for_user(user: User, assessment_pk: int, behaviour_pk: int, action=Action.EDIT):
    """A rating the user may save (`action`: EDIT or REVIEW), with its assessment; 404 or 403."""
    if max(assessment_pk, behaviour_pk) > LARGEST_ID:
        raise Http404("No such behaviour in this assessment.")
    rating = rating_for_save(
        assessment_pk, behaviour_pk, RATING_FIELDS if action is Action.EDIT else REVIEW_FIELDS
    )
    if rating is None:
        raise Http404("No such behaviour in this assessment.")
    assessment = rating.assessment
    # The engineer's own saves and the reviewer's are decided on ids alone; anyone
    # else is asked the whole question (which may load the reviewer).
    if not allowed(user, assessment, action):
        if action is Action.EDIT and assessment.engineer_id == user.pk:
            raise PermissionDenied(refusal(assessment, action))
        if action is Action.REVIEW and assessment.reviewer_id == user.pk:
            raise PermissionDenied(refusal(assessment, action))
        if sees(user, assessment):
            raise PermissionDenied(refusal(assessment, action))
        raise Http404("No such behaviour in this assessment.")
    return rating


def get_cycle_for_user(user: User, cycle_id: int, rule: Callable[[User, Cycle], bool]) -> Cycle:
    """The cycle if `rule` (a permissions.py question) lets the person in; 404 otherwise.

    A 404, not a 403, so nobody learns which cycles have a committee they are not on.
    """
    if cycle_id > LARGEST_ID:
        raise Http404("No such cycle.")
    cycle = Cycle.objects.select_related("framework").filter(pk=cycle_id).first()
    if cycle is None or not rule(user, cycle):
        raise Http404("No such cycle.")
    return cycle

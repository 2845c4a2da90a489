"""The manager's side: the team dashboard, the review page and its saves, history, reassigning."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import peers, workflow
from assessments.access import get_assessment_for_user, get_rating_for_user
from assessments.forms import ReassignForm, ReturnForm, ReviewForm, SummaryForm
from assessments.models import EVIDENCE_MAX_LENGTH, SUMMARY_MAX_LENGTH, Assessment, Event
from assessments.packets.jobs import recent_jobs
from assessments.permissions import (
    LARGEST_ID,
    Action,
    allowed,
    signed_in,
    whole_number,
)
from assessments.previous import past_for
from assessments.progress import outline_of, scale_of
from assessments.rubric import Refused
from assessments.services import (
    ReviewState,
    SummaryState,
    review_states,
    save_review_rating,
    save_review_summary,
)
from assessments.team import FILTERS, SORTS, team_of

# Messages with this tag are shown beside the Finish button, where the person is.
FINISH_MESSAGE = "finish-message"
SHOWS = {
    "": "All behaviours",
    "disagreements": "Only disagreements",
    "unreviewed": "Only unreviewed",
}


@require_GET
@signed_in
def team(request: HttpRequest) -> HttpResponse:
    """Every report in a cycle: status, progress, deadline and what needs the manager next."""
    data = team_of(
        request.user,
        cycle_id=whole_number(request.GET.get("cycle", "")),
        show=request.GET.get("show", ""),
        sort=request.GET.get("sort", "name"),
        query=request.GET.get("q", ""),
    )
    context = {
        "team": data,
        "filters": FILTERS,
        "sorts": SORTS,
        "packet_jobs": recent_jobs(request.user, data.cycle) if data.cycle else [],
    }
    return render(request, "assessments/team.html", context, using="jinja2")


@require_GET
@signed_in
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The review: every behaviour with the engineer's answer beside the reviewer's own."""
    assessment = get_assessment_for_user(request.user, pk, Action.READ_REVIEW)
    return _review_page(request, assessment)


@require_POST
@signed_in
def save_review(request: HttpRequest, pk: int, behaviour_id: int) -> HttpResponse:
    """Save the reviewer's score and comment on one behaviour; 409 if it moved on elsewhere."""
    rating = get_rating_for_user(request.user, pk, behaviour_id, Action.REVIEW)
    form = ReviewForm(request.POST, scale=scale_of(rating.assessment))
    if not form.is_valid():
        return _refused(request, rating.assessment, ReviewState.of(rating), form, status=400)
    result = save_review_rating(
        rating=rating,
        by=request.user,
        score=form.cleaned_data["score"],
        comment=form.cleaned_data["comment"],
        base_version=form.base_version,
    )
    state = ReviewState.of(result.rating)
    if result.conflict:
        return _refused(request, rating.assessment, state, form, status=409)
    return _saved(request, rating.assessment, state, anchor=f"b-{behaviour_id}")


@require_POST
@signed_in
def save_summary(request: HttpRequest, pk: int) -> HttpResponse:
    """Save the summary and the proposed outcome; 409 if they moved on elsewhere."""
    assessment = get_assessment_for_user(request.user, pk, Action.REVIEW)
    form = SummaryForm(request.POST, scale=scale_of(assessment))
    if not form.is_valid():
        return _refused(request, assessment, SummaryState.of(assessment), form, status=400)
    result = save_review_summary(
        assessment=assessment,
        by=request.user,
        summary=form.cleaned_data["summary"],
        outcome=form.cleaned_data["outcome"],
        base_version=form.base_version,
    )
    if result.conflict:
        return _refused(request, assessment, result.state, form, status=409)
    return _saved(request, assessment, result.state, anchor="summary")


@require_POST
@signed_in
def agree(request: HttpRequest, pk: int) -> HttpResponse:
    """Score every behaviour not yet scored (of one area, or all) as the engineer did."""
    assessment = get_assessment_for_user(request.user, pk, Action.REVIEW)
    area = request.POST.get("area", "")
    ids = None
    if area:
        outline = outline_of(assessment.level)
        found = next((a for a in outline.areas if a.key == area), None)
        if found is None:
            messages.error(request, "That area isn't in this level; reload the page.")
            return redirect(assessment.get_review_url())
        ids = [b.id for g in found.groups for b in g.behaviours]
    count = workflow.agree_with_engineer(assessment, by=request.user, behaviour_ids=ids)
    where = f" in {found.name}" if area else ""
    if count:
        messages.success(
            request,
            f"Scored {count} behaviour{'s' if count != 1 else ''}{where} as "
            f"{assessment.engineer.first_name or assessment.engineer} did; change any of them "
            "as you go.",
        )
    else:
        messages.info(request, f"Nothing left to score{where} that has an answer to agree with.")
    return redirect(f"{assessment.get_review_url()}#{area or 'finish'}")


@require_POST
@signed_in
def finish(request: HttpRequest, pk: int) -> HttpResponse:
    """Finish the review: it goes to the calibration committee."""
    assessment = get_assessment_for_user(request.user, pk, Action.REVIEW)
    try:
        workflow.finish_review(assessment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages), extra_tags=FINISH_MESSAGE)
        return redirect(f"{assessment.get_review_url()}#finish")
    messages.success(
        request,
        f"Review of {assessment.engineer} finished. It goes to the calibration committee; "
        "you can reopen it until they decide.",
    )
    return redirect(f"{reverse('assessments:team')}?cycle={assessment.cycle_id}")


@require_POST
@signed_in
def reopen(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a finished review back, before the committee decides."""
    assessment = get_assessment_for_user(request.user, pk, Action.REOPEN)
    workflow.reopen_review(assessment, by=request.user)
    messages.success(request, "Review reopened. Finish it again when you are done.")
    return redirect(assessment.get_review_url())


@require_GET
@signed_in
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every change since submission; for calibrators, the decisions only."""
    assessment = get_assessment_for_user(request.user, pk, Action.HISTORY_DECISIONS)
    events = Event.objects.filter(assessment=assessment).select_related("actor", "behaviour")
    full = allowed(request.user, assessment, Action.HISTORY)
    if not full:
        events = events.filter(kind__in=Event.DECISIONS)
    context = {"assessment": assessment, "events": events, "full": full}
    return render(request, "assessments/history.html", context, using="jinja2")


@require_http_methods(["GET", "POST"])
@signed_in
def reviewer(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a review to another person: for whoever runs cycles, on the record, with e-mails."""
    assessment = (
        Assessment.objects.select_related("engineer", "reviewer", "cycle", "level")
        .filter(pk=pk if pk <= LARGEST_ID else 0)
        .first()
    )
    if assessment is None or not allowed(request.user, assessment, Action.REASSIGN):
        raise Http404("No such assessment.")
    form = ReassignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.reassign_reviewer(
                assessment, by=request.user, to=form.cleaned_data["username"]
            )
        except ValidationError as error:
            form.add_error("username", error)
        else:
            messages.success(
                request,
                f"{form.cleaned_data['username']} now reviews {assessment.engineer}'s "
                "self-assessment. The engineer and both reviewers have been told.",
            )
            return redirect(reverse("admin:assessments_assessment_change", args=[assessment.pk]))
    status = 400 if form.errors else 200
    context = {"assessment": assessment, "form": form}
    return render(request, "assessments/reviewer.html", context, status=status, using="jinja2")


def _review_page(request, assessment, *, refused: Refused | None = None, status=200):
    show = request.GET.get("show", "")
    show = show if show in SHOWS else ""
    rows = review_states(assessment)
    outline = outline_of(assessment.level)
    scale = outline.scale
    user = request.user
    editable = allowed(user, assessment, Action.REVIEW)
    gaps = [r.gap for r in rows.values()]
    agreeable = {pk for pk, r in rows.items() if r.score is None and r.self_score is not None}
    context = {
        "assessment": assessment,
        "outline": outline,
        "rows": rows,
        "refused": refused,
        "editable": editable,
        "show": show,
        "shows": SHOWS,
        "scale": scale,
        "evidence_max": EVIDENCE_MAX_LENGTH,
        "summary_max": SUMMARY_MAX_LENGTH,
        "summary": SummaryState.of(assessment),
        "disagreements": sum(1 for g in gaps if g),
        "unreviewed": sum(1 for r in rows.values() if r.score is None),
        # Behaviours the reviewer could score as the engineer did, per area and in all.
        "agreeable": {
            area.key: sum(1 for g in area.groups for b in g.behaviours if b.id in agreeable)
            for area in outline.areas
        },
        "agreeable_total": len(agreeable),
        "total": len(rows),
        "is_engineer": assessment.engineer_id == user.pk,
        "past": past_for(assessment, engineer_reads=assessment.engineer_id == user.pk),
        "can_reopen": allowed(user, assessment, Action.REOPEN),
        "can_return": allowed(user, assessment, Action.RETURN),
        "can_packet": allowed(user, assessment, Action.PACKET),
        "can_history": allowed(user, assessment, Action.HISTORY_DECISIONS),
        # The field, not a bound form: the page writes its box out (review.html).
        "return_note": ReturnForm.base_fields["note"],
        "save_prefix": reverse("assessments:review-save", args=[assessment.pk, 0])[: -len("0/")],
        "agree_url": reverse("assessments:review-agree", args=[assessment.pk]),
        "finish_message": FINISH_MESSAGE,
        "outcome_label": scale.outcome_label(assessment.calibrated_outcome),
        "peer": peers.peer_input(assessment, seen_as := peers.reading(user, assessment), outline),
        "upward": peers.peer_input(assessment, seen_as, outline, peers.Kind.UPWARD),
        "peers_url": (
            reverse("assessments:peers", args=[assessment.pk])
            if peers.may_see_list(user, assessment) and assessment.engineer_id != user.pk
            else None
        ),
    }
    return render(request, "assessments/review.html", context, status=status, using="jinja2")


def _saved(request, assessment, state, *, anchor: str) -> HttpResponse:
    if not request.htmx:
        messages.success(request, "Saved.")
        return redirect(f"{assessment.get_review_url()}#{anchor}")
    response = render(
        request,
        "assessments/assessment_saved.html",
        {"rating": state, "preview": True},
        using="jinja2",
    )
    response["X-Rating-Version"] = str(state.version)
    return response


def _refused(request, assessment, state, form, *, status: int) -> HttpResponse:
    """A refused save: htmx gets the row's status (and the conflict); a plain form the page."""
    errors = [e for errors in form.errors.values() for e in errors] if status == 400 else []
    if not request.htmx:
        refused = Refused(
            behaviour_id=state.behaviour_id,
            # What was chosen, if it was one of the scale's.
            score=form.cleaned_data.get("score", form.cleaned_data.get("outcome")),
            evidence=form.data.get("comment", form.data.get("summary", "")),
            conflict=status == 409,
            errors=errors,
        )
        return _review_page(request, assessment, refused=refused, status=status)
    context = {"rating": state, "conflict": status == 409, "errors": errors, "what": "answer"}
    response = render(
        request, "assessments/assessment_refused.html", context, status=status, using="jinja2"
    )
    response["X-Rating-Version"] = str(state.version)
    return response

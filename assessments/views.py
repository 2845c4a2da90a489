"""The engineer's side: home, the assessment page, autosave, submit; and returning a draft."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.template import loader
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from assessments import peers, workflow
from assessments.access import get_assessment_for_user, get_rating_for_user
from assessments.forms import RatingForm, ReturnForm
from assessments.home import home_context
from assessments.models import Assessment, Cycle
from assessments.permissions import (
    Action,
    allowed,
    signed_in,
)
from assessments.previous import carry_over_evidence, past_for
from assessments.progress import (
    newer_version,
    outline_of,
    page_progress,
    progress_of,
    rating_states,
    scale_of,
)
from assessments.rubric import Refused, rubric_context
from assessments.services import save_rating, start_assessment
from ladder.models import Level
from ladder.uploads import NAME_TOO_LONG, is_name_too_long

# Messages with this tag are shown beside the Submit button, where the person is.
SUBMIT_MESSAGE = "submit-message"


@require_GET
@signed_in
def home(request: HttpRequest) -> HttpResponse:
    """What is due for the signed-in person: their assessment, and their reports'."""
    return render(request, "assessments/home.html", home_context(request.user), using="jinja2")


@require_POST
@signed_in
def start(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Create the signed-in engineer's assessment for an open cycle (once)."""
    cycle = get_object_or_404(Cycle.objects.open(), pk=cycle_id)
    try:
        assessment = start_assessment(cycle=cycle, engineer=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("home")
    return redirect(assessment)


@require_GET
@signed_in
def assessment_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The assessment: every behaviour of the level with its score and evidence."""
    assessment = get_assessment_for_user(request.user, pk)
    return _page(request, _page_context(request, assessment))


@require_POST
@signed_in
def save(request: HttpRequest, pk: int, behaviour_id: int) -> HttpResponse:
    """Save one rating (autosave or plain form post); 409 with both texts if it moved on."""
    rating = get_rating_for_user(request.user, pk, behaviour_id)
    form = RatingForm(request.POST, scale=scale_of(rating.assessment))
    if not form.is_valid():
        return _refused_response(request, rating, form=form, status=400)
    result = save_rating(
        rating=rating,
        score=form.cleaned_data["score"],
        evidence=form.cleaned_data["evidence"],
        base_version=form.base_version,
        # The page says so on saves made while the person is still writing in the row.
        typing=bool(request.htmx) and request.POST.get("typing") == "1",
    )
    if result.conflict:
        return _refused_response(request, result.rating, form=form, conflict=True, status=409)
    if not request.htmx:
        messages.success(request, "Saved.")
        return redirect(f"{rating.assessment.get_absolute_url()}#b-{behaviour_id}")
    context = {"rating": result.rating, "preview": not result.rating.evidence_plain}
    response = render(request, "assessments/assessment_saved.html", context, using="jinja2")
    response["X-Rating-Version"] = str(result.rating.version)
    if result.score_changed:
        # The progress panel listens for this and refreshes itself, once for a burst
        # of answers rather than once per click.
        response["HX-Trigger"] = "scores-changed"
    return response


@require_GET
@signed_in
def progress_panel(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress pieces alone, out of band, for the page to refresh after answers change."""
    assessment = get_assessment_for_user(request.user, pk)
    context = {
        "assessment": assessment,
        "progress": progress_of(assessment),
        "editable": allowed(request.user, assessment, Action.EDIT),
    }
    return render(request, "assessments/assessment_progress.html", context, using="jinja2")


@require_POST
@signed_in
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submit a complete draft to the manager."""
    assessment = get_assessment_for_user(request.user, pk, Action.SUBMIT)
    try:
        assessment = workflow.submit(assessment, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages), extra_tags=SUBMIT_MESSAGE)
        return redirect(f"{assessment.get_absolute_url()}#submit")
    if assessment.reviewer is None or not assessment.reviewer.is_active:
        messages.warning(
            request,
            "Submitted, but nobody can review it yet: Ladder has no manager for you. "
            "Ask your Ladder admin to move the review to your manager.",
        )
    else:
        messages.success(
            request, f"Submitted. {assessment.reviewer} has been told; you can still read it here."
        )
    return redirect(assessment)


@require_POST
@signed_in
def carry_over(request: HttpRequest, pk: int) -> HttpResponse:
    """Start from last cycle's evidence: copied where nothing is written yet."""
    assessment = get_assessment_for_user(request.user, pk, Action.EDIT)
    copied = carry_over_evidence(assessment)
    if copied:
        messages.success(
            request,
            f"Last cycle's evidence copied into {copied} behaviour{'s' if copied != 1 else ''} "
            "with none yet. Edit it to say what is new, and give each an answer.",
        )
    else:
        messages.info(request, "Nothing copied: every behaviour with past evidence has some now.")
    return redirect(assessment)


@require_POST
@signed_in
def return_to_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """The manager returns a submission to the engineer with a note."""
    assessment = get_assessment_for_user(request.user, pk, Action.RETURN)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        return _page(request, _page_context(request, assessment, return_form=form), status=400)
    workflow.return_to_draft(assessment, by=request.user, note=form.cleaned_data["note"])
    messages.success(request, f"Returned to {assessment.engineer} as a draft, with your note.")
    # Where the manager's other review actions return: their team, in this cycle.
    return redirect(f"{reverse('assessments:team')}?cycle={assessment.cycle_id}")


def _page(request: HttpRequest, context: dict, status: int = 200) -> HttpResponse:
    return render(request, "assessments/assessment.html", context, status=status, using="jinja2")


def _page_context(
    request: HttpRequest, assessment: Assessment, refused: Refused | None = None, **extra
) -> dict:
    outline = outline_of(assessment.level)
    ratings = rating_states(assessment)
    if any(state.evidence_plain for state in ratings.values()):
        # Left while its writer was typing (a closed tab): rendered now, for good.
        rendered = workflow.render_plain_evidence(assessment.pk)
        for state in ratings.values():
            if state.id in rendered:
                state.evidence_html, state.evidence_plain = rendered[state.id], False
    higher = outline.higher
    beside = None
    if higher is not None and request.GET.get("beside") == higher.code:
        beside = outline_of(Level.objects.select_related("framework").get(pk=higher.id))
    editable = allowed(request.user, assessment, Action.EDIT)
    can_return = allowed(request.user, assessment, Action.RETURN)
    is_engineer = assessment.engineer_id == request.user.pk
    past = past_for(assessment, engineer_reads=is_engineer)
    return {
        **rubric_context(
            request,
            assessment,
            outline,
            ratings,
            editable=editable,
            refused=refused,
            beside=beside,
            beside_code=higher.code if beside else "",
        ),
        "assessment": assessment,
        "progress": page_progress(outline, {b: r.score for b, r in ratings.items()}),
        "higher": higher,
        "beside": beside,
        "editable": editable,
        "can_return": can_return,
        "is_engineer": is_engineer,
        "past": past,
        "carry_over_url": (
            reverse("assessments:carry-over", args=[assessment.pk])
            if past and editable and is_engineer
            else None
        ),
        "return_form": extra.get("return_form") or (ReturnForm() if can_return else None),
        # The ladder as this cycle pins it, not the newest version: ratings were
        # given against this wording.
        "ladder_url": assessment.level.get_absolute_url(),
        **_review_link(request.user, assessment),
        "peers_link": peers.list_link(request.user, assessment),
        "newer_version": newer_version(assessment.level.framework),
        "submit_message": SUBMIT_MESSAGE,
        **extra,
    }


def _review_link(user, assessment: Assessment) -> dict:
    """Where the manager's review of this assessment is, for whoever may read it now."""
    if not allowed(user, assessment, Action.READ_REVIEW):
        return {"review_url": None}
    if assessment.engineer_id == user.pk:
        label = "Read your manager’s review and your outcome"
    elif allowed(user, assessment, Action.REVIEW):
        label = "Review this self-assessment"
    else:
        label = "Read the manager’s review"
    return {"review_url": assessment.get_review_url(), "review_link": label}


def _refused_response(
    request, rating, *, form, status: int, conflict: bool = False
) -> HttpResponse:
    """Why a save was refused: htmx gets the row's status (and the conflict); else the page."""
    if not request.htmx:
        assessment = get_assessment_for_user(request.user, rating.assessment_id)
        refused = Refused(
            behaviour_id=rating.behaviour_id,
            # What was sent, if it was one of the scale's answers.
            score=form.cleaned_data.get("score"),
            evidence=form.data.get("evidence", ""),
            conflict=conflict,
            errors=[e for errors in form.errors.values() for e in errors],
        )
        return _page(request, _page_context(request, assessment, refused=refused), status=status)
    context = {
        "rating": rating,
        "conflict": conflict,
        "errors": [e for errors in form.errors.values() for e in errors] if status == 400 else [],
    }
    response = render(
        request, "assessments/assessment_refused.html", context, status=status, using="jinja2"
    )
    response["X-Rating-Version"] = str(rating.version)
    return response


def bad_request(request: HttpRequest, exception=None) -> HttpResponse:
    """Django's 400 page, naming the cause when it was a file's name too long to read."""
    message = NAME_TOO_LONG if is_name_too_long(exception) else None
    # Without the request, as Django renders it: a context processor could read the body.
    page = loader.get_template("400.html", using="jinja2")
    return HttpResponseBadRequest(page.render({"message": message}))


def forbidden(request: HttpRequest, exception=None) -> HttpResponse:
    message = str(exception) if isinstance(exception, PermissionDenied) and str(exception) else None
    if request.htmx:
        return HttpResponse(message or "Not allowed.", status=403)
    return render(request, "403.html", {"message": message}, status=403, using="jinja2")


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A stale page (signed in again elsewhere, or a very old tab) rather than an attack."""
    message = "This page's session has ended. Sign in again in another tab; your text is kept here."
    if request.htmx:
        response = HttpResponse(message, status=403)
        response["X-Ladder-Retry"] = "session"
        return response
    return render(request, "403.html", {"message": message}, status=403, using="jinja2")

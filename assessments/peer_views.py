"""Peer input's pages: who is asked (the engineer nominates, the reviewer approves), and
the colleague's own page, where they answer per area or decline. The rules are in
assessments.peers; every page asks there."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from assessments import peers
from assessments.forms import DeclineForm, NominateForm, PeerAnswerForm
from assessments.models import EVIDENCE_MAX_LENGTH, PeerAnswer, PeerRequest
from assessments.permissions import LARGEST_ID, signed_in
from assessments.progress import outline_of, published_level
from assessments.sql import assessment_for_page
from ladder.models import User

Status = PeerRequest.Status
# Colleagues offered in the nomination box: the engineer's own part of the company.
SUGGESTED = 50


# ---- who is asked


def _assessment(user: User, pk: int):
    assessment = assessment_for_page(pk) if pk <= LARGEST_ID else None
    if assessment is None or not peers.may_see_list(user, assessment):
        raise Http404("No such assessment.")
    assessment.level = published_level(assessment.level_id)
    return assessment


@require_GET
@signed_in
def peer_list(request: HttpRequest, pk: int) -> HttpResponse:
    """The colleagues asked for input on an assessment, for its engineer and reviewer."""
    return _list_page(request, _assessment(request.user, pk))


def _list_page(request, assessment, *, form=None, status=200) -> HttpResponse:
    user = request.user
    cycle = assessment.cycle
    is_engineer = assessment.engineer_id == user.pk
    can_nominate = peers.may_nominate(user, assessment)
    can_decide = peers.may_decide(user, assessment)
    rows = list(
        assessment.peer_requests.select_related("peer").order_by(
            "peer__first_name", "peer__last_name", "peer__username"
        )
    )
    # The engineer's count keeps those who declined: a count that drops would tell them.
    counted = (
        ("nominated", "asked", "answered", "declined") if is_engineer else PeerRequest.STANDING
    )
    standing = sum(1 for r in rows if r.status in counted and r.kind == PeerRequest.Kind.PEER)
    context = {
        "assessment": assessment,
        "cycle": cycle,
        "rows": rows,
        "standing": standing,
        "is_engineer": is_engineer,
        # In an anonymous cycle the engineer never learns who answered or declined.
        "statuses_shown": not is_engineer or not cycle.peers_anonymous,
        "can_nominate": can_nominate and standing < cycle.peers_max,
        "can_withdraw": can_nominate and is_engineer,
        "can_decide": can_decide,
        "can_add": can_decide and standing < cycle.peers_max,
        "waiting": sum(1 for r in rows if r.status == Status.NOMINATED),
        "form": form or NominateForm(),
        "suggestions": _suggestions(assessment) if (can_nominate or can_decide) else [],
        "reports_to_ask": peers.reports_to_ask(assessment) if can_decide else [],
    }
    return render(request, "assessments/peers.html", context, status=status, using="jinja2")


def _suggestions(assessment) -> list[User]:
    """Colleagues near the engineer: their team, their department, their manager's reports."""
    engineer = assessment.engineer
    near = Q(manager_id=engineer.manager_id) if engineer.manager_id else Q(pk__in=[])
    if engineer.department:
        near |= Q(department=engineer.department)
    return list(
        User.objects.filter(near, is_active=True)
        .exclude(pk__in=[engineer.pk, peers.approver_id(assessment) or 0])
        .order_by("first_name", "last_name", "username")[:SUGGESTED]
    )


@require_POST
@signed_in
def add(request: HttpRequest, pk: int) -> HttpResponse:
    """The engineer nominates a colleague; the reviewer adds one, asked at once."""
    assessment = _assessment(request.user, pk)
    form = NominateForm(request.POST)
    if form.is_valid():
        person = form.cleaned_data["person"]
        try:
            peers.add(assessment, by=request.user, person=person)
        except ValidationError as error:
            form.add_error("person", error)
        else:
            if assessment.engineer_id == request.user.pk:
                done = f"{person} nominated; your manager approves before they are asked."
            else:
                done = f"{person} is asked for input now, by e-mail."
            messages.success(request, done)
            return redirect("assessments:peers", pk=assessment.pk)
    return _list_page(request, assessment, form=form, status=400)


def _request_in(assessment, request_id: int) -> PeerRequest:
    found = (
        assessment.peer_requests.select_related("peer").filter(pk=request_id).first()
        if request_id <= LARGEST_ID
        else None
    )
    if found is None:
        raise Http404("No such colleague on this list.")
    return found


def _deciding(user: User, pk: int):
    """The assessment, if the person approves its nominations now; 403 for its engineer."""
    assessment = _assessment(user, pk)
    if not peers.may_decide(user, assessment):
        raise PermissionDenied(
            "Only the reviewer approves, adds or removes colleagues, until the review is finished."
        )
    return assessment


def _acted(request: HttpRequest, assessment, act) -> HttpResponse:
    """Do `act` (which says what it did) and go back to the list; a refusal is its message."""
    try:
        done = act()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("assessments:peers", pk=assessment.pk)


@require_POST
@signed_in
def approve(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    assessment = _deciding(request.user, pk)
    asked = _request_in(assessment, request_id)

    def act() -> str:
        peers.approve(asked, by=request.user)
        return f"{asked.peer} is asked for input now, by e-mail."

    return _acted(request, assessment, act)


@require_POST
@signed_in
def approve_all(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _deciding(request.user, pk)

    def act() -> str:
        count = peers.approve_all(assessment, by=request.user)
        return (
            f"{count} colleague{'s are' if count != 1 else ' is'} asked for input now, by e-mail."
        )

    return _acted(request, assessment, act)


@require_POST
@signed_in
def ask_reports(request: HttpRequest, pk: int) -> HttpResponse:
    """The reviewer asks the engineer's reports for upward input."""
    assessment = _deciding(request.user, pk)

    def act() -> str:
        count = peers.ask_reports(assessment, by=request.user)
        are = "are" if count != 1 else "is"
        return f"{count} of {assessment.engineer}'s reports {are} asked for upward input now."

    return _acted(request, assessment, act)


@require_POST
@signed_in
def remove(request: HttpRequest, pk: int, request_id: int) -> HttpResponse:
    """The engineer withdraws a nomination; the reviewer removes a colleague."""
    assessment = _assessment(request.user, pk)
    if assessment.engineer_id != request.user.pk:
        assessment = _deciding(request.user, pk)
    elif not peers.may_nominate(request.user, assessment):
        raise PermissionDenied("Nominations are closed; ask your manager to change the list.")
    asked = _request_in(assessment, request_id)

    def act() -> str:
        peers.remove(asked, by=request.user)
        return f"{asked.peer} is no longer on the list."

    return _acted(request, assessment, act)


# ---- the colleague's own page


def _request_for(user: User, request_id: int) -> PeerRequest:
    found = (
        PeerRequest.objects.select_related(
            "assessment__cycle__framework", "assessment__engineer", "peer"
        )
        .filter(pk=request_id)
        .first()
        if request_id <= LARGEST_ID
        else None
    )
    if found is None or not peers.sees_request(user, found):
        raise Http404("No such request.")
    found.assessment.level = published_level(found.assessment.level_id)
    return found


@require_GET
@signed_in
def peer_input(request: HttpRequest, request_id: int) -> HttpResponse:
    """Where a colleague answers, area by area, or declines; afterwards, what they wrote."""
    return _answer_page(request, _request_for(request.user, request_id))


def _answer_page(request, asked: PeerRequest, *, refused=None, decline_form=None, status=200):
    assessment = asked.assessment
    outline = outline_of(assessment.level)
    scale = outline.scale
    labels = {step.value: step.label for step in scale.steps}
    states = [peers.AnswerState.of(answer, labels) for answer in asked.answers.all()]
    by_area = {s.area_id: s for s in states if s.behaviour is None}
    by_behaviour = {s.behaviour: s for s in states if s.behaviour is not None}
    # Per area: its rows, each (the behaviour asked about, or None for the whole area;
    # the answer). Declined: nothing of the answer is shown, not even what was begun.
    sections = []
    if asked.status != PeerRequest.Status.DECLINED:
        for area in outline.areas:
            rows = [(None, by_area[area.id])] if area.id in by_area else []
            rows += [
                (b, by_behaviour[b.id])
                for g in area.groups
                for b in g.behaviours
                if b.id in by_behaviour
            ]
            if rows:
                sections.append((area, rows))
    context = {
        "asked": asked,
        "assessment": assessment,
        "engineer": assessment.engineer,
        "sections": sections,
        "by_behaviour": bool(by_behaviour),
        "scale": scale,
        "not_seen": peers.NOT_SEEN,
        "editable": peers.may_answer(request.user, asked),
        "refused": refused,
        "decline_form": decline_form or DeclineForm(),
        "evidence_max": EVIDENCE_MAX_LENGTH,
        "open_rows": sum(1 for _, rows in sections for _, a in rows if a.score is None),
    }
    return render(request, "assessments/peer_input.html", context, status=status, using="jinja2")


def _answer_for(asked: PeerRequest, *, area_id: int = 0, behaviour_id: int = 0) -> PeerAnswer:
    """The answer on that area (asked per area) or that behaviour (asked per behaviour)."""
    found = None
    if behaviour_id and behaviour_id <= LARGEST_ID:
        found = asked.answers.filter(behaviour_id=behaviour_id).first()
    elif not behaviour_id and area_id <= LARGEST_ID:
        found = asked.answers.filter(area_id=area_id, behaviour__isnull=True).first()
    if found is None:
        raise Http404("Nothing asked about that in this request.")
    return found


@require_POST
@signed_in
def save(
    request: HttpRequest, request_id: int, area_id: int = 0, behaviour_id: int = 0
) -> HttpResponse:
    """Save one area (or behaviour) of the answer, by autosave or plain form; 409 if it
    moved on elsewhere."""
    asked = _request_for(request.user, request_id)
    if not peers.may_answer(request.user, asked):
        raise PermissionDenied("This request is closed: your answers can no longer change.")
    answer = _answer_for(asked, area_id=area_id, behaviour_id=behaviour_id)
    scale = outline_of(asked.assessment.level).scale
    labels = {step.value: step.label for step in scale.steps}
    form = PeerAnswerForm(request.POST, scale=scale)
    if not form.is_valid():
        state = peers.AnswerState.of(answer, labels)
        return _refused(request, asked, state, form, status=400)
    result = peers.save_answer(
        asked,
        answer,
        score=form.cleaned_data["score"],
        evidence=form.cleaned_data["evidence"],
        base_version=form.base_version,
        labels=labels,
    )
    if result.conflict:
        return _refused(request, asked, result.state, form, status=409)
    if not request.htmx:
        messages.success(request, "Saved.")
        return redirect(f"{asked.get_absolute_url()}#b-{result.state.behaviour_id}")
    context = {"rating": result.state, "preview": True}
    response = render(request, "assessments/assessment_saved.html", context, using="jinja2")
    response["X-Rating-Version"] = str(result.state.version)
    return response


def _refused(request, asked, state, form, *, status: int) -> HttpResponse:
    errors = [e for errors in form.errors.values() for e in errors] if status == 400 else []
    if not request.htmx:
        refused = {
            "row": state.behaviour_id,
            "score": form.data.get("score", ""),
            "evidence": form.data.get("evidence", ""),
            "conflict": status == 409,
            "errors": errors,
        }
        return _answer_page(request, asked, refused=refused, status=status)
    context = {"rating": state, "conflict": status == 409, "errors": errors, "what": "answer"}
    response = render(
        request, "assessments/assessment_refused.html", context, status=status, using="jinja2"
    )
    response["X-Rating-Version"] = str(state.version)
    return response


@require_POST
@signed_in
def submit(request: HttpRequest, request_id: int) -> HttpResponse:
    asked = _request_for(request.user, request_id)
    try:
        peers.submit(asked, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages), extra_tags="submit-message")
        return redirect(f"{asked.get_absolute_url()}#submit")
    messages.success(request, f"Thank you: your input on {asked.assessment.engineer} is sent.")
    return redirect("home")


@require_POST
@signed_in
def decline(request: HttpRequest, request_id: int) -> HttpResponse:
    asked = _request_for(request.user, request_id)
    form = DeclineForm(request.POST)
    if form.is_valid():
        try:
            peers.decline(asked, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            messages.success(request, "Declined. The manager reads your reason.")
            return redirect("home")
    return _answer_page(request, asked, decline_form=form, status=400)

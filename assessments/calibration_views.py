"""The calibration committee's pages: the cycle's figures, decisions, the disagreement map."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from assessments import roles, workflow
from assessments.access import get_assessment_for_user, get_cycle_for_user
from assessments.calibration import committee_page, disagreement_map, results_table
from assessments.forms import DecisionForm
from assessments.models import SUMMARY_MAX_LENGTH
from assessments.packets.jobs import recent_jobs
from assessments.permissions import (
    Action,
    calibrates,
    can_export_cycle,
    can_read_disagreements,
    signed_in,
)
from assessments.progress import scale_of


@require_GET
@signed_in
def calibration(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The committee's page: figures for everyone filtered, and each person's decision."""
    cycle = get_cycle_for_user(request.user, cycle_id, calibrates)
    page = committee_page(request.user, cycle, request.GET)
    status = 400 if page.filters.errors else 200
    members, changes = roles.committee_of(cycle)
    context = {
        "page": page,
        "cycle": cycle,
        "here": request.get_full_path(),
        "members": members,
        "committee_changes": changes,
        "packet_jobs": recent_jobs(request.user, cycle),
    }
    return render(request, "assessments/calibration.html", context, status=status, using="jinja2")


@require_POST
@signed_in
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Record or change the committee's outcome for one person, with the reason."""
    assessment = get_assessment_for_user(request.user, pk, Action.DECIDE)
    back = _back(request, assessment.cycle_id)
    scale = scale_of(assessment)
    form = DecisionForm(request.POST, scale=scale)
    if form.is_valid():
        try:
            workflow.record_decision(
                assessment,
                by=request.user,
                outcome=form.cleaned_data["outcome"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            label = scale.outcome_label(form.cleaned_data["outcome"])
            # Shown in the person's row, where the page returns to (calibration.html).
            messages.success(
                request,
                f"Outcome for {assessment.engineer} recorded: {label}.",
                extra_tags=f"person-{assessment.pk}",
            )
            return redirect(f"{back}#person-{assessment.pk}")
    context = {
        "assessment": assessment,
        "form": form,
        "errors": [e for errors in form.errors.values() for e in errors],
        "outcomes": scale.outcome_choices,
        "back": back,
        "reason_max": SUMMARY_MAX_LENGTH,
    }
    return render(request, "assessments/decision.html", context, status=400, using="jinja2")


@require_POST
@signed_in
def close_calibration(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Close the cycle's calibration: decided outcomes are shared, and can't change again."""
    cycle = get_cycle_for_user(request.user, cycle_id, calibrates)
    try:
        shared = workflow.close_calibration(
            cycle, by=request.user, confirmed=request.POST.get("confirm") == "yes"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            f"Calibration of {cycle} is closed. {shared} result{'s' if shared != 1 else ''} "
            "shared: each engineer has been e-mailed and sees their outcome.",
        )
    return redirect("assessments:calibration", cycle.pk)


@require_GET
@signed_in
def disagreements(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Where self and manager scores differ, per behaviour: for people who write the ladder."""
    cycle = get_cycle_for_user(request.user, cycle_id, can_read_disagreements)
    data = disagreement_map(request.user, cycle, request.GET)
    context = {"map": data, "cycle": cycle, "is_committee": calibrates(request.user, cycle)}
    status = 400 if data.errors else 200
    return render(request, "assessments/disagreements.html", context, status=status, using="jinja2")


@require_GET
@signed_in
def results_csv(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """The cycle's results as CSV, for a spreadsheet: every cell safe to open."""
    cycle = get_cycle_for_user(request.user, cycle_id, can_export_cycle)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = slugify(cycle.name) or f"cycle-{cycle.pk}"
    response["Content-Disposition"] = f'attachment; filename="{name}-results.csv"'
    # Excel reads a CSV without a byte order mark as the local code page, not UTF-8.
    response.write("\ufeff")
    # Quoting every cell keeps a delimiter in a name from splitting it into a new cell.
    csv.writer(response, quoting=csv.QUOTE_ALL).writerows(results_table(request.user, cycle))
    return response


def _back(request: HttpRequest, cycle_id: int) -> str:
    """Where a decision returns: the page it came from, with its filters, if it is ours."""
    default = reverse("assessments:calibration", args=[cycle_id])
    target = request.POST.get("next", "").split("#", 1)[0]
    safe = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    ours = target == default or target.startswith(f"{default}?")
    return target if safe and ours else default

"""Running a cycle, for whoever runs cycles: its page, enrolment, reminders, extensions,
phases and the participants' CSV; and each person's choice about reminder e-mails."""

from __future__ import annotations

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from assessments import cycles, participants, reminders
from assessments.access import get_cycle_for_user
from assessments.forms import EnrolForm, ExtendForm, ParticipantFilterForm, ReminderChoiceForm
from assessments.models import Assessment, Cycle
from assessments.permissions import LARGEST_ID, can_run_cycles, reach, signed_in, whole_number
from ladder.models import User
from ladder.spreadsheets import guarded


def _runs(user, cycle) -> bool:
    return reach(user) is not None


def _moves_phases(user, cycle) -> bool:
    # A cycle's phases are the whole company's: an HR partner's reach is part of it.
    return can_run_cycles(user)


@require_GET
@signed_in
def cycle_list(request: HttpRequest) -> HttpResponse:
    """Every cycle with how many take part, for whoever runs them."""
    within = reach(request.user)
    if within is None:
        raise PermissionDenied("Only whoever runs review cycles sees this page.")
    mine = within.people("assessments__engineer_id")
    all_cycles = Cycle.objects.select_related("framework").annotate(
        people=Count("assessments", filter=mine),
        submitted=Count("assessments", filter=mine & ~Q(assessments__status="draft")),
    )
    context = {"cycles": all_cycles, "reach": within}
    return render(request, "assessments/cycles.html", context, using="jinja2")


@require_GET
@signed_in
def cycle_page(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Who takes part and where each stands, by person, manager or department."""
    cycle = get_cycle_for_user(request.user, cycle_id, _runs)
    within = reach(request.user)
    form = ParticipantFilterForm(request.GET, cycle=cycle)
    filters = form.filters() if form.is_valid() else participants.Filters()
    page = participants.cycle_page(cycle, filters, within.people())
    next_phase = cycle.next_phase if within.everyone else None
    context = {
        "cycle": cycle,
        "page": page,
        "form": form,
        "here": request.get_full_path(),
        "stage": participants.stage,
        "views": participants.VIEWS,
        "next_phase": next_phase and Cycle.Phase(next_phase),
        "unfinished": (
            list(cycles.unfinished_for(cycle, next_phase)[: cycles.NAMED + 1])
            if next_phase and cycle.status == Cycle.Status.OPEN
            else []
        ),
        "chat_posts": (
            list(cycle.chat_posts.all()[:3]) if cycle.chat_webhook_url and within.everyone else []
        ),
        "reach": within,
        "latest_extension": cycles.latest_extension(cycle),
        "today": timezone.localdate(),
    }
    context["pager"] = _pager(request, page.page)
    status = 400 if form.errors else 200
    return render(request, "assessments/cycle.html", context, status=status, using="jinja2")


def _pager(request: HttpRequest, page) -> dict[str, str | None]:
    """The query strings of the previous and next pages, with the same filters."""

    def to(number: int) -> str:
        query = request.GET.copy()
        query["page"] = str(number)
        return query.urlencode()

    return {
        "previous": to(page.previous_page_number()) if page.has_previous() else None,
        "next": to(page.next_page_number()) if page.has_next() else None,
    }


@require_GET
@signed_in
def participants_csv(request: HttpRequest, cycle_id: int) -> StreamingHttpResponse:
    """Everyone the page's filters choose, one row each, with their manager and department."""
    cycle = get_cycle_for_user(request.user, cycle_id, _runs)
    within = reach(request.user)
    form = ParticipantFilterForm(request.GET, cycle=cycle)
    filters = form.filters() if form.is_valid() else participants.Filters()
    name = slugify(cycle.name) or f"cycle-{cycle.pk}"

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo(), quoting=csv.QUOTE_ALL)

    def lines():
        yield "\ufeff"
        yield writer.writerow(
            [
                "Person",
                "Username",
                "E-mail",
                "Department",
                "Level",
                "Manager (reviewer)",
                "Status",
                "Where they are",
                "Progress",
                "Self-assessment due",
                "Overdue",
            ]
        )
        for row in participants.all_rows(cycle, filters, within.people()):
            a = row.assessment
            yield writer.writerow(
                guarded(cell)
                for cell in (
                    row.person,
                    row.person.username,
                    row.person.email,
                    row.person.department,
                    a.level.code,
                    a.reviewer or "",
                    row.status_label,
                    participants.stage(row),
                    row.progress_label,
                    a.self_assessment_due.isoformat(),
                    "yes" if row.overdue else "",
                )
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-participants.csv"'
    return response


@require_http_methods(["GET", "POST"])
@signed_in
def enrol(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Choose people, see who that is, then enrol them: a preview first, always."""
    cycle = get_cycle_for_user(request.user, cycle_id, _runs)
    data = request.POST if request.method == "POST" else (request.GET or None)
    form = EnrolForm(data, cycle=cycle)
    preview = None
    if form.is_valid():
        choice = form.choice()
        if request.method == "POST" and form.cleaned_data.get("confirm"):
            try:
                ids = cycles.enrol(cycle, choice, by=request.user)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request,
                    f"{len(ids)} {'people' if len(ids) != 1 else 'person'} enrolled in {cycle} "
                    "and e-mailed the link and the deadlines."
                    if ids
                    else "Nobody new to enrol: everyone chosen already takes part.",
                )
                return redirect("assessments:cycle", cycle.pk)
        preview = cycles.preview(cycle, choice, reach(request.user))
    status = 400 if form.errors else 200
    context = {"cycle": cycle, "form": form, "preview": preview, "named": cycles.NAMED}
    return render(request, "assessments/enrol.html", context, status=status, using="jinja2")


@require_POST
@signed_in
def remind(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Remind now: one person, a manager's or a department's people, or everyone overdue."""
    cycle = get_cycle_for_user(request.user, cycle_id, _runs)
    back = _back(request, cycle)
    today = timezone.localdate()
    chosen = cycle.assessments.filter(reach(request.user).people())
    target = request.POST.get("who", "")
    if target == "overdue":
        chosen = chosen.filter(cycles.overdue(cycle, today))
        label = "everyone overdue"
    elif target.startswith("person:") and (pk := whole_number(target[7:])):
        chosen = chosen.filter(pk=pk)
        label = None
    elif target.startswith("manager:") and (pk := whole_number(target[8:])):
        chosen = chosen.filter(reviewer_id=pk)
        label = "this manager's people"
    elif target.startswith("department:") and len(target) <= 140:
        department = target[11:]
        chosen = chosen.filter(
            engineer__department="" if department == participants.NO_DEPARTMENT else department
        )
        label = "this department's people"
    else:
        messages.error(request, "Choose whom to remind.")
        return redirect(back)
    sent, not_sent = reminders.remind_now(cycle, chosen, by=request.user)
    if sent:
        left = f"; {not_sent} not sent (finished, reminded today, or reminders off)"
        messages.success(
            request,
            f"{sent} reminder{'s' if sent != 1 else ''} on the way"
            + (f" to {label}" if label else "")
            + (left if not_sent else "")
            + ".",
        )
    else:
        messages.info(
            request,
            "No reminder sent: nobody chosen has anything to do now, was already reminded "
            "today, or has reminders turned off.",
        )
    return redirect(back)


@require_POST
@signed_in
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    """Give one person's self-assessment more time."""
    if pk > LARGEST_ID or reach(request.user) is None:
        raise PermissionDenied("Only whoever runs review cycles gives more time.")
    assessment = Assessment.objects.select_related("cycle", "engineer").filter(pk=pk).first()
    if assessment is None:
        return redirect("assessments:cycles")
    back = _back(request, assessment.cycle)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect(back)
    until = form.cleaned_data["until"]
    try:
        cycles.extend(assessment, by=request.user, until=until)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    else:
        messages.success(
            request,
            f"{assessment.engineer} has until {until:%-d %B %Y}; they are told by e-mail.",
        )
    return redirect(back)


@require_POST
@signed_in
def move_phase(request: HttpRequest, cycle_id: int) -> HttpResponse:
    """Move to the next phase, having been shown who is unfinished."""
    cycle = get_cycle_for_user(request.user, cycle_id, _moves_phases)
    try:
        cycles.move_phase(
            cycle,
            by=request.user,
            to=request.POST.get("to", "")[:20],
            confirmed=request.POST.get("confirm") == "yes",
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{cycle} is now in {cycle.get_phase_display().lower()}.")
    return redirect("assessments:cycle", cycle.pk)


def _back(request: HttpRequest, cycle: Cycle) -> str:
    """The cycle's page with the filters it was sent from (only ever that page)."""
    base = reverse("assessments:cycle", args=[cycle.pk])
    target = request.POST.get("next", "")
    if target == base or (target.startswith(f"{base}?") and len(target) <= 1_000):
        return target
    return base


@require_http_methods(["GET", "POST"])
@signed_in
def my_reminders(request: HttpRequest) -> HttpResponse:
    """Whether the signed-in person gets reminder e-mails; deadlines show either way."""
    form = ReminderChoiceForm(
        request.POST if request.method == "POST" else None,
        initial={"reminder_emails": request.user.reminder_emails},
    )
    if request.method == "POST" and form.is_valid():
        wanted = form.cleaned_data["reminder_emails"]
        User.objects.filter(pk=request.user.pk).update(reminder_emails=wanted)
        messages.success(
            request,
            "You will get reminders before deadlines."
            if wanted
            else "No more reminder e-mails. Deadlines still show on your pages.",
        )
        return redirect("assessments:my-reminders")
    return render(request, "assessments/my_reminders.html", {"form": form}, using="jinja2")

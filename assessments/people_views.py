"""The org chart from a file, in the browser: upload, read the dry run, map columns,
confirm. For whoever manages people; an upload is its uploader's alone."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from assessments import org_chart
from assessments.models import PeopleImport
from assessments.permissions import LARGEST_ID, can_manage_people, signed_in
from assessments.tasks import send_password_link
from ladder.models import User
from ladder.uploads import NAME_TOO_LONG, is_name_too_long

# What the report lists of each kind before "and N more".
SHOWN = 200
# A confirmed file still not applied after this was lost with its worker: it may be
# confirmed again (applying is all or nothing, so nothing was half done).
GIVE_UP = timedelta(minutes=10)


class UploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file from your HR system",
        help_text="One row per person: employee id, e-mail, name, manager (e-mail or "
        "employee id), department, track, level, start date, active.",
    )


def _manager(request: HttpRequest) -> None:
    if not can_manage_people(request.user):
        raise PermissionDenied("Only whoever manages people in Ladder loads the org chart.")


@require_http_methods(["GET", "POST"])
@signed_in
def upload(request: HttpRequest) -> HttpResponse:
    """Upload a file: nothing changes until its report is confirmed."""
    _manager(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if is_name_too_long(upload.name):
            error = NAME_TOO_LONG
        elif upload.size > org_chart.MOST_BYTES:
            error = f"The file is over {org_chart.MOST_BYTES // 1_000_000} MB: split it."
        else:
            try:
                text = org_chart.decode(upload.read(org_chart.MOST_BYTES + 1))
                org_chart.read(text)  # refuses what can't be read at all, now
            except org_chart.FileProblem as problem:
                error = str(problem)
            else:
                PeopleImport.objects.filter(
                    uploaded_by=request.user, status=PeopleImport.Status.PENDING
                ).delete()
                batch = PeopleImport.objects.create(
                    uploaded_by=request.user, file_name=upload.name[:200], text=text
                )
                return redirect("assessments:people-import-report", batch.pk)
    status = 400 if error or form.errors else 200
    context = {"form": form, "error": error}
    return render(request, "assessments/people_import.html", context, status=status, using="jinja2")


def _batch(request: HttpRequest, pk: int) -> PeopleImport:
    _manager(request)
    if pk > LARGEST_ID:
        raise PermissionDenied("No such upload.")
    return get_object_or_404(PeopleImport, pk=pk, uploaded_by=request.user)


@require_http_methods(["GET"])
@signed_in
def report(request: HttpRequest, pk: int) -> HttpResponse:
    """The dry run: who is new, who changes and how, who is deactivated, every problem."""
    batch = _batch(request, pk)
    # While the worker applies it, the page only follows it (and looks again soon),
    # without reading the file each time.
    applying = batch.status == PeopleImport.Status.APPLYING
    sheet = org_chart.Sheet([], {}, []) if applying else org_chart.read(batch.text, batch.mapping)
    result = org_chart.Plan() if applying else org_chart.plan(sheet, by=request.user)
    context = {
        "batch": batch,
        "to_invite": len(_to_invite(batch)) if batch.status == PeopleImport.Status.APPLIED else 0,
        "sheet": sheet,
        "plan": result,
        "digest": org_chart.digest(result),
        "waiting": (
            batch.status == PeopleImport.Status.APPLYING
            and batch.confirmed_at is not None
            and (timezone.now() - batch.confirmed_at).total_seconds()
        ),
        "shown": SHOWN,
        "fields": org_chart.LABELS,
    }
    return render(request, "assessments/people_import_report.html", context, using="jinja2")


@require_POST
@signed_in
def map_columns(request: HttpRequest, pk: int) -> HttpResponse:
    """Choose the columns the header didn't name clearly, then read the report again."""
    batch = _batch(request, pk)
    headers = org_chart.read(batch.text).headers
    mapping = {
        name: request.POST[name] for name in org_chart.COLUMNS if request.POST.get(name) in headers
    }
    batch.mapping = mapping
    batch.save(update_fields=["mapping"])
    return redirect("assessments:people-import-report", batch.pk)


@require_POST
@signed_in
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Hand the plan the report showed to the worker, once; its report follows it.

    The worker plans again and applies only if that is still the plan shown (the
    digest), without problems and past any guardrail only if it was ticked here.
    """
    batch = _batch(request, pk)
    back = redirect("assessments:people-import-report", batch.pk)
    # One that waited for the worker longer than any file takes was lost with it.
    abandoned = Q(status=PeopleImport.Status.APPLYING, confirmed_at__lt=timezone.now() - GIVE_UP)
    waiting = Q(status=PeopleImport.Status.PENDING) | abandoned
    asked = PeopleImport.objects.filter(waiting, pk=batch.pk).update(
        status=PeopleImport.Status.APPLYING,
        digest=request.POST.get("digest", "")[:64],
        confirmed=request.POST.get("confirm") == "yes",
        confirmed_at=timezone.now(),
        error="",
    )
    if not asked:
        messages.info(
            request,
            "This file was applied already; nothing changed again."
            if batch.status == PeopleImport.Status.APPLIED
            else "This file is being applied already.",
        )
        return back
    org_chart.apply_upload.enqueue(batch.pk)
    return back


def _to_invite(batch: PeopleImport):
    """The people the file created who can't sign in yet: active, no password, never in.
    Nobody, when passwords are only for the break-glass admins: they use single sign-on."""
    if settings.PASSWORD_SIGN_IN != "everyone":
        return []
    return [
        person
        for person in User.objects.filter(pk__in=batch.created, is_active=True, last_login=None)
        if not person.has_usable_password()
    ]


@require_POST
@signed_in
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """E-mail each person the file created a one-time link to set their password."""
    batch = _batch(request, pk)
    people = _to_invite(batch)
    for person in people:
        send_password_link.enqueue(person.pk, "invite")
    batch.invited_at = timezone.now()
    batch.save(update_fields=["invited_at"])
    messages.success(
        request,
        f"{len(people)} invitation{'s' if len(people) != 1 else ''} on the way: each a "
        "link to set a password, good once.",
    )
    return redirect("assessments:people-import-report", batch.pk)

"""Calibration committees' own pages: who sits on each, and changing that on the record."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from assessments import committees, roles
from assessments.models import CommitteeChange
from assessments.permissions import LARGEST_ID, can_manage_committees, signed_in, whole_number
from ladder.models import User


class DrawForm(forms.Form):
    per = forms.ChoiceField(
        label="One committee per",
        choices=[("department", "department"), ("level", "level")],
        widget=forms.RadioSelect,
    )


class MemberForm(forms.Form):
    person = forms.CharField(label="E-mail or username", max_length=254)


def _require(user: User) -> None:
    if not can_manage_committees(user):
        raise PermissionDenied("Only admins who may change groups manage committees.")


def _committee(pk: int) -> Group:
    group = Group.objects.filter(pk=pk).first() if pk <= LARGEST_ID else None
    if group is None or not committees.is_committee(group):
        raise Http404("No such committee.")
    return group


@require_http_methods(["GET", "POST"])
@signed_in
def committee_list(request: HttpRequest) -> HttpResponse:
    """Every committee, and making one per department or per level from the org chart."""
    _require(request.user)
    form = DrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not request.user.has_perm("auth.add_group"):
            raise PermissionDenied("Only admins who may add groups create committees.")
        per = form.cleaned_data["per"]
        drawn = committees.create_drawn(per)
        if drawn.new:
            names = ", ".join(name.removeprefix(committees.PREFIX) for name, _ in drawn.new)
            messages.success(
                request,
                f"{len(drawn.new)} committee{'s' if len(drawn.new) != 1 else ''} made, one per "
                f"{per}, with its managers: {names}. A cycle seats one of them in the admin.",
            )
        else:
            messages.info(request, f"No new committee: every {per} with managers has one.")
        if drawn.without_managers:
            messages.warning(
                request,
                f"Left out, having no manager in the org chart: "
                f"{', '.join(drawn.without_managers[:20])}"
                + (" and more" if len(drawn.without_managers) > 20 else "")
                + ".",
            )
        return redirect("assessments:committees")
    context = {"committees": committees.committees(), "form": form}
    status = 400 if form.errors else 200
    return render(request, "assessments/committees.html", context, status=status, using="jinja2")


@require_http_methods(["GET", "POST"])
@signed_in
def committee_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Who sits on one committee, which cycles it calibrates, its latest changes; add someone."""
    _require(request.user)
    group = _committee(pk)
    form = MemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = committees.find_person(form.cleaned_data["person"])
        if person is None:
            form.add_error("person", "Nobody active in Ladder has that e-mail or username.")
        else:
            try:
                roles.join(group, person, by=request.user)
            except ValidationError as error:
                form.add_error("person", error)
            else:
                messages.success(request, f"{person} joined {group}.")
                return redirect("assessments:committee", group.pk)
    cycles = list(group.calibrated_cycles.order_by("-self_assessment_due"))
    context = {
        "group": group,
        "members": list(
            group.user_set.order_by("first_name", "last_name", "username").only(
                "first_name", "last_name", "username", "email", "department", "is_active"
            )
        ),
        "cycles": cycles,
        "changes": list(
            CommitteeChange.objects.filter(cycle__in=cycles)
            .select_related("member", "actor", "cycle")
            .order_by("-at", "-pk")[:20]
        ),
        "form": form,
    }
    status = 400 if form.errors else 200
    return render(request, "assessments/committee.html", context, status=status, using="jinja2")


@require_POST
@signed_in
def remove_member(request: HttpRequest, pk: int) -> HttpResponse:
    _require(request.user)
    group = _committee(pk)
    person_id = whole_number(request.POST.get("person", ""))
    person = group.user_set.filter(pk=person_id).first() if person_id else None
    if person is None:
        messages.error(request, "That person is not on this committee.")
    else:
        roles.leave(group, person, by=request.user)
        messages.success(request, f"{person} left {group}.")
    return redirect("assessments:committee", group.pk)

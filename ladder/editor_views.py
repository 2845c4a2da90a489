"""Editing a draft level in place (publishing it is ladder.publish_views).

Every view goes through ladder.permissions (ladder editors only; drafts 404 for anyone
else) and writes through ladder.editing. Each works without script (a plain form post,
then back to the editor) and answers htmx requests with the pieces the page swaps in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from ladder import editing, services
from ladder.exporters import level_problems
from ladder.formats.document import KEY_MAX_LENGTH
from ladder.models import Behaviour, Framework, Level
from ladder.permissions import (
    editable_framework_for_user,
    editable_level_for_user,
    editable_row_for_user,
    get_level_for_user,
)
from ladder.scale import (
    LABEL_MAX_LENGTH,
    MAX_OUTCOMES,
    MAX_STEPS,
    MEANING_MAX_LENGTH,
    NO_EVIDENCE,
    Answer,
    Scale,
)
from ladder.scale import problems as scale_problems

MAX_VERSION = 2**31 - 1

# What the boxes allow, as their maxlength; the server checks the same (ladder/editing.py).
LIMITS = {
    "behaviour": editing.BEHAVIOUR_MAX,
    "name": editing.NAME_MAX,
    "title": editing.TITLE_MAX,
    "long": editing.LONG_TEXT_MAX,
    "key": KEY_MAX_LENGTH,
}


class VersionForm(forms.Form):
    """The version of the row a save started from."""

    version = forms.IntegerField(
        min_value=0,
        max_value=MAX_VERSION,
        error_messages={
            "required": "The version this was based on is missing; reload the page.",
            "invalid": "The version this was based on is unreadable; reload the page.",
        },
    )


# ---- the editor


@require_GET
@login_required
def edit_level(request: HttpRequest, slug: str, version: int, track: str, code: str):
    """The editor: the level page's layout, every text a box that saves as the person types."""
    framework = editable_framework_for_user(request.user, slug, version)
    if not framework.is_draft:
        return _published(request, framework, track, code)
    level = get_level_for_user(request.user, framework, track, code)
    context = {
        "framework": framework,
        "level": level,
        "ed": _pieces(request, level),
        "show_keys": request.GET.get("keys") == "1",
        "problems": problems_of(level, editor_url(level)),
    }
    return render(request, "ladder/edit_level.html", context, using="jinja2")


def _published(request: HttpRequest, framework: Framework, track: str, code: str) -> HttpResponse:
    """A published version's editor address: it can't change; point to the draft, or start one."""
    draft = Framework.objects.drafts().filter(slug=framework.slug).first()
    draft_level = draft and draft.levels.filter(track__slug=track, code=code.upper()).first()
    context = {
        "framework": framework,
        "draft": draft,
        "draft_level_url": editor_url(draft_level) if draft_level else None,
        "track": track,
        "code": code.upper(),
    }
    return render(request, "ladder/edit_published.html", context, using="jinja2")


@require_POST
@login_required
def start_draft(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """Start the next draft from a published version, and open the level the person was on."""
    framework = editable_framework_for_user(request.user, slug, version)
    try:
        draft = services.new_draft_from(framework)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        draft = Framework.objects.drafts().filter(slug=framework.slug).first()
        if draft is None:
            return redirect(framework)
    else:
        messages.success(request, f"Started v{draft.version} from v{framework.version}.")
    code = request.POST.get("code", "").upper()
    level = draft.levels.filter(track__slug=request.POST.get("track", ""), code=code).first()
    return redirect(editor_url(level) if level else draft.get_absolute_url())


# ---- saving one row's words


@require_POST
@login_required
def save_row(
    request: HttpRequest, slug: str, version: int, track: str, code: str, kind: str, pk: int
) -> HttpResponse:
    """Save one row's words (autosave or plain form); 409 with their words if it moved on."""
    level = editable_level_for_user(request.user, slug, version, track, code)
    row = editable_row_for_user(level, kind, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        return _not_saved(request, level, kind, row, errors=form.errors["version"], status=400)
    try:
        result = _save(kind, row, request.POST, form.cleaned_data["version"])
    except ValidationError as error:
        return _not_saved(
            request, level, kind, row, errors=error.messages, status=_refusal_status(error)
        )
    if result.conflict:
        return _not_saved(request, level, kind, result.row, conflict=True, status=409)
    if not request.htmx:
        messages.success(request, "Saved.")
        return redirect(f"{editor_url(level)}#{_anchor(kind, row)}")
    context = {
        "row": result.row,
        "kind": kind,
        "form_id": f"edit-{kind}-{row.pk}",
        "saved_at": timezone.now(),
        "rubric_field": _rubric_field(kind, row),
    }
    response = render(request, "ladder/edit_level_saved.html", context, using="jinja2")
    response["X-Edit-Version"] = str(result.row.version)
    return response


def _save(kind: str, row, data: QueryDict, base_version: int) -> editing.SaveResult:
    # A box not sent keeps what the row holds: a pillar's form has no note, and a
    # behaviour's key is only sent by pages that show it.
    def sent(name: str) -> str:
        value = data.get(name)
        return getattr(row, name) if value is None else value

    match kind:
        case "level":
            return editing.save_level(
                level=row, title=sent("title"), summary=sent("summary"), base_version=base_version
            )
        case "area":
            return editing.save_area(
                area=row,
                name=sent("name"),
                description=sent("description"),
                note=sent("note"),
                base_version=base_version,
            )
        case "responsibility":
            return editing.save_responsibility(
                responsibility=row, name=sent("name"), note=sent("note"), base_version=base_version
            )
        case _:
            return editing.save_behaviour(
                behaviour=row, text=sent("text"), key=sent("key"), base_version=base_version
            )


def _not_saved(
    request: HttpRequest,
    level: Level,
    kind: str,
    row,
    *,
    status: int,
    errors=(),
    conflict: bool = False,
) -> HttpResponse:
    """Why a save didn't go through: htmx gets the row's state (and the conflict), else a page."""
    context = {
        "row": row,
        "kind": kind,
        "form_id": f"edit-{kind}-{row.pk}",
        "fields": _fields(kind, row),
        "conflict": conflict,
        "errors": list(errors),
    }
    if request.htmx:
        response = render(
            request, "ladder/edit_level_refused.html", context, status=status, using="jinja2"
        )
        response["X-Edit-Version"] = str(row.version)
        return response
    context |= {
        "level": level,
        "editor_url": f"{editor_url(level)}#{_anchor(kind, row)}",
        "action": request.path,
        "sent": request.POST,
        # After a conflict the person has now seen the other version: sending the form
        # again saves over it. Otherwise the save still starts from where it started.
        "version": row.version if conflict else request.POST.get("version", ""),
        "what": kind,
    }
    return render(request, "ladder/edit_not_saved.html", context, status=status, using="jinja2")


def _fields(kind: str, row) -> tuple[tuple[str, str], ...]:
    """The boxes of a row, (field, label), as the conflict view lists them."""
    match kind:
        case "level":
            return (("title", "Title"), ("summary", "Summary"))
        case "area":
            if not row.subgrouped:
                return (("name", "Name"), ("description", "Description"), ("note", "Note"))
            return (("name", "Name"), ("description", "Intro"))
        case "responsibility":
            return (("name", "Name"), ("note", "Note"))
        case _:
            return (("text", "Behaviour"), ("key", "Key"))


def _rubric_field(kind: str, row) -> str | None:
    """The row's box that may hold links, shown rendered under it."""
    if kind == "behaviour":
        return "text"
    if kind == "responsibility" or (kind == "area" and not row.subgrouped):
        return "note"
    return None


# ---- adding, deleting, moving


@require_POST
@login_required
def add_behaviour(
    request: HttpRequest, slug: str, version: int, track: str, code: str, kind: str, pk: int
) -> HttpResponse:
    """Add a behaviour to an expectation or a responsibility: at the end, or back where it was."""
    level = editable_level_for_user(request.user, slug, version, track, code)
    if kind not in ("area", "responsibility"):
        raise Http404("Behaviours belong to an expectation or a responsibility.")
    owner = editable_row_for_user(level, kind, pk)
    area, responsibility = (owner, None) if kind == "area" else (owner.area, owner)
    try:
        behaviour = editing.add_behaviour(
            area=area,
            responsibility=responsibility,
            text=request.POST.get("text", ""),
            key=request.POST.get("key", ""),
            position=_position(request.POST),
        )
    except ValidationError as error:
        return _refused(
            request, level, f"state-add-{kind}-{pk}", error.messages, status=_refusal_status(error)
        )
    context = {"behaviour": behaviour, "group_name": owner.name}
    return _done(request, level, "Added.", f"b-{behaviour.pk}", "behaviour", context)


@require_POST
@login_required
def add_responsibility(
    request: HttpRequest, slug: str, version: int, track: str, code: str, pk: int
) -> HttpResponse:
    """Add a responsibility to a pillar: at the end, or back where it was with its behaviours."""
    level = editable_level_for_user(request.user, slug, version, track, code)
    area = editable_row_for_user(level, "area", pk)
    texts = request.POST.getlist("behaviour_text")
    keys = request.POST.getlist("behaviour_key")
    if len(keys) != len(texts):
        keys = [""] * len(texts)
    try:
        responsibility = editing.add_responsibility(
            area=area,
            name=request.POST.get("name", ""),
            note=request.POST.get("note", ""),
            position=_position(request.POST),
            behaviours=tuple(zip(texts, keys, strict=True)),
        )
    except ValidationError as error:
        return _refused(
            request, level, f"state-add-area-{pk}", error.messages, status=_refusal_status(error)
        )
    said = f"Added the responsibility {responsibility.name}."
    context = {
        "area": area,
        "responsibility": responsibility,
        "behaviours": list(responsibility.behaviours.order_by("order", "pk")),
    }
    return _done(request, level, said, f"r-{responsibility.pk}", "responsibility", context)


@require_POST
@login_required
def delete_row(
    request: HttpRequest, slug: str, version: int, track: str, code: str, kind: str, pk: int
) -> HttpResponse:
    """Delete a behaviour or a responsibility; its words take its place, to add it back."""
    level = editable_level_for_user(request.user, slug, version, track, code)
    if kind not in ("behaviour", "responsibility"):
        raise Http404("Only behaviours and responsibilities can be deleted here.")
    row = editable_row_for_user(level, kind, pk)
    anchor = row.area.key
    try:
        if kind == "behaviour":
            deleted = editing.delete_behaviour(behaviour=row)
            owner = (
                ("responsibility", deleted.responsibility_id)
                if deleted.responsibility_id
                else ("area", deleted.area_id)
            )
            words = deleted.text
        else:
            deleted = editing.delete_responsibility(responsibility=row)
            owner = ("area", deleted.area_id)
            words = deleted.name
    except ValidationError as error:
        # Deleted meanwhile (a second click, another tab), or the draft was published.
        return _refused(request, level, None, error.messages, status=_refusal_status(error))
    said = f"Deleted “{words}”. To add it back, type it in again."
    context = {"kind": kind, "deleted": deleted, "owner_kind": owner[0], "owner_pk": owner[1]}
    return _done(request, level, said, anchor, "deleted", context)


@require_POST
@login_required
def move_row(
    request: HttpRequest, slug: str, version: int, track: str, code: str, kind: str, pk: int
) -> HttpResponse:
    """Move a behaviour in its group or a responsibility in its pillar: up, down, or to a place."""
    level = editable_level_for_user(request.user, slug, version, track, code)
    if kind not in ("behaviour", "responsibility"):
        raise Http404("Only behaviours and responsibilities are moved.")
    row = editable_row_for_user(level, kind, pk)
    step = {"up": -1, "down": 1}.get(request.POST.get("direction", ""), 0)
    try:
        to = _position(request.POST)
        if to is None and not step:
            raise ValidationError("Say where to move it: up, down, or a position.")
    except ValidationError as error:
        return _refused(request, level, None, error.messages)
    try:
        if kind == "behaviour":
            order = editing.move_behaviour(behaviour=row, to=to, step=step)
        else:
            order = editing.move_responsibility(responsibility=row, to=to, step=step)
    except ValidationError as error:
        return _refused(request, level, None, error.messages, status=_refusal_status(error))
    if not request.htmx:
        return redirect(f"{editor_url(level)}#{_anchor(kind, row)}")
    # The group's order as it now is, for the page to follow (someone may have moved
    # other items meanwhile).
    response = HttpResponse(status=204)
    response["X-Order"] = ",".join(str(pk) for pk in order)
    return response


def _done(
    request: HttpRequest, level: Level, said: str, anchor: str, part: str, context: dict
) -> HttpResponse:
    """A change made: back to its place on the page, saying so, or (htmx) the part that shows it.

    The part is the editor's fragment ``ladder/edit_level_<part>.html``.
    """
    if not request.htmx:
        messages.success(request, said)
        return redirect(f"{editor_url(level)}#{anchor}")
    context = {"ed": _pieces(request, level)} | context
    return render(request, f"ladder/edit_level_{part}.html", context, using="jinja2")


def _position(data: QueryDict) -> int | None:
    raw = data.get("position", "").strip()
    if not raw:
        return None
    try:
        return max(0, int(raw))
    except ValueError:
        raise ValidationError("The position must be a whole number.") from None


def _refusal_status(error: ValidationError) -> int:
    """404 for a row another request deleted meanwhile (the page says so), else 400."""
    return 404 if isinstance(error, editing.DeletedElsewhereError) else 400


def _refused(
    request: HttpRequest,
    level: Level,
    target: str | None,
    errors: list[str],
    *,
    status: int = 400,
) -> HttpResponse:
    """An add, delete or move that was refused: said where the person acted, or on the page."""
    message = " ".join(errors)
    if not request.htmx:
        messages.error(request, message)
        return redirect(editor_url(level))
    response = render(
        request,
        "ladder/edit_level_message.html",
        {"message": message},
        status=status,
        using="jinja2",
    )
    if target:
        response = reswap(retarget(response, f"#{target}"), "innerHTML")
    return response


# ---- what blocks publishing, shown in the editor and on the publish page


@dataclass(frozen=True)
class Problem:
    text: str
    url: str


def problems_of(level: Level, editor_url: str) -> list[Problem]:
    """What blocks the level, each linked to the place in the editor that fixes it.

    level_problems() words each problem from its area's name, and a responsibility's
    as "Area · Name has no behaviours": that is how the place is found.
    """
    found = []
    areas = list(level.areas.all())
    for text in level_problems(level):
        anchor = ""
        for area in areas:
            if text.startswith(f"{area.name} "):
                anchor = area.key
                for r in area.responsibilities.all():
                    if text == f"{area.name} · {r.name} has no behaviours":
                        anchor = f"r-{r.pk}"
        found.append(Problem(text=text, url=f"{editor_url}#{anchor}" if anchor else editor_url))
    return found


# ---- addresses


def editor_url(level: Level) -> str:
    framework = level.framework
    return reverse(
        "ladder:edit-level", args=[framework.slug, framework.version, level.track.slug, level.code]
    )


def _anchor(kind: str, row: models.Model) -> str:
    match kind:
        case "area":
            return row.key
        case "responsibility":
            return f"r-{row.pk}"
        case "behaviour":
            return f"b-{row.pk}"
    return "main"


def _pieces(request: HttpRequest, level: Level) -> dict:
    """What every piece of the editor uses (templates/jinja2/ladder/macros/editor.html)."""
    return {
        # Row addresses extend this one (ladder/urls.py); one reverse() per page, not
        # four per behaviour.
        "base": editor_url(level),
        # Masked once for the page, not once per form.
        "csrf": csrf_input(request),
        "limits": LIMITS,
    }


# ---- the draft's scales


class ScaleForm(forms.Form):
    """A draft's two scales as rows of boxes, one row per step or outcome.

    Rows left blank are dropped and the rest numbered in order, so a step is added by
    filling the next row and removed by emptying its own.
    """

    based_on = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, scale: Scale, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["based_on"].initial = json.dumps(scale.to_data(), sort_keys=True)
        for kind, count, answers in (
            ("step", MAX_STEPS, scale.steps),
            ("outcome", MAX_OUTCOMES, scale.outcomes),
        ):
            for place in range(1, count + 1):
                given = answers[place - 1] if place <= len(answers) else None
                self._row(f"{kind}_{place}", given, reviewer=kind == "step")
        self._row("no_evidence", scale.no_evidence, reviewer=True)

    def _row(self, prefix: str, given: Answer | None, *, reviewer: bool) -> None:
        """A row's boxes: its label and meaning, and for an answer (not an outcome) the
        meaning as the reviewer reads it."""
        names = {"label": LABEL_MAX_LENGTH, "meaning": MEANING_MAX_LENGTH}
        if reviewer:
            names["reviewer_meaning"] = MEANING_MAX_LENGTH
        for name, limit in names.items():
            self.fields[f"{prefix}_{name}"] = forms.CharField(
                required=False, max_length=limit, initial=getattr(given, name, "")
            )

    def rows(self, kind: str, count: int) -> list:
        """The bound fields of each row, for the template: (place, label, meaning, the
        reviewer's meaning or None)."""
        return [
            (
                place,
                self[f"{kind}_{place}_label"],
                self[f"{kind}_{place}_meaning"],
                self[f"{kind}_{place}_reviewer_meaning"] if kind == "step" else None,
            )
            for place in range(1, count + 1)
        ]

    def clean_based_on(self) -> dict:
        try:
            based_on = json.loads(self.cleaned_data["based_on"])
        except ValueError:
            based_on = None
        if not isinstance(based_on, dict):
            raise forms.ValidationError("The page was damaged in transit; reload it.")
        return based_on

    def clean(self):
        data = super().clean()
        steps = self._answers(data, "step", MAX_STEPS)
        outcomes = self._answers(data, "outcome", MAX_OUTCOMES)
        label = " ".join(data.get("no_evidence_label", "").split())
        meaning = " ".join(data.get("no_evidence_meaning", "").split())
        reviewer = " ".join(data.get("no_evidence_reviewer_meaning", "").split())
        if bool(label) != bool(meaning):
            raise forms.ValidationError(
                "Give the “no evidence” answer both a label and a meaning, or leave both "
                "empty to offer none."
            )
        no_evidence = Answer(NO_EVIDENCE, label, meaning, reviewer) if label else None
        scale = Scale(tuple(steps), no_evidence, tuple(outcomes))
        problems = scale_problems(scale)
        if problems:
            raise forms.ValidationError(problems)
        data["scale"] = scale
        return data

    def _answers(self, data: dict, kind: str, count: int) -> list[Answer]:
        found = []
        for place in range(1, count + 1):
            label = " ".join(data.get(f"{kind}_{place}_label", "").split())
            meaning = " ".join(data.get(f"{kind}_{place}_meaning", "").split())
            reviewer = " ".join(data.get(f"{kind}_{place}_reviewer_meaning", "").split())
            if bool(label) != bool(meaning):
                self.add_error(
                    f"{kind}_{place}_label" if not label else f"{kind}_{place}_meaning",
                    f"{kind.capitalize()} {place} needs both a label and a meaning.",
                )
            elif label:
                found.append(Answer(len(found) + 1, label, meaning, reviewer))
        return found


@require_http_methods(["GET", "POST"])
@login_required
def edit_scale(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """The draft's rating scale and outcomes, for a ladder editor to change before publishing."""
    framework = editable_framework_for_user(request.user, slug, version)
    if not framework.is_draft:
        messages.info(
            request,
            f"v{framework.version} is published: its scale can't change. Start a new draft "
            "to change it.",
        )
        return redirect(framework)
    form = ScaleForm(request.POST or None, scale=framework.scale)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                editing.save_scale(
                    framework_id=framework.pk,
                    scale=form.cleaned_data["scale"],
                    based_on=form.cleaned_data["based_on"],
                )
            except ValidationError as error:
                # The scale as it is now, to start again from.
                form = ScaleForm(scale=Framework.objects.get(pk=framework.pk).scale)
                messages.error(request, " ".join(error.messages))
                status = 409
            else:
                messages.success(request, "The scale is saved in the draft.")
                return redirect(framework)
        else:
            status = 400
    context = {
        "framework": framework,
        "form": form,
        "steps": form.rows("step", MAX_STEPS),
        "outcomes": form.rows("outcome", MAX_OUTCOMES),
        "limits": {"label": LABEL_MAX_LENGTH, "meaning": MEANING_MAX_LENGTH},
        "errors": form.non_field_errors() if form.is_bound else [],
    }
    return render(request, "ladder/edit_scale.html", context, status=status, using="jinja2")


# ---- a draft level's areas and groups

NEW_GROUP = "__new__"


@require_http_methods(["GET", "POST"])
@login_required
def edit_areas(request: HttpRequest, slug: str, version: int, track: str, code: str):
    """Add, order, group and delete a draft level's areas; name and order its groups.

    Plain forms, one per action, each answered with the page again: these changes are
    rare and structural, so they go one at a time, with a message saying what happened.
    """
    framework = editable_framework_for_user(request.user, slug, version)
    if not framework.is_draft:
        return _published(request, framework, track, code)
    level = get_level_for_user(request.user, framework, track, code)
    status = 200
    if request.method == "POST":
        try:
            done, anchor = _area_action(level, request.POST)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            status = 400
        else:
            messages.success(request, done)
            return redirect(f"{request.path}#{anchor}")
    areas = list(
        level.areas.select_related("group")
        .annotate(behaviour_count=models.Count("behaviours"))
        .order_by("order", "pk")
    )
    runs: list[tuple] = []
    for area in areas:
        if not runs or runs[-1][0] != area.group:
            runs.append((area.group, []))
        runs[-1][1].append(area)
    context = {
        "framework": framework,
        "level": level,
        "runs": runs,
        "groups": [group for group, _ in runs if group is not None],
        "flat": any(not area.name for area in areas),
        "posted": request.POST if status == 400 else {},
        "new_group": NEW_GROUP,
        "limits": LIMITS,
        "editor_url": editor_url(level),
    }
    return render(request, "ladder/edit_areas.html", context, status=status, using="jinja2")


def _area_action(level: Level, data: QueryDict) -> tuple[str, str]:
    """Carry out one posted action; what to tell the person, and where to take them."""
    action = data.get("action", "")
    if action == "add":
        area = editing.add_area(
            level=level,
            name=data.get("name", ""),
            group_name=_chosen_group(data),
            subgrouped=data.get("subgrouped") == "yes",
        )
        return (
            f"Added “{area.name}”. Open the level’s editor to write its behaviours.",
            f"area-{area.pk}",
        )
    if action in ("group-save", "group-up", "group-down", "group-ungroup", "group-delete"):
        group = _row_of(level.area_groups.all(), data.get("group", ""), "group")
        if action == "group-ungroup":
            freed = editing.ungroup(group=group)
            return (
                f"“{group.name}” is gone; its {freed} area{'s' if freed != 1 else ''} "
                "stay where they were, in no group.",
                "areas",
            )
        if action == "group-delete":
            return _delete_group(group, confirmed=data.get("confirm") == "yes"), "areas"
        if action == "group-save":
            editing.save_group(
                group=group, name=data.get("name", ""), description=data.get("description", "")
            )
            return "The group is saved.", f"group-{group.pk}"
        editing.move_group(group=group, step=-1 if action == "group-up" else 1)
        return f"Moved the group “{group.name}”.", f"group-{group.pk}"
    area = _row_of(level.areas.all(), data.get("area", ""), "area")
    if action in ("up", "down"):
        editing.move_area(area=area, step=-1 if action == "up" else 1)
        return f"Moved “{area.label}”.", f"area-{area.pk}"
    if action == "regroup":
        editing.regroup_area(area=area, group_name=_chosen_group(data))
        area.refresh_from_db()
        where = f"in “{area.group.name}”" if area.group else "in no group"
        return f"“{area.label}” is now {where}.", f"area-{area.pk}"
    if action == "delete":
        count = area.behaviours.count()
        if count and data.get("confirm") != "yes":
            raise ValidationError(
                f"“{area.label}” holds {count} behaviour{'s' if count != 1 else ''}: tick "
                "“Also delete its behaviours” to delete them with it."
            )
        editing.delete_area(area=area)
        return f"Deleted “{area.label}”{f' and its {count} behaviours' if count else ''}.", "areas"
    raise ValidationError("That action isn't one this page knows; reload the page.")


def _delete_group(group, *, confirmed: bool) -> str:
    inside = group.areas.all()
    behaviours = Behaviour.objects.filter(area__in=inside).count()
    if behaviours and not confirmed:
        raise ValidationError(
            f"The areas of “{group.name}” hold {behaviours} behaviour"
            f"{'s' if behaviours != 1 else ''}: tick “Also delete its areas and their "
            "behaviours” to delete them with it, or take its areas out of it instead."
        )
    areas, behaviours = editing.delete_group(group=group)
    held = f"{areas} area{'s' if areas != 1 else ''}"
    if behaviours:
        held += f" and their {behaviours} behaviour{'s' if behaviours != 1 else ''}"
    return f"Deleted the group “{group.name}” with its {held}."


def _chosen_group(data: QueryDict) -> str:
    """The group a form chose: an existing one's name, none (""), or a new one typed in."""
    chosen = data.get("group", "")
    if chosen == NEW_GROUP:
        typed = " ".join(data.get("new_group", "").split())
        if not typed:
            raise ValidationError("Type the new group's name, or choose a group from the list.")
        return typed
    return chosen


def _row_of(rows, value: str, what: str):
    pk = int(value) if value.isascii() and value.isdigit() and len(value) < 10 else None
    found = rows.filter(pk=pk).first() if pk is not None else None
    if found is None:
        raise ValidationError(f"That {what} is no longer in this level; reload the page.")
    return found

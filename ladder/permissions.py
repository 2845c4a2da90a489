"""Who may read which part of the framework. Every ladder view goes through here."""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404

from ladder.models import Area, Behaviour, Framework, Level, Responsibility, User

# Editing rubric content is what makes someone a ladder editor; drafts are theirs.
EDIT_PERMISSION = "ladder.change_framework"


def can_edit_rubric(user: User) -> bool:
    # Rubric is edited in the admin, which only staff can enter; checking is_staff
    # first also spares everyone else the two permission queries.
    return user.is_active and user.is_staff and user.has_perm(EDIT_PERMISSION)


def can_read_framework(user: User, framework: Framework) -> bool:
    """Published versions are for everyone signed in; drafts only for ladder editors."""
    return user.is_authenticated and (framework.is_published or can_edit_rubric(user))


def readable_frameworks(user: User):
    frameworks = Framework.objects.all()
    return frameworks if can_edit_rubric(user) else frameworks.published()


def get_framework_for_user(user: User, slug: str, version: int) -> Framework:
    """The framework version, or 404 — also for drafts, so their existence doesn't leak."""
    framework = Framework.objects.filter(slug=slug, version=version).first()
    if framework is None or not can_read_framework(user, framework):
        raise Http404("No such framework version.")
    return framework


def get_level_for_user(user: User, framework: Framework, track: str, code: str) -> Level:
    """A level with its whole rubric loaded, from a framework the user may read."""
    if not can_read_framework(user, framework):
        raise Http404("No such framework version.")
    level = (
        Level.objects.filter(framework=framework, track__slug=track, code=code.upper())
        .with_rubric()
        .first()
    )
    if level is None:
        raise Http404(f"{framework} has no level {code} in that track.")
    return level


# ---- editing drafts in place, and publishing them (ladder/editor_views.py)

PUBLISHED_MESSAGE = (
    "This version is published and can no longer be changed. Start a new draft from it "
    "to make edits."
)


def editable_framework_for_user(user: User, slug: str, version: int) -> Framework:
    """A version for a ladder editor to edit or publish (draft or not: the view says which).

    Others get what reading gives them: 404 for a draft, whose existence doesn't leak;
    a published version they may read is refused with 403.
    """
    framework = get_framework_for_user(user, slug, version)
    if not can_edit_rubric(user):
        raise PermissionDenied("Only ladder editors change the ladder.")
    return framework


def editable_level_for_user(
    user: User, slug: str, version: int, track: str, code: str, *, rubric: bool = False
) -> Level:
    """A level of a draft, for a ladder editor; a published version is refused (403).

    With `rubric`, its areas, responsibilities and behaviours come loaded, for pages;
    a save needs only the level.
    """
    framework = editable_framework_for_user(user, slug, version)
    if not framework.is_draft:
        raise PermissionDenied(PUBLISHED_MESSAGE)
    if rubric:
        return get_level_for_user(user, framework, track, code)
    level = (
        Level.objects.filter(framework=framework, track__slug=track, code=code.upper())
        .select_related("framework", "track")
        .first()
    )
    if level is None:
        raise Http404(f"{framework} has no level {code} in that track.")
    return level


# Each editable row, and how it reaches its level; the related rows a save reads.
_ROWS: dict[str, tuple[type[models.Model], str, tuple[str, ...]]] = {
    "area": (Area, "level", ()),
    "responsibility": (Responsibility, "area__level", ("area",)),
    "behaviour": (Behaviour, "area__level", ("area", "responsibility")),
}


def editable_row_for_user(level: Level, kind: str, pk: int) -> models.Model:
    """A row of this level (from editable_level_for_user) by kind and id; 404 if not in it."""
    if kind == "level":
        if pk != level.pk:
            raise Http404("That is not this level.")
        return level
    if kind not in _ROWS:
        raise Http404("Nothing of that kind can be edited.")
    model, path, related = _ROWS[kind]
    rows = model.objects.filter(pk=pk, **{path: level})
    row = (rows.select_related(*related) if related else rows).first()
    if row is None:
        raise Http404(f"This level has no such {kind}.")
    # The row's level is the one already loaded, with its framework and track.
    area = row if isinstance(row, Area) else row.area
    area.level = level
    return row

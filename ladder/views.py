"""Reading the ladder: framework versions, level pages, level and version comparisons."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LogoutView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from ladder.compare import compare_levels, compare_versions
from ladder.exporters import IncompleteLevelError, export_level
from ladder.formats import scale_file as scale_format
from ladder.models import Level
from ladder.permissions import (
    can_edit_rubric,
    get_framework_for_user,
    get_level_for_user,
    readable_frameworks,
)


@require_GET
@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Open the newest version the person may read, or explain that none is loaded."""
    frameworks = readable_frameworks(request.user)
    newest = (
        frameworks.published().order_by("-published_at").first()
        or frameworks.order_by("-created_at").first()
    )
    if newest is None:
        return render(
            request,
            "ladder/empty.html",
            {"can_edit": can_edit_rubric(request.user)},
            using="jinja2",
        )
    return redirect(newest)


@require_GET
@login_required
def framework(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """Every level of one framework version, by track."""
    found = get_framework_for_user(request.user, slug, version)
    levels = (
        Level.objects.filter(framework=found)
        .select_related("track")
        .order_by("track__name", "rank")
    )
    tracks: dict = {}
    for level in levels:
        tracks.setdefault(level.track, []).append(level)
    versions = readable_frameworks(request.user).filter(slug=slug).order_by("-version")
    return render(
        request,
        "ladder/framework.html",
        {
            "framework": found,
            "tracks": tracks,
            "versions": versions,
            "can_edit": found.is_draft and can_edit_rubric(request.user),
        },
        using="jinja2",
    )


@require_GET
@login_required
def level(request: HttpRequest, slug: str, version: int, track: str, code: str) -> HttpResponse:
    """A level page: its areas (in their groups), sub-groups and behaviours, in order."""
    found = get_framework_for_user(request.user, slug, version)
    shown = get_level_for_user(request.user, found, track, code)
    siblings = list(
        Level.objects.filter(framework=found, track=shown.track)
        .order_by("rank")
        .only("code", "rank")
    )
    lower = [lv for lv in siblings if lv.rank < shown.rank]
    higher = [lv for lv in siblings if lv.rank > shown.rank]
    earlier = (
        readable_frameworks(request.user)
        .filter(slug=slug, version__lt=version, levels__track=shown.track, levels__code=shown.code)
        .order_by("-version")
        .first()
    )
    return render(
        request,
        "ladder/level.html",
        {
            "framework": found,
            "level": shown,
            "lower": lower[-1] if lower else None,
            "higher": higher[0] if higher else None,
            "earlier": earlier,
            # "Edit in place" and "Publish…" on a draft, for whoever may change it; on a
            # published version "Edit…" leads to its draft, or to starting one.
            "can_edit": found.is_draft and can_edit_rubric(request.user),
            "can_draft": not found.is_draft and can_edit_rubric(request.user),
        },
        using="jinja2",
    )


@require_GET
@login_required
def level_markdown(
    request: HttpRequest, slug: str, version: int, track: str, code: str
) -> HttpResponse:
    """The level as a Markdown file, in the form import_ladder reads back."""
    found = get_framework_for_user(request.user, slug, version)
    shown = get_level_for_user(request.user, found, track, code)
    try:
        text = export_level(shown)
    except IncompleteLevelError as error:
        return render(
            request,
            "ladder/incomplete.html",
            {"error": error, "level": shown},
            status=409,
            using="jinja2",
        )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    filename = f"{shown.track.slug}-{shown.code.lower()}-v{found.version}.md"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@login_required
def scale_file(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """The version's scales as a scale file, in the form an import reads back."""
    found = get_framework_for_user(request.user, slug, version)
    response = HttpResponse(
        scale_format.render(found.scale), content_type="text/yaml; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="{found.slug}-v{found.version}-scale.yaml"'
    )
    return response


@require_GET
@login_required
def level_comparison(request: HttpRequest, slug: str, version: int, track: str) -> HttpResponse:
    """Two levels of one track side by side: what the higher level adds or changes."""
    found = get_framework_for_user(request.user, slug, version)
    levels = list(
        Level.objects.filter(framework=found, track__slug=track)
        .select_related("track")
        .order_by("rank")
    )
    codes = [lv.code for lv in levels]
    if len(codes) < 2:
        return render(
            request,
            "ladder/compare_levels.html",
            {"framework": found, "levels": levels},
            status=404,
            using="jinja2",
        )
    lower = request.GET.get("from", codes[-2]).strip().upper()
    higher = request.GET.get("to", codes[-1]).strip().upper()
    context = {
        "framework": found,
        "levels": levels,
        "track": levels[0].track,
        "from": lower,
        "to": higher,
    }
    if lower not in codes or higher not in codes or lower == higher:
        context["error"] = "Choose two different levels of this track."
        return render(request, "ladder/compare_levels.html", context, status=400, using="jinja2")
    if codes.index(lower) > codes.index(higher):
        # A comparison says what the higher level adds; the other way round its
        # "new" would mean "no longer expected", so turn it the right way and say so.
        messages.info(
            request,
            f"Levels are compared from the lower to the higher one: {higher} → {lower}.",
        )
        query = request.GET.copy()
        query["from"], query["to"] = higher, lower
        return redirect(f"{request.path}?{query.urlencode()}")
    context["comparison"] = compare_levels(
        get_level_for_user(request.user, found, track, lower),
        get_level_for_user(request.user, found, track, higher),
    )
    return render(request, "ladder/compare_levels.html", context, using="jinja2")


@require_GET
@login_required
def version_comparison(request: HttpRequest, slug: str, track: str, code: str) -> HttpResponse:
    """One level in two versions of the framework: what changed, behaviour by behaviour."""
    versions = list(
        readable_frameworks(request.user)
        .filter(slug=slug, levels__track__slug=track, levels__code=code.upper())
        .order_by("version")
    )
    numbers = [str(v.version) for v in versions]
    if not versions:
        return render(
            request, "ladder/compare_versions.html", {"code": code}, status=404, using="jinja2"
        )
    older = request.GET.get("from", numbers[-2] if len(numbers) > 1 else numbers[0]).strip()
    newer = request.GET.get("to", numbers[-1]).strip()
    context = {
        "versions": versions,
        "code": code.upper(),
        "from": older,
        "to": newer,
        # Between versions most behaviours stay the same; lead with what moved.
        "changes_only": request.GET.get("show") != "all",
    }
    if older not in numbers or newer not in numbers or older == newer:
        context["error"] = (
            "Choose two different versions."
            if len(numbers) > 1
            else "This level exists in only one version so far."
        )
        return render(
            request,
            "ladder/compare_versions.html",
            context,
            status=400 if len(numbers) > 1 else 200,
            using="jinja2",
        )
    by_number = {str(v.version): v for v in versions}
    context["comparison"] = compare_versions(
        get_level_for_user(request.user, by_number[older], track, code),
        get_level_for_user(request.user, by_number[newer], track, code),
    )
    context["framework"] = by_number[newer]
    return render(request, "ladder/compare_versions.html", context, using="jinja2")


class SignOutView(LogoutView):
    """Sign out, and have the browser drop what it kept of this site.

    The assessment page keeps copies of unsaved evidence in local storage, and a
    shared computer's next user must not find them, nor pages in its cache.
    """

    # LOGOUT_REDIRECT_URL sends people to the sign-in page; should that go, the
    # signed-out page is ours, not the admin's template of the same name.
    template_engine = "jinja2"

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response

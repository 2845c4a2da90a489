"""Publishing a draft after reading the whole comparison with the version before it.

For ladder editors only (ladder.permissions); a digest of what was shown refuses a
draft that changed since, so nobody publishes what they didn't read.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from ladder import digests, services
from ladder.compare import Comparison, Segment, compare_versions, word_diff
from ladder.editor_views import Problem, editor_url, problems_of
from ladder.models import Framework, Level, PublishedFrameworkError
from ladder.permissions import (
    editable_framework_for_user,
)


@dataclass
class LevelReview:
    """One level of the draft on the publish page: what blocks it, what changed."""

    level: Level
    editor_url: str
    problems: list[Problem]
    comparison: Comparison | None  # None for a level the previous version doesn't have
    title: list[Segment] | None  # the title's changed words, when it changed
    reordered: list[str]  # areas whose items kept their words but not their order

    @property
    def unchanged(self) -> bool:
        c = self.comparison
        return (
            c is not None
            and self.title is None
            and not self.reordered
            and all(s.kind == "same" for s in c.summary)
            and all(area.unchanged for area in c.areas)
        )

    @property
    def behaviour_count(self) -> int:
        return sum(len(area.behaviours.all()) for area in self.level.areas.all())


@require_http_methods(["GET", "POST"])
@login_required
def publish(request: HttpRequest, slug: str, version: int) -> HttpResponse:
    """Read every change against the previous version, then publish the draft, once."""
    framework = editable_framework_for_user(request.user, slug, version)
    if framework.is_published:
        messages.info(request, f"v{framework.version} is already published.")
        return redirect(framework)
    changes_only = request.GET.get("show") != "all"
    if request.method == "GET":
        context = _publish_context(framework, changes_only=changes_only)
        return render(request, "ladder/publish.html", context, using="jinja2")
    # The comparison is only built again when the page is shown again: a publication
    # that goes through needs none of it.
    if request.POST.get("understood") != "yes":
        context = _publish_context(framework, changes_only=changes_only)
        context["error"] = "Tick the box to confirm that a published version can’t be changed."
        return render(request, "ladder/publish.html", context, status=400, using="jinja2")
    try:
        # What the person read: a draft changed since (or a form without it) is refused.
        services.publish(framework, expected_digest=request.POST.get("digest", ""))
    except PublishedFrameworkError:
        # Someone else's publication (or a second click) got there first.
        messages.info(request, f"v{framework.version} is already published.")
        return redirect(framework)
    except digests.StaleDraftError as error:
        context = _publish_context(framework, changes_only=changes_only)
        context["stale"] = True
        context["errors"] = error.messages
        return render(request, "ladder/publish.html", context, status=409, using="jinja2")
    except ValidationError as error:
        context = _publish_context(framework, changes_only=changes_only)
        context["errors"] = error.messages
        return render(request, "ladder/publish.html", context, status=400, using="jinja2")
    messages.success(request, f"Published {framework.name} v{framework.version}.")
    return redirect(framework)


def _publish_context(framework: Framework, *, changes_only: bool) -> dict:
    # Taken before the comparison is read: an edit in between makes the page's digest
    # older than what it shows, so publishing is refused (safe), never the reverse.
    digest = digests.draft_digest(framework)
    previous = (
        Framework.objects.published()
        .filter(slug=framework.slug, version__lt=framework.version)
        .order_by("-version")
        .first()
    )
    levels = Level.objects.with_rubric().order_by("track__name", "rank", "code")
    before = {
        (lv.track_id, lv.code): lv for lv in (levels.filter(framework=previous) if previous else [])
    }
    reviews = []
    for level in levels.filter(framework=framework):
        old = before.pop((level.track_id, level.code), None)
        url = editor_url(level)
        reviews.append(
            LevelReview(
                level=level,
                editor_url=url,
                problems=problems_of(level, url),
                comparison=compare_versions(old, level) if old else None,
                title=word_diff(old.title, level.title)
                if old and old.title != level.title
                else None,
                reordered=_reordered(old, level) if old else [],
            )
        )
    return {
        "framework": framework,
        "previous": previous,
        "reviews": reviews,
        "removed": list(before.values()),
        # The scale, shown when it differs from the one people answer on now.
        "scale_changed": previous is not None and previous.scale != framework.scale,
        "new_count": sum(1 for r in reviews if r.comparison is None),
        "changed_count": sum(1 for r in reviews if r.comparison is not None and not r.unchanged),
        "problem_count": sum(len(r.problems) for r in reviews),
        "changes_only": changes_only,
        "digest": digest,
        "stale": False,
        "error": "",
        "errors": [],
    }


def _reordered(before: Level, after: Level) -> list[str]:
    """The areas themselves, if they changed places, and the areas where behaviours (by
    key) or responsibilities (by name) did.

    A comparison pairs behaviours and ignores their order; a draft that only moved
    things must still say so before it is published.
    """
    old = {area.key: area for area in before.areas.all()}
    found = []
    if _moved(list(old), [area.key for area in after.areas.all()]):
        found.append("the level's areas")
    for area in after.areas.all():
        prior = old.get(area.key)
        if prior is None:
            continue
        keys = ([b.key for b in prior.behaviours.all()], [b.key for b in area.behaviours.all()])
        names = (
            [r.name for r in prior.responsibilities.all()],
            [r.name for r in area.responsibilities.all()],
        )
        if _moved(*keys) or _moved(*names):
            found.append(area.name)
    return found


def _moved(before: list[str], after: list[str]) -> bool:
    """Whether the items in both lists come in another order."""
    common = set(before) & set(after)
    return [x for x in before if x in common] != [x for x in after if x in common]

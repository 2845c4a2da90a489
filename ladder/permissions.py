"""Who may read which part of the framework. Every ladder view goes through here."""

from django.http import Http404

from ladder.models import Framework, Level, User

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

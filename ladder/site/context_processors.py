"""Values every page's layout uses."""

from functools import cache

from django.middleware.csrf import get_token
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.functional import SimpleLazyObject


@cache
def _nav_urls() -> dict[str, str]:
    # The same for every request while the process runs: reverse them once, not
    # five times on every page.
    return {
        "home": reverse("home"),
        "ladder": reverse("ladder:index"),
        "admin": reverse("admin:index"),
        "password": reverse("password_change"),
        "logout": reverse("logout"),
    }


def nav(request) -> dict:
    return {"nav": _nav_urls()}


def csrf_once(request) -> dict:
    """The CSRF field and token for Jinja2 pages, masked once per response, not per use.

    The backend's own are lazy and mask the secret again each time they are written,
    which costs a string of random characters every time; a page writes several.
    """
    return {
        "csrf_input": SimpleLazyObject(lambda: csrf_input(request)),
        "csrf_token": SimpleLazyObject(lambda: get_token(request)),
    }

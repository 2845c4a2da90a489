"""Values every page's layout uses."""

from functools import cache

from django.urls import reverse


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

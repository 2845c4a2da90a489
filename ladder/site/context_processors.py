"""Values every page's layout uses."""

from functools import cache

from django.middleware.csrf import get_token
from django.template.backends.utils import csrf_input
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


class _WrittenOnce:
    """A value made when a page first writes it, then the same string every time after.

    Not Django's SimpleLazyObject: every attribute read of that goes through a proxy,
    and the templates read this one many times (each row of the review page writes the
    CSRF field; macros/rows.html). Written with `{{ }}` it goes in as HTML (`__html__`);
    with `|string` it becomes the plain string, read without a proxy from then on.
    """

    __slots__ = ("_make", "_value")

    def __init__(self, make):
        self._make, self._value = make, None

    def __str__(self) -> str:
        if self._value is None:
            self._value = self._make()
        return self._value

    __html__ = __str__


def csrf_once(request) -> dict:
    """The CSRF field and token for Jinja2 pages, masked once per response, not per use.

    The backend's own are lazy and mask the secret again each time they are written,
    which costs a string of random characters every time; a page writes several. Both
    are safe to write unescaped: the field is Django's markup, the token letters and
    digits.
    """
    return {
        "csrf_input": _WrittenOnce(lambda: csrf_input(request)),
        "csrf_token": _WrittenOnce(lambda: get_token(request)),
    }

"""Request guards that must run before anything reads a request's body."""

from django.shortcuts import render
from django.utils.cache import add_never_cache_headers

FORM_TYPE = "application/x-www-form-urlencoded"


def refuse_undecodable_forms(get_response):
    """Answer 400 to a form body declared in a charset other than UTF-8.

    Django refuses to parse such a body, but only when something first reads
    request.POST; its error pages then read it again (through the CSRF check) and
    fail with a 500. Refusing here, before the CSRF middleware, keeps it a 400.
    """

    def middleware(request):
        if request.method == "POST" and request.content_type == FORM_TYPE:
            charset = request.content_params.get("charset", "utf-8").strip().lower()
            if charset not in {"utf-8", "utf8"}:
                return render(request, "400.html", status=400)
        return get_response(request)

    return middleware


def private_pages(get_response):
    """Pages for signed-in people are never stored by the browser or a proxy.

    They show people's self-assessments and progress; on a shared computer, the
    back button after signing out must not bring them back from a cache.
    """

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and "Cache-Control" not in response:
            add_never_cache_headers(response)
        return response

    return middleware

"""Request guards that must run before anything reads a request's body, and the request log."""

import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.core.signals import request_finished
from django.dispatch import receiver
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.encoding import escape_uri_path
from django.utils.functional import empty

log = logging.getLogger("ladder.requests")

# The id of the request this thread is answering, for every line logged meanwhile.
current_request_id = contextvars.ContextVar("request_id", default="-")
# An id from the proxy in front (X-Request-ID) is kept when it looks like one; anything
# else a client sends is replaced, so the log never carries a stranger's text.
GIVEN_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = current_request_id.get()
        return True


class RefusalWithoutTraceback(logging.Filter):
    """A 4xx answer keeps its one line and loses the traceback Django attaches to it.

    Django logs a refusal (403 for PermissionDenied, 400 for a body or host it won't
    read) with the exception that caused it. A refusal is ordinary traffic, and the
    request line already has its status: only a 5xx keeps its traceback.
    """

    def filter(self, record):
        if getattr(record, "status_code", 500) < 500:
            record.exc_info = None
            record.exc_text = None
        return True


def request_log(get_response):
    """Give every request an id, answer it in X-Request-ID, and log one line for it."""

    def middleware(request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Left set until the request has finished (forget_request_id): Django logs a 4xx
        # answer after the middleware has returned.
        current_request_id.set(request_id)
        started = time.perf_counter()
        status = 500
        try:
            response = get_response(request)
            status = response.status_code
            response["X-Request-ID"] = request_id
            return response
        finally:
            log.info(
                "%s %s %s %.1fms user=%s",
                request.method,
                # Percent-encoded, so a path can't forge a second line; cut to a sane size.
                escape_uri_path(request.path)[:300],
                status,
                (time.perf_counter() - started) * 1000,
                _user_id(request),
            )

    return middleware


@receiver(request_finished)
def forget_request_id(**kwargs):
    current_request_id.set("-")


def _user_id(request) -> str:
    """Who asked, if the request already knew; the log never costs a query of its own."""
    user = getattr(request, "user", None)
    user = getattr(user, "_wrapped", user)  # the lazy user, only if something opened it
    if user is None or user is empty or not user.is_authenticated:
        return "-"
    return str(user.pk)


def refuse_large_bodies(get_response):
    """Answer 413 to a body declared larger than the limit, before anything reads it.

    The two pages that take files (the ladder import, the org chart) have a larger
    limit of their own. A body sent without a declared length is still bounded by
    Django's DATA_UPLOAD_MAX_MEMORY_SIZE.
    """
    import_paths: set[str] = set()

    def middleware(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return render(request, "400.html", status=400)
        if length > settings.REQUEST_MAX_BYTES:
            if not import_paths:
                import_paths.update(
                    (reverse("ladder:import"), reverse("assessments:people-import"))
                )
            limit = (
                max(settings.IMPORT_REQUEST_MAX_BYTES, settings.REQUEST_MAX_BYTES)
                if request.path in import_paths
                else settings.REQUEST_MAX_BYTES
            )
            if length > limit:
                response = render(
                    request,
                    "413.html",
                    {"limit_mb": limit / 1_000_000},
                    status=413,
                    using="jinja2",
                )
                return response
        return get_response(request)

    return middleware


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

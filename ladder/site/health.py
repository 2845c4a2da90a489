"""What the operators' tools ask: /health/, /health/workers/, and the answer when the database
is away."""

import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.tasks import task_backends
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ladder.models import WorkerHeartbeat

# Seconds a client is asked to wait before retrying while the database is away.
RETRY_AFTER = 5


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 when this web server and its database answer; 503 if the database doesn't.

    For a load balancer: it says nothing of the background workers, whose failure is
    no reason to take a web server out (their own check is /health/workers/). It asks
    nothing of the session, so polling it neither signs in nor writes. GET and HEAD
    only: anything else is 405.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return _answer({"database": "not answering"})
    return _answer({"database": "ok"})


@never_cache
@require_safe
def workers(request: HttpRequest) -> JsonResponse:
    """200 when every task queue has a worker that beat lately; 503 naming those that don't.

    For monitoring the workers (e-mails on one queue, packet PDFs on another), apart
    from the web servers' own health.
    """
    try:
        queues = WorkerHeartbeat.status(task_queues(), settings.HEALTH_WORKER_MAX_AGE)
    except DatabaseError:
        return _answer({"database": "not answering"})
    return _answer({"database": "ok", **{f"queue {name}": s for name, s in queues.items()}})


def task_queues() -> list[str]:
    return sorted(task_backends["default"].queues)


def _answer(checks: dict[str, str]) -> JsonResponse:
    healthy = all(value == "ok" for value in checks.values())
    response = JsonResponse(
        {"status": "ok" if healthy else "failing", **checks}, status=200 if healthy else 503
    )
    if not healthy:
        response["Retry-After"] = str(RETRY_AFTER)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """Django's 500 page, but 503 and a wait-and-retry when the database is away.

    A restart or failover of PostgreSQL surfaces in whatever code touched the database
    first (a session read, a view's query), as OperationalError or InterfaceError: the
    person and the autosave are told to retry rather than shown an error. The broken
    connection is dropped when the request finishes, as Django does after any error,
    so the next request opens a fresh one.
    """
    error = sys.exc_info()[1]
    unavailable = isinstance(error, OperationalError | InterfaceError)
    status = 503 if unavailable else 500
    if request.headers.get("HX-Request"):
        response = HttpResponse(
            "The database is restarting; trying again." if unavailable else "Server error.",
            status=status,
        )
    else:
        # Without the request: its context (the person, the menu) would ask the database.
        page = loader.get_template("503.html" if unavailable else "500.html", using="jinja2")
        response = HttpResponse(page.render({}), status=status)
    if unavailable:
        response["Retry-After"] = str(RETRY_AFTER)
    return response

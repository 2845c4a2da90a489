"""What the operators' tools ask: /health/, and the answer when the database is away."""

import sys

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from ladder.models import WorkerHeartbeat

# Seconds a client is asked to wait before retrying while the database is away.
RETRY_AFTER = 5


@never_cache
@require_safe
def health(request: HttpRequest) -> JsonResponse:
    """200 when the database answers and a background worker beat recently; 503 if not.

    The body says which part failed. It asks nothing of the session, so a load balancer
    polling it neither signs in nor writes. GET and HEAD only: anything else is 405.
    """
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        newest = WorkerHeartbeat.objects.order_by("-beat_at").values_list("beat_at", flat=True)
        newest = newest.first()
    except DatabaseError:
        checks["database"] = "not answering"
        checks["worker"] = "unknown: no database"
    else:
        checks["database"] = "ok"
        if newest is None:
            checks["worker"] = "never seen: start `manage.py db_worker`"
        else:
            age = (timezone.now() - newest).total_seconds()
            if age > settings.HEALTH_WORKER_MAX_AGE:
                checks["worker"] = f"last heartbeat {age:.0f} s ago"
            else:
                checks["worker"] = "ok"
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

"""Shared set-up for the request benchmarks: environment, data, sessions and baseline views.

Not run by itself. `assessment_page.py` and `autosave.py` import it as `_setup` (this
folder is first on sys.path when a script here runs), and gunicorn loads it as its
application with `'_setup:wsgi_application()'`.

It is also the benchmarks' URLconf: the project's own URLs plus two baseline views,
each the least a signed-in request can do (one read, or one UPDATE of one row), so
that a page and its baseline pass through the same middleware (sessions, auth,
CSRF, messages, CSP, htmx) and their ratio compares the work of the views.
"""

from __future__ import annotations

import os
import random
import sys
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
for _path in (str(ROOT), str(BENCH)):
    if _path not in sys.path:
        sys.path.insert(0, _path)

SECRET_KEY = "bench-only-not-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
# 32 letters and digits: Django accepts a bare secret of this length as a CSRF cookie
# and the same string as the X-CSRFToken header.
CSRF_TOKEN = "benchcsrf0123456789abcdefghijklm"


# --- environment --------------------------------------------------------------------

# The suite runs every bench in a short form (tests/test_benches.py) and migrates one
# SQLite file and collects the static files once for all of them: these name those.
# A bench run by hand migrates and collects its own.
TEMPLATE_DATABASE = "LADDER_BENCH_TEMPLATE_DATABASE"
TEMPLATE_STATIC = "LADDER_BENCH_TEMPLATE_STATIC"


def environment(work: Path, *, hosts: str) -> dict[str, str]:
    """What ladder.site.settings reads, for a fresh SQLite file in `work`, production-like."""
    return {
        "DJANGO_SETTINGS_MODULE": "ladder.site.settings",
        "SECRET_KEY": SECRET_KEY,
        "DEBUG": "false",
        "DATABASE_URL": f"sqlite:///{work / 'bench.sqlite3'}",
        "ALLOWED_HOSTS": hosts,
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "SECURE_SSL_REDIRECT": "false",
        # collectstatic writes the manifest here: without DEBUG, {% static %} needs it.
        "STATIC_ROOT": os.environ.get(TEMPLATE_STATIC) or str(work / "static"),
        "LOG_LEVEL": "WARNING",
    }


def bench_database(prefix: str, *, pages: bool = True) -> str:
    """Set this process up on a fresh SQLite file, or on the database DATABASE_URL names
    (emptied first, so its name must contain "bench"); migrate; for benches of pages,
    the bench URLs and static files too. Returns the engine and database, in words."""
    import tempfile

    url = os.environ.get("DATABASE_URL", "")
    work = Path(tempfile.mkdtemp(prefix=f"ladder-bench-{prefix}-"))
    settings = environment(work, hosts="testserver")
    if url:
        if "bench" not in url.rsplit("/", 1)[-1]:
            sys.exit("DATABASE_URL must name a database of the benchmark's own (with 'bench').")
        settings["DATABASE_URL"] = url
    os.environ.update(settings)
    import django

    django.setup()
    from django.core.management import call_command

    if pages:
        use_bench_urls()
    if url:
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
    else:
        _migrate_sqlite(work / "bench.sqlite3")
    if pages:
        _collect_static()
    from django.db import connection

    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


def start_django(work: Path, *, hosts: str) -> None:
    """Configure this process for `work`, set Django up, migrate and collect static files."""
    os.environ.update(environment(work, hosts=hosts))
    import django

    django.setup()
    use_bench_urls()
    _migrate_sqlite(work / "bench.sqlite3")
    _collect_static()


def _migrate_sqlite(path: Path) -> None:
    """Migrate the fresh SQLite file, or start from a copy of one already migrated."""
    import shutil

    from django.core.management import call_command

    template = os.environ.get(TEMPLATE_DATABASE)
    if template:
        shutil.copyfile(template, path)
    else:
        call_command("migrate", verbosity=0)


def _collect_static() -> None:
    from django.core.management import call_command

    # With the suite's folder (environment() made it STATIC_ROOT), only read from it.
    if not os.environ.get(TEMPLATE_STATIC):
        call_command("collectstatic", interactive=False, verbosity=0)


def use_bench_urls() -> None:
    from django.conf import settings
    from django.urls import clear_url_caches

    settings.ROOT_URLCONF = __name__
    clear_url_caches()


def wsgi_application():
    """gunicorn's entry point; the environment comes from `environment()`."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    use_bench_urls()
    return application


# --- baseline views and URLs ----------------------------------------------------------


@require_GET
def minimal_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Signed in, read one row, answer a few bytes."""
    from assessments.models import Cycle

    if not request.user.is_authenticated:
        return HttpResponse("Sign in.", status=401)
    return HttpResponse(Cycle.objects.get(pk=pk).name)


@require_POST
def minimal_update(request: HttpRequest, pk: int) -> HttpResponse:
    """Signed in, one UPDATE of one row with the posted evidence, answer a few bytes."""
    from assessments.models import Rating

    if not request.user.is_authenticated:
        return HttpResponse("Sign in.", status=401)
    updated = Rating.objects.filter(pk=pk).update(evidence=request.POST.get("evidence", ""))
    return HttpResponse("ok" if updated else "missing", status=200 if updated else 404)


handler403 = "assessments.views.forbidden"


def __getattr__(name: str):
    # Django reads `urlpatterns` at the first request, after setup; building the list
    # then lets this module be imported before django.setup().
    if name != "urlpatterns":
        raise AttributeError(name)
    from django.urls import path

    from ladder.site.urls import urlpatterns as project

    patterns = [
        path("bench/read/<int:pk>/", minimal_read, name="bench-read"),
        path("bench/update/<int:pk>/", minimal_update, name="bench-update"),
        *project,
    ]
    globals()["urlpatterns"] = patterns
    return patterns


# --- data -----------------------------------------------------------------------------

_VERBS = ["Led", "Designed", "Shipped", "Reviewed", "Mentored", "Migrated", "Profiled", "Wrote"]
_THINGS = [
    "the feature store's backfill pipeline",
    "online evaluation for the ranking model",
    "the on-call runbook for training jobs",
    "a cost dashboard for GPU usage",
    "the design review for embeddings v2",
    "latency budgets for the inference service",
    "our experiment platform's guardrail metrics",
]
_OUTCOMES = [
    "cut p95 latency from 180 ms to 95 ms",
    "saved about 30% of the monthly training spend",
    "unblocked two teams that were waiting on the schema",
    "turned a weekly incident into none in the last quarter",
    "got the launch through privacy review a sprint early",
]


def evidence_text(rng: random.Random) -> str:
    """A few hundred characters of Markdown, the way people write evidence: prose, links, a list."""
    lines = [
        f"{rng.choice(_VERBS)} {rng.choice(_THINGS)}, which {rng.choice(_OUTCOMES)}.",
        "",
        f"- Design doc: [{rng.choice(_THINGS)}](https://docs.example.com/d/{rng.randrange(10**6)})",
        f"- PRs: [#{rng.randrange(1000, 9999)}](https://git.example.com/ml/pull/"
        f"{rng.randrange(1000, 9999)}) and `{rng.choice(['train.py', 'serve.go', 'dag.yaml'])}`",
        f"- **Outcome:** {rng.choice(_OUTCOMES)}",
    ]
    if rng.random() < 0.5:
        lines += ["", f"> Feedback from the tech lead: *{rng.choice(_OUTCOMES)}*."]
    return "\n".join(lines)


def framework_with(*docs):
    """A published framework version holding these LevelDocs."""
    from ladder.models import Framework
    from ladder.services import create_levels

    framework = Framework.objects.create(name="Bench Framework", version=1)
    create_levels(framework=framework, documents=list(docs))
    framework.publish()
    return framework


def open_cycle(framework):
    import datetime

    from assessments.models import Cycle

    today = datetime.date.today()
    return Cycle.objects.create(
        name="Bench cycle",
        framework=framework,
        status=Cycle.Status.OPEN,
        self_assessment_due=today + datetime.timedelta(days=14),
        manager_review_due=today + datetime.timedelta(days=28),
        calibration_due=today + datetime.timedelta(days=42),
    )


def engineer_with_assessment(cycle, *, username: str, level, manager=None):
    """A user at `level` with their started assessment (a blank rating per behaviour)."""
    from assessments.services import start_assessment
    from ladder.models import User

    user = User.objects.create_user(
        username=username,
        first_name=username.title(),
        last_name="Bench",
        password=None,
        manager=manager,
        track=level.track,
        level_code=level.code,
    )
    return user, start_assessment(cycle=cycle, engineer=user)


def fill_ratings(assessment, rng: random.Random, *, share: float = 1.0) -> int:
    """Give `share` of the ratings a score and Markdown evidence (rendered, as a save would)."""
    from assessments.models import Rating, evidence_html

    ratings = list(assessment.ratings.all())
    chosen = [r for r in ratings if rng.random() < share]
    for rating in chosen:
        rating.score = rng.randrange(0, 5)
        rating.evidence = evidence_text(rng)
        rating.evidence_html = evidence_html(rating.evidence)
        rating.version = 1
    Rating.objects.bulk_update(chosen, ["score", "evidence", "evidence_html", "version"])
    return len(chosen)


def session_key_for(user) -> str:
    """A server-side session signed in as `user`, as the login view would leave it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = user._meta.pk.value_to_string(user)
    # The backend that signs people in; the first one listed only counts failures (axes).
    session[BACKEND_SESSION_KEY] = "ladder.site.sso.PasswordBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return session.session_key


def counted(queries) -> int:
    """The queries a request ran, the check for a restored database aside: that runs once a
    second whatever the traffic (assessments.progress), so a slow machine crosses it at
    random and a page would seem to run one query more."""
    return sum(1 for q in queries.captured_queries if "ladder_dataepoch" not in q["sql"])


def autosave_queries(client, rating, rng: random.Random) -> tuple[int, list[str]]:
    """One htmx autosave through `client`, checked to have written; its queries' count and SQL."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("assessments:save", args=[rating.assessment_id, rating.behaviour_id])
    evidence = evidence_text(rng)
    data = {"score": "3", "evidence": evidence, "version": str(rating.version)}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.status_code
    assert response["X-Rating-Version"] == str(rating.version + 1), response["X-Rating-Version"]
    rating.refresh_from_db()
    assert (rating.score, rating.evidence) == (3, evidence), "the autosave did not write"
    return counted(queries), [q["sql"] for q in queries.captured_queries]


def submitted_for_review(assessment, *, username: str):
    """Answer every behaviour, make `username` the engineer's manager and submit; the reviewer."""
    from assessments import workflow
    from assessments.models import Rating
    from ladder.models import User

    reviewer = User.objects.create_user(
        username=username, first_name=username.title(), last_name="Bench", password=None
    )
    engineer = assessment.engineer
    engineer.manager = reviewer
    engineer.save(update_fields=["manager"])
    Rating.objects.filter(assessment=assessment).update(score=3)
    workflow.submit(assessment, by=engineer)
    return reviewer


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


def review_autosave_queries(client, rating, rng: random.Random) -> tuple[int, list[str]]:
    """One htmx review autosave through `client` (the reviewer), checked to have written.

    Counts the statements that read or write rows: a review save writes its history in
    the same transaction as the change, and the BEGIN and COMMIT around them are not
    queries. The first save of a review also starts it (one UPDATE more); this measures
    that one, the most a save ever runs.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    url = reverse("assessments:review-save", args=[rating.assessment_id, rating.behaviour_id])
    comment = evidence_text(rng)
    data = {"score": "2", "comment": comment, "version": str(rating.manager_version)}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.status_code
    assert response["X-Rating-Version"] == str(rating.manager_version + 1)
    rating.refresh_from_db()
    assert (rating.manager_score, rating.manager_comment) == (2, comment), "not written"
    statements = [q["sql"] for q in queries.captured_queries]
    data = [
        sql
        for sql in statements
        if not sql.lstrip().upper().startswith(TRANSACTION_CONTROL)
        and "ladder_dataepoch" not in sql
    ]
    return len(data), statements


def profile(call, *, repeat: int, what: str) -> None:
    """Run `call` `repeat` times under cProfile and print the costliest functions, by own
    time and by time including what they call."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(repeat):
        call()
    profiler.disable()
    print(f"\ncProfile of {repeat} requests of {what}, by own time:")
    pstats.Stats(profiler).strip_dirs().sort_stats("tottime").print_stats(15)
    pstats.Stats(profiler).strip_dirs().sort_stats("cumulative").print_stats(25)

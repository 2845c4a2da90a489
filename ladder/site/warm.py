"""A server process made ready before it takes its first request.

A deadline opens with everyone arriving at once: a process that compiles its templates,
builds its URL patterns, loads Markdown's extensions and the PDF renderer, and reads the
open cycles' levels on its first requests makes those people wait behind it.
`ladder/site/wsgi.py` calls `warm_up()` as the application loads: under
`gunicorn --preload` once, in the master, and every worker (a replacement after a crash
included) starts with it all in memory; without --preload, in each worker before it
accepts.
"""

import logging
import time

from django.db import DatabaseError, connections
from django.template import engines
from django.urls import reverse

log = logging.getLogger("ladder.warm")


def warm_up() -> None:
    """Prime what the first requests would otherwise build; never stops the server starting."""
    started = time.monotonic()
    reverse("home")  # imports the views and builds the URL patterns
    templates = _compile_templates()
    _load_markdown()
    _load_pdf_renderer()
    try:
        levels = _read_open_levels()
    except DatabaseError as error:
        # The database may be down as a server starts: it then reads them on first use.
        log.warning("warm-up: open cycles' levels not read (%s)", error)
        levels = 0
    finally:
        # Nothing opened here may be shared with processes forked from this one.
        connections.close_all()
    log.info(
        "warm-up: %d templates, %d levels in %.2f s",
        templates,
        levels,
        time.monotonic() - started,
    )


def _compile_templates() -> int:
    environment = engines["jinja2"].env
    names = environment.list_templates(filter_func=lambda name: name.endswith((".html", ".txt")))
    for name in names:
        environment.get_template(name)
    return len(names)


def _load_markdown() -> None:
    from assessments.models import evidence_html

    evidence_html("Warm *up*: [a link](https://example.com)\n\n- a list")


def _load_pdf_renderer() -> None:
    # Other processes import WeasyPrint with their first PDF (assessments/packets/pdf.py);
    # a server loads it here, once for all its workers under --preload.
    from assessments.packets import pdf

    pdf.static_only_fetcher()


def _read_open_levels() -> int:
    """The outlines of the levels that open cycles assess, as their pages show them."""
    from assessments import sql
    from assessments.models import Cycle
    from assessments.progress import outline_of, published_level
    from ladder.models import Level

    frameworks = Cycle.objects.open().values("framework_id")
    ids = list(Level.objects.filter(framework_id__in=frameworks).values_list("pk", flat=True))
    for pk in ids:
        outline_of(published_level(pk))
    sql.assessment_for_page(0)  # writes the page's query once
    return len(ids)

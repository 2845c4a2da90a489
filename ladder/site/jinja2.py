"""The Jinja2 environment for the templates under templates/jinja2/."""

from datetime import datetime
from functools import cache

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.template.defaultfilters import date, linebreaks_filter, pluralize
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django_htmx.jinja import htmx_script
from jinja2 import Environment, StrictUndefined

from ladder import rubric_text


def hhmm(moment: datetime) -> str:
    """The local time of day, as people read it beside a save."""
    return f"{timezone.localtime(moment):%H:%M}"


@cache
def static_url(path: str) -> str:
    """A static file's address; the same for as long as the process runs, so asked once."""
    return static(path)


def static_or_unhashed(path: str) -> str:
    """The file's address, or its unhashed one when collectstatic's manifest lacks it.

    For the error pages, which must render on a deploy that skipped collectstatic: there
    every other page fails, and the log says why, while people read what went wrong.
    """
    try:
        return static_url(path)
    except ValueError:  # "Missing staticfiles manifest entry"
        return StaticFilesStorage().url(path)


def environment(**options) -> Environment:
    # A misspelt name fails loudly instead of rendering as nothing (Django's default
    # is to stay silent outside DEBUG).
    env = Environment(**{**options, "undefined": StrictUndefined})
    env.globals.update(
        {
            "static": static_url,
            "static_or_unhashed": static_or_unhashed,
            "url": reverse,
            "htmx_script": htmx_script,
        }
    )
    env.filters.update(
        {
            "date": date,
            "hhmm": hhmm,
            "linebreaks": linebreaks_filter,
            "pluralize": pluralize,
            # Behaviours and notes: their words, with the links their authors wrote.
            "rubric": rubric_text.to_html,
            "rubric_paragraphs": rubric_text.paragraphs_html,
            "plain": rubric_text.plain,
        }
    )
    return env

"""The Jinja2 environment for the templates under templates/jinja2/."""

from datetime import datetime
from functools import cache

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


def environment(**options) -> Environment:
    # A misspelt name fails loudly instead of rendering as nothing (Django's default
    # is to stay silent outside DEBUG).
    env = Environment(**{**options, "undefined": StrictUndefined})
    from assessments.rubric import SCALE

    env.globals.update(
        {
            "static": static_url,
            "url": reverse,
            "htmx_script": htmx_script,
            # The rating scale, for the row templates that build their answers once.
            "answer_scale": SCALE,
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

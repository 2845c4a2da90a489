"""The Jinja2 environment for the templates under templates/jinja2/."""

from datetime import datetime
from functools import cache

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.template.defaultfilters import date, linebreaks_filter, pluralize
from django.templatetags.static import static
from django.urls import NoReverseMatch, get_script_prefix, reverse
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


# Stand-ins for whole-number arguments while a pattern is reversed once: nine digits no
# path of this project otherwise holds, one per argument's place.
_STAND_INS = (918273645, 928374655, 938475665, 948576675)


def url(name: str, args=(), kwargs=None) -> str:
    """reverse(), for the templates: a name with whole-number arguments (an id, mostly;
    a negative number, which no `int` converter takes, is left to reverse() to refuse) is
    reversed once per process and the numbers put in their places after, which costs a
    hundredth of reversing it; a page asks for ten or so. Anything else is reversed."""
    if kwargs or len(args) > len(_STAND_INS) or any(type(a) is not int or a < 0 for a in args):
        return reverse(name, args=args, kwargs=kwargs)
    pattern = _pattern(get_script_prefix(), name, len(args))
    if pattern is None:
        return reverse(name, args=args)
    pieces, order = pattern
    return "".join(p + str(args[i]) for p, i in zip(pieces, order, strict=False)) + pieces[-1]


@cache
def _pattern(prefix: str, name: str, count: int) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """The path around each argument's place, and which argument goes in each place."""
    try:
        path = reverse(name, args=_STAND_INS[:count])
    except NoReverseMatch:  # a converter that refuses the stand-ins: reversed each time
        return None
    marks = [str(stand_in) for stand_in in _STAND_INS[:count]]
    if any(path.count(mark) != 1 for mark in marks):
        return None
    pieces, order, start = [], [], 0
    for at, index in sorted((path.index(mark), i) for i, mark in enumerate(marks)):
        pieces.append(path[start:at])
        order.append(index)
        start = at + len(marks[index])
    pieces.append(path[start:])
    return tuple(pieces), tuple(order)


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
            "url": url,
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

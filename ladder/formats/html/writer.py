"""Writing a level as a whole web page that the HTML reader reads back unchanged.

The page is ``templates/jinja2/ladder/export_page.html``; this gives it the document
and the few helpers it needs.
"""

from __future__ import annotations

from django.template.loader import get_template

from ladder import rubric_text
from ladder.areas import PILLAR_EMOJI
from ladder.formats.document import LevelDoc, derived_key, derived_track
from ladder.formats.html.page import followable
from ladder.formats.inline import escape_markdown


def _track_comment(doc: LevelDoc) -> str | None:
    """The track as the comment's Markdown text, if the title doesn't imply it.

    Escaped for Markdown, ">" included, so it can neither close the comment nor read back
    differently; HTML escaping would not do, as a comment's text is never unescaped.
    """
    if doc.track == derived_track(doc.title):
        return None
    return escape_markdown(doc.track).replace(">", "\\>")


def render_html(doc: LevelDoc) -> str:
    """A whole web page for one level, which ``parse_html`` reads back unchanged."""
    template = get_template("ladder/export_page.html", using="jinja2")
    return template.render(
        {
            "doc": doc,
            "group_descriptions": {group.name: group.description for group in doc.groups},
            "track_comment": _track_comment(doc),
            "pillar_emoji": PILLAR_EMOJI,
            "segments": rubric_text.segments,
            "followable": followable,
            "derived_key": derived_key,
        }
    )

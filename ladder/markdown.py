"""Markdown to safe HTML: python-markdown renders, nh3 keeps only an allow-list.

python-markdown passes raw HTML and javascript: links straight through, so its
output is never trusted as it stands.
"""

import re
import threading

import markdown as markdown_lib
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"align"}, "td": {"align"}}
# Images are left out on purpose: they would leak readers' addresses to whoever
# hosts them, and make the PDF renderer fetch URLs.
URL_SCHEMES = {"http", "https", "mailto"}


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _links_filter(tag: str, attribute: str, value: str) -> str | None:
    # nh3 passes relative links through, and counts "//host/path" among them;
    # that one leads off-site with no scheme to check, so it goes. Browsers drop
    # tabs and newlines from URLs and read "\\" as "/", so the check does too, and
    # a link with any other control character in it is not a link anyone wrote.
    if attribute != "href":
        return value
    seen = value.replace("\t", "").replace("\n", "").replace("\r", "").strip()
    if _CONTROL.search(seen) or seen.replace("\\", "/").startswith("//"):
        return None
    return value


_local = threading.local()


def _converter() -> markdown_lib.Markdown:
    # Building a Markdown instance loads its extensions and costs as much as the
    # conversion itself; each thread keeps one and resets it between texts.
    if not hasattr(_local, "markdown"):
        _local.markdown = markdown_lib.Markdown(
            extensions=["extra", "sane_lists"], output_format="html"
        )
    return _local.markdown.reset()


def render_markdown(text: str) -> SafeString:
    """Render Markdown and sanitise it; the result is safe to put in a page."""
    html = _converter().convert(text)
    cleaned = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_links_filter,
        strip_comments=True,
    )
    return mark_safe(cleaned)

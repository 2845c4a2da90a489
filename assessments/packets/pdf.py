"""HTML to PDF with WeasyPrint, which may read this project's static files and nothing else.

Packets carry what people wrote. That is sanitised Markdown with no images, but the
renderer is still never allowed to reach the network or the disk on its own: every
address it asks for goes through StaticOnlyFetcher (made by static_only_fetcher), which
answers from the project's static files (found by django.contrib.staticfiles, as
collectstatic would find them) and from data: URLs, and refuses anything else.
"""

from __future__ import annotations

import logging
import posixpath
import ssl
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from pypdf import PdfWriter

# WeasyPrint is imported by the first PDF a process writes, not with this module: it takes
# half a second, and many processes that load the URLs (the e-mail worker, each management
# command, every test run) never write one. A web server loads it in its warm-up.
if TYPE_CHECKING:
    from weasyprint import CSS
    from weasyprint.document import Document
    from weasyprint.text.fonts import FontConfiguration

# Relative addresses in the HTML (such as {{ static(...) }}) resolve against this
# origin; ".invalid" can never be a real host, so nothing here could ever be fetched
# from the network even if the fetcher below let it through.
BASE_URL = "https://ladder.invalid/"

CONTENT_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}

logger = logging.getLogger(__name__)


class RefusedURL(ValueError):
    """The renderer asked for something that is neither our static file nor a data: URL."""


def static_only_fetcher():
    """A new StaticOnlyFetcher (below)."""
    return _fetcher_class()()


@cache
def _fetcher_class() -> type:
    # Made once, on the first PDF or a server's warm-up: its base class is WeasyPrint's.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """WeasyPrint's fetcher, narrowed to the project's static files and data: URLs.

        WeasyPrint 70 wants an instance of URLFetcher (it reads attributes of it), so a
        plain function won't do. Files are read from disk, so a PDF made in the
        background worker needs no web server. Only data: URLs reach WeasyPrint's own
        fetching, and that is told to allow nothing else either.
        """

        def __init__(self) -> None:
            # URLFetcher sets up handlers for every protocol, and the HTTPS one makes a TLS
            # context unless it is given one: some 25 ms a document, for nothing.
            super().__init__(allowed_protocols=("data",), ssl_context=_unused_tls_context())

        def fetch(self, url: str, headers=None) -> URLFetcherResponse:
            if url[:5].lower() == "data:":
                return super().fetch(url, headers)
            path = static_path(url)
            if path is None:
                logger.warning("Refused to fetch %s while writing a PDF.", url[:200])
                raise RefusedURL(f"Only the app's own static files can be used: {url[:200]}")
            content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
            return URLFetcherResponse(
                url, path.read_bytes(), headers={"Content-Type": f"{content_type}; charset=utf-8"}
            )

    return StaticOnlyFetcher


def static_path(url: str) -> Path | None:
    """The file on disk behind one of our static addresses, or None for any other address."""
    prefix = urljoin(BASE_URL, settings.STATIC_URL)
    parts = urlsplit(url)
    if parts.query or parts.fragment or not url.startswith(prefix):
        return None
    name = unquote(url[len(prefix) :])
    # The finders refuse to leave their folders too (safe_join); this says why up front.
    if not name or "\\" in name or "\x00" in name or name.startswith("/"):
        return None
    if posixpath.normpath(name) != name or ".." in name.split("/"):
        return None
    try:
        found = finders.find(_unhashed_names().get(name, name))
    except SuspiciousFileOperation:
        return None
    return Path(found) if found else None


@cache
def _unhashed_names() -> dict[str, str]:
    """With collectstatic's manifest, {% static %} writes hashed names; the finders know the
    files by their own names."""
    hashed = getattr(staticfiles_storage, "hashed_files", None) or {}
    return {value: key for key, value in hashed.items()}


@cache
def _unused_tls_context() -> ssl.SSLContext:
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


# Fonts are looked up once per process; every packet uses the same few.
_FONTS: FontConfiguration | None = None


def _font_config() -> FontConfiguration:
    global _FONTS
    if _FONTS is None:
        from weasyprint.text.fonts import FontConfiguration

        _FONTS = FontConfiguration()
    return _FONTS


# The stylesheet of every PDF the app writes: the packet's, which the engineer's copy shares.
PDF_STYLESHEETS = ("css/packet.css",)

# Parsed stylesheets by static name, with the file's modification time. Parsing the
# stylesheet was a tenth of a packet's time, so documents don't link it: the renderer is
# handed the parsed copy, read again only when the file changes.
_SHEETS: dict[str, tuple[int, CSS]] = {}


def stylesheet(name: str) -> CSS:
    """One of our static stylesheets, parsed once per process and version of the file."""
    url = urljoin(urljoin(BASE_URL, settings.STATIC_URL), name)
    path = static_path(url)
    if path is None:
        raise RefusedURL(f"No such static stylesheet: {name}")
    modified = path.stat().st_mtime_ns
    kept = _SHEETS.get(name)
    if kept is None or kept[0] != modified:
        from weasyprint import CSS

        sheet = CSS(
            string=path.read_text(encoding="utf-8"),
            base_url=url,
            url_fetcher=static_only_fetcher(),
            font_config=_font_config(),
        )
        kept = _SHEETS[name] = (modified, sheet)
    return kept[1]


def render_document(html: str, stylesheets: tuple[str, ...] = PDF_STYLESHEETS) -> Document:
    """Lay out one HTML document, with our static stylesheets, into pages (not yet a PDF)."""
    from weasyprint import HTML

    fetcher = static_only_fetcher()
    return HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render(
        stylesheets=[stylesheet(name) for name in stylesheets], font_config=_font_config()
    )


def html_to_pdf(html: str, stylesheets: tuple[str, ...] = PDF_STYLESHEETS) -> bytes:
    """One HTML document as a PDF."""
    return render_document(html, stylesheets).write_pdf()


def html_to_pdf_pages(
    html: str, stylesheets: tuple[str, ...] = PDF_STYLESHEETS
) -> tuple[bytes, int]:
    """One HTML document as a PDF, and how many pages it has (counted as laid out, not by
    reading the PDF back)."""
    document = render_document(html, stylesheets)
    return document.write_pdf(), len(document.pages)


def documents_to_pdf(documents: list[Document]) -> bytes:
    """Laid-out documents, one after the other, as one PDF: each keeps its own page
    numbers, and the fonts are embedded once for all of them, not once a document."""
    pages = [page for document in documents for page in document.pages]
    return documents[0].copy(pages).write_pdf()


def merge_pdfs(parts: Iterable[Path], into: Path, outline: Iterable[tuple[str, int]] = ()) -> None:
    """Several PDF files, one after the other, as one file; each keeps its own page numbers.

    A batch writes each packet as its own small PDF and merges the files at the end:
    laid-out pages cost a few MB a packet in memory, a written packet a few hundred KB.
    `outline` adds bookmarks: a title and the 0-based page it opens at.
    """
    writer = PdfWriter()
    for part in parts:
        # The packets' own bookmarks (their headings) would bury the people's names.
        writer.append(str(part), import_outline=False)
    if not writer.pages:
        raise ValueError("No documents to write.")
    for title, page in outline:
        writer.add_outline_item(title, page)
    with into.open("wb") as out:
        writer.write(out)

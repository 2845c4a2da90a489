"""Uploads Django's multipart parser refuses before any view sees them, said plainly."""

from django.http.multipartparser import MultiPartParserError

# Django reads at most 1,024 bytes of each part's headers (MAX_TOTAL_HEADER_SIZE in
# django/http/multipartparser.py) and refuses the whole body past that, with only this
# message to say why. A browser's part headers are the field's name, the file's name and
# its type, so what passes the limit is a file name of some 900 characters or more.
HEADERS_TOO_LARGE = "Request max total header size exceeded."

NAME_TOO_LONG = (
    "A file's name is too long to be read, so nothing was changed. "
    "Rename the file to something shorter and send it again."
)


def is_name_too_long(error: BaseException | None) -> bool:
    """Whether Django refused the body for a part's headers: in practice, a file's name."""
    return isinstance(error, MultiPartParserError) and str(error) == HEADERS_TOO_LARGE

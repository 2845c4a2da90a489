"""The formats a ladder is read from and written to: one entry per format.

Adding a format is a module with a ``read`` (text, file name, track → the levels the
file holds) and a writer, and an entry here: the import page, the import and export
commands and the error for an unknown file all take their lists from ``FORMATS``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ladder.formats import csv, html, markdown
from ladder.formats.document import LevelDoc, ParsedPage


@dataclass(frozen=True)
class Format:
    """How one kind of file is read and written.

    A page format (``write_page``) writes one file per level; the others write every
    level into one file (``write_all``).
    """

    name: str  # as the export command's --format takes it
    label: str  # as people read it
    suffixes: tuple[str, ...]  # the first is the one written
    read: Callable[..., list[ParsedPage]]
    write_page: Callable[[LevelDoc], str] | None = None
    write_all: Callable[[Sequence[LevelDoc]], str] | None = None

    @property
    def described(self) -> str:
        """The label with the suffixes read: "HTML (.html, .htm)"."""
        return f"{self.label} ({', '.join(self.suffixes)})"


FORMATS: tuple[Format, ...] = (
    Format("markdown", "Markdown", (".md", ".markdown", ".txt"), markdown.read, markdown.write),
    Format("html", "HTML", (".html", ".htm"), html.read, html.write),
    Format("csv", "CSV", (".csv",), csv.read, write_all=csv.write),
)
SUFFIXES: tuple[str, ...] = tuple(suffix for fmt in FORMATS for suffix in fmt.suffixes)


def by_suffix(suffix: str) -> Format | None:
    """The format of a file ending in ``suffix`` (".md", in any case), or None."""
    suffix = suffix.lower()
    return next((fmt for fmt in FORMATS if suffix in fmt.suffixes), None)


def by_name(name: str) -> Format:
    """The format the export command names; KeyError for any other name."""
    for fmt in FORMATS:
        if fmt.name == name:
            return fmt
    raise KeyError(name)


def described() -> str:
    """Every format with its suffixes: "Markdown (.md, …), HTML (…) or CSV (.csv)"."""
    names = [fmt.described for fmt in FORMATS]
    return f"{', '.join(names[:-1])} or {names[-1]}" if len(names) > 1 else names[0]

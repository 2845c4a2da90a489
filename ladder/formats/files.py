"""Ladder files as people hand them over: bytes of some size, encoding and format.

Everything that reaches the parsers comes through here, from the command line and from
the browser, so the same file gets the same answer in both: its size checked before
it is all read, binary files and wrong encodings refused with the line to look at,
the format picked by the file's extension.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

from ladder.formats import registry, scale_file
from ladder.formats.document import (
    MAX_AREAS_PER_LEVEL,
    MAX_FILE_BYTES,
    MAX_GROUPS_PER_LEVEL,
    LadderFormatError,
    ParsedPage,
    Problem,
)
from ladder.scale import Scale


def read_bounded(stream: BinaryIO, filename: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """At most ``limit`` bytes of a stream; one more means the file is too big to be a page."""
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise LadderFormatError(
            filename, 1, f"larger than {limit:,} bytes; is it a ladder page? Nothing was read."
        )
    return data


def decode(filename: str, data: bytes) -> str:
    """UTF-8 text (a byte-order mark is dropped), or an error naming the line to look at."""
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise LadderFormatError(filename, line, "NUL byte in the file; is this a text file?")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise LadderFormatError(
            filename,
            line,
            "not UTF-8 text; save the file as UTF-8 (in a spreadsheet: CSV UTF-8).",
        ) from None


def read_upload(filename: str, data: bytes, *, track: str | None = None) -> list[ParsedPage]:
    """The levels in one file, by its extension: Markdown and HTML hold one, CSV any number."""
    suffix = Path(filename).suffix.lower()
    fmt = registry.by_suffix(suffix)
    if fmt is None:
        raise LadderFormatError(
            filename,
            1,
            f"unknown kind of file {suffix or '(no extension)'!r}; "
            f"expected {registry.described()}.",
        )
    if len(data) > MAX_FILE_BYTES:
        raise LadderFormatError(
            filename, 1, f"larger than {MAX_FILE_BYTES:,} bytes; is it a ladder page?"
        )
    return fmt.read(decode(filename, data), filename, track=track)


def read_scale(filename: str, data: bytes) -> Scale:
    """A scale file (scale.yaml), bounded and decoded as a page is."""
    if len(data) > scale_file.MAX_BYTES:
        raise LadderFormatError(
            filename, 1, f"larger than {scale_file.MAX_BYTES:,} bytes; is it a scale file?"
        )
    return scale_file.read(filename, decode(filename, data))


def read_all(files: list[tuple[str, bytes]], *, track: str | None = None) -> list[ParsedPage]:
    """Every file's levels, or one error listing every problem of every file (a scale
    file among them is checked too; read_framework also gives its scale)."""
    return read_framework(files, track=track)[0]


def read_framework(
    files: list[tuple[str, bytes]], *, track: str | None = None
) -> tuple[list[ParsedPage], Scale | None]:
    """Every file's levels and the scale file's scale (None without one), or one error
    listing every problem of every file."""
    pages: list[ParsedPage] = []
    scale: Scale | None = None
    errors = one_scale_file([filename for filename, _ in files])
    for filename, data in files:
        if scale_file.is_scale_file(filename):
            try:
                scale = read_scale(filename, data)
            except LadderFormatError as error:
                errors.extend(error.errors)
            continue
        try:
            pages.extend(read_upload(filename, data, track=track))
        except LadderFormatError as error:
            errors.extend(error.errors)
    if errors:
        raise LadderFormatError.of(errors)
    return settle_tracks(pages), scale


def one_scale_file(filenames: list[str]) -> list[Problem]:
    """The error, at the second, when files handed over together hold more than one scale
    file. Told by the names alone, so it is said in the same run as whatever is wrong
    inside the scale files, not once they are fixed (manage.py import_ladder asks too)."""
    scale_files = [filename for filename in filenames if scale_file.is_scale_file(filename)]
    if len(scale_files) < 2:
        return []
    return [Problem(scale_files[1], 1, f"a framework has one scale file; {scale_files[0]} is one")]


def settle_tracks(pages: list[ParsedPage]) -> list[ParsedPage]:
    """What only the whole of a track shows, once every file is read: levels known by
    their titles coded by their place, each area in one group throughout, and no two
    areas of a level with one key (a key is the name's letters and digits)."""
    pages = code_levels_by_place(pages)
    errors = []
    groups: dict[tuple[str, str], tuple[str, str]] = {}
    for page in pages:
        doc = page.doc
        if len(doc.areas) > MAX_AREAS_PER_LEVEL or len(doc.groups) > MAX_GROUPS_PER_LEVEL:
            errors.append(
                Problem(
                    page.source,
                    1,
                    f"{doc.code} has {len(doc.areas):,} areas in {len(doc.groups):,} groups; "
                    f"a level may have at most {MAX_AREAS_PER_LEVEL} areas and "
                    f"{MAX_GROUPS_PER_LEVEL} groups",
                )
            )
            continue
        keys: dict[str, str] = {}
        for area in page.doc.areas:
            if keys.setdefault(area.key, area.name) != area.name:
                errors.append(
                    Problem(
                        page.source,
                        1,
                        f'the areas "{keys[area.key]}" and "{area.name}" of {page.doc.code} '
                        f'would share the key "{area.key}": rename one',
                    )
                )
            known = (page.doc.track, area.key)
            first = groups.setdefault(known, (area.group, page.doc.code))
            if first[0] != area.group:
                where = f'in the group "{first[0]}"' if first[0] else "in no group"
                errors.append(
                    Problem(
                        page.source,
                        1,
                        f'the area "{area.name}" of {page.doc.code} is '
                        + (f'in the group "{area.group}"' if area.group else "in no group")
                        + f", but {where} at {first[1]}: an area keeps its group "
                        "throughout a track",
                    )
                )
    if errors:
        raise LadderFormatError.of(errors)
    return pages


# The letter of the codes given to levels known by their titles: L1, L2, …
TITLED_LEVEL_PREFIX = "L"


def code_levels_by_place(pages: list[ParsedPage]) -> list[ParsedPage]:
    """Give levels known by their titles (no code) a code from their place in their track,
    in the order read: L1, L2, … A track whose levels have codes keeps them; one that
    mixes the two is refused, as the codes given could clash with those written."""
    places: dict[str, list[int]] = {}
    for index, page in enumerate(pages):
        places.setdefault(page.doc.track, []).append(index)
    pages = list(pages)
    errors = []
    for track, indexes in places.items():
        untitled = [i for i in indexes if not pages[i].doc.code]
        if not untitled:
            continue
        if len(untitled) < len(indexes):
            coded = next(pages[i] for i in indexes if pages[i].doc.code)
            errors.extend(
                Problem(
                    pages[i].source,
                    1,
                    f"the level {pages[i].doc.title!r} has no code, but {coded.doc.code} of the "
                    f"same track ({track}) has: give every level of a track a code, or none",
                )
                for i in untitled
            )
            continue
        for number, i in enumerate(indexes, 1):
            doc = replace(pages[i].doc, code=f"{TITLED_LEVEL_PREFIX}{number}")
            pages[i] = replace(pages[i], doc=doc)
    if errors:
        raise LadderFormatError.of(errors)
    return pages

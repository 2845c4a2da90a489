"""manage.py import_ladder FILE...: bring ladder pages written in Markdown into a draft."""

import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from ladder.ladder_format import LadderFormatError, LevelDoc, parse_ladder
from ladder.services import import_levels

MAX_FILE_BYTES = 2_000_000


def read_ladder_file(path: Path) -> LevelDoc:
    """Parse one file, turning every way it can be unreadable into a CommandError."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise CommandError(f"{path}: cannot read the file ({error.strerror}).") from None
    if len(raw) > MAX_FILE_BYTES:
        raise CommandError(f"{path}: larger than {MAX_FILE_BYTES:,} bytes; is it a ladder page?")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise CommandError(f"{path}:{line}: not UTF-8 text.") from None
    try:
        return parse_ladder(text, filename=str(path))
    except LadderFormatError as error:
        raise CommandError(str(error)) from None


class Command(BaseCommand):
    help = (
        "Import ladder pages (Markdown, wiki-table or heading + list form) into the "
        "framework's draft. All files are checked before anything is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="Ladder pages, one level each.")
        parser.add_argument(
            "--framework",
            default=settings.LADDER_DEFAULT_FRAMEWORK,
            help="Framework name (default: %(default)s).",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the draft as a new version once the import succeeds.",
        )

    def handle(self, *args, files, framework, publish, verbosity, **options):
        started = time.perf_counter()
        documents = []
        for index, path in enumerate(files, start=1):
            documents.append((str(path), read_ladder_file(path)))
            if verbosity >= 2:
                self.stdout.write(f"checked [{index}/{len(files)}] {path}")

        def progress(index: int, total: int, source: str, outcome: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"[{index:>{len(str(total))}}/{total}] {source}: {outcome}")

        try:
            report = import_levels(
                framework_name=framework,
                documents=documents,
                publish_version=publish,
                progress=progress,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except IntegrityError:
            raise CommandError(
                "Someone else changed this framework at the same moment; nothing was written. "
                "Run the import again."
            ) from None

        elapsed = time.perf_counter() - started
        where = framework if report.framework is None else str(report.framework)
        self.stdout.write(
            self.style.SUCCESS(
                f"{where}: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged in {elapsed:.2f}s."
            )
        )

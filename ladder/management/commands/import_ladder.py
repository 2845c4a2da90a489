"""manage.py import_ladder FILE...: bring ladder pages (Markdown, HTML, CSV) into a draft."""

import time
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError

from ladder.formats import registry, scale_file
from ladder.formats.document import LadderFormatError, ParsedPage, Problem
from ladder.formats.files import MAX_FILE_BYTES, read_bounded, read_framework
from ladder.scale import Scale
from ladder.services import ImportPlan, import_levels, plan_import


def read_files(
    paths: list[Path], *, track: str | None = None
) -> tuple[list[ParsedPage], Scale | None]:
    """Every level of every file, and the scale file's scale if one is given; or a
    CommandError listing every error of every file. Read as the import page reads what
    is uploaded (ladder.formats.files.read_framework), each file up to its size limit."""
    files, errors = [], []
    for path in paths:
        limit = scale_file.MAX_BYTES if scale_file.is_scale_file(path.name) else MAX_FILE_BYTES
        try:
            with path.open("rb") as stream:
                files.append((str(path), read_bounded(stream, str(path), limit)))
        except OSError as error:
            errors.append(
                Problem(str(path), 1, f"cannot read the file ({error.strerror or error}).")
            )
        except LadderFormatError as error:
            errors.extend(error.errors)
    try:
        pages, scale = read_framework(files, track=track)
    except LadderFormatError as error:
        errors.extend(error.errors)
    if not errors:
        return pages, scale
    count = f"{len(errors)} error{'s' if len(errors) != 1 else ''}"
    listing = "\n".join(str(error) for error in errors)
    raise CommandError(f"{count}; nothing was imported:\n{listing}")


class Command(BaseCommand):
    help = (
        f"Import ladder pages into the framework's draft: {registry.described()}. Every "
        "file is checked before anything is written; --dry-run only reports."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path, help="Ladder pages, one level each.")
        parser.add_argument(
            "--framework",
            default=settings.LADDER_DEFAULT_FRAMEWORK,
            help="Framework name (default: %(default)s).",
        )
        parser.add_argument(
            "--track",
            help="Put every level in this track, whatever the pages' titles or track lines say.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Read everything and report what would change; write nothing.",
        )
        parser.add_argument(
            "--publish",
            action="store_true",
            help="Publish the draft as a new version once the import succeeds.",
        )

    def handle(self, *args, files, framework, track, dry_run, publish, verbosity, **options):
        if dry_run and publish:
            raise CommandError("--dry-run writes nothing, so it can't --publish.")
        started = time.perf_counter()
        pages, scale = read_files(files, track=track)
        if dry_run:
            try:
                plan = plan_import(framework_name=framework, pages=pages, scale=scale)
            except ValidationError as error:
                raise CommandError("\n".join(error.messages)) from None
            self.report(plan)
            return
        self.import_pages(framework, pages, scale, publish, verbosity, started)

    def import_pages(self, framework, pages, scale, publish, verbosity, started) -> None:
        for page in pages:
            for warning in page.warnings:
                self.stderr.write(f"warning: {warning}")

        def progress(index: int, total: int, source: str, outcome: str) -> None:
            if verbosity >= 1:
                self.stdout.write(f"[{index:>{len(str(total))}}/{total}] {source}: {outcome}")

        try:
            report = import_levels(
                framework_name=framework,
                documents=pages,
                publish_version=publish,
                progress=progress,
                scale=scale,
            )
        except ValidationError as error:
            raise CommandError("\n".join(error.messages)) from None
        except IntegrityError:
            raise CommandError(
                "Someone else changed this framework at the same moment; nothing was written. "
                "Run the import again."
            ) from None

        elapsed = time.perf_counter() - started
        where = framework if report.framework is None else str(report.framework)
        if report.scale_changed:
            self.stdout.write("The scale file's scale replaces the framework's.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{where}: {len(report.created)} created, {len(report.updated)} updated, "
                f"{len(report.unchanged)} unchanged in {elapsed:.2f}s."
            )
        )

    def report(self, plan: ImportPlan) -> None:
        against = str(plan.framework) if plan.framework else "nothing yet (a new framework)"
        self.stdout.write(f"Dry run: nothing written. Compared with {against}.")
        for level in plan.levels:
            doc = level.doc
            responsibilities = doc.responsibility_count
            track = f"{doc.track} (from the title)" if doc.track_from_title else doc.track
            self.stdout.write(
                f"\n{level.source}: {doc.code} {doc.title} · track {track} · "
                f"{len(doc.areas)} areas, {responsibilities} responsibilities, "
                f"{doc.behaviour_count} behaviours · would be {level.outcome}"
            )
            for warning in level.warnings:
                self.stdout.write(f"  warning: {warning}")
            if level.outcome == "unchanged":
                continue
            added, changed, removed = level.added, level.changed, level.removed
            self.stdout.write(
                f"  {len(added)} added, {len(changed)} changed, {len(removed)} removed"
            )
            for b in added:
                self.stdout.write(f"  + [{b.key}] {b.text}")
            for old, new in changed:
                self.stdout.write(f"  ~ [{new.key}] {old.text}\n    → {new.text}")
            for b in removed:
                self.stdout.write(f"  - [{b.key}] {b.text}")
        tracks = sorted({level.doc.track for level in plan.levels})
        self.stdout.write(f"\nTracks: {', '.join(tracks)}")
        if plan.scale_changes:
            steps = ", ".join(step.label for step in plan.scale.steps)
            outcomes = ", ".join(outcome.label for outcome in plan.scale.outcomes)
            self.stdout.write(f"Scale: would become {steps}; outcomes {outcomes}.")
        elif plan.scale is not None:
            self.stdout.write("Scale: unchanged.")

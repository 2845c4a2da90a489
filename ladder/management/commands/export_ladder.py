"""manage.py export_ladder: write levels as Markdown in the heading + list form."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from ladder.exporters import IncompleteLevelError, export_level
from ladder.models import Framework, Level


class Command(BaseCommand):
    help = "Export one level, or every level of a framework version, as Markdown."

    def add_arguments(self, parser):
        parser.add_argument(
            "--framework",
            default=settings.LADDER_DEFAULT_FRAMEWORK,
            help="Framework name (default: %(default)s).",
        )
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--framework-version",
            type=int,
            dest="number",
            help="Version number (default: the latest published).",
        )
        which.add_argument("--draft", action="store_true", help="Export the current draft.")
        parser.add_argument("--level", help="Level code such as IC5 (default: every level).")
        parser.add_argument("--track", help="Track name or slug, when a code exists in several.")
        parser.add_argument(
            "--output",
            "-o",
            type=Path,
            help="A file for one level, a directory for several (default: standard output).",
        )

    def handle(self, *args, framework, number, draft, level, track, output, **options):
        found = self.framework(framework, number, draft)
        levels = Level.objects.filter(framework=found).with_rubric().order_by("track__name", "rank")
        if level:
            levels = levels.filter(code=level.strip().upper())
        if track:
            levels = levels.filter(track__slug=slugify(track))
        levels = list(levels)
        if not levels:
            raise CommandError(f"{found} has no level matching {level or ''} {track or ''}".strip())
        try:
            pages = [(lv, export_level(lv)) for lv in levels]
        except IncompleteLevelError as error:
            raise CommandError(f"Cannot export {error}.") from None

        if output is None:
            if len(pages) > 1:
                raise CommandError(
                    f"{len(pages)} levels match; pass --level, or --output DIRECTORY for all."
                )
            self.stdout.write(pages[0][1], ending="")
        elif len(pages) == 1 and not output.is_dir():
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(pages[0][1], encoding="utf-8")
            self.stderr.write(f"Wrote {output}")
        else:
            output.mkdir(parents=True, exist_ok=True)
            for lv, text in pages:
                path = output / f"{lv.track.slug}-{lv.code.lower()}.md"
                path.write_text(text, encoding="utf-8")
                self.stderr.write(f"Wrote {path}")

    def framework(self, name: str, number: int | None, draft: bool) -> Framework:
        versions = Framework.objects.filter(slug=slugify(name))
        if draft:
            found = versions.drafts().first()
        elif number is not None:
            found = versions.filter(version=number).first()
        else:
            found = versions.published().order_by("-version").first()
        if found is None:
            wanted = "draft" if draft else f"version {number}" if number else "published version"
            raise CommandError(f"{name} has no {wanted}.")
        return found

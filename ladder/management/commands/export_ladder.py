"""manage.py export_ladder: write levels as Markdown, HTML pages or one CSV file."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from ladder.exporters import IncompleteLevelError, level_document
from ladder.formats import registry
from ladder.models import Framework, Level


def _by_pages() -> str:
    """ "markdown, html write a page per level; csv one file"."""
    pages = ", ".join(fmt.name for fmt in registry.FORMATS if fmt.write_page)
    files = ", ".join(fmt.name for fmt in registry.FORMATS if not fmt.write_page)
    return f"{pages} write a page per level; {files} one file"


class Command(BaseCommand):
    help = (
        "Export one level, or every level of a framework version, as Markdown or HTML "
        "(one page per level) or as CSV (every level in one file)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--format",
            choices=[fmt.name for fmt in registry.FORMATS],
            default="markdown",
            dest="fmt",
            help=f"{_by_pages()} (default: %(default)s).",
        )
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
            help=(
                "A file for one level (or for the CSV), a directory for several pages "
                "(default: standard output)."
            ),
        )

    def handle(self, *args, fmt, framework, number, draft, level, track, output, **options):
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
            documents = [(lv, level_document(lv)) for lv in levels]
        except IncompleteLevelError as error:
            raise CommandError(f"Cannot export {error}.") from None

        chosen = registry.by_name(fmt)
        suffix = chosen.suffixes[0]
        if chosen.write_page is None:
            text = chosen.write_all([doc for _lv, doc in documents])
            if output is not None and output.is_dir():
                output = output / f"{found.slug}-v{found.version}{suffix}"
            self.write(text, output)
            return
        pages = [(lv, chosen.write_page(doc)) for lv, doc in documents]
        if output is None and len(pages) > 1:
            raise CommandError(
                f"{len(pages)} levels match; pass --level, or --output DIRECTORY for all."
            )
        if output is None or (len(pages) == 1 and not output.is_dir()):
            self.write(pages[0][1], output)
            return
        output.mkdir(parents=True, exist_ok=True)
        for lv, text in pages:
            self.write(text, output / f"{lv.track.slug}-{lv.code.lower()}{suffix}")

    def write(self, text: str, path: Path | None) -> None:
        """To the file, saying so on standard error, or to standard output."""
        if path is None:
            self.stdout.write(text, ending="")
            return
        path.parent.mkdir(parents=True, exist_ok=True)
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

"""manage.py restore FILE: replace the database's content with a backup's."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ladder.site.backups import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace everything in the database with the backup in FILE. Running servers "
        "show the restored data within a second; no restart is needed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--noinput", "--no-input", action="store_false", dest="interactive",
            help="Don't ask for confirmation.",
        )  # fmt: skip

    def handle(self, *, file: Path, interactive: bool, **options):
        if interactive:
            answer = input(f"Replace everything in the database with {file}? Type 'yes': ")
            if answer.strip() != "yes":
                raise CommandError("Nothing was restored.")
        try:
            restore(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Restored from {file}.")

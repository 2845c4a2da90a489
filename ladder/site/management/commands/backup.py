"""manage.py backup FILE: a consistent copy of the database, taken while the app runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ladder.site.backups import BackupError, backup


class Command(BaseCommand):
    help = "Write a backup of the database to FILE (PostgreSQL: pg_dump's custom format)."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *, file: Path, **options):
        if file.exists():
            raise CommandError(f"{file} exists; choose a new name, nothing was written.")
        try:
            backup(file)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Backed up to {file} ({file.stat().st_size:,} bytes).")

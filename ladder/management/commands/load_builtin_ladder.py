"""manage.py load_builtin_ladder: publish the ladder pages that ship with the app."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.text import slugify

from ladder.management.commands.import_ladder import read_files
from ladder.models import Framework
from ladder.services import import_levels

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "data" / "ladders"


class Command(BaseCommand):
    help = "Load the built-in IC5 ladder as version 1 of the default framework, once."

    def handle(self, *args, **options):
        name = settings.LADDER_DEFAULT_FRAMEWORK
        if Framework.objects.filter(slug=slugify(name)).exists():
            self.stdout.write(f"{name} is already loaded; leaving it as it is.")
            return
        paths = sorted(BUILTIN_DIR.glob("*.md"))
        report = import_levels(
            framework_name=name,
            documents=read_files(paths)[0],
            publish_version=True,
        )
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {report.framework}: {', '.join(report.created)}")
        )

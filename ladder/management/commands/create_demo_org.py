"""manage.py create_demo_org: a small organisation to try Ladder with. Never in production."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from assessments.models import Cycle
from assessments.permissions import CALIBRATORS_GROUP
from ladder.models import Level, User

DEMO_PASSWORD = "ladder-demo"

# (username, first name, last name, manager's username or None)
PEOPLE = [
    ("mira", "Mira", "Okafor", None),
    ("tomas", "Tomás", "Lindqvist", None),
    ("ana", "Ana", "Petrova", "mira"),
    ("ben", "Ben", "Adeyemi", "mira"),
    ("chloe", "Chloé", "Martin", "mira"),
    ("dev", "Dev", "Raman", "mira"),
    ("elif", "Elif", "Yılmaz", "tomas"),
    ("farid", "Farid", "Haddad", "tomas"),
    ("grace", "Grace", "Kim", "tomas"),
    ("hugo", "Hugo", "Silva", "tomas"),
]


class Command(BaseCommand):
    help = "Create demo accounts (admin, two managers, a calibrator, eight engineers). DEBUG only."

    def add_arguments(self, parser):
        parser.add_argument(
            "--url",
            default=None,
            help="The address to print; by default SITE_URL, which links in e-mails use too.",
        )

    @transaction.atomic
    def handle(self, *args, url, **options):
        # Demo logins share a published password, so they must never reach production.
        if not settings.DEBUG:
            raise CommandError(
                "Demo accounts are only created with DEBUG=true, never in production."
            )
        level = (
            Level.objects.published()
            .select_related("track")
            .order_by("-framework__version")
            .first()
        )
        if level is None:
            raise CommandError("Load a ladder first: manage.py load_builtin_ladder")

        admin = self.person("admin", "Ada", "Admin", is_staff=True, is_superuser=True)
        calibrator = self.person("cal", "Priya", "Nair")
        calibrators, _ = Group.objects.get_or_create(name=CALIBRATORS_GROUP)
        calibrators.user_set.add(calibrator)
        people = {}
        for username, first, last, manager in PEOPLE:
            people[username] = self.person(
                username,
                first,
                last,
                manager=people.get(manager),
                track=level.track if manager else None,
                level_code=level.code if manager else "",
            )

        cycle = self.open_cycle(level.framework_id)

        rows = [("admin", "admin: edits the ladder, runs cycles", admin)]
        rows += [("cal", "calibrator", calibrator)]
        for username, *_rest, manager in PEOPLE:
            role = f"engineer, {level.code}, reports to {manager}" if manager else "manager"
            rows.append((username, role, people[username]))
        url = url or settings.SITE_URL
        self.stdout.write(self.style.SUCCESS(f"\nLadder is ready at {url}"))
        if url.rstrip("/") != settings.SITE_URL.rstrip("/"):
            # E-mails are written by the server process, which knows only SITE_URL.
            self.stdout.write(
                self.style.WARNING(
                    f"Links in e-mails point to SITE_URL={settings.SITE_URL}; start the "
                    f"server with SITE_URL={url} (make run sets it from PORT) to match."
                )
            )
        self.stdout.write(
            f"Open cycle: {cycle}, self-assessments due {cycle.self_assessment_due:%-d %B %Y}"
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, user in rows:
            self.stdout.write(f"  {username:<7} {user.get_full_name():<18} {role}")

    def open_cycle(self, framework_id: int) -> Cycle:
        today = timezone.localdate()
        cycle, _ = Cycle.objects.get_or_create(
            name="Demo review cycle",
            defaults={
                "framework_id": framework_id,
                "status": Cycle.Status.OPEN,
                "self_assessment_due": today + timedelta(days=14),
                "manager_review_due": today + timedelta(days=28),
                "calibration_due": today + timedelta(days=42),
            },
        )
        return cycle

    def person(self, username: str, first: str, last: str, **fields) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.com",
                **fields,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return user

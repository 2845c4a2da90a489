"""manage.py send_reminders: queue today's reminders now, as the worker's daily run does.

The worker runs them on its own every day (assessments.reminders); this is for
catching up by hand, or seeing who would be reminded (--dry-run). A reminder already
sent is never sent again, whichever ran it.
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from assessments import reminders
from assessments.models import Cycle, Reminder


class Command(BaseCommand):
    help = "Queue the reminders due today in every open cycle (the worker does this daily)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Print who would be e-mailed.")

    def handle(self, *args, dry_run, **options):
        today = timezone.localdate()
        if not dry_run:
            sent = reminders.send_due(today)
            self.stdout.write(self.style.SUCCESS(f"{sent} reminder{'s' if sent != 1 else ''}."))
            return
        count = 0
        for cycle in Cycle.objects.open().filter(calibration_closed_at__isnull=True):
            for due in reminders.everyone_due(cycle, today):
                if Reminder.objects.filter(cycle=cycle, person=due.person, key=due.key).exists():
                    continue
                count += 1
                self.stdout.write(f"would e-mail {due.person.email}: {due.subject}")
        self.stdout.write(self.style.SUCCESS(f"{count} reminder{'s' if count != 1 else ''}."))

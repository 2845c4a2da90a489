"""manage.py send_reminders: e-mail whoever is behind in an open cycle. Run it daily (cron)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Cycle
from assessments.notifications import link
from assessments.tasks import send_reminder_mail
from ladder.models import User


class Command(BaseCommand):
    help = (
        "Remind engineers whose self-assessment isn't submitted, and managers with "
        "submissions to review, when a deadline is near or past. Nobody is locked out."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=3,
            help="Remind this many days before a deadline (default 3).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Print who would be e-mailed.")

    def handle(self, *args, days, dry_run, **options):
        today = timezone.localdate()
        horizon = today + timedelta(days=days)
        messages = []
        for cycle in Cycle.objects.open().select_related("framework"):
            if cycle.self_assessment_due <= horizon:
                messages += self.engineers_behind(cycle, today)
            if cycle.manager_review_due <= horizon:
                messages += self.managers_behind(cycle, today)
        for subject, _body, to in messages:
            self.stdout.write(f"{'would e-mail' if dry_run else 'e-mailing'} {to}: {subject}")
        if not dry_run and messages:
            # The worker sends them; a slow mail server doesn't hold up cron.
            send_reminder_mail.enqueue(messages)
        self.stdout.write(
            self.style.SUCCESS(f"{len(messages)} reminder{'s' if len(messages) != 1 else ''}.")
        )

    def engineers_behind(self, cycle: Cycle, today) -> list[tuple]:
        done = Assessment.objects.filter(cycle=cycle).exclude(status=Assessment.Status.DRAFT)
        levels = cycle.framework.levels.values_list("track_id", "code")
        people = (
            User.objects.filter(is_active=True, track__isnull=False)
            .exclude(email="")
            .exclude(pk__in=done.values("engineer_id"))
        )
        wanted = set(levels)
        return [
            (
                f"Your self-assessment for {cycle} is {_when(cycle.self_assessment_due, today)}",
                f"Hello {person.first_name or person.username},\n\n"
                f"Your self-assessment for {cycle} is due on "
                f"{cycle.self_assessment_due:%-d %B %Y}. Your answers save as you go; "
                f"submit when every behaviour has one.\n\n{link('/')}",
                person.email,
            )
            for person in people
            if (person.track_id, person.level_code) in wanted
        ]

    def managers_behind(self, cycle: Cycle, today) -> list[tuple]:
        # Whoever reviews them, as fixed at submission, not whoever manages them now.
        waiting = Q(reviews__cycle=cycle) & Q(
            reviews__status__in=[Assessment.Status.SUBMITTED, Assessment.Status.IN_REVIEW]
        )
        managers = (
            User.objects.filter(is_active=True)
            .exclude(email="")
            .annotate(waiting=Count("reviews", filter=waiting))
            .filter(waiting__gt=0)
        )
        return [
            (
                f"{m.waiting} self-assessment{'s' if m.waiting != 1 else ''} to review "
                f"for {cycle}, {_when(cycle.manager_review_due, today)}",
                f"Hello {m.first_name or m.username},\n\n{m.waiting} of your reports' "
                "self-assessments wait for your review, due on "
                f"{cycle.manager_review_due:%-d %B %Y}."
                f"\n\n{link(reverse('assessments:team'))}",
                m.email,
            )
            for m in managers
        ]


def _when(day, today) -> str:
    """'due in 3 days', 'due today' or '2 days overdue'."""
    delta = (day - today).days
    if delta < 0:
        return f"{-delta} day{'s' if delta != -1 else ''} overdue"
    if delta == 0:
        return "due today"
    return f"due in {delta} day{'s' if delta != 1 else ''}"

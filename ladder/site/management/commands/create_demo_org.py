"""manage.py create_demo_org: a small organisation to try Ladder with. Never in production."""

import random
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from assessments import cycles, peers, workflow
from assessments.models import Assessment, Cycle, HRPartner, Rating, evidence_html
from assessments.services import start_assessment
from ladder.management.commands.import_ladder import read_files
from ladder.models import Framework, Level, User
from ladder.services import import_levels

DEMO_CALIBRATORS = "Demo review cycle calibrators"
DEMO_FRAMEWORK = "Harbor Engineering Ladder"
DEMO_FRAMEWORK_DIR = Path(__file__).resolve().parents[3] / "data" / "demo"

DEMO_PASSWORD = "ladder-demo"

# Each manager's team is a department of its own, the manager in it.
DEPARTMENTS = {"mira": "Ranking", "tomas": "Platform"}
# (username, first name, last name, manager's username or None)
PEOPLE = [
    ("olu", "Olu", "Bankole", None),
    ("mira", "Mira", "Okafor", "olu"),
    ("tomas", "Tomás", "Lindqvist", "olu"),
    ("ana", "Ana", "Petrova", "mira"),
    ("ben", "Ben", "Adeyemi", "mira"),
    ("chloe", "Chloé", "Martin", "mira"),
    ("dev", "Dev", "Raman", "mira"),
    ("elif", "Elif", "Yılmaz", "tomas"),
    ("farid", "Farid", "Haddad", "tomas"),
    ("grace", "Grace", "Kim", "tomas"),
    ("hugo", "Hugo", "Silva", "tomas"),
]


# Where each demo engineer's self-assessment stands, so every page has something to show.
STAGES = {
    "mira": "submitted, waiting for review",
    "ana": "submitted, waiting for review",
    "ben": "review in progress",
    "chloe": "reviewed, with the committee",
    "dev": "draft in progress",
    "elif": "reviewed, with the committee",
    "farid": "submitted, waiting for review",
    "grace": "reviewed, with the committee",
}
EVIDENCE = [
    "Led the [ranking model migration](https://example.com/docs/ranking-v2): p95 latency "
    "down 40%, rolled out to all markets.",
    "Wrote the design doc for feature-store backfills and reviewed it with two teams.",
    "Mentored two engineers through their first on-call rotations.",
    "- Proposed the offline evaluation standard\n- Adopted by three teams this half",
    "Ran the incident review for the March outage; the action items are all closed.",
]
# Peer input in the demo cycle (seed_peer_input).
PEER_NOTES = {
    "ana": "asked by dev for peer input",
    "dev": "nominated colleagues for peer input; asked for upward input on mira",
    "ben": "three colleagues' peer input",
    "mira": "approves dev's nominations; three reports' upward input on her",
    "olu": "reviews mira, with her reports' upward input",
}
PEER_EVIDENCE = [
    "Paired with me on the feature-store backfill; the plan they wrote kept two teams unblocked.",
    "Reviewed my design doc within a day, with questions that changed the rollout plan.",
    "Ran the ranking guild's reading group this half; I joined twice and learned a lot.",
    "Took the pager handover seriously: the runbook they left is still what we use.",
    "",
]
SUMMARY = (
    "A strong half: the ranking migration shipped on time and raised the bar for "
    "evaluation across teams. To grow: set direction beyond the team, in writing."
)


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
            .filter(framework__slug=slugify(settings.LADDER_DEFAULT_FRAMEWORK))
            .select_related("track")
            .order_by("-framework__version")
            .first()
        )
        if level is None:
            raise CommandError("Load a ladder first: manage.py load_builtin_ladder")

        admin = self.person("admin", "Ada", "Admin", is_staff=True, is_superuser=True)
        calibrator = self.person("cal", "Priya", "Nair")
        calibrators, _ = Group.objects.get_or_create(name=DEMO_CALIBRATORS)
        calibrators.user_set.add(calibrator)
        people = {}
        today = timezone.localdate()
        for number, (username, first, last, manager) in enumerate(PEOPLE):
            people[username] = self.person(
                username,
                first,
                last,
                manager=people.get(manager),
                track=level.track if manager else None,
                level_code=level.code if manager else "",
                department=DEPARTMENTS.get(username) or DEPARTMENTS.get(manager, ""),
                started_on=today - timedelta(days=2_000 - 150 * number),
            )

        # An HR partner for Platform: follows tomas's team through the cycle.
        partner = self.person("hana", "Hana", "Sato")
        HRPartner.objects.get_or_create(
            person=partner, department="Platform", defaults={"granted_by": admin}
        )

        last_half = self.past_cycle(level.framework_id, people)
        cycle = self.open_cycle(level.framework_id)
        cycle.calibrators = calibrators
        cycle.save(update_fields=["calibrators"])
        self.seed_assessments(cycle, people, by=admin)
        self.seed_peer_input(cycle, people)
        own = self.company_framework()

        rows = [("admin", "admin: edits the ladder, runs cycles", admin)]
        rows += [("cal", "calibrator", calibrator)]
        rows += [("hana", "HR partner for Platform (tomas's team)", partner)]
        leads = {manager for *_rest, manager in PEOPLE if manager}
        for username, *_rest, manager in PEOPLE:
            kind = "manager" if username in leads else "engineer"
            role = f"{kind}, {level.code}, reports to {manager}" if manager else kind
            if username in STAGES:
                role += f"; {STAGES[username]}"
            if username in PEER_NOTES:
                role += f"; {PEER_NOTES[username]}"
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
            f"Open cycle: {cycle}, self-assessments due {cycle.self_assessment_due:%-d %B %Y}; "
            f"{last_half} before it, with results shared"
        )
        self.stdout.write(
            f"A framework of a company's own beside it: {own}, "
            f"{own.levels.count()} levels in areas of its own"
        )
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, role, user in rows:
            self.stdout.write(f"  {username:<7} {user.get_full_name():<18} {role}")

    def company_framework(self) -> Framework:
        """A small ladder of a made-up company, published beside the built-in one: five
        areas of its own over three levels and a four-step scale, to show that a framework
        is the company's."""
        found = Framework.objects.published().filter(slug=slugify(DEMO_FRAMEWORK)).first()
        if found is not None:
            return found
        pages, scale = read_files(sorted(DEMO_FRAMEWORK_DIR.glob("*.*")))
        report = import_levels(
            framework_name=DEMO_FRAMEWORK, documents=pages, scale=scale, publish_version=True
        )
        return report.framework

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
                "peers_max": 5,
                "upward_input": True,
            },
        )
        return cycle

    def past_cycle(self, framework_id: int, people: dict[str, User]) -> Cycle:
        """Last half's cycle, closed and shared for a few: the pages show it beside this one."""
        today = timezone.localdate()
        cycle, created = Cycle.objects.get_or_create(
            name="Demo review cycle, last half",
            defaults={
                "framework_id": framework_id,
                "status": Cycle.Status.OPEN,
                "self_assessment_due": today + timedelta(days=1),
                "manager_review_due": today + timedelta(days=2),
                "calibration_due": today + timedelta(days=3),
            },
        )
        if not created:
            return cycle
        chance = random.Random(11)
        scale = cycle.framework.scale
        now = timezone.now()
        for username in ("ana", "ben", "elif", "grace"):
            assessment = start_assessment(cycle=cycle, engineer=people[username])
            ratings = list(assessment.ratings.all())
            for rating in ratings:
                rating.score = chance.choice([scale.highest - 2, scale.highest - 1])
                rating.manager_score = chance.choice([scale.highest - 2, scale.highest - 1])
                rating.evidence = chance.choice(EVIDENCE)
                rating.evidence_html = evidence_html(rating.evidence)
            Rating.objects.bulk_update(
                ratings, ["score", "manager_score", "evidence", "evidence_html"]
            )
            Assessment.objects.filter(pk=assessment.pk).update(
                status=Assessment.Status.SHARED,
                submitted_at=now,
                reviewed_at=now,
                proposed_outcome=2,
                calibrated_outcome=chance.choice([2, 3]),
                calibrated_at=now,
                shared_at=now,
            )
        Cycle.objects.filter(pk=cycle.pk).update(
            status=Cycle.Status.CLOSED,
            calibration_closed_at=now,
            self_assessment_due=today - timedelta(days=180),
            manager_review_due=today - timedelta(days=170),
            calibration_due=today - timedelta(days=160),
        )
        return cycle

    def seed_assessments(self, cycle: Cycle, people: dict[str, User], *, by: User) -> None:
        """Assessments at every stage, once: something waits for each demo login.

        Everyone but hugo is enrolled by the admin; hugo joins late, from the cycle's page.
        """
        if cycle.assessments.exists():
            return
        cycles.enrol(
            cycle,
            cycles.Choice(people=tuple(people[name].pk for name in STAGES)),
            by=by,
        )
        chance = random.Random(7)  # the same demo every time
        scale = cycle.framework.scale
        # Mostly the step the level expects (second from the top), some either side.
        expected = scale.highest - 1
        scores = [1, expected - 1, expected, expected, expected, scale.highest, 0]
        for username, stage in STAGES.items():
            engineer = people[username]
            assessment = cycle.assessments.get(engineer=engineer)
            ratings = list(
                assessment.ratings.order_by("behaviour__area__order", "behaviour__order")
            )
            answered = ratings if stage != "draft in progress" else ratings[: len(ratings) // 3]
            for index, rating in enumerate(answered):
                rating.score = chance.choice(scores)
                if index % 4 == 0:
                    rating.evidence = chance.choice(EVIDENCE)
                    rating.evidence_html = evidence_html(rating.evidence)
            Rating.objects.bulk_update(answered, ["score", "evidence", "evidence_html"])
            if stage == "draft in progress":
                continue
            workflow.submit(assessment, by=engineer)
            if stage == "submitted, waiting for review":
                continue
            reviewer = engineer.manager
            reviewed = answered if stage != "review in progress" else answered[: len(answered) // 2]
            for rating in reviewed:
                step = chance.choice([-1, 0, 0, 0, 1])
                rating.manager_score = max(0, min(scale.highest, rating.score + step))
            Rating.objects.bulk_update(reviewed, ["manager_score"])
            if stage == "review in progress":
                workflow.start_review(assessment.pk, reviewer).save()
                continue
            Assessment.objects.filter(pk=assessment.pk).update(
                # Anything from the second outcome (at level, by default) up.
                proposed_outcome=chance.choice([o.value for o in scale.outcomes[1:]]),
                summary=SUMMARY,
                summary_html=evidence_html(SUMMARY),
            )
            workflow.finish_review(assessment, by=reviewer)

    def seed_peer_input(self, cycle: Cycle, people: dict[str, User]) -> None:
        """Peer input at every stage, once: dev's nominations (ana asked, two waiting for
        mira's approval), three colleagues' answers on ben's assessment, which mira is
        reviewing (a fourth declined), and upward input on mira's own, asked by olu: three
        of her reports answered, dev not yet."""
        dev = cycle.assessments.get(engineer=people["dev"])
        if dev.peer_requests.exists():
            return
        mira = people["mira"]
        for name in ("ana", "chloe", "elif"):
            peers.add(dev, by=people["dev"], person=people[name])
        peers.approve(dev.peer_requests.get(peer=people["ana"]), by=mira)

        ben = cycle.assessments.get(engineer=people["ben"])
        chance = random.Random(5)
        scale = cycle.framework.scale
        for name in ("ana", "dev", "farid", "grace"):
            request = peers.add(ben, by=mira, person=people[name])
            if name == "grace":
                peers.decline(
                    request, by=people[name], reason="I haven't worked with Ben this half."
                )
                continue
            self.answer(request, people[name], chance, scale)

        mira_own = cycle.assessments.get(engineer=mira)
        peers.ask_reports(mira_own, by=people["olu"])
        for request in mira_own.peer_requests.select_related("peer"):
            if request.peer.username != "dev":
                self.answer(request, request.peer, chance, scale)

    def answer(self, request, colleague: User, chance: random.Random, scale) -> None:
        """Every area of the request answered, a few "not seen", and sent."""
        for answer in request.answers.all():
            answer.score = chance.choice([scale.highest - 2, scale.highest - 1, scale.highest])
            if chance.random() < 0.15:
                answer.score, answer.not_seen = None, True
            answer.evidence = chance.choice(PEER_EVIDENCE)
            answer.evidence_html = evidence_html(answer.evidence)
            answer.save()
        peers.submit(request, by=colleague)

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

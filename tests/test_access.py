"""Every URL of the app, for every persona: who gets what.

The table below must name every URL pattern outside the admin. Adding a URL
without deciding here who may reach it fails test_every_url_is_in_the_table.
Each persona's request runs in a savepoint that is rolled back, so one person's
successful change doesn't decide what the next one gets.
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from assessments import peers, workflow
from assessments.models import HRPartner, PacketJob, PeopleImport
from assessments.services import start_assessment
from ladder.formats.markdown import parse_ladder
from ladder.models import ImportBatch, WorkerHeartbeat
from ladder.services import import_levels, new_draft_from
from tests.assessments.conftest import answer_all, make_cycle, review_all
from tests.conftest import SEED_PATH
from tests.factories import UserFactory, level_doc

PERSONAS = [
    "anonymous",
    "engineer",  # has a draft
    "peer",  # has a submitted assessment, reviewed by manager
    "manager",  # reviews peer's and colleague's assessments
    "skip",  # manager's manager
    "other_manager",
    "calibrator",  # on the cycle's committee
    "other_calibrator",  # on another cycle's committee
    "calibrating_manager",  # on the committee, and manages someone reviewed in the cycle
    "admin_user",
    "ladder_editor",
    "hr_partner",  # for everyone under manager: engineer, peer, colleague; not staff
    "committee_keeper",  # staff who may add and change groups: the committees' pages
]
SIGNED_IN = PERSONAS[1:]


def everyone_signed_in(status: int) -> dict[str, int]:
    return {"anonymous": 302, **dict.fromkeys(SIGNED_IN, status)}


def only(status_for: dict[str, int], others: int = 404) -> dict[str, int]:
    return {"anonymous": 302, **dict.fromkeys(SIGNED_IN, others), **status_for}


COMMITTEE = {"calibrator": 200, "calibrating_manager": 200}
EDITORS_200 = {"admin_user": 200, "ladder_editor": 200}
EDITORS_302 = {"admin_user": 302, "ladder_editor": 302}
COMMITTEE_403 = dict.fromkeys(COMMITTEE, 403)
MANAGERS = {"manager": 200, "skip": 200}
FORBIDDEN_MANAGERS = dict.fromkeys(MANAGERS, 403)
# The calibrator's own assessment, reviewed by other_manager: the rest of the committee
# reads it, the calibrator sees it exists (403), nobody else does (404).
OWN_READERS = {"other_manager": 200, "calibrating_manager": 200, "calibrator": 403}
# The HR partner for everyone under manager reads colleague's finished review.
PARTNER = {"hr_partner": 200}
RUNNERS_200 = {"admin_user": 200, "hr_partner": 200}
RUNNERS_302 = {"admin_user": 302, "hr_partner": 302}
KEEPERS_200 = {"admin_user": 200, "committee_keeper": 200}

# name -> (method, how to build the URL's arguments, what each persona gets)
TABLE = {
    "home": ("get", lambda w: [], everyone_signed_in(200)),
    "login": ("get", lambda w: [], {"anonymous": 200, **dict.fromkeys(SIGNED_IN, 302)}),
    "logout": ("post", lambda w: [], dict.fromkeys(PERSONAS, 302)),
    "password_change": ("get", lambda w: [], everyone_signed_in(200)),
    "password_change_done": ("get", lambda w: [], everyone_signed_in(200)),
    # A link to set a password: asked for by anyone, signed in or not; a bad link says so.
    "password_reset": ("get", lambda w: [], dict.fromkeys(PERSONAS, 200)),
    "password_reset_done": ("get", lambda w: [], dict.fromkeys(PERSONAS, 200)),
    "password_reset_confirm": (
        "get",
        lambda w: ["MQ", "no-such-token"],
        dict.fromkeys(PERSONAS, 200),
    ),
    "password_reset_complete": ("get", lambda w: [], dict.fromkeys(PERSONAS, 200)),
    # Single sign-on isn't set up in this world: its addresses aren't there. Its refusal
    # page says why a sign-in failed, to anyone (tests/directory/test_single_sign_on.py).
    "oidc_authentication_init": ("get", lambda w: [], dict.fromkeys(PERSONAS, 404)),
    "oidc_authentication_callback": ("get", lambda w: [], dict.fromkeys(PERSONAS, 404)),
    "sso-refused": ("get", lambda w: [], dict.fromkeys(PERSONAS, 403)),
    # SCIM answers a bearer token only: a signed-in session is no way in.
    "scim:users": ("get", lambda w: [], dict.fromkeys(PERSONAS, 401)),
    "scim:user": ("get", lambda w: [w.draft.engineer_id], dict.fromkeys(PERSONAS, 401)),
    "scim:service-provider-config": ("get", lambda w: [], dict.fromkeys(PERSONAS, 401)),
    "scim:resource-types": ("get", lambda w: [], dict.fromkeys(PERSONAS, 401)),
    "scim:resource-type": ("get", lambda w: ["User"], dict.fromkeys(PERSONAS, 401)),
    "scim:schemas": ("get", lambda w: [], dict.fromkeys(PERSONAS, 401)),
    "scim:schema": ("get", lambda w: ["x"], dict.fromkeys(PERSONAS, 401)),
    "scim:elsewhere": ("get", lambda w: ["Groups"], dict.fromkeys(PERSONAS, 401)),
    "ladder:index": ("get", lambda w: [], everyone_signed_in(302)),
    # For load balancers and monitoring: anyone, signed in or not (the world has a
    # working worker on every queue).
    "health": ("get", lambda w: [], dict.fromkeys(PERSONAS, 200)),
    "health-workers": ("get", lambda w: [], dict.fromkeys(PERSONAS, 200)),
    "ladder:framework": ("get", lambda w: [w.slug, 1], everyone_signed_in(200)),
    "ladder:level": (
        "get",
        lambda w: [w.slug, 1, "machine-learning", "IC5"],
        everyone_signed_in(200),
    ),
    "ladder:level-markdown": (
        "get",
        lambda w: [w.slug, 1, "machine-learning", "IC5"],
        everyone_signed_in(200),
    ),
    "ladder:scale-file": ("get", lambda w: [w.slug, 1], everyone_signed_in(200)),
    "ladder:compare-levels": (
        "get",
        lambda w: [w.slug, 1, "machine-learning"],
        everyone_signed_in(200),
    ),
    "ladder:compare-versions": (
        "get",
        lambda w: [w.slug, "machine-learning", "IC5"],
        everyone_signed_in(200),
    ),
    # Drafts exist only for ladder editors (the admin user is one): everyone else gets
    # 404 for the editor and its writes, as for the draft's pages.
    "ladder:edit-level": (
        "get",
        lambda w: [w.slug, 2, "machine-learning", "IC5"],
        only(EDITORS_200),
    ),
    "ladder:publish": ("get", lambda w: [w.slug, 2], only(EDITORS_200)),
    "ladder:edit-scale": ("get", lambda w: [w.slug, 2], only(EDITORS_200)),
    "ladder:edit-areas": (
        "get",
        lambda w: [w.slug, 2, "machine-learning", "IC5"],
        only(EDITORS_200),
    ),
    # Starting a draft from v1 while v2 is one opens the existing draft.
    "ladder:start-draft": ("post", lambda w: [w.slug, 1], only(EDITORS_302, 403)),
    "ladder:edit-save": ("post", lambda w: w.draft_row("behaviour"), only(EDITORS_302)),
    "ladder:edit-move": ("post", lambda w: w.draft_row("behaviour"), only(EDITORS_302)),
    "ladder:edit-delete": ("post", lambda w: w.draft_row("behaviour"), only(EDITORS_302)),
    "ladder:edit-add-behaviour": ("post", lambda w: w.draft_row("area"), only(EDITORS_302)),
    "ladder:edit-add-responsibility": (
        "post",
        lambda w: [*w.draft_row("area")[:4], w.draft_row("area")[-1]],
        only(EDITORS_302),
    ),
    # Importing pages is for ladder editors (the admin user is one); a pending upload
    # is its uploader's alone.
    "ladder:import": ("get", lambda w: [], only({"admin_user": 200, "ladder_editor": 200})),
    "ladder:import-report": ("get", lambda w: [w.import_batch.pk], only({"ladder_editor": 200})),
    "ladder:import-confirm": (
        "post",
        lambda w: [w.import_batch.pk],
        only({"ladder_editor": 302}),
    ),
    # Anyone signed in may start their own assessment; without a level they are told why.
    "assessments:start": ("post", lambda w: [w.cycle.pk], everyone_signed_in(302)),
    # ---- the engineer's draft: theirs alone
    "assessments:assessment": ("get", lambda w: [w.draft.pk], only({"engineer": 200})),
    "assessments:save": ("post", lambda w: [w.draft.pk, w.behaviour.pk], only({"engineer": 302})),
    "assessments:progress": ("get", lambda w: [w.draft.pk], only({"engineer": 200})),
    "assessments:submit": ("post", lambda w: [w.draft.pk], only({"engineer": 302})),
    # ---- the peer's submission, under review by manager: the peer may read it, not act
    "assessments:return": (
        "post",
        lambda w: [w.submitted.pk],
        only({"manager": 302, "peer": 403, "skip": 403}),
    ),
    "assessments:team": ("get", lambda w: [], everyone_signed_in(200)),
    "assessments:review": (
        "get",
        lambda w: [w.submitted.pk],
        only({**MANAGERS, "peer": 403}),
    ),
    "assessments:review-save": (
        "post",
        lambda w: [w.submitted.pk, w.behaviour.pk],
        only({"manager": 302, "peer": 403, "skip": 403}),
    ),
    "assessments:review-summary": (
        "post",
        lambda w: [w.submitted.pk],
        only({"manager": 302, "peer": 403, "skip": 403}),
    ),
    "assessments:review-finish": (
        "post",
        lambda w: [w.submitted.pk],
        only({"manager": 302, "peer": 403, "skip": 403}),
    ),
    "assessments:review-agree": (
        "post",
        lambda w: [w.submitted.pk],
        only({"manager": 302, "peer": 403, "skip": 403}),
    ),
    # ---- the colleague's reviewed assessment: now the committee reads it too
    "assessments:review-reopen": (
        "post",
        lambda w: [w.reviewed.pk],
        only(
            {
                "manager": 302,
                "skip": 403,
                "calibrator": 403,
                "calibrating_manager": 403,
                "hr_partner": 403,
            }
        ),
    ),
    "assessments:history": (
        "get",
        lambda w: [w.reviewed.pk],
        only({**MANAGERS, **COMMITTEE, **PARTNER}),
    ),
    # Moving a review is for whoever runs cycles; it shows no evidence.
    "assessments:reviewer": ("get", lambda w: [w.submitted.pk], only({"admin_user": 200})),
    # ---- the committee of the cycle, never on their own assessment
    "assessments:calibration": ("get", lambda w: [w.cycle.pk], only(COMMITTEE)),
    "assessments:decide": (
        "post",
        lambda w: [w.reviewed.pk],
        only(
            {
                "manager": 403,
                "skip": 403,
                "calibrator": 302,
                "calibrating_manager": 302,
                "hr_partner": 403,
            }
        ),
    ),
    "assessments:close-calibration": (
        "post",
        lambda w: [w.cycle.pk],
        only({"calibrator": 302, "calibrating_manager": 302}),
    ),
    # Aggregates without names: also for the people who write the ladder.
    "assessments:disagreements": (
        "get",
        lambda w: [w.cycle.pk],
        only({**COMMITTEE, "admin_user": 200, "ladder_editor": 200}),
    ),
    "assessments:results-csv": (
        "get",
        lambda w: [w.cycle.pk],
        only({**COMMITTEE, "admin_user": 200}),
    ),
    # ---- packets: for the reviewer, their manager and the committee
    "assessments:packet": (
        "get",
        lambda w: [w.reviewed.pk],
        only({**MANAGERS, **COMMITTEE, **PARTNER}),
    ),
    "assessments:packet-pdf": (
        "get",
        lambda w: [w.reviewed.pk],
        only({**MANAGERS, **COMMITTEE, **PARTNER}),
    ),
    # Many at once: a team's for whoever reviewed some (the others are told there are none).
    "assessments:packet-batch": (
        "post",
        lambda w: [w.cycle.pk],
        {
            "anonymous": 302,
            **dict.fromkeys(SIGNED_IN, 400),
            "manager": 302,
            "other_manager": 302,
            "calibrating_manager": 302,
        },
    ),
    # A job and its file are for the person who asked, no one else.
    "assessments:packet-job": ("get", lambda w: [w.job.pk], only({"manager": 200})),
    "assessments:packet-job-file": ("get", lambda w: [w.done_job.pk], only({"manager": 200})),
    # ---- the engineer's own copy, in any state
    "assessments:export-markdown": ("get", lambda w: [w.draft.pk], only({"engineer": 200})),
    "assessments:export-pdf": ("get", lambda w: [w.draft.pk], only({"engineer": 200})),
    "assessments:carry-over": ("post", lambda w: [w.draft.pk], only({"engineer": 302})),
    # Each person's own choice about reminder e-mails.
    "assessments:my-reminders": ("get", lambda w: [], everyone_signed_in(200)),
    # ---- running a cycle: statuses, never evidence, for whoever runs cycles
    # An HR partner runs their part of each cycle; its phases are the whole company's.
    "assessments:cycles": ("get", lambda w: [], only(RUNNERS_200, 403)),
    "assessments:cycle": ("get", lambda w: [w.cycle.pk], only(RUNNERS_200)),
    "assessments:participants-csv": ("get", lambda w: [w.cycle.pk], only(RUNNERS_200)),
    "assessments:enrol": ("get", lambda w: [w.cycle.pk], only(RUNNERS_200)),
    "assessments:remind": ("post", lambda w: [w.cycle.pk], only(RUNNERS_302)),
    "assessments:move-phase": ("post", lambda w: [w.cycle.pk], only({"admin_user": 302})),
    "assessments:extend": ("post", lambda w: [w.draft.pk], only(RUNNERS_302, 403)),
    # ---- the org chart from a file: whoever manages people; an upload is its uploader's
    "assessments:people-import": ("get", lambda w: [], only({"admin_user": 200}, 403)),
    "assessments:people-import-report": (
        "get",
        lambda w: [w.people_import.pk],
        only({"admin_user": 200}, 403),
    ),
    "assessments:people-import-map": (
        "post",
        lambda w: [w.people_import.pk],
        only({"admin_user": 302}, 403),
    ),
    "assessments:people-import-confirm": (
        "post",
        lambda w: [w.people_import.pk],
        only({"admin_user": 302}, 403),
    ),
    "assessments:people-import-invite": (
        "post",
        lambda w: [w.people_import.pk],
        only({"admin_user": 302}, 403),
    ),
    # ---- calibration committees' own pages: staff who may change groups
    "assessments:committees": ("get", lambda w: [], only(KEEPERS_200, 403)),
    # Peer input: the engineer and their reviewer see who is asked; the colleague asked
    # sees their own request only, never the assessment it is about.
    "assessments:peers": ("get", lambda w: [w.draft.pk], only({"engineer": 200, "manager": 200})),
    "assessments:peers-add": (
        "post",
        lambda w: [w.draft.pk],
        only({"engineer": 302, "manager": 302}),
    ),
    "assessments:peers-approve-all": (
        "post",
        lambda w: [w.draft.pk],
        only({"engineer": 403, "manager": 302}),
    ),
    "assessments:peers-ask-reports": (
        "post",
        lambda w: [w.draft.pk],
        only({"engineer": 403, "manager": 302}),
    ),
    "assessments:peers-approve": (
        "post",
        lambda w: [w.draft.pk, w.nomination.pk],
        only({"engineer": 403, "manager": 302}),
    ),
    "assessments:peers-remove": (
        "post",
        lambda w: [w.draft.pk, w.nomination.pk],
        only({"engineer": 302, "manager": 302}),
    ),
    "assessments:peer-input": ("get", lambda w: [w.peer_request.pk], only({"peer": 200})),
    "assessments:peer-input-save": (
        "post",
        lambda w: [w.peer_request.pk, w.peer_area_id],
        only({"peer": 302}),
    ),
    "assessments:peer-input-save-behaviour": (
        "post",
        lambda w: [w.peer_behaviour_request.pk, w.peer_behaviour_id],
        only({"peer": 302}),
    ),
    "assessments:peer-input-submit": ("post", lambda w: [w.peer_request.pk], only({"peer": 302})),
    "assessments:peer-input-decline": (
        "post",
        lambda w: [w.peer_request.pk],
        only({"peer": 302}),
    ),
    "assessments:committee": ("get", lambda w: [w.committee.pk], only(KEEPERS_200, 403)),
    "assessments:committee-remove": (
        "post",
        lambda w: [w.committee.pk],
        only({"admin_user": 302, "committee_keeper": 302}, 403),
    ),
}

# Requests that send a body; the rest send none.
BODIES = {
    "assessments:peers-add": {"person": "dana"},
    "assessments:peer-input-save": {"score": "2", "evidence": "x", "version": "0"},
    "assessments:peer-input-save-behaviour": {"score": "2", "evidence": "x", "version": "0"},
    "assessments:peer-input-decline": {"reason": "We haven't worked together."},
    "assessments:save": {"score": "3", "evidence": "x", "version": "0"},
    "assessments:return": {"note": "Please add evidence."},
    "assessments:review-save": {"score": "2", "comment": "x", "version": "0"},
    "assessments:review-summary": {"summary": "x", "outcome": "2", "version": "0"},
    "assessments:decide": {"outcome": "2", "reason": "Agreed by the committee."},
    "assessments:packet-batch": {"scope": "team"},
    "ladder:edit-save": {"text": "I do it differently", "version": "1"},
    "ladder:edit-move": {"direction": "down"},
    "ladder:edit-add-behaviour": {"text": "I do one more thing"},
    "ladder:edit-add-responsibility": {"name": "Stewardship"},
}

# The same pages on other assessments: who reads what, in each state.
READS = [
    # (url name, which assessment, what each persona gets)
    ("assessments:assessment", "submitted", only({**MANAGERS, "peer": 200})),
    ("assessments:assessment", "reviewed", only({**MANAGERS, **COMMITTEE, **PARTNER})),
    ("assessments:review", "reviewed", only({**MANAGERS, **COMMITTEE, **PARTNER})),
    ("assessments:review", "draft", only({"engineer": 403})),
    ("assessments:history", "submitted", only({**MANAGERS, "peer": 403})),
    ("assessments:history", "draft", only({"engineer": 403})),
    # A calibrator's own assessment: the committee member who manages dana reads it as
    # her manager; the other calibrator as the committee.
    ("assessments:review", "dana", only({"calibrator": 200, "calibrating_manager": 200})),
    # A calibrator never sees their own review or packet before results are shared.
    ("assessments:review", "calibrators_own", only(OWN_READERS)),
    ("assessments:packet", "calibrators_own", only(OWN_READERS)),
    ("assessments:history", "calibrators_own", only(OWN_READERS)),
    ("assessments:export-markdown", "submitted", only({"peer": 200, **FORBIDDEN_MANAGERS})),
    (
        "assessments:export-markdown",
        "reviewed",
        only({**FORBIDDEN_MANAGERS, **COMMITTEE_403, "hr_partner": 403}),
    ),
    ("assessments:packet", "submitted", only({**MANAGERS, "peer": 403})),
]


def url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_table():
    missing = url_names() - TABLE.keys()
    assert not missing, (
        f"Decide who may reach these URLs in tests/test_access.py: {sorted(missing)}"
    )
    assert not TABLE.keys() - url_names(), "The table names URLs that no longer exist."


class World:
    """A published IC4 + IC5 and two cycles with their committees; assessments in each state.

    engineer: a draft. peer: submitted, reviewed by manager. colleague: reviewed by
    manager. dana: reviewed by calibrating_manager, who sits on the committee.
    """

    def __init__(self, people):
        report = import_levels(
            framework_name=settings.LADDER_DEFAULT_FRAMEWORK,
            documents=[
                (SEED_PATH.name, parse_ladder(SEED_PATH.read_text(), SEED_PATH.name)),
                ("ic4.md", level_doc("IC4", "Senior Machine Learning Engineer")),
            ],
            publish_version=True,
        )
        self.slug = report.framework.slug
        # v2, a draft of v1, for the editor's pages.
        draft = new_draft_from(report.framework)
        self.draft_ic5 = draft.levels.get(code="IC5")
        self.import_batch = ImportBatch.objects.create(
            uploaded_by=people["ladder_editor"],
            framework_name=settings.LADDER_DEFAULT_FRAMEWORK,
            files=[],
            digest="",
        )
        self.people_import = PeopleImport.objects.create(
            uploaded_by=people["admin_user"],
            file_name="people.csv",
            text="Work Email,Name\nnew.person@example.com,New Person\n",
        )
        now = timezone.now()
        WorkerHeartbeat.objects.create(
            worker_id="worker", host="ladder-1", pid=1, started_at=now, beat_at=now
        )
        self.cycle = make_cycle(report.framework)
        self.other_cycle = make_cycle(report.framework, name="2026 H1 review")
        committee = self.committee = Group.objects.create(name="H2 calibrators")
        committee.user_set.add(people["calibrator"], people["calibrating_manager"])
        self.cycle.calibrators = committee
        self.cycle.save(update_fields=["calibrators"])
        HRPartner.objects.create(person=people["hr_partner"], manager=people["manager"])
        other = Group.objects.create(name="H1 calibrators")
        other.user_set.add(people["other_calibrator"])
        self.other_cycle.calibrators = other
        self.other_cycle.save(update_fields=["calibrators"])

        ic5 = report.framework.levels.get(code="IC5")
        colleague = UserFactory(username="colleague", manager=people["manager"])
        dana = UserFactory(username="dana", manager=people["calibrating_manager"])
        for person in (people["engineer"], people["peer"], colleague, dana):
            person.track, person.level_code = ic5.track, "IC5"
            person.save()
        self.draft = start_assessment(cycle=self.cycle, engineer=people["engineer"])
        self.behaviour = self.draft.ratings.first().behaviour
        # Peer input on the engineer's draft: peer asked (added by the manager), colleague
        # nominated and waiting for approval.
        self.cycle.peers_max = 4
        self.cycle.save(update_fields=["peers_max"])
        self.draft.cycle = self.cycle
        self.peer_request = peers.add(self.draft, by=people["manager"], person=people["peer"])
        self.peer_area_id = self.peer_request.answers.first().area_id
        # And asked again, in a cycle that asks per behaviour, on a colleague's draft.
        by_behaviour = make_cycle(
            report.framework, name="2026 per behaviour", peers_max=4, peers_by_behaviour=True
        )
        self.peer_behaviour_request = peers.add(
            start_assessment(cycle=by_behaviour, engineer=colleague),
            by=people["manager"],
            person=people["peer"],
        )
        self.peer_behaviour_id = self.peer_behaviour_request.answers.first().behaviour_id
        self.nomination = peers.add(self.draft, by=people["engineer"], person=colleague)
        self.submitted = self._submitted(people["peer"])
        self.reviewed = self._submitted(colleague)
        review_all(self.reviewed, people["manager"])
        self.dana = self._submitted(dana)
        review_all(self.dana, people["calibrating_manager"])
        calibrator = people["calibrator"]
        calibrator.manager = people["other_manager"]
        calibrator.track, calibrator.level_code = ic5.track, "IC5"
        calibrator.save()
        self.calibrators_own = self._submitted(calibrator)
        review_all(self.calibrators_own, people["other_manager"])
        self.job = PacketJob.objects.create(
            cycle=self.cycle, requested_by=people["manager"], scope=PacketJob.Scope.TEAM
        )
        self.done_job = PacketJob.objects.create(
            cycle=self.cycle,
            requested_by=people["manager"],
            scope=PacketJob.Scope.TEAM,
            status=PacketJob.Status.DONE,
            done=1,
            total=1,
        )
        self.done_job.file.save("access-test.pdf", ContentFile(b"%PDF-1.4 test"), save=True)

    def draft_row(self, kind: str) -> list:
        """The editor address parts of a pillar row in the draft's IC5."""
        behaviour = self.draft_ic5.areas.get(key="results").behaviours.first()
        pk = behaviour.pk if kind == "behaviour" else behaviour.area_id
        return [self.slug, 2, "machine-learning", "IC5", kind, pk]

    def _submitted(self, person):
        assessment = start_assessment(cycle=self.cycle, engineer=person)
        answer_all(assessment)
        return workflow.submit(assessment, by=person)


@pytest.fixture
def other_calibrator(db):
    return UserFactory(username="other-calibrator")


@pytest.fixture
def calibrating_manager(db):
    return UserFactory(username="calibrating-manager")


def _people() -> dict:
    """The personas, as tests/conftest.py's fixtures make them (by username: those
    fixtures then find these people rather than make new ones)."""
    manager = UserFactory(username="manager")
    skip = UserFactory(username="skip")
    manager.manager = skip
    manager.save(update_fields=["manager"])
    editor = UserFactory(username="ladder-editor", is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="change_framework"))
    keeper = UserFactory(username="committee-keeper", is_staff=True)
    keeper.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_group", "change_group"])
    )
    return {
        "engineer": UserFactory(username="engineer", manager=manager, level_code="IC5"),
        "peer": UserFactory(username="peer", manager=manager, level_code="IC5"),
        "manager": manager,
        "skip": skip,
        "other_manager": UserFactory(username="other-manager"),
        "calibrator": UserFactory(username="calibrator"),
        "other_calibrator": UserFactory(username="other-calibrator"),
        "calibrating_manager": UserFactory(username="calibrating-manager"),
        "admin_user": UserFactory(username="admin", is_staff=True, is_superuser=True),
        "ladder_editor": editor,
        "hr_partner": UserFactory(username="hr-partner"),
        "committee_keeper": keeper,
    }


@pytest.fixture(scope="module")
def shared_world(django_db_setup, django_db_blocker):
    """The world, built once for the module (it took most of each test's time): in a
    transaction held open for the module and rolled back after it, each test running
    in a savepoint inside it, as tests/admin_shared.py does for the admin's site."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield World(_people())
        transaction.set_rollback(True)


@pytest.fixture
def world(shared_world, db):
    # The worker beats now, whenever the module began.
    WorkerHeartbeat.objects.update(beat_at=timezone.now())
    # Each test has a folder of files of its own: the finished job's file goes in it.
    shared_world.done_job.file.save("access-test.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    return shared_world


def answers(client, request, method: str, url: str, data: dict) -> dict[str, int]:
    got = {}
    for persona in PERSONAS:
        client.logout()
        if persona != "anonymous":
            client.force_login(request.getfixturevalue(persona))
        with transaction.atomic():
            got[persona] = getattr(client, method)(url, data).status_code
            transaction.set_rollback(True)
    return got


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(TABLE))
def test_who_gets_what(client, world, name, request):
    method, arguments, expected = TABLE[name]
    url = reverse(name, args=arguments(world))
    assert answers(client, request, method, url, BODIES.get(name, {})) == expected


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "which", "expected"), READS, ids=lambda v: str(v)[:30])
def test_who_reads_which_assessment(client, world, name, which, expected, request):
    url = reverse(name, args=[getattr(world, which).pk])
    assert answers(client, request, "get", url, {}) == expected


@pytest.mark.django_db
def test_the_admin_is_for_staff_only(client, admin_user):
    client.force_login(UserFactory(username="not-staff"))
    assert client.get(reverse("admin:index")).status_code == 302
    client.force_login(admin_user)
    assert client.get(reverse("admin:index")).status_code == 200

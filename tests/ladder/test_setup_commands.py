"""The built-in ladder and the demo organisation."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Cycle, Event, HRPartner, PeerRequest
from assessments.permissions import partner_ids
from ladder.models import Area, Behaviour, Framework, User

pytestmark = pytest.mark.django_db


def test_builtin_ladder_is_published_once():
    call_command("load_builtin_ladder", stdout=StringIO())
    call_command("load_builtin_ladder", stdout=StringIO())
    framework = Framework.objects.get()
    assert framework.is_published
    assert Behaviour.objects.count() == 58


def test_demo_org_is_refused_without_debug(settings):
    settings.DEBUG = False
    call_command("load_builtin_ladder", stdout=StringIO())
    with pytest.raises(CommandError, match="never in production"):
        call_command("create_demo_org", stdout=StringIO())
    assert not User.objects.exists()


def test_demo_org_prints_logins_and_builds_the_org_chart(settings):
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8123/"
    call_command("load_builtin_ladder", stdout=StringIO())
    out = StringIO()
    call_command("create_demo_org", stdout=out)
    call_command("create_demo_org", stdout=StringIO())
    text = out.getvalue()
    assert "ladder-demo" in text
    assert "Ladder is ready at http://127.0.0.1:8123/" in text
    assert "SITE_URL" not in text
    engineers = User.objects.filter(level_code="IC5")
    assert engineers.count() == 10  # mira and tomas, who manage, are IC5 too
    assert {e.manager.username for e in engineers} == {"mira", "tomas", "olu"}
    assert User.objects.get(username="admin").is_superuser
    cal = User.objects.get(username="cal")
    cycle = Cycle.objects.get(status="open")
    assert cycle.calibrators.user_set.filter(pk=cal.pk).exists()
    # Enrolled by the admin, with their departments; hugo is left to join late.
    assert set(cycle.assessments.values_list("enrolled_by__username", flat=True)) == {"admin"}
    assert set(User.objects.exclude(department="").values_list("department", flat=True)) == {
        "Ranking",
        "Platform",
    }
    # Last half's cycle, shared, for the pages that show it beside this one.
    last = Cycle.objects.get(status="closed")
    assert last.assessments.filter(status="shared").count() == 4
    assert last.self_assessment_due < cycle.self_assessment_due
    # Something waits on every page: reviews for each manager, packets for the committee.
    stages = dict(cycle.assessments.values_list("engineer__username", "status"))
    assert stages == {
        "mira": "submitted",
        "ana": "submitted",
        "ben": "in_review",
        "chloe": "reviewed",
        "dev": "draft",
        "elif": "reviewed",
        "farid": "submitted",
        "grace": "reviewed",
    }
    assert Event.objects.filter(kind="review_finished").count() == 3

    # Peer input at every stage: nominations waiting, a colleague asked, answers read in
    # a review, and upward input on a manager that her own manager reads.
    def requests(username: str, kind: str = "peer") -> dict[str, str]:
        found = PeerRequest.objects.filter(assessment__engineer__username=username, kind=kind)
        return dict(found.values_list("peer__username", "status"))

    assert requests("dev") == {"ana": "asked", "chloe": "nominated", "elif": "nominated"}
    assert requests("ben") == {
        "ana": "answered",
        "dev": "answered",
        "farid": "answered",
        "grace": "declined",
    }
    assert requests("mira", "upward") == {
        "ana": "answered",
        "ben": "answered",
        "chloe": "answered",
        "dev": "asked",
    }
    mira_own = cycle.assessments.get(engineer__username="mira")
    assert mira_own.reviewer.username == "olu"
    assert "reviews mira, with her reports' upward input" in text
    assert User.objects.count() == 14
    # hana follows Platform (tomas's team) as HR partner, once however often it runs.
    hana = User.objects.get(username="hana")
    assert HRPartner.objects.get().person == hana
    assert partner_ids(hana) == set(
        User.objects.filter(department="Platform").values_list("pk", flat=True)
    )
    assert "hana" in text
    # A company's own framework beside the built-in one, loaded once.
    harbor = Framework.objects.get(name="Harbor Engineering Ladder")
    assert harbor.is_published
    assert list(harbor.levels.values_list("code", flat=True)) == ["H1", "H2", "H3"]
    assert set(Area.objects.filter(level__framework=harbor).values_list("name", flat=True)) == {
        "Delivery",
        "Technical Skill",
        "Collaboration",
        "Ownership",
        "Growth",
    }
    assert "A framework of a company's own beside it: Harbor Engineering Ladder" in text
    assert User.objects.get(username="ana").check_password("ladder-demo")


def test_demo_org_warns_when_its_address_is_not_the_one_e_mails_use(settings):
    settings.DEBUG = True
    settings.SITE_URL = "http://127.0.0.1:8000"
    call_command("load_builtin_ladder", stdout=StringIO())
    out = StringIO()
    call_command("create_demo_org", "--url", "http://127.0.0.1:9000/", stdout=out)
    assert "Links in e-mails point to SITE_URL=http://127.0.0.1:8000" in out.getvalue()

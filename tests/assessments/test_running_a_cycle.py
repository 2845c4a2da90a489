"""Running a cycle from its page: enrolment, what is frozen at it, extensions, phases,
reminding by hand, the participants' CSV, and the cycle's chat channel."""

import csv
import io
import json
import re
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from assessments import chat, cycles, workflow
from assessments.models import Assessment, ChatPost, Cycle, Event
from assessments.permissions import Action, allowed
from ladder.models import Behaviour
from tests.assessments.conftest import answer_all
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def runner(db):
    """Staff who run cycles: not an admin, and no right to read anyone's review."""
    person = UserFactory(username="runner", is_staff=True, first_name="Rita", last_name="Runner")
    person.user_permissions.add(Permission.objects.get(codename="run_cycles"))
    return person


@pytest.fixture
def org(on_ic5, manager, other_manager, engineer, peer):
    """Two departments: Platform (engineer, peer, under manager) and Research (two more)."""
    for person in (engineer, peer):
        person.department = "Platform"
        person.save(update_fields=["department"])
    research = [
        UserFactory(
            username=f"r{i}",
            manager=other_manager,
            track=on_ic5.track,
            level_code="IC5",
            department="Research",
            # r0 started long ago, r1 starts today.
            started_on=timezone.localdate() - timedelta(days=400 * (1 - i)),
        )
        for i in range(2)
    ]
    UserFactory(username="no-level", department="Research", manager=other_manager)
    return {"research": research}


def enrol(client, cycle, **choice):
    url = reverse("assessments:enrol", args=[cycle.pk])
    return client.post(url, {**choice, "confirm": "on"}, follow=True)


def test_choosing_people_shows_who_that_is_before_anything_happens(client, runner, cycle, org):
    client.force_login(runner)
    url = reverse("assessments:enrol", args=[cycle.pk])
    html = client.get(url, {"departments": "Research"}).content.decode()
    assert "2 people to enrol" in html
    assert "1 chosen has no level" in html
    assert not Assessment.objects.exists()


def test_enrolling_a_department_gives_each_an_assessment_and_an_email(
    client, runner, cycle, org, other_manager, run_jobs
):
    client.force_login(runner)
    response = enrol(client, cycle, departments="Research")
    assert "2 people enrolled" in response.content.decode()
    enrolled = Assessment.objects.filter(cycle=cycle).select_related("engineer")
    assert {a.engineer.username for a in enrolled} == {"r0", "r1"}
    for a in enrolled:
        assert (a.reviewer, a.enrolled_by, a.level.code) == (other_manager, runner, "IC5")
        assert a.ratings.count() == Behaviour.objects.filter(area__level=a.level).count() > 50
    run_jobs()
    to = sorted(to for m in mail.outbox for to in m.to)
    assert to == ["r0@example.com", "r1@example.com"]
    body = mail.outbox[0].body
    assert f"{cycle.self_assessment_due:%-d %B %Y}" in body
    assert "/assessments/" in body
    # Enrolling again adds nobody.
    assert "Nobody new to enrol" in enrol(client, cycle, departments="Research").content.decode()


def test_enrolment_by_team_level_and_start_date(client, runner, cycle, org, manager):
    client.force_login(runner)
    enrol(client, cycle, manager=manager.pk)
    assert set(cycle.assessments.values_list("engineer__username", flat=True)) == {
        "engineer",
        "peer",
    }
    # Only those who started before today: r0 started 400 days ago, r1 today.
    enrol(client, cycle, departments="Research", started_before=timezone.localdate().isoformat())
    assert "r0" in set(cycle.assessments.values_list("engineer__username", flat=True))
    assert "r1" not in set(cycle.assessments.values_list("engineer__username", flat=True))


def test_a_late_joiner_is_added_by_username_and_an_unknown_name_is_refused(
    client, runner, cycle, org
):
    client.force_login(runner)
    response = enrol(client, cycle, usernames="r1, nobody-here")
    assert response.status_code == 400
    assert "Nobody in Ladder is called nobody-here" in response.content.decode()
    assert not Assessment.objects.exists()
    enrol(client, cycle, usernames="r1")
    assert list(cycle.assessments.values_list("engineer__username", flat=True)) == ["r1"]


def test_level_track_and_manager_are_frozen_at_enrolment(
    client, runner, cycle, org, engineer, manager, other_manager
):
    client.force_login(runner)
    enrol(client, cycle, usernames="engineer")
    engineer.level_code, engineer.manager = "IC6", other_manager
    engineer.save()
    a = Assessment.objects.get(engineer=engineer)
    assert (a.level.code, a.reviewer) == ("IC5", manager)
    answer_all(a)
    workflow.submit(a, by=engineer)
    a.refresh_from_db()
    assert a.reviewer == manager
    # The cycle page says so, with the way to move the review.
    html = client.get(reverse("assessments:cycle", args=[cycle.pk])).content.decode()
    assert "Reports to someone else now" in html
    assert reverse("assessments:reviewer", args=[a.pk]) in html


def test_a_cycle_only_for_the_enrolled_refuses_anyone_else(client, cycle, engineer, on_ic5):
    cycle.self_enrolment = False
    cycle.save()
    client.force_login(engineer)
    assert "You aren’t enrolled in this cycle" in client.get(reverse("home")).content.decode()
    response = client.post(reverse("assessments:start", args=[cycle.pk]), follow=True)
    assert "You aren&#39;t enrolled in" in response.content.decode()
    assert not Assessment.objects.exists()


def test_only_whoever_runs_cycles_opens_their_pages(client, cycle, manager, calibrator, org):
    urls = [
        reverse("assessments:cycles"),
        reverse("assessments:cycle", args=[cycle.pk]),
        reverse("assessments:enrol", args=[cycle.pk]),
        reverse("assessments:participants-csv", args=[cycle.pk]),
    ]
    for person in (manager, calibrator):
        client.force_login(person)
        for url in urls:
            assert client.get(url).status_code in (403, 404), url
        remind = client.post(reverse("assessments:remind", args=[cycle.pk]), {"who": "overdue"})
        assert remind.status_code == 404
    assert not Assessment.objects.exists()


def test_the_cycle_page_counts_by_status_manager_and_department(
    client, runner, cycle, org, engineer, run_jobs
):
    client.force_login(runner)
    enrol(client, cycle)
    a = Assessment.objects.get(engineer=engineer)
    answer_all(a)
    workflow.submit(a, by=engineer)
    url = reverse("assessments:cycle", args=[cycle.pk])
    html = client.get(url).content.decode()
    assert "<strong>4</strong> taking part" in html
    assert "<strong>3</strong> self-assessments not submitted" in html
    assert "<strong>1</strong> waiting for their manager" in html
    # Nothing of what the engineer wrote or scored is on it.
    assert "Consistently" not in html
    by_dept = client.get(url, {"view": "departments"}).content.decode()
    assert re.search(r">Platform</a></th>\s*<td data-label=\"People\">2</td>", by_dept)
    assert re.search(r">Research</a></th>\s*<td data-label=\"People\">2</td>", by_dept)
    by_manager = client.get(url, {"view": "managers", "show": "draft"}).content.decode()
    # Drafts only: the manager has one left (peer), the other manager two.
    assert "Remind 1<" in by_manager
    assert "Remind 2<" in by_manager
    only = client.get(url, {"department": "Research"}).content.decode()
    assert "2 people match" in only
    assert str(engineer) not in only.split("<tbody>")[1]
    bad = client.get(url, {"show": "everything", "page": "-1"})
    assert bad.status_code == 400
    assert "weren't understood" in bad.content.decode()


def test_the_participants_csv_lists_everyone_chosen_safely(client, runner, cycle, org, engineer):
    engineer.first_name = "=SUM(A1)"
    engineer.save()
    client.force_login(runner)
    enrol(client, cycle)
    response = client.get(reverse("assessments:participants-csv", args=[cycle.pk]))
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["Person", "Username", "E-mail"]
    assert len(rows) == 1 + 4
    assert any(row[0].startswith("'=SUM") for row in rows)
    assert {row[3] for row in rows[1:]} == {"Platform", "Research"}
    research = client.get(
        reverse("assessments:participants-csv", args=[cycle.pk]), {"department": "Research"}
    )
    assert len(list(csv.reader(io.StringIO(b"".join(research.streaming_content).decode())))) == 3


def test_after_the_deadline_drafts_lock_unless_extended(client, runner, cycle, org, engineer):
    client.force_login(runner)
    enrol(client, cycle, usernames="engineer")
    a = Assessment.objects.select_related("cycle").get(engineer=engineer)
    today = timezone.localdate()
    Cycle.objects.filter(pk=cycle.pk).update(self_assessment_due=today - timedelta(days=1))
    a = Assessment.objects.select_related("cycle").get(pk=a.pk)
    assert not allowed(engineer, a, Action.EDIT)
    client.force_login(engineer)
    page = client.get(a.get_absolute_url()).content.decode()
    assert "can no longer change" in page
    rating = a.ratings.first()
    save = client.post(
        reverse("assessments:save", args=[a.pk, rating.behaviour_id]),
        {"score": 2, "evidence": "late", "version": 0},
    )
    assert save.status_code == 403
    # The runner gives more time; the engineer is told and can write again.
    client.force_login(runner)
    until = today + timedelta(days=2)
    response = client.post(
        reverse("assessments:extend", args=[a.pk]), {"until": until.isoformat()}, follow=True
    )
    assert f"has until {until:%-d %B %Y}" in response.content.decode()
    assert Event.objects.filter(assessment=a, kind=Event.Kind.EXTENDED).exists()
    client.force_login(engineer)
    save = client.post(
        reverse("assessments:save", args=[a.pk, rating.behaviour_id]),
        {"score": 2, "evidence": "in time", "version": 0},
    )
    assert save.status_code == 302
    rating.refresh_from_db()
    assert rating.evidence == "in time"
    assert "more time given" in client.get(a.get_absolute_url()).content.decode()


@pytest.mark.parametrize("days", [-3, 40])
def test_an_extension_out_of_bounds_is_refused_and_changes_nothing(
    client, runner, cycle, org, engineer, days
):
    client.force_login(runner)
    enrol(client, cycle, usernames="engineer")
    a = Assessment.objects.get(engineer=engineer)
    until = timezone.localdate() + timedelta(days=days)
    response = client.post(
        reverse("assessments:extend", args=[a.pk]), {"until": until.isoformat()}, follow=True
    )
    assert "Choose a day" in response.content.decode()
    a.refresh_from_db()
    assert a.extended_to is None


def test_nobody_extends_their_own_deadline(client, runner, cycle, on_ic5):
    runner.track, runner.level_code = on_ic5.track, "IC5"
    runner.save()
    client.force_login(runner)
    enrol(client, cycle, usernames="runner")
    a = Assessment.objects.get(engineer=runner)
    until = cycle.self_assessment_due + timedelta(days=2)
    response = client.post(
        reverse("assessments:extend", args=[a.pk]), {"until": until.isoformat()}, follow=True
    )
    assert "not yourself" in response.content.decode()
    a.refresh_from_db()
    assert a.extended_to is None


def test_moving_the_phase_names_the_unfinished_and_needs_confirming(
    client, runner, cycle, org, engineer
):
    client.force_login(runner)
    enrol(client, cycle, departments="Platform")
    url = reverse("assessments:cycle", args=[cycle.pk])
    html = client.get(url).content.decode()
    assert "2 people are unfinished" in html
    assert str(engineer) in html.split("unfinished-list")[1]
    move = reverse("assessments:move-phase", args=[cycle.pk])
    refused = client.post(move, {"to": "manager_review"}, follow=True)
    assert "Nothing changed" in refused.content.decode()
    cycle.refresh_from_db()
    assert cycle.phase == Cycle.Phase.SELF_ASSESSMENT
    # Out of order: refused too.
    client.post(move, {"to": "calibration", "confirm": "yes"})
    cycle.refresh_from_db()
    assert cycle.phase == Cycle.Phase.SELF_ASSESSMENT
    client.post(move, {"to": "manager_review", "confirm": "yes"})
    cycle.refresh_from_db()
    assert cycle.phase == Cycle.Phase.MANAGER_REVIEW
    # The drafts left behind are locked.
    a = Assessment.objects.select_related("cycle").get(engineer=engineer)
    assert a.locked
    assert not allowed(engineer, a, Action.EDIT)


def test_reminding_by_hand_once_a_day_per_person(client, runner, cycle, org, engineer, run_jobs):
    client.force_login(runner)
    enrol(client, cycle, usernames="engineer")
    run_jobs()
    mail.outbox.clear()
    a = Assessment.objects.get(engineer=engineer)
    url = reverse("assessments:remind", args=[cycle.pk])
    response = client.post(url, {"who": f"person:{a.pk}"}, follow=True)
    assert "1 reminder on the way" in response.content.decode()
    again = client.post(url, {"who": f"person:{a.pk}"}, follow=True)
    assert "No reminder sent" in again.content.decode()
    run_jobs()
    (message,) = mail.outbox
    assert message.to == [engineer.email]
    assert "Rita Runner reminds you" in message.body
    html = client.get(reverse("assessments:cycle", args=[cycle.pk])).content.decode()
    assert "reminded" in html
    nonsense = client.post(url, {"who": "nonsense"}, follow=True)
    assert "Choose whom to remind." in nonsense.content.decode()


def test_a_group_reminder_reaches_the_manager_with_reviews_waiting(
    client, runner, cycle, org, engineer, manager, run_jobs
):
    client.force_login(runner)
    enrol(client, cycle, departments="Platform")
    a = Assessment.objects.get(engineer=engineer)
    answer_all(a)
    workflow.submit(a, by=engineer)
    run_jobs()
    mail.outbox.clear()
    client.post(reverse("assessments:remind", args=[cycle.pk]), {"who": f"manager:{manager.pk}"})
    run_jobs()
    assert sorted(to for m in mail.outbox for to in m.to) == sorted(
        ["peer@example.com", manager.email]
    )


class Receiver(BaseHTTPRequestHandler):
    """A local incoming webhook: answers each POST with the next status in `answers`."""

    answers: list[int] = []
    received: list[dict] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Receiver.received.append(json.loads(body))
        status = Receiver.answers.pop(0) if Receiver.answers else 200
        self.send_response(status)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    Receiver.answers, Receiver.received = [], []
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/hook"
    server.shutdown()


def test_announcements_reach_the_chat_channel(client, runner, cycle, org, receiver, run_jobs):
    cycle.chat_webhook_url = receiver
    cycle.save()
    client.force_login(runner)
    enrol(client, cycle, departments="Research")
    run_jobs()
    (posted,) = Receiver.received
    assert posted["text"].startswith(f"2 people joined {cycle}.")
    assert ChatPost.objects.get().status == ChatPost.Status.SENT
    html = client.get(reverse("assessments:cycle", args=[cycle.pk])).content.decode()
    assert "last post posted" in html


def test_a_failing_webhook_is_tried_again_and_never_holds_up_email(
    client, runner, cycle, org, receiver, run_jobs
):
    from django_tasks_db.models import DBTaskResult

    cycle.chat_webhook_url = receiver
    cycle.save()
    Receiver.answers = [500]
    client.force_login(runner)
    enrol(client, cycle, departments="Research")
    run_jobs()
    # The e-mails went; the post failed once and waits to be tried again.
    assert len(mail.outbox) == 2
    post = ChatPost.objects.get()
    assert (post.status, post.attempts) == (ChatPost.Status.QUEUED, 1)
    assert "500" in post.error
    retry = DBTaskResult.objects.get(task_path="assessments.chat.post_to_chat", status="READY")
    assert retry.run_after > timezone.now()
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_jobs()
    post.refresh_from_db()
    assert (post.status, post.attempts) == (ChatPost.Status.SENT, 2)
    assert len(Receiver.received) == 2


def test_a_webhook_that_never_answers_gives_up_after_a_few_tries(cycle, receiver):
    cycle.chat_webhook_url = receiver.replace("/hook", "").rsplit(":", 1)[0] + ":9/hook"
    cycle.save()
    post = chat.announce(cycle, "hello")
    for _ in range(chat.ATTEMPTS):
        chat.deliver(post.pk)
    post.refresh_from_db()
    assert (post.status, post.attempts) == (ChatPost.Status.FAILED, chat.ATTEMPTS)
    assert "could not be reached" in post.error


def test_a_webhook_address_must_be_http(cycle):
    from django.core.exceptions import ValidationError

    cycle.chat_webhook_url = "file:///etc/passwd"
    with pytest.raises(ValidationError):
        cycle.full_clean()


def test_enrolment_refuses_a_closed_cycle(cycle, runner, org):
    cycle.status = Cycle.Status.CLOSED
    cycle.save()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        cycles.enrol(cycle, cycles.Choice(), by=runner)

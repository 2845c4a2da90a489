"""Reminders on the worker's schedule: who is behind, when, never twice, and opting out."""

from datetime import date, datetime, timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from assessments import reminders, workflow
from assessments.models import Assessment, Reminder
from assessments.reminders import remind_on_schedule, schedule_reminders
from assessments.services import start_assessment
from tests.assessments.conftest import answer_all, make_cycle
from tests.conftest import run_worker
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DUE = date(2027, 3, 20)


@pytest.fixture
def cycle(ic5, on_ic5):
    return make_cycle(
        ic5.framework,
        self_assessment_due=DUE,
        manager_review_due=DUE + timedelta(days=10),
        calibration_due=DUE + timedelta(days=20),
    )


@pytest.fixture
def enrolled(cycle, engineer, peer):
    """Both enrolled a while ago; peer has submitted, engineer not."""
    mine, theirs = (start_assessment(cycle=cycle, engineer=p) for p in (engineer, peer))
    answer_all(theirs)
    workflow.submit(theirs, by=peer)
    Assessment.objects.filter(cycle=cycle).update(created_at=timezone.now() - timedelta(days=30))
    run_worker()  # the submission's own e-mail
    mail.outbox.clear()
    return mine


def sent_on(day: date) -> list[tuple[str, str]]:
    """Run the day's reminders and the worker that sends them: (to, subject), sorted."""
    mail.outbox.clear()
    reminders.send_due(day)
    run_worker()
    return sorted((to, m.subject) for m in mail.outbox for to in m.to)


def test_a_week_before_the_engineer_behind_and_the_manager_with_a_review_are_reminded(
    enrolled, engineer, manager, cycle
):
    sent = sent_on(DUE - timedelta(days=7))
    assert sent == [
        (engineer.email, f"Your self-assessment for {cycle} is due in 7 days"),
        # Manager reviews are due 17 days later: not yet.
    ]
    sent = sent_on(cycle.manager_review_due - timedelta(days=7))
    assert (manager.email, f"1 review to finish for {cycle}, due in 7 days") in sent


def test_the_same_reminder_is_never_sent_twice(enrolled, engineer):
    day = DUE - timedelta(days=7)
    assert len(sent_on(day)) == 1
    assert sent_on(day) == []
    assert Reminder.objects.filter(person=engineer).count() == 1


def due_tomorrow(cycle):
    today = timezone.localdate()
    type(cycle).objects.filter(pk=cycle.pk).update(
        self_assessment_due=today + timedelta(days=1),
        manager_review_due=today + timedelta(days=10),
        calibration_due=today + timedelta(days=20),
    )


def test_a_worker_restarted_mid_run_sends_nothing_again(enrolled, engineer, cycle, run_jobs):
    due_tomorrow(cycle)
    # Two runs of the scheduled job on the same day, as after a restart: one e-mail.
    for _ in range(2):
        remind_on_schedule.enqueue()
        run_jobs("default")
    got = [m.subject for m in mail.outbox if engineer.email in m.to]
    assert got == [f"Your self-assessment for {cycle} is due in 1 day"]


def test_a_worker_down_on_the_day_catches_up_with_one_reminder_then_the_next(enrolled, engineer):
    # Down for the 7-day reminder: 3 days before, that one goes, late and once.
    assert sent_on(DUE - timedelta(days=3)) == [
        (engineer.email, "Your self-assessment for 2026 H2 review is due in 3 days")
    ]
    assert sent_on(DUE - timedelta(days=2)) == []
    assert sent_on(DUE - timedelta(days=1)) == [
        (engineer.email, "Your self-assessment for 2026 H2 review is due in 1 day")
    ]
    assert sent_on(DUE) == []


def test_the_day_after_the_overdue_are_told_once_and_the_draft_is_locked(enrolled, engineer, cycle):
    sent_on(DUE - timedelta(days=1))
    (late,) = sent_on(DUE + timedelta(days=1))
    assert late == (engineer.email, f"Your self-assessment for {cycle} is overdue since 20 March")
    (message,) = mail.outbox
    assert "can no longer change" in message.body
    assert sent_on(DUE + timedelta(days=2)) == []
    cycle.remind_overdue = False
    cycle.save()
    Reminder.objects.all().delete()
    assert sent_on(DUE + timedelta(days=1)) == []


def test_the_cycle_sets_the_schedule(enrolled, engineer, cycle):
    cycle.reminder_days = "3"
    cycle.save()
    assert sent_on(DUE - timedelta(days=7)) == []
    assert len(sent_on(DUE - timedelta(days=3))) == 1
    cycle.reminder_days = ""
    cycle.save()
    Reminder.objects.all().delete()
    assert sent_on(DUE - timedelta(days=1)) == []


@pytest.mark.parametrize("written", ["abc", "7,,0", "61", "1,2,3,4,5,6", "²"])
def test_a_schedule_that_isnt_days_is_refused(cycle, written):
    cycle.reminder_days = written
    with pytest.raises(ValidationError):
        cycle.full_clean()


def test_someone_enrolled_yesterday_is_not_reminded_on_top_of_their_enrolment(cycle, engineer):
    mine = start_assessment(cycle=cycle, engineer=engineer)
    day = DUE - timedelta(days=1)
    noon = timezone.make_aware(datetime.combine(day - timedelta(days=1), datetime.min.time()))
    Assessment.objects.filter(pk=mine.pk).update(created_at=noon)
    assert engineer.email not in {to for to, _ in sent_on(day)}
    Assessment.objects.filter(pk=mine.pk).update(created_at=noon - timedelta(days=1))
    assert engineer.email in {to for to, _ in sent_on(day)}


def test_whoever_turned_reminders_off_gets_none_and_still_sees_the_deadline(
    client, enrolled, engineer
):
    client.force_login(engineer)
    page = reverse("assessments:my-reminders")
    assert "checked" in client.get(page).content.decode()
    response = client.post(page, {}, follow=True)
    assert "No more reminder e-mails" in response.content.decode()
    engineer.refresh_from_db()
    assert engineer.reminder_emails is False
    assert sent_on(DUE - timedelta(days=7)) == []
    home = client.get(reverse("home")).content.decode()
    assert f"{DUE:%A %-d %B}" in home
    client.post(page, {"reminder_emails": "on"})
    engineer.refresh_from_db()
    assert engineer.reminder_emails is True


def test_every_reminder_says_how_to_turn_them_off(enrolled):
    sent_on(DUE - timedelta(days=7))
    (message,) = mail.outbox
    assert reverse("assessments:my-reminders") in message.body


def test_in_a_cycle_anyone_may_start_those_who_havent_are_reminded_too(cycle, engineer, peer):
    UserFactory(username="no-level")  # no track, no level: not in the cycle
    sent = sent_on(DUE - timedelta(days=1))
    assert sorted(to for to, _ in sent) == sorted([engineer.email, peer.email])
    cycle.self_enrolment = False
    cycle.save()
    Reminder.objects.all().delete()
    assert sent_on(DUE - timedelta(days=1)) == []


def test_the_committee_is_reminded_while_reviews_wait_for_its_outcome(
    cycle, submitted, manager, calibrator, calibrators
):
    from tests.assessments.conftest import review_all

    review_all(submitted, manager)
    sent = sent_on(cycle.calibration_due - timedelta(days=1))
    assert (calibrator.email, f"Calibration of {cycle} is due in 1 day") in sent


def test_the_worker_queues_the_first_run_once_and_each_run_the_next(settings, run_jobs):
    settings.REMINDER_HOUR = 9
    assert schedule_reminders() is True
    assert schedule_reminders() is False  # one waiting already
    (job,) = DBTaskResult.objects.filter(task_path=remind_on_schedule.module_path)
    local = timezone.localtime(job.run_after)
    assert (local.hour, local.minute) == (9, 0)
    assert job.run_after > timezone.now()
    # Run it now: it queues tomorrow's before sending today's.
    DBTaskResult.objects.filter(pk=job.pk).update(run_after=timezone.now() - timedelta(1))
    (ran,) = run_jobs("default")
    assert ran.status == "SUCCESSFUL"
    (waiting,) = DBTaskResult.objects.filter(
        task_path=remind_on_schedule.module_path, status="READY"
    )
    assert waiting.run_after > timezone.now()


def test_the_next_run_is_at_the_hour_today_or_tomorrow(settings):
    settings.REMINDER_HOUR = 9
    tz = timezone.get_current_timezone()
    morning = datetime(2027, 1, 5, 8, 0, tzinfo=tz)
    assert reminders.next_run(morning) == datetime(2027, 1, 5, 9, 0, tzinfo=tz)
    evening = datetime(2027, 1, 5, 10, 0, tzinfo=tz)
    assert reminders.next_run(evening) == datetime(2027, 1, 6, 9, 0, tzinfo=tz)


def test_the_command_catches_up_by_hand_and_can_say_who_first(enrolled, engineer, cycle):
    due_tomorrow(cycle)
    out = StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    assert Reminder.objects.count() == 0
    assert f"would e-mail {engineer.email}" in out.getvalue()
    call_command("send_reminders", stdout=StringIO())
    assert list(Reminder.objects.values_list("person__email", flat=True)) == [engineer.email]

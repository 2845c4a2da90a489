"""Background jobs, run by the django-tasks-db worker (manage.py db_worker).

A job is a row in the app's database, written in the same transaction as the
change that asks for it: the e-mail about a submission exists exactly when the
submission does. Arguments are ids, read afresh when the job runs.
"""

from __future__ import annotations

from django.core.mail import send_mass_mail
from django.tasks import task

from assessments import notifications

# Jobs defined beside what they do: assessments.chat.post_to_chat (a chat message),
# assessments.reminders.remind_on_schedule (the daily reminders), and
# assessments.packets.jobs (packet PDFs).
# The task queues, as whoever runs cycles reads them: e-mails run on the default queue,
# packet PDFs on their own (assessments.packets.jobs.QUEUE), each with its own worker.
QUEUE_LABELS = {"default": "E-mails", "packets": "Packet PDFs"}


@task()
def notify(kind: str, assessment_id: int, *extra) -> int:
    """Write and send the e-mails about one change to an assessment; returns how many."""
    return notifications.send(kind, assessment_id, *extra)


@task()
def send_reminder_mail(messages: list[list]) -> int:
    """Send reminder e-mails prepared by assessments.reminders: (subject, body, to)."""
    return send_mass_mail(
        [(subject, body, None, [to]) for subject, body, to in messages], fail_silently=False
    )


@task()
def tell_managers_of_results(assessment_ids: list[int]) -> int:
    """Tell each reviewer that their reports' results are shared; returns how many e-mails."""
    return notifications.send_results_to_managers(assessment_ids)


@task()
def tell_committee(cycle_id: int, change_ids: list[int]) -> int:
    """Tell a committee, and whoever joined or left it, who did; returns how many e-mails."""
    return notifications.send_committee_changes(cycle_id, change_ids)


@task()
def tell_person(kind: str, person_id: int, *extra) -> int:
    """Tell someone of a change to their place (a new manager, a password set for them)."""
    return notifications.send_to_person(kind, person_id, *extra)


@task()
def tell_enrolled(cycle_id: int, assessment_ids: list[int]) -> int:
    """E-mail each person enrolled in a cycle its link and deadlines; returns how many."""
    return notifications.send_enrolled(cycle_id, assessment_ids)


@task()
def send_password_link(person_id: int, kind: str) -> int:
    """E-mail someone a one-time link to set their password: an invitation, or a reset."""
    return notifications.send_password_link(person_id, kind)

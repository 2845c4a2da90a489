"""E-mails about assessments, sent with Django's configured mailer (console by default)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail

if TYPE_CHECKING:
    from assessments.models import Assessment


def link(path: str) -> str:
    # Read when the mail is written, not at import: the address is the running
    # server's (make run derives it from PORT), and tests change it.
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def notify_manager_of_submission(assessment: Assessment) -> None:
    manager = assessment.engineer.manager
    if manager is None or not manager.email:
        return
    send_mail(
        subject=f"{assessment.engineer} submitted their self-assessment",
        message=(
            f"{assessment.engineer} submitted their {assessment.level.code} self-assessment "
            f"for {assessment.cycle}.\n\nRead it: {link(assessment.get_absolute_url())}\n\n"
            f"Manager reviews are due by {assessment.cycle.manager_review_due:%-d %B %Y}."
        ),
        from_email=None,
        recipient_list=[manager.email],
    )


def notify_engineer_of_return(assessment: Assessment) -> None:
    engineer = assessment.engineer
    if not engineer.email:
        return
    send_mail(
        subject="Your self-assessment came back to you",
        message=(
            f"{engineer.manager or 'Your manager'} returned your self-assessment for "
            f"{assessment.cycle} to draft:\n\n{assessment.return_note}\n\n"
            f"Edit it: {link(assessment.get_absolute_url())}"
        ),
        from_email=None,
        recipient_list=[engineer.email],
    )

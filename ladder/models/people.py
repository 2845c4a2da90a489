"""The people model: a person in the organisation, with their manager, track and level."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from ladder.models.framework import Track


class User(AbstractUser):
    """A person in the organisation, with their place in the org chart."""

    manager = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reports",
        help_text="Who this person reports to.",
    )
    track = models.ForeignKey(
        Track, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    level_code = models.CharField(
        max_length=12, blank=True, help_text="Current level, such as IC5; matches a level code."
    )
    employee_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="The HR system's id for this person: org chart imports match people by it.",
    )
    department = models.CharField(
        max_length=120,
        blank=True,
        db_index=True,
        help_text="Such as “Platform” or “Research”: cycles enrol and count people by it.",
    )
    started_on = models.DateField(
        null=True,
        blank=True,
        help_text="First day at the company: a cycle may enrol only people who started "
        "before a date.",
    )
    sso_subject = models.CharField(
        max_length=255,
        blank=True,
        editable=False,
        help_text="Who the company's identity provider says this person is (the OpenID "
        "Connect “sub”), kept at their first single sign-on.",
    )
    reminder_emails = models.BooleanField(
        default=True,
        help_text="E-mail reminders before a deadline. Deadlines still show on every page "
        "where the person acts.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["employee_id"],
                condition=~Q(employee_id=""),
                name="user_unique_employee_id",
                violation_error_message="Another person has this employee id.",
            ),
            models.UniqueConstraint(
                fields=["sso_subject"],
                condition=~Q(sso_subject=""),
                name="user_unique_sso_subject",
                violation_error_message="Another person signs in as this identity.",
            ),
            models.CheckConstraint(
                condition=~Q(manager=models.F("id")),
                name="user_not_own_manager",
                violation_error_message="Nobody can be their own manager.",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def clean(self):
        super().clean()
        self.level_code = self.level_code.strip().upper()
        # Walk up the chain so nobody ends up (indirectly) managing themselves.
        seen = {self.pk}
        boss = self.manager
        while boss is not None:
            if boss.pk in seen:
                raise ValidationError({"manager": "That would make a reporting loop."})
            seen.add(boss.pk)
            boss = boss.manager


class PasswordLinkRequest(models.Model):
    """Someone asked for a link to set their password: counted to throttle the asking.

    Kept for a day, by address and by the e-mail typed (hashed: the table says nothing
    of who has an account), whether or not the address belongs to anyone.
    """

    address = models.GenericIPAddressField(null=True)
    email_digest = models.CharField(max_length=64)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.address} · {self.at:%Y-%m-%d %H:%M}"


class UserSession(AbstractBaseSession):
    """A signed-in session, with whose it is: deactivating someone ends theirs at once.

    Django's own table keeps sessions as opaque strings; this one also keeps the user
    id (ladder.sessions writes it), so ending a person's sessions is one delete.
    """

    user_id = models.IntegerField(null=True, db_index=True)


def end_sessions(user_ids) -> int:
    """Sign these people out everywhere; returns how many sessions ended."""
    deleted, _ = UserSession.objects.filter(user_id__in=list(user_ids)).delete()
    return deleted

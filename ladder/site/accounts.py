"""Setting a password by e-mail: "Forgot your password?" and invitations share one link.

The link is Django's password-reset token: it works once (setting the password changes
what it was made from) and for PASSWORD_RESET_TIMEOUT. Asking for one says the same
whether or not the address has an account, and is throttled by address and by the
address typed, counted in the database so every server process counts together. The
e-mail is a background job, written when it runs.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.db.models import Q
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils import timezone

from assessments.tasks import send_password_link
from ladder import views as ladder_views
from ladder.models import PasswordLinkRequest, User
from ladder.site import sso

# Asked for within an hour: per address typed, and per address asking.
PER_EMAIL = 3
PER_ADDRESS = 20
WINDOW = timedelta(hours=1)


class LinkForm(PasswordResetForm):
    def people_for(self, email: str):
        """Active people with this e-mail, with or without a password yet (invited)."""
        people = User.objects.filter(Q(email__iexact=email), is_active=True)
        # With single sign-on only, a password is for the break-glass admins alone.
        return people if sso.passwords_for_everyone() else people.filter(is_superuser=True)


def _digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def too_many(address: str | None, email: str) -> bool:
    since = timezone.now() - WINDOW
    recent = PasswordLinkRequest.objects.filter(at__gte=since)
    return recent.filter(email_digest=_digest(email)).count() >= PER_EMAIL or (
        address is not None and recent.filter(address=address).count() >= PER_ADDRESS
    )


class ForgotPasswordView(auth_views.PasswordResetView):
    form_class = LinkForm
    template_engine = "jinja2"
    template_name = "registration/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        email = form.cleaned_data["email"]
        address = self.request.META.get("REMOTE_ADDR")
        PasswordLinkRequest.objects.filter(at__lt=timezone.now() - timedelta(days=1)).delete()
        if not too_many(address, email):
            for person in form.people_for(email):
                send_password_link.enqueue(person.pk, "reset")
        PasswordLinkRequest.objects.create(address=address, email_digest=_digest(email))
        # The same page whatever happened: nobody learns who has an account here.
        return redirect(self.success_url)


class SetPasswordView(auth_views.PasswordResetConfirmView):
    template_engine = "jinja2"
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")


class SignOutView(ladder_views.SignOutView):
    """Sign out of Ladder; after single sign-on, out of the identity provider too."""

    def post(self, request, *args, **kwargs):
        provider = (
            sso.provider_logout_url(request)
            if sso.enabled()
            and settings.OIDC_OP_LOGOUT_ENDPOINT
            and request.session.get("oidc_id_token")
            else None
        )
        response = super().post(request, *args, **kwargs)
        if provider:
            # Ladder's session is over already; the provider then ends its own.
            response.status_code = 302
            response["Location"] = provider
        return response


class SignInView(auth_views.LoginView):
    """The sign-in page: single sign-on first when it is set up, passwords as configured."""

    redirect_authenticated_user = True
    template_engine = "jinja2"

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sso": sso.enabled(),
            "sso_provider": settings.SSO_PROVIDER_NAME,
            "passwords_for_everyone": sso.passwords_for_everyone(),
        }

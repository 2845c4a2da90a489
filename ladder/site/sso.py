"""Single sign-on through the company's identity provider, with OpenID Connect.

mozilla-django-oidc runs the authorization code flow (state, nonce and PKCE kept in
the session, the ID token's signature checked against the provider's keys); this
module decides whom a sign-in is:

- someone already linked, by the provider's subject ("sub");
- otherwise, at their first sign-in, the one active person whose e-mail the provider
  says it verified, who is then linked;
- nobody else: Ladder never creates a person at sign-in (the org chart and SCIM do),
  so single sign-on can't make anyone an admin, and someone the org chart doesn't
  know is told so on a page of its own.

With PASSWORD_SIGN_IN=break-glass, passwords only sign in superusers: the way in
when the provider is down.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from ladder.models import User
from ladder.sessions import user_for

REFUSED = "ladder_sso_refused"


def enabled() -> bool:
    return bool(settings.OIDC_RP_CLIENT_ID)


def passwords_for_everyone() -> bool:
    return settings.PASSWORD_SIGN_IN == "everyone"


class PasswordBackend(ModelBackend):
    """Username and password: for everyone, or only the break-glass admins."""

    def get_user(self, user_id):
        user = user_for(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return passwords_for_everyone() or bool(getattr(user, "is_superuser", False))


class CompanySignIn(OIDCAuthenticationBackend):
    """Whom the identity provider's answer signs in; see the module's docstring."""

    def authenticate(self, request, **kwargs):
        if not enabled():
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        user = user_for(user_id)
        return user if user is not None and user.is_active else None

    def verify_claims(self, claims) -> bool:
        subject = claims.get("sub")
        return isinstance(subject, str) and 0 < len(subject) <= 255

    def filter_users_by_claims(self, claims):
        people = User.objects.filter(is_active=True)
        linked = people.filter(sso_subject=claims["sub"])
        if linked.exists():
            return linked
        email = (claims.get("email") or "").strip()
        if not email or len(email) > 254:
            return self._refuse("no_email", "")
        if not verified(claims, email):
            return self._refuse("unverified", email)
        found = list(people.filter(email__iexact=email)[:2])
        if not found:
            gone = User.objects.filter(email__iexact=email, is_active=False).exists()
            return self._refuse("inactive" if gone else "unknown", email)
        if len(found) > 1:
            return self._refuse("ambiguous", email)
        if found[0].sso_subject:
            # Linked to another identity already: not this one's to take.
            return self._refuse("taken", email)
        return found

    def update_user(self, user, claims):
        if not user.sso_subject:
            try:
                with transaction.atomic():
                    updated = User.objects.filter(pk=user.pk, sso_subject="").update(
                        sso_subject=claims["sub"]
                    )
            except IntegrityError:
                updated = 0
            if not updated:
                raise SuspiciousOperation("This person was linked to another identity meanwhile.")
            user.sso_subject = claims["sub"]
        return user

    def _refuse(self, reason: str, email: str):
        self.request.session[REFUSED] = {"reason": reason, "email": email[:254]}
        return User.objects.none()


class StartSignIn(OIDCAuthenticationRequestView):
    """Off to the provider, with a fresh state, nonce and PKCE challenge in the session."""

    def get(self, request):
        if not enabled():
            raise Http404("Single sign-on is not set up here.")
        return super().get(request)


class FinishSignIn(OIDCAuthenticationCallbackView):
    """Back from the provider: the state must be one this session started, used once."""

    def get(self, request):
        if not enabled():
            raise Http404("Single sign-on is not set up here.")
        return super().get(request)


def verified(claims: dict, email: str) -> bool:
    """Whether the provider vouches for the address: it says so, or (saying nothing, as
    Entra ID does) the address is at a domain the company's own tenant holds."""
    said = claims.get("email_verified")
    if said is True:
        return True
    domain = email.rpartition("@")[2].lower()
    return said is None and domain in settings.SSO_VERIFIED_DOMAINS


def refused(request: HttpRequest) -> HttpResponse:
    """Where a sign-in the provider allowed, and Ladder didn't, ends: why, in words."""
    why = request.session.pop(REFUSED, None) or {"reason": "failed", "email": ""}
    context = {
        "reason": why.get("reason"),
        "email": why.get("email"),
        "provider": settings.SSO_PROVIDER_NAME,
    }
    return render(request, "registration/sso_refused.html", context, status=403, using="jinja2")


def provider_logout_url(request: HttpRequest) -> str:
    """After Ladder's sign-out, the provider's, back to Ladder's sign-in page."""
    back = request.build_absolute_uri(reverse("login"))
    if not settings.OIDC_OP_LOGOUT_ENDPOINT:
        return back
    query = {"post_logout_redirect_uri": back, "client_id": settings.OIDC_RP_CLIENT_ID}
    id_token = request.session.get("oidc_id_token")
    if id_token:
        query["id_token_hint"] = id_token
    return f"{settings.OIDC_OP_LOGOUT_ENDPOINT}?{urlencode(query)}"

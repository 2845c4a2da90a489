"""The project's URLs: each app's own, the accounts pages, the admin and health."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt

from assessments import views as assessment_views
from ladder.site import accounts, health, sso

admin.site.site_header = "Ladder administration"
admin.site.site_title = "Ladder admin"
admin.site.index_title = "Framework content, people and cycles"

# Only the account pages Ladder uses; a link to set a password (forgotten, or an
# invitation) is ladder.site.accounts. Their templates are the Jinja2 ones in
# templates/jinja2/registration/: the admin app has templates of the same names for
# Django's engine, which would otherwise be found first.
account_patterns = [
    path("login/", accounts.SignInView.as_view(), name="login"),
    path("logout/", accounts.SignOutView.as_view(), name="logout"),
    path(
        "password/",
        auth_views.PasswordChangeView.as_view(template_engine="jinja2"),
        name="password_change",
    ),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_engine="jinja2"),
        name="password_change_done",
    ),
    path("password/forgot/", accounts.ForgotPasswordView.as_view(), name="password_reset"),
    path(
        "password/forgot/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_engine="jinja2", template_name="registration/password_reset_done.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password/set/<uidb64>/<token>/",
        accounts.SetPasswordView.as_view(),
        name="password_reset_confirm",
    ),
    # Single sign-on (ladder/site/sso.py): start, the provider's answer, and a refusal.
    path("sso/start/", sso.StartSignIn.as_view(), name="oidc_authentication_init"),
    path("sso/callback/", sso.FinishSignIn.as_view(), name="oidc_authentication_callback"),
    path("sso/refused/", sso.refused, name="sso-refused"),
    path(
        "password/set/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_engine="jinja2", template_name="registration/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]


def _scim(name: str):
    """A SCIM view (assessments.scim_views), imported when first asked for: its protocol
    libraries take a quarter of a second to load, which every process would pay at start."""

    @csrf_exempt
    def view(request, *args, **kwargs):
        from assessments import scim_views

        return getattr(scim_views, name)(request, *args, **kwargs)

    view.__name__ = f"scim_{name}"
    return view


# SCIM 2.0, for the company's identity provider (assessments.scim_views).
scim_patterns = [
    path("Users", _scim("users"), name="users"),
    path("Users/<str:pk>", _scim("user"), name="user"),
    path(
        "ServiceProviderConfig",
        _scim("service_provider_config"),
        name="service-provider-config",
    ),
    path("ResourceTypes", _scim("resource_types"), name="resource-types"),
    path("ResourceTypes/<str:key>", _scim("resource_types"), name="resource-type"),
    path("Schemas", _scim("schemas"), name="schemas"),
    path("Schemas/<str:key>", _scim("schemas"), name="schema"),
    re_path(r"^(?P<rest>.*)$", _scim("elsewhere"), name="elsewhere"),
]

urlpatterns = [
    path("", assessment_views.home, name="home"),
    path("", include("assessments.urls")),
    path("ladder/", include("ladder.urls")),
    path("accounts/", include(account_patterns)),
    path("admin/", admin.site.urls),
    path("scim/v2/", include((scim_patterns, "scim"))),
    path("health/", health.health, name="health"),
    path("health/workers/", health.workers, name="health-workers"),
]

handler400 = "assessments.views.bad_request"
handler403 = "assessments.views.forbidden"
handler500 = "ladder.site.health.server_error"

"""The project's URLs: each app's own, the accounts pages, the admin and health."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path

from assessments import scim_views
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

# SCIM 2.0, for the company's identity provider (assessments.scim_views).
scim_patterns = [
    path("Users", scim_views.users, name="users"),
    path("Users/<str:pk>", scim_views.user, name="user"),
    path(
        "ServiceProviderConfig",
        scim_views.service_provider_config,
        name="service-provider-config",
    ),
    path("ResourceTypes", scim_views.resource_types, name="resource-types"),
    path("ResourceTypes/<str:key>", scim_views.resource_types, name="resource-type"),
    path("Schemas", scim_views.schemas, name="schemas"),
    path("Schemas/<str:key>", scim_views.schemas, name="schema"),
    re_path(r"^(?P<rest>.*)$", scim_views.elsewhere, name="elsewhere"),
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

"""The project's URLs; the ladder pages live under the `ladder` namespace."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from assessments import views as assessment_views
from ladder import editor_views, health, import_views, views

ladder_patterns = [
    path("", views.index, name="index"),
    # Importing pages in the browser (ladder editors): the form, the dry run, the confirmation.
    path("import/", import_views.upload, name="import"),
    path("import/<int:pk>/", import_views.report, name="import-report"),
    path("import/<int:pk>/confirm/", import_views.confirm, name="import-confirm"),
    path("<slug:slug>/v<int:version>/", views.framework, name="framework"),
    path(
        "<slug:slug>/v<int:version>/<slug:track>/compare/",
        views.level_comparison,
        name="compare-levels",
    ),
    path("<slug:slug>/v<int:version>/<slug:track>/<str:code>/", views.level, name="level"),
    path(
        "<slug:slug>/v<int:version>/<slug:track>/<str:code>.md",
        views.level_markdown,
        name="level-markdown",
    ),
    path(
        "<slug:slug>/<slug:track>/<str:code>/changes/",
        views.version_comparison,
        name="compare-versions",
    ),
    # Editing a draft level in place and publishing a draft (ladder/editor_views.py, for
    # ladder editors). The row addresses extend the editor's own, as the editor's
    # templates build them: <kind>/<pk>/ saves a row, …/move/ and …/delete/ act on it,
    # …/behaviours/ and area/<pk>/responsibilities/ add to it.
    path("<slug:slug>/v<int:version>/publish/", editor_views.publish, name="publish"),
    path("<slug:slug>/v<int:version>/new-draft/", editor_views.start_draft, name="start-draft"),
    path(
        "<slug:slug>/v<int:version>/<slug:track>/<str:code>/edit/",
        editor_views.edit_level,
        name="edit-level",
    ),
    path(
        "<slug:slug>/v<int:version>/<slug:track>/<str:code>/edit/<str:kind>/<int:pk>/",
        editor_views.save_row,
        name="edit-save",
    ),
    path(
        "<slug:slug>/v<int:version>/<slug:track>/<str:code>/edit/<str:kind>/<int:pk>/move/",
        editor_views.move_row,
        name="edit-move",
    ),
    path(
        "<slug:slug>/v<int:version>/<slug:track>/<str:code>/edit/<str:kind>/<int:pk>/delete/",
        editor_views.delete_row,
        name="edit-delete",
    ),
    path(
        "<slug:slug>/v<int:version>/<slug:track>/<str:code>/edit/<str:kind>/<int:pk>/behaviours/",
        editor_views.add_behaviour,
        name="edit-add-behaviour",
    ),
    path(
        "<slug:slug>/v<int:version>/<slug:track>/<str:code>/edit/area/<int:pk>/responsibilities/",
        editor_views.add_responsibility,
        name="edit-add-responsibility",
    ),
]

admin.site.site_header = "Ladder administration"
admin.site.site_title = "Ladder admin"
admin.site.index_title = "Framework content, people and cycles"

# Only the account pages Ladder uses; password resets go through the admins. Their
# templates are the Jinja2 ones in templates/jinja2/registration/: the admin app has
# templates of the same names for Django's engine, which would otherwise be found first.
account_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True, template_engine="jinja2"),
        name="login",
    ),
    path("logout/", views.SignOutView.as_view(), name="logout"),
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
]

urlpatterns = [
    path("", assessment_views.home, name="home"),
    path("", include("assessments.urls")),
    path("ladder/", include((ladder_patterns, "ladder"))),
    path("accounts/", include(account_patterns)),
    path("admin/", admin.site.urls),
    path("health/", health.health, name="health"),
]

handler400 = "assessments.views.bad_request"
handler403 = "assessments.views.forbidden"
handler500 = "ladder.health.server_error"

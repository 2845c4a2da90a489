"""The project's URLs; the ladder pages live under the `ladder` namespace."""

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from ladder import views

ladder_patterns = [
    path("", views.index, name="index"),
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
]

admin.site.site_header = "Ladder administration"
admin.site.site_title = "Ladder admin"
admin.site.index_title = "Framework content, people and cycles"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="ladder:index"), name="home"),
    path("ladder/", include((ladder_patterns, "ladder"))),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
]

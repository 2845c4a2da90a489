"""The career framework's pages, under the `ladder` namespace: reading, importing, editing."""

from django.urls import path

from ladder import editor_views, import_views, publish_views, views

app_name = "ladder"

urlpatterns = [
    path("", views.index, name="index"),
    # Importing pages in the browser (ladder editors): the form, the dry run, the confirmation.
    path("import/", import_views.upload, name="import"),
    path("import/<int:pk>/", import_views.report, name="import-report"),
    path("import/<int:pk>/confirm/", import_views.confirm, name="import-confirm"),
    path("<slug:slug>/v<int:version>/", views.framework, name="framework"),
    # Before the level's addresses, which "scale/edit/" would otherwise match.
    path("<slug:slug>/v<int:version>/scale/edit/", editor_views.edit_scale, name="edit-scale"),
    path("<slug:slug>/v<int:version>/scale.yaml", views.scale_file, name="scale-file"),
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
    path("<slug:slug>/v<int:version>/publish/", publish_views.publish, name="publish"),
    path("<slug:slug>/v<int:version>/new-draft/", editor_views.start_draft, name="start-draft"),
    path(
        "<slug:slug>/v<int:version>/<slug:track>/<str:code>/edit/",
        editor_views.edit_level,
        name="edit-level",
    ),
    path(
        "<slug:slug>/v<int:version>/<slug:track>/<str:code>/edit/areas/",
        editor_views.edit_areas,
        name="edit-areas",
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

"""The app's URLs, by who uses them: the engineer, the manager, packets, the committee."""

from django.urls import path

from assessments import calibration_views, packet_views, review_views, views

app_name = "assessments"

engineer_patterns = [
    path("cycles/<int:cycle_id>/start/", views.start, name="start"),
    path("assessments/<int:pk>/", views.assessment_page, name="assessment"),
    path("assessments/<int:pk>/behaviours/<int:behaviour_id>/", views.save, name="save"),
    path("assessments/<int:pk>/progress/", views.progress_panel, name="progress"),
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("assessments/<int:pk>/return/", views.return_to_draft, name="return"),
]

urlpatterns = [
    *engineer_patterns,
    *review_views.urlpatterns,
    *packet_views.urlpatterns,
    *calibration_views.urlpatterns,
]

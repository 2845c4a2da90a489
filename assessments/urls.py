"""The app's URLs, by who uses them: the engineer, the manager, packets, the committee."""

from django.urls import path

from assessments import (
    calibration_views,
    committee_views,
    cycle_views,
    peer_views,
    people_views,
    review_views,
    views,
)
from assessments.packets import views as packet_views

app_name = "assessments"

engineer_patterns = [
    path("cycles/<int:cycle_id>/start/", views.start, name="start"),
    path("assessments/<int:pk>/", views.assessment_page, name="assessment"),
    path("assessments/<int:pk>/behaviours/<int:behaviour_id>/", views.save, name="save"),
    path("assessments/<int:pk>/progress/", views.progress_panel, name="progress"),
    path("assessments/<int:pk>/submit/", views.submit, name="submit"),
    path("assessments/<int:pk>/carry-over/", views.carry_over, name="carry-over"),
    path("assessments/<int:pk>/return/", views.return_to_draft, name="return"),
]

manager_patterns = [
    path("team/", review_views.team, name="team"),
    path("assessments/<int:pk>/review/", review_views.review, name="review"),
    path(
        "assessments/<int:pk>/review/behaviours/<int:behaviour_id>/",
        review_views.save_review,
        name="review-save",
    ),
    path("assessments/<int:pk>/review/summary/", review_views.save_summary, name="review-summary"),
    path("assessments/<int:pk>/review/finish/", review_views.finish, name="review-finish"),
    path("assessments/<int:pk>/review/agree/", review_views.agree, name="review-agree"),
    path("assessments/<int:pk>/review/reopen/", review_views.reopen, name="review-reopen"),
    path("assessments/<int:pk>/history/", review_views.history, name="history"),
    path("assessments/<int:pk>/reviewer/", review_views.reviewer, name="reviewer"),
]

packet_patterns = [
    path("assessments/<int:pk>/packet/", packet_views.packet, name="packet"),
    path("assessments/<int:pk>/packet.pdf", packet_views.packet_pdf, name="packet-pdf"),
    path("assessments/<int:pk>/export.md", packet_views.export_md, name="export-markdown"),
    path("assessments/<int:pk>/export.pdf", packet_views.export_pdf, name="export-pdf"),
    path("cycles/<int:cycle_id>/packets/", packet_views.packet_batch, name="packet-batch"),
    path("packet-jobs/<int:job_id>/", packet_views.packet_job, name="packet-job"),
    path("packet-jobs/<int:job_id>/file/", packet_views.packet_job_file, name="packet-job-file"),
]

committee_patterns = [
    path("cycles/<int:cycle_id>/calibration/", calibration_views.calibration, name="calibration"),
    path(
        "cycles/<int:cycle_id>/calibration/close/",
        calibration_views.close_calibration,
        name="close-calibration",
    ),
    path("assessments/<int:pk>/decision/", calibration_views.decide, name="decide"),
    path(
        "cycles/<int:cycle_id>/disagreements/",
        calibration_views.disagreements,
        name="disagreements",
    ),
    path("cycles/<int:cycle_id>/results.csv", calibration_views.results_csv, name="results-csv"),
]

runner_patterns = [
    path("cycles/", cycle_views.cycle_list, name="cycles"),
    path("cycles/<int:cycle_id>/", cycle_views.cycle_page, name="cycle"),
    path(
        "cycles/<int:cycle_id>/participants.csv",
        cycle_views.participants_csv,
        name="participants-csv",
    ),
    path("cycles/<int:cycle_id>/enrol/", cycle_views.enrol, name="enrol"),
    path("cycles/<int:cycle_id>/remind/", cycle_views.remind, name="remind"),
    path("cycles/<int:cycle_id>/phase/", cycle_views.move_phase, name="move-phase"),
    path("assessments/<int:pk>/extend/", cycle_views.extend, name="extend"),
    path("account/reminders/", cycle_views.my_reminders, name="my-reminders"),
]

people_patterns = [
    path("people/import/", people_views.upload, name="people-import"),
    path("people/import/<int:pk>/", people_views.report, name="people-import-report"),
    path("people/import/<int:pk>/columns/", people_views.map_columns, name="people-import-map"),
    path("people/import/<int:pk>/confirm/", people_views.confirm, name="people-import-confirm"),
    path("people/import/<int:pk>/invite/", people_views.invite, name="people-import-invite"),
]

peer_patterns = [
    path("assessments/<int:pk>/peers/", peer_views.peer_list, name="peers"),
    path("assessments/<int:pk>/peers/add/", peer_views.add, name="peers-add"),
    path("assessments/<int:pk>/peers/approve/", peer_views.approve_all, name="peers-approve-all"),
    path("assessments/<int:pk>/peers/reports/", peer_views.ask_reports, name="peers-ask-reports"),
    path(
        "assessments/<int:pk>/peers/<int:request_id>/approve/",
        peer_views.approve,
        name="peers-approve",
    ),
    path(
        "assessments/<int:pk>/peers/<int:request_id>/remove/",
        peer_views.remove,
        name="peers-remove",
    ),
    path("peer-input/<int:request_id>/", peer_views.peer_input, name="peer-input"),
    path(
        "peer-input/<int:request_id>/areas/<int:area_id>/", peer_views.save, name="peer-input-save"
    ),
    path(
        "peer-input/<int:request_id>/behaviours/<int:behaviour_id>/",
        peer_views.save,
        name="peer-input-save-behaviour",
    ),
    path("peer-input/<int:request_id>/submit/", peer_views.submit, name="peer-input-submit"),
    path("peer-input/<int:request_id>/decline/", peer_views.decline, name="peer-input-decline"),
]

committee_membership_patterns = [
    path("committees/", committee_views.committee_list, name="committees"),
    path("committees/<int:pk>/", committee_views.committee_page, name="committee"),
    path("committees/<int:pk>/remove/", committee_views.remove_member, name="committee-remove"),
]

urlpatterns = [
    *engineer_patterns,
    *manager_patterns,
    *packet_patterns,
    *committee_patterns,
    *runner_patterns,
    *people_patterns,
    *peer_patterns,
    *committee_membership_patterns,
]

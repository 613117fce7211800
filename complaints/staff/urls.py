"""The staff console, under /staff/."""

from django.urls import path
from django.views.generic import RedirectView

from complaints.staff.views import (
    alerts,
    case_file,
    complaint,
    desk,
    letters,
    log_contact,
    queue,
    reports,
    triage,
)

app_name = "staff"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="staff:queue", permanent=False), {"queue": "mine"}),
    path("queue/<str:queue>/", queue.queue_view, name="queue"),
    path("bulk-assign/", queue.bulk_assign, name="bulk_assign"),
    path("breaches/", desk.breach_board_view, name="breach_board"),
    path("letters/to-post/", desk.letters_to_post_view, name="letters_to_post"),
    path("letters/<int:letter_id>/posted/", desk.letter_posted, name="letter_posted"),
    path("dashboard/", reports.dashboard, name="dashboard"),
    path("reports/", reports.reports, name="reports"),
    path("reports/figures.csv", reports.figures_csv, name="figures_csv"),
    path("reports/summary.pdf", reports.summary_pdf, name="summary_pdf"),
    path("reports/complaints.csv", reports.complaints_csv, name="complaints_csv"),
    path("reports/quarterly.csv", reports.quarterly_csv, name="quarterly_csv"),
    path(
        "complaints/<str:reference>/case-file.pdf",
        case_file.case_file_pdf_view,
        name="case_file_pdf",
    ),
    path(
        "complaints/<str:reference>/case-file.zip",
        case_file.case_file_zip_view,
        name="case_file_zip",
    ),
    path("complaints/<str:reference>/", complaint.complaint_view, name="complaint"),
    path("complaints/<str:reference>/act/<str:action>/", complaint.complaint_act, name="act"),
    path(
        "complaints/<str:reference>/attachments/<int:attachment_id>/",
        complaint.attachment_download,
        name="attachment",
    ),
    path("log/<str:channel>/", log_contact.log_contact, name="log"),
    path("alerts/", alerts.alerts_view, name="alerts"),
    path("alerts/read/", alerts.alerts_mark_read, name="alerts_read"),
    path("triage/", triage.triage_view, name="triage"),
    path("triage/<int:inbound_id>/confirm/", triage.triage_confirm, name="triage_confirm"),
    path("triage/<int:inbound_id>/discard/", triage.triage_discard, name="triage_discard"),
    path(
        "complaints/<str:reference>/letters/<int:letter_id>/",
        letters.staff_letter,
        name="letter",
    ),
]

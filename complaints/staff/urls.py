"""The staff console, under /staff/."""

from django.urls import path
from django.views.generic import RedirectView

from complaints.staff.views import alerts, complaint, letters, log_contact, queue

app_name = "staff"
urlpatterns = [
    path("", RedirectView.as_view(pattern_name="staff:queue", permanent=False), {"queue": "mine"}),
    path("queue/<str:queue>/", queue.queue_view, name="queue"),
    path("bulk-assign/", queue.bulk_assign, name="bulk_assign"),
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
    path(
        "complaints/<str:reference>/letters/<int:letter_id>/",
        letters.staff_letter,
        name="letter",
    ),
]

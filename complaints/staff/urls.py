"""The staff console, under /staff/."""

from django.urls import path
from django.views.generic import RedirectView

from complaints.staff.views import complaint, letters, log_contact, queue, triage

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
    path("triage/", triage.triage_view, name="triage"),
    path("triage/<int:inbound_id>/confirm/", triage.triage_confirm, name="triage_confirm"),
    path("triage/<int:inbound_id>/discard/", triage.triage_discard, name="triage_discard"),
    path(
        "complaints/<str:reference>/letters/<int:letter_id>/",
        letters.staff_letter,
        name="letter",
    ),
]

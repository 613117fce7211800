"""/api/v1/ routes. Each resource is a thin view module; the lifecycle actions are generated
(views/actions.py). To add a resource, add its view module and one `path` here."""

from __future__ import annotations

from django.urls import path, re_path

from complaints.api.views import alerts, codes, complaints, customers, timeline, triage
from complaints.api.views.actions import action_urlpatterns
from complaints.api.views.common import NotFoundView

app_name = "api"

urlpatterns = [
    path("complaints/", complaints.ComplaintListView.as_view(), name="complaint-list"),
    path(
        "complaints/<str:reference>/",
        complaints.ComplaintDetailView.as_view(),
        name="complaint-detail",
    ),
    path(
        "complaints/<str:reference>/timeline/",
        timeline.TimelineView.as_view(),
        name="complaint-timeline",
    ),
    path(
        "complaints/<str:reference>/letters/",
        timeline.LetterListView.as_view(),
        name="complaint-letters",
    ),
    path(
        "complaints/<str:reference>/letters/<int:letter_id>/download/",
        timeline.LetterDownloadView.as_view(),
        name="complaint-letter-download",
    ),
    *action_urlpatterns(),
    path("customers/", customers.CustomerListView.as_view(), name="customer-list"),
    path("customers/<int:pk>/", customers.CustomerDetailView.as_view(), name="customer-detail"),
    path("codes/", codes.CodeListView.as_view(), name="code-list"),
    path("codes/<slug:slug>/versions/", codes.CodeVersionListView.as_view(), name="code-versions"),
    path(
        "code-versions/<int:pk>/draft/",
        codes.CodeVersionDraftView.as_view(),
        name="code-version-draft",
    ),
    path(
        "code-versions/<int:pk>/publish/",
        codes.CodeVersionPublishView.as_view(),
        name="code-version-publish",
    ),
    path("deadlines/", codes.DeadlinesView.as_view(), name="deadlines"),
    path("triage/", triage.TriageListView.as_view(), name="triage-list"),
    path("triage/<int:pk>/confirm/", triage.TriageConfirmView.as_view(), name="triage-confirm"),
    path("triage/<int:pk>/discard/", triage.TriageDiscardView.as_view(), name="triage-discard"),
    path("alerts/", alerts.AlertListView.as_view(), name="alert-list"),
    path("alerts/read/", alerts.AlertMarkReadView.as_view(), name="alert-mark-read"),
    path("simulate/", alerts.SimulateView.as_view(), name="simulate"),
    # Last: whatever no route above matches is the API's JSON 404.
    re_path(r"", NotFoundView.as_view(), name="not-found"),
]

"""The case's models, one module per part; every model is imported here, so Django registers
them with the complaints app and `from complaints.models import Complaint` works everywhere.

    customers     Customer and the choices of how to reach them and what support they need
    complaint     Complaint (facts, status, clocks, the queues' indexes), RootCause, Department
    records       TimelineEvent and AuditEntry (append-only)
    documents     Attachment, WebSubmission (the form's write-ahead), Letter
    staff         StaffProfile (a person's team), StaffAlert
    integrations  ApiToken, InboundEmail
    reports       the dashboard's rollups, kept by triggers (migrations 0018, 0021: pending
                  changes, folded by complaints.rollups)

The abuse guards' tables live beside the code they guard (complaints/guards.py). Models hold
fields, constraints, indexes and tiny derived properties; rules live in complaints/services.py.
"""

from complaints.guards import FormTokenUse, RateCounter
from complaints.lifecycle import OPEN_STATUSES, Status
from complaints.models.complaint import NEXT_DUE_LABELS, Complaint, Department, RootCause
from complaints.models.customers import ContactMethod, Customer, VulnerabilityFlag
from complaints.models.documents import (
    Attachment,
    Letter,
    WebSubmission,
    _attachment_path,
    _letter_path,
)
from complaints.models.integrations import ApiToken, InboundEmail
from complaints.models.records import AuditEntry, TimelineEvent
from complaints.models.reports import (
    ReportBankHoliday,
    ReportClock,
    ReportOpen,
    ReportPending,
    ReportReceived,
    ReportResolved,
    ReportRootCause,
)
from complaints.models.staff import StaffAlert, StaffProfile

__all__ = [
    "NEXT_DUE_LABELS",
    # The lifecycle's, offered here as the single models module always did.
    "OPEN_STATUSES",
    "Status",
    "ApiToken",
    "Attachment",
    "AuditEntry",
    "Complaint",
    "ContactMethod",
    "Customer",
    "Department",
    "FormTokenUse",
    "InboundEmail",
    "Letter",
    "RateCounter",
    "ReportBankHoliday",
    "ReportClock",
    "ReportOpen",
    "ReportPending",
    "ReportReceived",
    "ReportResolved",
    "ReportRootCause",
    "RootCause",
    "StaffAlert",
    "StaffProfile",
    "TimelineEvent",
    "VulnerabilityFlag",
    "WebSubmission",
    # The upload paths: migrations 0004 and 0008 name them as complaints.models._*_path.
    "_attachment_path",
    "_letter_path",
]

"""A complaint's append-only records: its timeline and the audit trail (PostgreSQL refuses
UPDATE and DELETE on both: migrations 0002 and 0005)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from complaints.models.complaint import Complaint


class TimelineEvent(models.Model):
    """Append-only: PostgreSQL refuses UPDATE and DELETE on this table (see migration 0002)."""

    class Kind(models.TextChoices):
        LOGGED = "logged", "Complaint logged"
        CALL = "call", "Phone call"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        NOTE = "note", "Note"
        TECHNICAL_REPORT = "technical_report", "Technical report"
        THIRD_PARTY = "third_party", "Third-party correspondence"
        STATUS_CHANGE = "status_change", "Status change"
        CLOCK_CHANGE = "clock_change", "Clock change"
        IDENTITY_CHECK = "identity_check", "Identity check"
        UPDATE = "update", "Update to the customer"
        FINDINGS = "findings", "Findings"
        RESOLUTION = "resolution", "Resolution"
        ASSIGNMENT = "assignment", "Assignment"
        ESCALATION = "escalation", "Escalation"
        NOTIFICATION = "notification", "Notification"
        REMINDER = "reminder", "Reminder"
        BREACH = "breach", "Breach"
        REFER_BY = "refer_by", "Ombudsman window closed"
        ANONYMISED = "anonymised", "Anonymised"

    class Visibility(models.TextChoices):
        INTERNAL = "internal", "Internal"
        CUSTOMER = "customer", "Customer-visible"

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(help_text="When it happened (a call may be logged later).")
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Sweeps and deliveries record each event once, however often they run.
    # NULL (not "") so the partial unique constraint ignores events without a key.
    dedupe_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="timeline_event_dedupe",
            )
        ]
        indexes = [
            # Complaint page: a complaint's events in order.
            models.Index(fields=["complaint", "occurred_at", "id"], name="timeline_complaint_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.summary}"


class AuditEntry(models.Model):
    """Who changed what, before and after. Append-only like the timeline (migration trigger)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    object_type = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=64)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "audit entries"
        indexes = [
            # Complaint page / customer history: one object's entries in order.
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} {self.action}"

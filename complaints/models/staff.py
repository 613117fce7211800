"""Staff-facing rows: which team a member of staff is in, and their in-app alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from complaints.models.complaint import Complaint, Department


class StaffProfile(models.Model):
    """Which team a member of staff works in: their department's complaints are "my team's"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    department = models.CharField(max_length=16, choices=Department.choices)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_department_display()})"


class StaffAlert(models.Model):
    """An in-app alert to one member of staff about one clock event on one complaint.

    One row per (person, event): the dedupe key names the event (e.g. `breach:respond_by:<due>`),
    so however often a sweep runs, a person is alerted once. The email copy goes through the
    outbox with the same key.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        BREACH = "breach", "Breach"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_alerts"
    )
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="staff_alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    clock = models.CharField(max_length=32)
    due_at = models.DateTimeField()
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=120)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="staff_alert_once"),
        ]
        indexes = [
            # The bell: selectors.alerts.staff_alert_unread_count(user).
            models.Index(
                fields=["user", "created_at"],
                condition=Q(read_at__isnull=True),
                name="staff_alert_unread_idx",
            ),
            # The alerts page: selectors.alerts.staff_alerts_for(user), newest first.
            models.Index(fields=["user", "-created_at", "-id"], name="staff_alert_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.clock} {self.complaint_id}"

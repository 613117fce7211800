"""The outbox: one row per message, written in the business transaction, delivered after commit."""

from django.db import models
from django.db.models import Q


class OutboxMessage(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    recipient = models.CharField(max_length=254)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    template = models.CharField(
        max_length=100, help_text="Name under templates/notifications/email/."
    )
    context = models.JSONField(default=dict, blank=True)
    attachments = models.JSONField(
        default=list, blank=True, help_text="Files under MEDIA_ROOT: [{path, filename, mimetype}]."
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outbox_messages",
    )
    state = models.CharField(max_length=16, choices=State.choices, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Sends started (counted as each starts, so a crash still counts)."
    )
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    next_attempt_at = models.DateTimeField(
        null=True, blank=True, help_text="Earliest time the re-queue sweep may send it again."
    )
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # outbox_requeue_stale (beat): unsent rows whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["queued", "sending"]),
                name="outbox_unsent_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.template} → {self.recipient} ({self.state})"

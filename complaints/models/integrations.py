"""What connects Redress to a provider's other systems: API tokens and inbound email.

Their own module so the integrations can grow without touching the case's core models;
complaints/models/__init__.py imports them so Django registers them with the complaints app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class ApiToken(models.Model):
    """One integration's key. Only the SHA-256 of the key is stored: the key itself is shown
    once, when it is made, and cannot be read back."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="Which integration uses it (e.g. CRM).")
    prefix = models.CharField(max_length=12, help_text="The key's first characters, to tell it.")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class InboundEmail(models.Model):
    """One message as it reached us, stored before it is parsed (write-ahead): whatever fails
    later, the raw bytes are here and an admin can see them."""

    class State(models.TextChoices):
        RECEIVED = "received", "Received, not yet processed"
        TRIAGE = "triage", "New complaint awaiting triage"
        CONFIRMED = "confirmed", "Confirmed as a complaint"
        DISCARDED = "discarded", "Discarded at triage (message kept)"
        REPLY = "reply", "Customer reply on a complaint"
        IGNORED = "ignored", "Bounce or auto-reply: no complaint"
        DUPLICATE = "duplicate", "Duplicate Message-ID: already processed"
        FAILED = "failed", "Could not be parsed: needs an admin"

    received_at = models.DateTimeField(help_text="When the message arrived.")
    source = models.CharField(max_length=16, default="stdin", help_text="stdin or imap.")
    raw = models.BinaryField(help_text="The RFC 5322 message exactly as received.")
    sha256 = models.CharField(max_length=64)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    message_id = models.CharField(max_length=998, blank=True)
    # Set only on the one message that was processed for its Message-ID: the unique
    # constraint makes a second delivery of the same message a duplicate, even in a race.
    dedupe_key = models.CharField(max_length=998, null=True, blank=True)  # noqa: DJ001
    from_address = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    complaint = models.ForeignKey(
        "complaints.Complaint",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inbound_emails",
    )
    note = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    triaged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="inbound_email_message_once",
            )
        ]
        indexes = [
            # The triage queue (selectors.triage.triage_queue) and the admin's "failed" list.
            models.Index(
                fields=["state", "received_at"],
                condition=Q(state__in=["triage", "failed", "received"]),
                name="inbound_email_work_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.from_address} ({self.state})"

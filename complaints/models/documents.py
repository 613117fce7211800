"""What a complaint keeps on file: attachments, the public form's write-ahead submissions and
the letters we sent (each exact PDF with its hash)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from complaints.models.complaint import Complaint
from complaints.models.records import TimelineEvent
from escalation.choices import LetterReason


def _attachment_path(instance: Attachment, filename: str) -> str:
    import secrets

    # Never the customer's filename on disk: it is kept in original_name for display.
    return f"attachments/{instance.complaint_id}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A scan, .eml or document. Stored under MEDIA_ROOT (outside the web root), served only
    through a view that checks who is asking."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        TimelineEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class WebSubmission(models.Model):
    """Every public form POST, written before anything else is tried: whatever fails later
    (validation aside), the customer's words are here and staff can recover them."""

    class State(models.TextChoices):
        RECEIVED = "received", "Received, not yet processed"
        ACCEPTED = "accepted", "Logged as a complaint"
        HELD = "held", "Held for review (rate limit)"
        SPAM = "spam", "Held for review (honeypot)"
        FAILED = "failed", "Failed while logging: needs a person"

    received_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    email = models.EmailField(blank=True)
    client_key = models.CharField(max_length=64, help_text="Hash of the sender's IP address.")
    payload = models.JSONField(default=dict)
    files = models.JSONField(default=list, blank=True)
    complaint = models.OneToOneField(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="web_submission"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # Admin review of held / failed submissions.
            models.Index(
                fields=["state", "received_at"],
                condition=~Q(state="accepted"),
                name="websubmission_review_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.email} ({self.state})"


def _letter_path(instance: Letter, filename: str) -> str:
    import secrets

    return f"letters/{instance.complaint_id}/{secrets.token_hex(16)}.pdf"


class Letter(models.Model):
    """A letter we sent, kept as the exact PDF with its hash (Ofcom record keeping)."""

    class Kind(models.TextChoices):
        DEADLOCK = "deadlock", "Deadlock letter"
        ADR = "adr", "ADR letter"

    class State(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Waiting for a manager's approval"
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed to render"

    class Delivery(models.TextChoices):
        EMAIL = "email", "Emailed"
        POST = "post", "By post"

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    reason = models.CharField(
        max_length=16,
        choices=LetterReason.choices,
        blank=True,
        help_text="Why this ADR letter was written: the ADR period, or deadlock.",
    )
    large_print = models.BooleanField(default=False, help_text="Rendered in large print.")
    dated = models.DateField()
    body = models.TextField(help_text="Our words in the letter (the final position).")
    context = models.JSONField(default=dict, help_text="Everything the PDF was rendered from.")
    pdf = models.FileField(upload_to=_letter_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # How it reached the customer: set when it is sent; a posted letter records the day.
    delivery = models.CharField(max_length=8, choices=Delivery.choices, blank=True)
    posted_on = models.DateField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "kind", "dated"], name="letter_once_a_day")
        ]
        indexes = [
            # Staff "to post" list: ready letters for the post that nobody has posted yet.
            models.Index(
                fields=["created_at"],
                condition=Q(delivery="post", posted_on__isnull=True),
                name="letter_to_post_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dated:%d %b %Y}"

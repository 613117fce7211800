"""Render and send one outbox row. Runs in the worker, never inside a business transaction."""

from __future__ import annotations

import datetime
import hashlib
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import OutboxMessage

MAX_ATTEMPTS = 5


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8… minutes, capped at an hour."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def claim_timeout() -> datetime.timedelta:
    """How long a worker may hold a row in "sending" before the sweep assumes it died."""
    return datetime.timedelta(seconds=float(getattr(settings, "REDRESS_OUTBOX_CLAIM_SECONDS", 600)))


def message_id(message: OutboxMessage) -> str:
    """The row's Message-ID: the same on every attempt, so if a worker dies after the mail
    server accepted the message, the re-send is recognised as the same email downstream."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "redress.localhost"
    digest = hashlib.sha256(message.idempotency_key.encode()).hexdigest()[:20]
    return f"<outbox.{message.pk}.{digest}@{domain}>"


def message_render(message: OutboxMessage) -> EmailMultiAlternatives:
    context = dict(message.context)
    base = f"notifications/email/{message.template}"
    subject = render_to_string(f"{base}.subject.txt", context).strip().replace("\n", " ")
    text = render_to_string(f"{base}.txt", context)
    html = render_to_string(f"{base}.html", context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[message.recipient],
        # Every message we send is machine-made (RFC 3834): well-behaved auto-responders do
        # not answer it, so an acknowledgement never starts a mail loop with one. The stable
        # Message-ID lets a receiving system drop the copy a crashed worker re-sends.
        headers={"Auto-Submitted": "auto-generated", "Message-ID": message_id(message)},
    )
    email.attach_alternative(html, "text/html")
    media_root = Path(settings.MEDIA_ROOT).resolve()
    for item in message.attachments:
        path = (media_root / item["path"]).resolve()
        if media_root not in path.parents:
            raise ValueError(f"attachment outside the media root: {item['path']}")
        email.attach(item.get("filename", path.name), path.read_bytes(), item.get("mimetype"))
    return email


def message_claim(message_id: int) -> OutboxMessage | None:
    """Compare-and-set queued → sending so two workers never send the same row.

    The attempt is counted here, as it starts: a worker killed after the mail server took the
    message still leaves "1 attempt" behind, and the re-send is counted as the second. The
    re-queue sweep may take the row back once `REDRESS_OUTBOX_CLAIM_SECONDS` have passed.
    """
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, state__in=[OutboxMessage.State.QUEUED]
    ).update(
        state=OutboxMessage.State.SENDING,
        attempts=F("attempts") + 1,
        last_attempt_at=now,
        # If this worker dies mid-send the sweep may retry after this point.
        next_attempt_at=now + claim_timeout(),
        updated_at=now,
    )
    return OutboxMessage.objects.get(pk=message_id) if claimed else None

"""Render and send one outbox row. Runs in the worker, never inside a business transaction."""

from __future__ import annotations

import datetime
from pathlib import Path

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone

from notifications.models import OutboxMessage

MAX_ATTEMPTS = 5


def backoff(attempts: int) -> datetime.timedelta:
    """1, 2, 4, 8… minutes, capped at an hour."""
    return datetime.timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


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
        # not answer it, so an acknowledgement never starts a mail loop with one.
        headers={"Auto-Submitted": "auto-generated"},
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
    """Compare-and-set queued → sending so two workers never send the same row."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(
        pk=message_id, state__in=[OutboxMessage.State.QUEUED]
    ).update(
        state=OutboxMessage.State.SENDING,
        # If this worker dies mid-send the sweep may retry after this point.
        next_attempt_at=now + datetime.timedelta(minutes=10),
        updated_at=now,
    )
    return OutboxMessage.objects.get(pk=message_id) if claimed else None

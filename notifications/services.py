"""Writing to the outbox. Call inside the business transaction; delivery starts after commit."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from notifications.db import insert_unless_conflict
from notifications.listeners import DeliveryEvent, delivery_announce
from notifications.models import OutboxMessage
from notifications.tasks import dispatch

__all__ = ["dispatch", "notification_enqueue"]


def notification_enqueue(
    *,
    recipient: str,
    template: str,
    context: dict[str, Any],
    idempotency_key: str,
    # The complaint the message is about, if any (the row's foreign key; listeners read it).
    complaint: Any = None,
    attachments: Sequence[dict[str, str]] = (),
) -> OutboxMessage:
    """Write one outbox row (once per idempotency key) and hand it to a worker on commit.

    If the broker is down at commit time the row stays queued and `outbox_requeue_stale`
    picks it up, so a message is never lost between the database and the broker.
    """
    message = OutboxMessage(
        idempotency_key=idempotency_key,
        recipient=recipient,
        template=template,
        context=context,
        attachments=list(attachments),
        complaint=complaint,
        next_attempt_at=timezone.now() + datetime.timedelta(minutes=2),
    )
    # One INSERT ... ON CONFLICT DO NOTHING, not get_or_create's SELECT, SAVEPOINT, INSERT,
    # RELEASE: the key is almost always new (issue 11). Taken already: that row is the message.
    created = insert_unless_conflict(message)
    if not created:
        message = OutboxMessage.objects.get(idempotency_key=idempotency_key)
    if created:
        transaction.on_commit(lambda: dispatch(message.pk))
        delivery_announce(
            DeliveryEvent(
                message=message,
                state="queued",
                summary=f"Email queued to {recipient}: {template.replace('_', ' ')}",
                occurred_at=message.created_at,
                # Announced only when the row is created, so no dedupe key (and no savepoint).
                data={"outbox_id": message.pk, "state": "queued"},
            )
        )
    return message

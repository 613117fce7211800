"""Writing to the outbox. Call inside the business transaction; delivery starts after commit."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from notifications.db import insert_unless_conflict
from notifications.listeners import DeliveryEvent, delivery_announce
from notifications.models import OutboxMessage
from notifications.tasks import dispatch, dispatch_many

__all__ = ["dispatch", "notification_enqueue"]


def pickup_timeout() -> datetime.timedelta:
    """How long a new row waits for a worker before the re-queue sweep hands it over again
    (the broker was down at commit, or the process died between commit and the hand-over)."""
    return datetime.timedelta(
        seconds=float(getattr(settings, "REDRESS_OUTBOX_PICKUP_SECONDS", 120))
    )


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
        next_attempt_at=timezone.now() + pickup_timeout(),
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


def notifications_enqueue_bulk(messages: Sequence[dict[str, Any]]) -> int:
    """Many outbox rows in a constant number of queries (a sweep's batch), once per key.

    Each dict has recipient, template, context, idempotency_key and optionally complaint_id.
    Rows already there are left alone; the new ones are handed to a worker on commit. The
    "queued" state is not announced to listeners row by row (the sweep's own timeline event
    says who was told); "sent" and "failed" are, by the worker, as for every row.
    """
    if not messages:
        return 0
    keys = [m["idempotency_key"] for m in messages]
    existing = set(
        OutboxMessage.objects.filter(idempotency_key__in=keys).values_list(
            "idempotency_key", flat=True
        )
    )
    retry_at = timezone.now() + pickup_timeout()
    new = [
        OutboxMessage(
            recipient=m["recipient"],
            template=m["template"],
            context=m["context"],
            idempotency_key=m["idempotency_key"],
            complaint_id=m.get("complaint_id"),
            next_attempt_at=retry_at,
        )
        for m in {
            m["idempotency_key"]: m for m in messages if m["idempotency_key"] not in existing
        }.values()
    ]
    if not new:
        return 0
    OutboxMessage.objects.bulk_create(new, ignore_conflicts=True)
    ids = list(
        OutboxMessage.objects.filter(
            idempotency_key__in=[m.idempotency_key for m in new], state=OutboxMessage.State.QUEUED
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: dispatch_many(ids))
    return len(ids)


def outbox_redact(*, message_ids: Sequence[int]) -> int:
    """Remove the personal data (address, context, attachments) from delivered-or-not rows.

    The retention job calls it; the row (template, states, dates) stays as a statistic.
    """
    return OutboxMessage.objects.filter(pk__in=list(message_ids)).update(
        recipient="", context={}, attachments=[]
    )

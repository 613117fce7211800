"""Thin Celery tasks over the outbox (the rules are in delivery.py), and `dispatch`, which hands
a row to them. Each state a row reaches is announced to the listeners (notifications.listeners)."""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from notifications.delivery import MAX_ATTEMPTS, backoff, message_claim, message_render
from notifications.listeners import DeliveryEvent, delivery_announce
from notifications.models import OutboxMessage

log = logging.getLogger(__name__)
REQUEUE_BATCH = 500


def _announce(message: OutboxMessage, state: str, summary: str) -> None:
    delivery_announce(
        DeliveryEvent(
            message=message,
            state=state,
            summary=summary,
            occurred_at=timezone.now(),
            data={"outbox_id": message.pk, "state": state, "attempts": message.attempts},
            dedupe_key=f"outbox:{message.pk}:{state}"
            + (f":{message.attempts}" if state in ("retry", "unconfirmed") else ""),
        )
    )


def dispatch(message_id: int) -> None:
    """Hand a row to the broker; if it is down, leave the row for `outbox_requeue_stale`."""
    try:
        outbox_deliver.delay(message_id)
    except Exception as exc:  # noqa: BLE001 - broker down: the re-queue sweep will send it later
        log.warning(
            "broker unavailable (%s); outbox message %s left for the re-queue sweep",
            exc,
            message_id,
        )


def dispatch_many(message_ids: list[int]) -> None:
    """Hand many rows to one worker task (a sweep's batch): one broker message, not thousands."""
    if not message_ids:
        return
    try:
        outbox_deliver_many.delay(list(message_ids))
    except Exception as exc:  # noqa: BLE001 - broker down: the re-queue sweep will send them later
        log.warning(
            "broker unavailable (%s); %s outbox messages left for the re-queue sweep",
            exc,
            len(message_ids),
        )


@shared_task(ignore_result=True)
def outbox_deliver_many(message_ids: list[int]) -> int:
    """Deliver each row as outbox_deliver does (each claimed on its own); how many were sent."""
    return sum(outbox_deliver(pk) == "sent" for pk in message_ids)


@shared_task(ignore_result=True)
def outbox_deliver(message_id: int) -> str:
    message = message_claim(message_id)
    if message is None:
        return "skipped"  # already sent, failed for good, or another worker has it
    try:
        message_render(message).send()
    except Exception as exc:  # noqa: BLE001 - any delivery failure is recorded and retried
        return _attempt_failed(message, exc)
    now = timezone.now()
    # The state and what listeners write about it commit together: a worker killed between
    # them would otherwise leave "sent" with no timeline entry. A row the sweep took back
    # meanwhile (its claim timed out) is still this send's: the mail server took it.
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(
            pk=message.pk, state__in=[OutboxMessage.State.SENDING, OutboxMessage.State.QUEUED]
        ).update(
            state=OutboxMessage.State.SENT,
            sent_at=now,
            next_attempt_at=None,
            last_error="",
            updated_at=now,
        )
        if not updated:
            return "skipped"  # another worker's send of the same row was recorded first
        message.refresh_from_db()
        _announce(
            message,
            "sent",
            f"Email sent to {message.recipient}: {message.template.replace('_', ' ')}",
        )
    return "sent"


def _attempt_failed(message: OutboxMessage, exc: Exception) -> str:
    attempts = message.attempts  # counted when claimed (message_claim)
    final = attempts >= MAX_ATTEMPTS
    state = OutboxMessage.State.FAILED if final else OutboxMessage.State.QUEUED
    with transaction.atomic():
        updated = OutboxMessage.objects.filter(
            pk=message.pk, state=OutboxMessage.State.SENDING
        ).update(
            state=state,
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            next_attempt_at=None if final else timezone.now() + backoff(attempts),
            updated_at=timezone.now(),
        )
        log.warning("outbox %s attempt %s failed: %s", message.pk, attempts, exc)
        if not updated:
            return "skipped"  # the sweep took the row back meanwhile; it records the attempt
        message.refresh_from_db()
        if final:
            _announce(message, "failed", f"Email to {message.recipient} failed: {exc}"[:300])
        else:
            _announce(
                message, "retry", f"Email to {message.recipient} not sent yet (attempt {attempts})"
            )
    return "failed" if final else "retry"


def outbox_requeue_due(*, now: datetime.datetime, batch: int = REQUEUE_BATCH) -> int:
    """Re-send rows never picked up (broker down at commit) or stuck mid-send.

    A bounded batch per call, claimed with SKIP LOCKED so two beats never double-send.
    """
    with transaction.atomic():
        ids = list(
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(
                state__in=[OutboxMessage.State.QUEUED, OutboxMessage.State.SENDING],
                next_attempt_at__lte=now,
            )
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:batch]
        )
        # Stuck "sending" rows: the worker that claimed them stopped before it recorded what
        # the mail server said. Each such attempt is recorded as not confirmed (it may have been
        # delivered), then the row goes back to queued so outbox_deliver can claim it again.
        stuck = list(OutboxMessage.objects.filter(pk__in=ids, state=OutboxMessage.State.SENDING))
        for message in stuck:
            message.state = OutboxMessage.State.QUEUED
            message.last_error = (
                f"Attempt {message.attempts} not confirmed: the worker stopped before recording "
                "the mail server's answer (it may have been delivered; a re-send carries the "
                "same Message-ID)."
            )
            message.updated_at = now
        OutboxMessage.objects.bulk_update(stuck, ["state", "last_error", "updated_at"])
        for message in stuck:
            log.warning("outbox %s attempt %s not confirmed; sending again", message.pk,
                        message.attempts)  # fmt: skip
            _announce(
                message,
                "unconfirmed",
                f"Email to {message.recipient} not confirmed (attempt {message.attempts}): "
                "sending again with the same Message-ID"[:300],
            )
        OutboxMessage.objects.filter(pk__in=ids).update(next_attempt_at=now + backoff(1) * 5)
    for message_id in ids:
        transaction.on_commit(lambda mid=message_id: dispatch(mid))
    return len(ids)


@shared_task(ignore_result=True)
def outbox_requeue_stale() -> int:
    """Beat (through the enforcement framework too): one batch as of now."""
    return outbox_requeue_due(now=timezone.now())

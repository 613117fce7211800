"""The case's record of what happened: the one writer of timeline events and audit entries.

Every timeline event and audit entry is written here, whether one at a time (`timeline_record`,
`audit_record`) or in bulk by a sweep; both tables are append-only (PostgreSQL refuses UPDATE and
DELETE). The "clocks changed" event has one writer too (`clock_changes_record`), and the outbox's
delivery states reach a complaint's timeline through `delivery_record`, which
`ComplaintsConfig.ready()` registers with the outbox (notifications knows nothing of complaints).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import Model

from complaints.models import AuditEntry, Complaint, Customer, TimelineEvent
from notifications.listeners import DeliveryEvent


def _actor(by: AbstractBaseUser | None) -> AbstractBaseUser | None:
    return by if by is not None and by.is_authenticated else None


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def timeline_record(
    *,
    complaint: Complaint,
    kind: str,
    summary: str,
    occurred_at: datetime.datetime,
    author: AbstractBaseUser | None = None,
    visibility: str = TimelineEvent.Visibility.INTERNAL,
    body: str = "",
    data: dict[str, Any] | None = None,
    dedupe_key: str | None = None,
) -> TimelineEvent | None:
    """Append one event. With a dedupe_key, a second call records nothing and returns None."""
    event = TimelineEvent(
        complaint=complaint,
        kind=kind,
        summary=summary[:300],
        occurred_at=occurred_at,
        author=_actor(author),
        visibility=visibility,
        body=body,
        data=data or {},
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        event.save()
        return event
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        return None
    return event


def timeline_record_bulk(events: Iterable[TimelineEvent]) -> None:
    """A sweep's events for many complaints in one query; a repeated dedupe_key is skipped."""
    TimelineEvent.objects.bulk_create(list(events), ignore_conflicts=True)


def clock_changes_record(
    *,
    complaint: Complaint,
    changes: dict[str, tuple[Any, Any]],
    now: datetime.datetime,
    by: AbstractBaseUser | None,
    reason: str = "",
) -> None:
    """The "clocks changed" event: which clocks moved, from what to what (nothing if none)."""
    if not changes:
        return
    timeline_record(
        complaint=complaint,
        kind=TimelineEvent.Kind.CLOCK_CHANGE,
        summary="Clocks changed: " + ", ".join(changes),
        occurred_at=now,
        author=by,
        body=reason,
        data={name: [_iso(a), _iso(b)] for name, (a, b) in changes.items()},
    )


def audit_record(
    *,
    by: AbstractBaseUser | None,
    now: datetime.datetime,
    obj: Complaint | Customer | Model,
    action: str,
    changes: dict[str, Any],
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=_actor(by),
        at=now,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        action=action,
        changes=changes,
    )


def audit_record_bulk(entries: Iterable[AuditEntry]) -> None:
    """A sweep's audit entries for many complaints in one query."""
    AuditEntry.objects.bulk_create(entries)


def delivery_record(event: DeliveryEvent) -> None:
    """Show an outbox row's delivery state on its complaint's timeline (outbox listener)."""
    message = event.message
    if message.complaint_id is None:
        return
    timeline_record(
        complaint=message.complaint,
        kind=TimelineEvent.Kind.NOTIFICATION,
        summary=event.summary,
        occurred_at=event.occurred_at,
        data=event.data,
        dedupe_key=event.dedupe_key,
    )

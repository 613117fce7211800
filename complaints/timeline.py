"""The case's record of what happened: the one writer of timeline events and audit entries.

Every timeline event and audit entry is written here, whether one at a time (`timeline_record`,
`audit_record`) or in bulk by a sweep; both tables are append-only (PostgreSQL refuses UPDATE and
DELETE). The "clocks changed" event has one writer too (`clock_changes_record`), and the outbox's
delivery states reach a complaint's timeline through `delivery_record`, which
`ComplaintsConfig.ready()` registers with the outbox (notifications knows nothing of complaints).
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Model
from django.utils import timezone

from complaints.bulk import rows_insert
from complaints.models import AuditEntry, Complaint, Customer, TimelineEvent
from notifications.listeners import DeliveryEvent

# Events and entries recorded inside `records_batched()`, waiting to be written together.
_pending: contextvars.ContextVar[tuple[list[TimelineEvent], list[AuditEntry]] | None] = (
    contextvars.ContextVar("complaints_timeline_pending", default=None)
)


@contextlib.contextmanager
def records_batched() -> Iterator[None]:
    """Write the timeline events and audit entries recorded inside as one INSERT per table when
    the block ends (a complaint's creation writes three events and two entries: five round
    trips become two). Nested blocks join the outermost. Inside, `timeline_record` and
    `audit_record` return rows that have no pk yet, so nothing in the block may refer to one
    (an attachment's event: record it after the block); events with a dedupe_key are written
    at once, as they must be to be skipped. If the block raises, what it recorded is dropped.
    """
    pending = _pending.get()
    if pending is not None:  # joining an outer batch
        events, entries = len(pending[0]), len(pending[1])
        try:
            yield
        except BaseException:
            del pending[0][events:], pending[1][entries:]
            raise
        return
    pending = ([], [])
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    if pending[0]:
        TimelineEvent.objects.bulk_create(pending[0])
    if pending[1]:
        AuditEntry.objects.bulk_create(pending[1])


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
        pending = _pending.get()
        if pending is not None:
            pending[0].append(event)
        else:
            event.save()
        return event
    try:
        with transaction.atomic():
            event.save()
    except IntegrityError:
        return None
    return event


def timeline_record_bulk(events: Iterable[TimelineEvent]) -> None:
    """A sweep's events for many complaints in one query; a repeated dedupe_key is skipped.

    One statement however many (complaints.bulk.rows_insert).
    """
    now = timezone.now()
    rows_insert(
        "complaints_timelineevent",
        [("complaint_id", "bigint"), ("kind", "text"), ("visibility", "text"),
         ("author_id", "integer"), ("occurred_at", "timestamptz"), ("created_at", "timestamptz"),
         ("summary", "text"), ("body", "text"), ("data", "jsonb"), ("dedupe_key", "text")],
        [(e.complaint_id, str(e.kind), str(e.visibility), e.author_id, e.occurred_at, now,
          e.summary[:300], e.body, json.dumps(e.data or {}, cls=DjangoJSONEncoder), e.dedupe_key)
         for e in events],
        skip_conflicts=True,
    )  # fmt: skip


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
    entry = AuditEntry(
        actor=_actor(by),
        at=now,
        object_type=obj._meta.model_name,
        object_id=obj.pk,
        action=action,
        changes=changes,
    )
    pending = _pending.get()
    if pending is not None:
        pending[1].append(entry)
    else:
        entry.save()
    return entry


def audit_record_bulk(entries: Iterable[AuditEntry]) -> None:
    """A sweep's audit entries for many complaints in one query (unnest, as above)."""
    rows_insert(
        "complaints_auditentry",
        [("actor_id", "integer"), ("at", "timestamptz"), ("object_type", "text"),
         ("object_id", "bigint"), ("action", "text"), ("changes", "jsonb")],
        [(e.actor_id, e.at, e.object_type, e.object_id, e.action,
          json.dumps(e.changes or {}, cls=DjangoJSONEncoder)) for e in entries],
    )  # fmt: skip


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

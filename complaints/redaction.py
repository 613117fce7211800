"""Anonymisation: the ONE rewrite of the append-only timeline and audit trail the database permits.

PostgreSQL refuses UPDATE and DELETE on both tables (complaints migrations 0003, 0005, 0009)
except an UPDATE of the personal-text columns only (timeline: summary, body, data; audit:
changes) inside a transaction that sets `redress.timeline_rewrite`. Only `complaints_anonymise`
sets it, with SET LOCAL, so it ends with the transaction; every run is itself audited.

Kept (statistics): dates, channel, category, nation, clocks, status, tier, outcome, the kind and
time of every event, letters' hashes. Removed: the customer's personal data (unless another of
their complaints is still within retention), the complaint's free text, attachments, timeline
and audit text, letters' PDFs and words, and the outbox's addresses and contents.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Case, CharField, JSONField, Value, When

from complaints.models import (
    Attachment,
    AuditEntry,
    Complaint,
    Customer,
    Letter,
    TimelineEvent,
    WebSubmission,
)
from complaints.timeline import audit_record_bulk, timeline_record_bulk
from notifications.models import OutboxMessage
from notifications.services import outbox_redact

ANONYMISED = "Anonymised"
# Events whose summary may carry words from or about the customer: it becomes the kind's label.
# Status, clock, escalation, breach, reminder and refer-by events keep their (system) words.
_FREE_TEXT_KINDS = [
    TimelineEvent.Kind.CALL,
    TimelineEvent.Kind.EMAIL,
    TimelineEvent.Kind.LETTER,
    TimelineEvent.Kind.NOTE,
    TimelineEvent.Kind.TECHNICAL_REPORT,
    TimelineEvent.Kind.THIRD_PARTY,
    TimelineEvent.Kind.IDENTITY_CHECK,
    TimelineEvent.Kind.UPDATE,
    TimelineEvent.Kind.FINDINGS,
    TimelineEvent.Kind.RESOLUTION,
    TimelineEvent.Kind.NOTIFICATION,
    TimelineEvent.Kind.ASSIGNMENT,
]
_COMPLAINT_TEXT_KEYS = ["summary", "details", "agreed_next_step", "resolution_summary"]
_CUSTOMER_KEYS = [
    "name",
    "email",
    "phone",
    "address",
    "postcode",
    "account_reference",
    "vulnerability_flags",
    "vulnerability_notes",
]


def _rewrite_allowed() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL redress.timeline_rewrite = 'on'")


def _rewrite_done() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL redress.timeline_rewrite = 'off'")


def complaints_anonymise(*, complaint_ids: Sequence[int], now: datetime.datetime) -> int:
    """Anonymise these (locked, closed) complaints in a constant number of queries."""
    ids = list(complaint_ids)
    if not ids:
        return 0
    with transaction.atomic():
        customer_ids = set(
            Complaint.objects.filter(pk__in=ids).values_list("customer_id", flat=True)
        )
        # A customer with another complaint not yet anonymised keeps their record.
        keep = set(
            Complaint.objects.filter(customer_id__in=customer_ids, anonymised_at__isnull=True)
            .exclude(pk__in=ids)
            .values_list("customer_id", flat=True)
        )
        gone = sorted(customer_ids - keep)
        done = Complaint.objects.filter(pk__in=ids, anonymised_at__isnull=True).update(
            summary=ANONYMISED, details="", agreed_next_step="", resolution_summary="",
            anonymised_at=now,
        )  # fmt: skip
        Customer.objects.filter(pk__in=gone).update(
            name="Anonymised customer", email="", phone="", address="", postcode="",
            account_reference="", vulnerability_flags=[], vulnerability_notes="",
            portal_user=None, anonymised_at=now,
        )  # fmt: skip
        files = list(
            Attachment.objects.filter(complaint_id__in=ids)
            .exclude(file="")
            .values_list("file", flat=True)
        )
        files += list(
            Letter.objects.filter(complaint_id__in=ids)
            .exclude(pdf="")
            .values_list("pdf", flat=True)
        )
        Attachment.objects.filter(complaint_id__in=ids).update(file="", original_name="removed")
        # The PDF goes; its SHA-256 stays as the proof of what was sent.
        Letter.objects.filter(complaint_id__in=ids).update(pdf="", body="", context={})
        WebSubmission.objects.filter(complaint_id__in=ids).update(payload={}, email="", files=[])
        outbox_redact(
            message_ids=OutboxMessage.objects.filter(complaint_id__in=ids).values_list(
                "pk", flat=True
            )
        )
        _rewrite_allowed()
        TimelineEvent.objects.filter(complaint_id__in=ids).exclude(
            kind=TimelineEvent.Kind.ANONYMISED
        ).update(
            body="",
            summary=Case(
                *[When(kind=k, then=Value(str(k.label))) for k in _FREE_TEXT_KINDS],
                default="summary",
                output_field=CharField(),
            ),
            data=Case(
                When(kind__in=_FREE_TEXT_KINDS, then=Value({}, JSONField())),
                default="data",
                output_field=JSONField(),
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE complaints_auditentry SET changes = changes - %s::text[] "
                "WHERE (object_type = 'complaint' AND object_id = ANY(%s)) "
                "OR (object_type = 'customer' AND object_id = ANY(%s))",
                [_COMPLAINT_TEXT_KEYS + _CUSTOMER_KEYS, ids, gone],
            )
        _rewrite_done()
        timeline_record_bulk(
            TimelineEvent(
                complaint_id=pk,
                kind=TimelineEvent.Kind.ANONYMISED,
                occurred_at=now,
                summary="Personal data removed after the retention period",
                dedupe_key="anonymised",
            )
            for pk in ids
        )
        audit_record_bulk(
            [AuditEntry(at=now, object_type="complaint", object_id=pk, action="anonymised",
                        changes={"redacted": ["timeline", "audit", "attachments", "letters"]})
             for pk in ids]
            + [AuditEntry(at=now, object_type="customer", object_id=pk, action="anonymised",
                          changes={"redacted": _CUSTOMER_KEYS}) for pk in gone]
        )  # fmt: skip
        transaction.on_commit(lambda: [default_storage.delete(name) for name in files])
    return done

"""Complaints and replies that arrive by email (`manage.py ingest_email`, the IMAP poller).

Write-ahead, like the web form: the raw message is stored and committed before anything reads
it, so a message that cannot be parsed (or a crash half-way) is still here for an admin. Then:

- the same Message-ID again → a duplicate, processed once (a unique key, safe in a race);
- a bounce or an auto-reply → kept, never a complaint, never acknowledged (no mail loops);
- a complaint reference from that complaint's customer's address → a customer reply
  (timeline, attachments, stops auto-close, tells the owner: customer_add_information);
- anything else → a new email complaint awaiting triage, received when the message arrived
  (effective receipt follows the code's office hours), the customer matched by address where
  possible, identity not verified, acknowledged automatically as the web form is.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F

from complaints.lifecycle import Action, TransitionRefused
from complaints.models import Complaint, Customer, TimelineEvent
from complaints.models.integrations import InboundEmail
from complaints.services import complaint_create, customer_create
from complaints.timeline import audit_record, timeline_record
from complaints.workflows.customer_actions import MAX_UPLOADS, customer_add_information
from complaints.workflows.email_parse import ParsedEmail, UnparseableEmail, email_parse
from complaints.workflows.intake import attachment_sniff, attachments_store
from complaints.workflows.transition import _transition
from complaints.workflows.web_form import summary_from
from escalation.choices import Category, Channel
from escalation.roles import AGENT, MANAGER, staff_roles

log = logging.getLogger(__name__)
State = InboundEmail.State
TEXT_LIMIT = 5000
# A Received: date older than this (relative to when we stored the message) is not trusted.
ARRIVAL_TRUST = datetime.timedelta(days=7)
TRIAGERS = frozenset({AGENT, MANAGER})


def email_receive(*, raw: bytes, now: datetime.datetime, source: str = "stdin") -> InboundEmail:
    """Store the message exactly as received, in its own committed transaction."""
    with transaction.atomic():
        return InboundEmail.objects.create(
            raw=raw, sha256=hashlib.sha256(raw).hexdigest(), received_at=now, source=source
        )


def email_ingest(
    *,
    raw: bytes,
    now: datetime.datetime,
    source: str = "stdin",
    arrived_at: datetime.datetime | None = None,
) -> InboundEmail:
    """Store, then process; whatever goes wrong, the stored message remains (state failed)."""
    inbound = email_receive(raw=raw, now=arrived_at or now, source=source)
    try:
        return email_process(inbound_id=inbound.pk, now=now)
    except Exception as exc:  # noqa: BLE001 - nothing may lose the message
        log.exception("inbound email %s could not be processed", inbound.pk)
        InboundEmail.objects.filter(pk=inbound.pk, state=State.RECEIVED).update(
            state=State.FAILED, note=f"Processing failed: {exc!r}"[:2000], processed_at=now
        )
        inbound.refresh_from_db()
        return inbound


def _settle(inbound: InboundEmail, state: str, now: datetime.datetime, note: str = "") -> None:
    inbound.state = state
    inbound.processed_at = now
    if note:
        inbound.note = note
    inbound.save()


def email_process(*, inbound_id: int, now: datetime.datetime) -> InboundEmail:
    """Process one stored message (once: a message no longer `received` is left alone)."""
    inbound = InboundEmail.objects.get(pk=inbound_id)
    if inbound.state != State.RECEIVED:
        return inbound
    try:
        parsed = email_parse(bytes(inbound.raw))
    except UnparseableEmail as exc:
        InboundEmail.objects.filter(pk=inbound.pk, state=State.RECEIVED).update(
            state=State.FAILED, note=str(exc), processed_at=now
        )
        inbound.refresh_from_db()
        return inbound
    with transaction.atomic():
        inbound = InboundEmail.objects.select_for_update().get(pk=inbound_id)
        if inbound.state != State.RECEIVED:
            return inbound
        inbound.message_id = parsed.message_id
        inbound.from_address = parsed.from_address
        inbound.subject = parsed.subject
        key = parsed.message_id or f"sha256:{inbound.sha256}"
        try:
            with transaction.atomic():
                InboundEmail.objects.filter(pk=inbound.pk).update(dedupe_key=key)
        except IntegrityError:
            first = InboundEmail.objects.filter(dedupe_key=key).values_list("pk", flat=True)
            _settle(inbound, State.DUPLICATE, now, f"Already processed as message #{first[0]}.")
            return inbound
        inbound.dedupe_key = key
        if parsed.automatic:
            _settle(inbound, State.IGNORED, now, f"Sent by a machine: {parsed.automatic}.")
            return inbound
        arrival = _arrival(parsed, inbound.received_at)
        files, skipped = _acceptable_files(parsed)
        note = (
            f"Attachments not kept as files (see the raw message): {', '.join(skipped)}."
            if skipped
            else ""
        )
        complaint = _reply_target(parsed)
        if complaint is not None:
            try:
                with transaction.atomic():
                    customer_add_information(
                        complaint_id=complaint.pk, now=now, body=_body(parsed),
                        uploads=_uploads(files[:MAX_UPLOADS]),
                    )  # fmt: skip
                inbound.complaint = complaint
                _settle(inbound, State.REPLY, now, note)
                return inbound
            except TransitionRefused:
                note = (
                    f"A reply about {complaint.reference}, which is "
                    f"{complaint.get_status_display().lower()}: logged as a new complaint. " + note
                ).strip()
        inbound.complaint = _new_complaint(parsed, files, arrival=arrival, now=now)
        _settle(inbound, State.TRIAGE, now, note)
        return inbound


def _arrival(parsed: ParsedEmail, stored_at: datetime.datetime) -> datetime.datetime:
    arrived = parsed.arrived_at
    if arrived is not None and stored_at - ARRIVAL_TRUST <= arrived <= stored_at:
        return arrived
    return stored_at


def _body(parsed: ParsedEmail) -> str:
    text = parsed.text or "(The email had no text: see its attachments.)"
    if len(text) > TEXT_LIMIT:
        text = text[: TEXT_LIMIT - 40].rstrip() + "\n… (the full message is kept)"
    return text


def _uploads(files: list[SimpleUploadedFile]) -> list[SimpleUploadedFile]:
    for upload in files:
        upload.seek(0)
    return files


def _acceptable_files(parsed: ParsedEmail) -> tuple[list[SimpleUploadedFile], list[str]]:
    """The attachments we store as files (the console's types); the rest stay in the raw."""
    kept, skipped = [], []
    for file in parsed.files:
        upload = SimpleUploadedFile(file.name, file.data, content_type=file.content_type)
        try:
            attachment_sniff(upload)
        except ValidationError:
            skipped.append(file.name)
            continue
        kept.append(upload)
    return kept, skipped


def _reply_target(parsed: ParsedEmail) -> Complaint | None:
    """The complaint a reference names, if the sender is that complaint's customer."""
    references = parsed.references()
    if not references:
        return None
    return (
        Complaint.objects.select_related("customer")
        .filter(reference__in=references, customer__email__iexact=parsed.from_address)
        .exclude(customer__email="")
        .order_by("-received_at")
        .first()
    )


def _customer_for(parsed: ParsedEmail, now: datetime.datetime) -> Customer:
    """The customer with that address (a portal account first, then the newest), or a new one."""
    found = (
        Customer.objects.filter(email__iexact=parsed.from_address)
        .order_by(F("portal_user_id").desc(nulls_last=True), "-id")
        .first()
    )
    if found is not None:
        return found
    name = parsed.from_name or parsed.from_address.split("@")[0]
    return customer_create(now=now, name=name[:200], email=parsed.from_address)


def _new_complaint(
    parsed: ParsedEmail,
    files: list[SimpleUploadedFile],
    *,
    arrival: datetime.datetime,
    now: datetime.datetime,
) -> Complaint:
    customer = _customer_for(parsed, now)
    summary = parsed.subject or summary_from(parsed.text) or "Email without a subject"
    complaint = complaint_create(
        customer=customer,
        channel=Channel.EMAIL,
        category=Category.OTHER,
        summary=summary[:200],
        details=parsed.text[:20000],
        received_at=arrival,
        first_made_at=arrival,
        now=now,
        acknowledge=True,  # the same acknowledgement service as the web form
    )
    timeline_record(
        complaint=complaint,
        kind=TimelineEvent.Kind.IDENTITY_CHECK,
        summary=f"Identity not verified: arrived by email from {parsed.from_address}",
        occurred_at=arrival,
        data={"asked": [], "passed": [], "override_reason": ""},
    )
    event = timeline_record(
        complaint=complaint,
        kind=TimelineEvent.Kind.EMAIL,
        summary=f"Email received: {parsed.subject or '(no subject)'}",
        body=parsed.text[:20000],
        visibility=TimelineEvent.Visibility.CUSTOMER,
        occurred_at=arrival,
        data={"message_id": parsed.message_id, "awaiting_triage": True},
    )
    if files:
        attachments_store(complaint=complaint, uploads=_uploads(files), by=None, event=event)
    return complaint


def _triager(by: AbstractBaseUser) -> None:
    if not (staff_roles(by) & TRIAGERS):
        raise PermissionDenied("Only agents and managers triage emailed complaints.")


def email_triage_confirm(
    *, inbound_id: int, by: AbstractBaseUser, now: datetime.datetime
) -> InboundEmail:
    """It is a complaint: it leaves the triage queue and stays in the ordinary queues."""
    _triager(by)
    with transaction.atomic():
        moved = InboundEmail.objects.filter(pk=inbound_id, state=State.TRIAGE).update(
            state=State.CONFIRMED, triaged_by=by, triaged_at=now
        )
        inbound = InboundEmail.objects.select_related("complaint").get(pk=inbound_id)
        if not moved:
            raise ValidationError(
                f"This email is no longer awaiting triage ({inbound.get_state_display().lower()})."
            )
        timeline_record(
            complaint=inbound.complaint,
            kind=TimelineEvent.Kind.NOTE,
            summary="Confirmed at triage as a complaint",
            occurred_at=now,
            author=by,
        )
        audit_record(
            by=by, now=now, obj=inbound.complaint, action="triage_confirm",
            changes={"inbound_email": [inbound.pk, State.CONFIRMED]},
        )  # fmt: skip
    return inbound


def email_triage_discard(
    *, inbound_id: int, by: AbstractBaseUser, now: datetime.datetime, reason: str
) -> InboundEmail:
    """Not a complaint (spam, misdirected): the complaint is closed, the message kept."""
    _triager(by)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this email is not a complaint."})
    with transaction.atomic():
        moved = InboundEmail.objects.filter(pk=inbound_id, state=State.TRIAGE).update(
            state=State.DISCARDED, triaged_by=by, triaged_at=now, note=reason[:2000]
        )
        inbound = InboundEmail.objects.get(pk=inbound_id)
        if not moved:
            raise ValidationError(
                f"This email is no longer awaiting triage ({inbound.get_state_display().lower()})."
            )
        # The lifecycle's system-only move (never offered in a menu): the person is recorded
        # on the event and in the audit below.
        complaint = _transition(
            complaint_id=inbound.complaint_id, action=Action.TRIAGE_DISCARD, by=None, now=now,
            expected_version=None, change=lambda c, _: [], reason=reason,
        )  # fmt: skip
        timeline_record(
            complaint=complaint,
            kind=TimelineEvent.Kind.NOTE,
            summary="Discarded at triage: not a complaint",
            body=reason,
            occurred_at=now,
            author=by,
        )
        audit_record(
            by=by, now=now, obj=complaint, action="triage_discard",
            changes={"inbound_email": [inbound.pk, State.DISCARDED], "reason": [None, reason]},
        )  # fmt: skip
    return inbound

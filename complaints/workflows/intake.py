"""Logging a complaint that reached staff by phone, letter, email or in person."""

from __future__ import annotations

import codecs
import datetime
import hashlib
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from complaints.models import Attachment, Complaint, ContactMethod, Customer, Status, TimelineEvent
from complaints.services import (
    complaint_acknowledgement_send,
    complaint_create,
    complaint_due_refresh,
)
from complaints.timeline import audit_record, timeline_record
from complaints.workflows.active_content import DOCX, active_content_refuse
from escalation.calendar import LONDON
from escalation.clocks import ClockInputs, compute_clocks
from escalation.selectors import NoCodeInForce, code_rules, code_version_in_force

# The questions an agent may ask before anything about the account is shown.
IDENTITY_QUESTIONS = {
    "full_name": "Full name",
    "postcode": "Postcode of the account address",
    "account_reference": "Account reference",
    "contact_on_file": "Email address or phone number on file",
    "last_payment": "Amount or date of the last payment",
}
IDENTITY_QUESTIONS_NEEDED = 2

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# Checked against the file's first bytes, never its name or the browser's claim.
_SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"II*\x00", "image/tiff", ".tif"),
    (b"MM\x00*", "image/tiff", ".tif"),
]


_CONTROL = frozenset(chr(c) for c in range(32)) - set("\t\n\r\f")


@dataclass(frozen=True)
class IdentityCheck:
    asked: frozenset[str] = frozenset()
    passed: frozenset[str] = frozenset()
    override_reason: str = ""

    def __post_init__(self) -> None:
        unknown = (self.asked | self.passed) - set(IDENTITY_QUESTIONS)
        if unknown:
            raise ValidationError(f"Unknown identity questions: {', '.join(sorted(unknown))}.")
        if not self.passed <= self.asked:
            raise ValidationError("A question can only be passed if it was asked.")

    @property
    def verified(self) -> bool:
        failed = self.asked - self.passed
        return len(self.passed) >= IDENTITY_QUESTIONS_NEEDED and not failed

    @property
    def satisfied(self) -> bool:
        """Verified, or explicitly overridden with a reason."""
        return self.verified or bool(self.override_reason.strip())

    def describe(self) -> str:
        if self.verified:
            return "Identity verified: " + ", ".join(
                IDENTITY_QUESTIONS[q] for q in sorted(self.passed)
            )
        failed = sorted(self.asked - self.passed)
        if not self.override_reason.strip():
            if not self.asked:
                return "Identity not checked"
            return f"Identity not verified ({len(failed)} question(s) failed)"
        return (
            "Identity check overridden"
            + (f" ({len(failed)} question(s) failed)" if failed else "")
            + f": {self.override_reason.strip()}"
        )


def identity_problem(check: IdentityCheck) -> str:
    failed = check.asked - check.passed
    if failed:
        return (
            "The caller failed a security question. Do not discuss the account unless you "
            "override the check with a reason."
        )
    return (
        f"Ask and pass at least {IDENTITY_QUESTIONS_NEEDED} security questions, or override the "
        "check with a reason."
    )


def attachment_sniff(upload: UploadedFile) -> str:
    """The content type from the file's own bytes; ValidationError for anything we don't take."""
    if upload.size is not None and upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(f"{upload.name} is larger than 10 MB.")
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    for signature, content_type, _ in _SIGNATURES:
        if head.startswith(signature):
            active_content_refuse(upload, name=upload.name, content_type=content_type)
            return content_type
    if head.startswith(b"PK\x03\x04") and upload.name.lower().endswith(".docx"):
        active_content_refuse(upload, name=upload.name, content_type=DOCX)
        return DOCX
    # An incremental decoder does not fail on a character cut in half at the end of the sample.
    try:
        text = codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        text = None
    if text is not None and any(c in _CONTROL for c in text):
        text = None  # NULs and control bytes: a binary that happens to decode, not text
    if text is not None:
        headers = text.lower()
        if any(h in headers for h in ("\nfrom:", "\nsubject:", "received:", "message-id:")) or (
            headers.startswith(("from:", "subject:", "return-path:", "mime-version:"))
        ):
            return "message/rfc822"
        return "text/plain"
    raise ValidationError(
        f"{upload.name}: only PDF, PNG, JPEG, TIFF, Word (.docx), email (.eml) or text files."
    )


def attachments_store(
    *,
    complaint: Complaint,
    uploads: list[UploadedFile],
    by: AbstractBaseUser | None,
    event: TimelineEvent | None = None,
) -> list[Attachment]:
    stored = []
    for upload in uploads:
        content_type = attachment_sniff(upload)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        attachment = Attachment(
            complaint=complaint,
            event=event,
            original_name=upload.name[:255],
            content_type=content_type,
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=by if by is not None and by.is_authenticated else None,
        )
        attachment.file.save(upload.name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


def _respond_by_preview(
    customer: Customer,
    channel: str,
    first_made_at: datetime.datetime | None,
    received_at: datetime.datetime | None,
    now: datetime.datetime,
) -> datetime.datetime | None:
    """The respond_by the governing code would set, so a promise cannot exceed it."""
    received = received_at or now
    first_made = first_made_at or received
    try:
        version = code_version_in_force(at=first_made)
    except NoCodeInForce:
        return None
    clocks = compute_clocks(
        code_rules(version),
        ClockInputs(
            channel=channel,
            received=received,
            first_made=first_made,
            nation=customer.nation,
            employees=customer.adr_employees,
        ),
    )
    return clocks.respond_by


@dataclass
class Outcome:
    """What happened on first contact."""

    resolved: bool = False
    resolution_summary: str = ""
    agreed_next_step: str = ""
    agreed_contact_method: str = ""
    promised_by: datetime.datetime | None = None


def complaint_log_contact(
    *,
    customer: Customer,
    channel: str,
    category: str,
    summary: str,
    by: AbstractBaseUser,
    now: datetime.datetime,
    identity: IdentityCheck,
    outcome: Outcome,
    details: str = "",
    department: str = "",
    first_made_at: datetime.datetime | None = None,
    received_at: datetime.datetime | None = None,
    uploads: list[UploadedFile] | None = None,
    assign_to_self: bool = True,
) -> Complaint:
    """Log a complaint with the identity check, the outcome and any attachments, atomically."""
    errors: dict[str, str] = {}
    if channel in ("phone", "in_person") and not identity.satisfied:
        errors["identity"] = identity_problem(identity)
    if outcome.resolved:
        if not outcome.resolution_summary.strip():
            errors["resolution_summary"] = "Say what was done to resolve it on first contact."
    elif channel in ("phone", "in_person"):
        if not outcome.agreed_next_step.strip():
            errors["agreed_next_step"] = "Record the course of action you agreed with the customer."
        if outcome.agreed_contact_method not in ContactMethod.values:
            errors["agreed_contact_method"] = "Record how we agreed to keep in touch."
        if outcome.promised_by is None:
            errors["promised_by"] = "Record the timescale you gave the customer."
        elif outcome.promised_by <= now:
            errors["promised_by"] = "The timescale you gave must be in the future."
        elif not errors:
            window = _respond_by_preview(customer, channel, first_made_at, received_at, now)
            if window is not None and outcome.promised_by > window:
                errors["promised_by"] = (
                    "The code of practice has us respond by "
                    f"{window.astimezone(LONDON):%A %-d %B %Y at %H:%M}; "
                    "agree a timescale no later than that."
                )
    for upload in uploads or []:
        try:
            attachment_sniff(upload)
        except ValidationError as exc:
            errors.setdefault("attachments", " ".join(exc.messages))
    if errors:
        raise ValidationError(errors)

    with transaction.atomic():
        complaint = complaint_create(
            customer=customer,
            channel=channel,
            category=category,
            summary=summary,
            details=details,
            department=department,
            first_made_at=first_made_at,
            received_at=received_at,
            now=now,
            by=by,
            assigned_to=None if outcome.resolved or not assign_to_self else by,
            acknowledge=False,
        )
        timeline_record(
            complaint=complaint,
            kind=TimelineEvent.Kind.IDENTITY_CHECK,
            summary=identity.describe()[:300],
            occurred_at=received_at or now,
            author=by,
            data={
                "asked": sorted(identity.asked),
                "passed": sorted(identity.passed),
                "override_reason": identity.override_reason.strip(),
            },
        )
        if uploads:
            event = timeline_record(
                complaint=complaint,
                kind=TimelineEvent.Kind.LETTER
                if channel == "letter"
                else TimelineEvent.Kind.EMAIL
                if channel == "email"
                else TimelineEvent.Kind.NOTE,
                summary=f"{len(uploads)} attachment(s) received with the complaint",
                occurred_at=received_at or now,
                author=by,
            )
            attachments_store(complaint=complaint, uploads=uploads, by=by, event=event)

        conversation = channel in ("phone", "in_person")
        if conversation:
            # Talking to the customer acknowledges the complaint there and then.
            complaint.acknowledged_at = now
        if outcome.resolved:
            complaint.status = Status.RESOLVED
            complaint.resolved_at_first_contact = True
            complaint.resolution_summary = outcome.resolution_summary.strip()
            complaint.acknowledged_at = complaint.first_response_at = now
            complaint.resolved_at = now
            timeline_record(
                complaint=complaint,
                kind=TimelineEvent.Kind.RESOLUTION,
                summary="Resolved at first contact",
                body=complaint.resolution_summary,
                visibility=TimelineEvent.Visibility.CUSTOMER,
                occurred_at=now,
                author=by,
            )
        elif conversation:
            complaint.agreed_next_step = outcome.agreed_next_step.strip()
            complaint.agreed_contact_method = outcome.agreed_contact_method
            complaint.promised_by = outcome.promised_by
            complaint.status = Status.ACKNOWLEDGED
            timeline_record(
                complaint=complaint,
                kind=TimelineEvent.Kind.CALL,
                summary=f"Agreed next step; we contact the customer by "
                f"{ContactMethod(outcome.agreed_contact_method).label.lower()}",
                body=complaint.agreed_next_step,
                visibility=TimelineEvent.Visibility.CUSTOMER,
                occurred_at=now,
                author=by,
                data={"promised_by": outcome.promised_by.isoformat()},
            )
        if complaint.status != Status.NEW:
            timeline_record(
                complaint=complaint,
                kind=TimelineEvent.Kind.STATUS_CHANGE,
                summary=f"New → {Status(complaint.status).label}",
                visibility=TimelineEvent.Visibility.CUSTOMER,
                occurred_at=now,
                author=by,
                data={"from": "new", "to": complaint.status, "action": "log_contact"},
            )
        complaint_due_refresh(complaint)
        complaint.save()
        audit_record(
            by=by,
            now=now,
            obj=complaint,
            action="logged",
            changes={
                "status": [None, complaint.status],
                "identity": [None, identity.describe()],
                "resolved_at_first_contact": [None, complaint.resolved_at_first_contact],
            },
        )
        if not outcome.resolved:
            complaint_acknowledgement_send(complaint)
    return complaint

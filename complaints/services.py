"""Every write to customers, complaints and timelines. Callers pass `now`; rules never read it."""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from complaints.lifecycle import OPEN, Status
from complaints.models import Complaint, Customer, TimelineEvent
from complaints.staff_clocks import complaint_enforcement_refresh
from complaints.timeline import (
    audit_record,
    clock_changes_record,
    records_batched,
    timeline_record,
)
from complaints.tokens import follow_token_make
from escalation.choices import CLOCK_NAMES, Category, Channel
from escalation.clocks import ClockInputs, Clocks, compute_clocks, next_due
from escalation.models import CodeVersion
from escalation.selectors import code_rules, code_version_in_force
from notifications.db import insert_unless_conflict
from notifications.listeners import DeliveryEvent
from notifications.services import notification_enqueue

# Crockford's base32 without I, L, O, U: nothing to misread on the phone, nothing sequential.
_REFERENCE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# A little leeway for clocks of the browser or phone system being slightly ahead of ours.
_FUTURE_SKEW = datetime.timedelta(minutes=5)


def reference_generate() -> str:
    body = "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
    return f"RD-{body[:4]}-{body[4:]}"


CUSTOMER_FIELDS = (
    "kind",
    "employee_count",
    "account_reference",
    "name",
    "email",
    "phone",
    "address",
    "postcode",
    "preferred_contact",
    "nation",
    "vulnerability_flags",
    "vulnerability_notes",
)


def customer_create(
    *, by: AbstractBaseUser | None = None, now: datetime.datetime | None = None, **fields: Any
) -> Customer:
    customer = Customer(**fields)
    if customer.kind == Customer.Kind.CONSUMER:
        customer.employee_count = None
    elif customer.employee_count is None:
        raise ValidationError({"employee_count": "Give the number of employees of a business."})
    # The one check constraint (business <-> head-count) is settled just above; skipping
    # constraint validation saves a query per complaint, and the database still enforces it.
    customer.full_clean(validate_constraints=False)
    # Checked before the writes, so they need no savepoint of their own inside a caller's
    # transaction (a failed write aborts that transaction on PostgreSQL anyway).
    with transaction.atomic(savepoint=False):
        customer.save(force_insert=True)
        audit_record(
            by=by,
            now=now or timezone.now(),
            obj=customer,
            action="created",
            changes={f: [None, getattr(customer, f)] for f in CUSTOMER_FIELDS},
        )
    return customer


@transaction.atomic
def customer_update(
    *, customer_id: int, by: AbstractBaseUser | None, now: datetime.datetime, **fields: Any
) -> Customer:
    """Change contact details; the audit keeps before/after. Open complaints keep their clocks:
    the nation and head-count they were computed from are recorded on each complaint, and only
    `complaint_clocks_apply(..., refresh_customer_facts=True)` (a deliberate act) moves them."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    before = {f: getattr(customer, f) for f in CUSTOMER_FIELDS}
    unknown = set(fields) - set(CUSTOMER_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown customer fields: {', '.join(sorted(unknown))}.")
    for name, value in fields.items():
        setattr(customer, name, value)
    if customer.kind == Customer.Kind.CONSUMER:
        customer.employee_count = None
    elif customer.employee_count is None:
        raise ValidationError({"employee_count": "Give the number of employees of a business."})
    customer.full_clean()
    customer.save()
    changes = {
        f: [before[f], getattr(customer, f)]
        for f in CUSTOMER_FIELDS
        if before[f] != getattr(customer, f)
    }
    if changes:
        audit_record(by=by, now=now, obj=customer, action="updated", changes=changes)
    return customer


def _clock_inputs(complaint: Complaint) -> ClockInputs:
    return ClockInputs(
        channel=complaint.channel,
        received=complaint.received_at,
        first_made=complaint.first_made_at,
        nation=complaint.nation,
        category=complaint.category,
        employees=complaint.adr_employees,
        letter_date=complaint.letter_date,
        responded=complaint.responded_at,
        resolution_actioned=complaint.resolution_actioned_at,
        letter_reason=complaint.letter_reason or "deadlock",
        escalated=complaint.escalated_at,
        adr_letter_asked=complaint.adr_letter_asked_at,
        customer_request_at=complaint.customer_request_at,
    )


def _clocks_assign(complaint: Complaint, clocks: Clocks) -> dict[str, tuple[Any, Any]]:
    """Copy computed clocks onto the complaint; return {name: (before, after)} of changes."""
    changes: dict[str, tuple[Any, Any]] = {}
    for name, value in clocks.as_dict().items():
        before = getattr(complaint, name)
        if before != value:
            changes[name] = (before, value)
        setattr(complaint, name, value)
    complaint.effective_receipt_at = clocks.effective_receipt
    complaint.adr_eligible = clocks.adr_eligible
    complaint.adr_ineligible_reason = clocks.adr_ineligible_reason
    complaint.clock_reasons = dict(clocks.reasons)
    return changes


def complaint_refresh_clocks(complaint: Complaint) -> dict[str, tuple[Any, Any]]:
    """Recompute the clocks in memory from the complaint's governing version and facts."""
    clocks = compute_clocks(code_rules(complaint.code_version), _clock_inputs(complaint))
    return _clocks_assign(complaint, clocks)


def complaint_next_due(complaint: Complaint) -> tuple[datetime.datetime | None, str]:
    """The earliest clock still waiting on us (`escalation.clocks.next_due`) for this complaint."""
    return next_due(
        waiting_on_us=complaint.status in OPEN,
        waiting_on_customer=complaint.status in (Status.AWAITING_CUSTOMER, Status.FINAL_RESPONSE),
        acknowledge_by=complaint.acknowledge_by,
        acknowledged_at=complaint.acknowledged_at,
        respond_by=complaint.respond_by,
        first_response_at=complaint.first_response_at,
        promised_by=complaint.promised_by,
        resolve_by=complaint.resolve_by,
        resolution_provided_at=complaint.resolution_provided_at,
        formal_respond_by=complaint.formal_respond_by,
        final_position_at=complaint.final_position_at,
        adr_letter_due_by=complaint.adr_letter_due_by,
        adr_letter_issued_at=complaint.adr_letter_issued_at,
        customer_request_by=(
            complaint.customer_request_by
            if complaint.customer_request and complaint.customer_request_answered_at is None
            else None
        ),
    )


def complaint_due_refresh(complaint: Complaint) -> None:
    """Recompute, in memory, what waits on us: the next clock (the queues' order) and the next
    reminder and breach (the beat jobs' partial indexes). Every write that moves a clock calls
    this once; callers save."""
    complaint.next_due_at, complaint.next_due_clock = complaint_next_due(complaint)
    complaint_enforcement_refresh(complaint)


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def complaint_create(
    *,
    customer: Customer,
    channel: str,
    category: str,
    summary: str,
    now: datetime.datetime,
    by: AbstractBaseUser | None = None,
    details: str = "",
    department: str = "",
    first_made_at: datetime.datetime | None = None,
    received_at: datetime.datetime | None = None,
    assigned_to: AbstractBaseUser | None = None,
    acknowledge: bool = True,
    code_version: CodeVersion | None = None,
) -> Complaint:
    """Log a complaint under the code version in force when it was first made, with its clocks.

    `code_version` names another version instead (the demo logs complaints under every shipped
    code; the simulator tries a draft), or the one in force that the caller already holds (the
    public form's, from its process's copy).
    """
    received_at = received_at or now
    first_made_at = first_made_at or received_at
    errors: dict[str, str] = {}
    if channel not in Channel.values:
        errors["channel"] = f"Choose one of: {', '.join(Channel.values)}."
    if category not in Category.values:
        errors["category"] = f"Choose one of: {', '.join(Category.values)}."
    summary_max = Complaint._meta.get_field("summary").max_length
    if not summary.strip():
        errors["summary"] = "Say in a few words what the complaint is about."
    elif len(summary.strip()) > summary_max:
        errors["summary"] = (
            f"Keep the summary to {summary_max} characters; put the rest in the details."
        )
    if first_made_at > now + _FUTURE_SKEW:
        errors["first_made_at"] = "A complaint cannot have been first made in the future."
    if received_at > now + _FUTURE_SKEW:
        errors["received_at"] = "A complaint cannot have been received in the future."
    if "first_made_at" not in errors and first_made_at > received_at:
        errors["first_made_at"] = (
            "The complaint must have been first made before (or when) this contact was received."
        )
    if errors:
        raise ValidationError(errors)

    version = code_version or code_version_in_force(at=first_made_at)
    complaint = Complaint(
        customer=customer,
        channel=channel,
        category=category,
        department=department,
        summary=summary.strip(),
        details=details,
        first_made_at=first_made_at,
        received_at=received_at,
        code_version=version,
        assigned_to=assigned_to,
        nation=customer.nation,
        adr_employees=customer.adr_employees,
    )
    clocks = compute_clocks(code_rules(version), _clock_inputs(complaint))
    _clocks_assign(complaint, clocks)
    complaint_due_refresh(complaint)
    # Everything above only reads: the writes below need no savepoint inside a caller's
    # transaction, and their events and audit entry go in one INSERT per table.
    with transaction.atomic(savepoint=False), records_batched():
        _complaint_insert(complaint)
        _complaint_created_record(complaint, version=version, now=now, by=by)
        if acknowledge:
            complaint_acknowledgement_send(complaint)
    return complaint


def _complaint_insert(complaint: Complaint) -> None:
    """INSERT with a fresh reference, another if that one is taken (no savepoint needed)."""
    for _ in range(5):
        complaint.reference = reference_generate()
        if insert_unless_conflict(complaint):
            return
        if not Complaint.objects.filter(reference=complaint.reference).exists():
            complaint.save(force_insert=True)  # another constraint: raise its IntegrityError
            return
    # pragma: no cover - 32^8 references make five collisions practically impossible
    raise RuntimeError("could not allocate a unique complaint reference")


def _complaint_created_record(
    complaint: Complaint,
    *,
    version: CodeVersion,
    now: datetime.datetime,
    by: AbstractBaseUser | None,
) -> None:
    received_at, details = complaint.received_at, complaint.details
    timeline_record(
        complaint=complaint,
        kind=TimelineEvent.Kind.LOGGED,
        summary=f"Complaint logged ({complaint.get_channel_display().lower()}) under {version}",
        occurred_at=received_at,
        author=by,
        visibility=TimelineEvent.Visibility.CUSTOMER,
        body=details,
    )
    timeline_record(
        complaint=complaint,
        kind=TimelineEvent.Kind.CLOCK_CHANGE,
        summary="Clocks set from the code of practice",
        occurred_at=now,
        author=by,
        data={
            "version": version.pk,
            "clocks": {name: _iso(getattr(complaint, name)) for name in CLOCK_NAMES},
            "reasons": complaint.clock_reasons,
        },
    )
    audit_record(
        by=by,
        now=now,
        obj=complaint,
        action="created",
        changes={name: [None, _iso(getattr(complaint, name))] for name in CLOCK_NAMES},
    )


def complaint_acknowledgement_send(complaint: Complaint) -> None:
    """Email the customer their reference and what we promised (once per complaint)."""
    customer = complaint.customer
    if customer.email:
        notification_enqueue(
            recipient=customer.email,
            template="complaint_acknowledgement",
            context=acknowledgement_context(complaint),
            idempotency_key=f"complaint:{complaint.reference}:acknowledgement",
            complaint=complaint,
        )


ACKNOWLEDGEMENT_TEMPLATE = "complaint_acknowledgement"


def acknowledgement_delivered(event: DeliveryEvent) -> None:
    """Outbox listener: the automatic acknowledgement, once SENT, is the acknowledgement.

    soVision: "If you email us, we will acknowledge receipt of your email" — the email we sent
    meets `acknowledge_by` at the moment it was delivered. Compare-and-set on acknowledged_at,
    so a retry or a person acknowledging first changes nothing.
    """
    message = event.message
    if (
        event.state != "sent"
        or message.template != ACKNOWLEDGEMENT_TEMPLATE
        or message.complaint_id is None
    ):
        # Every other delivery event (each "queued" inside a submission's transaction among
        # them) returns before opening a savepoint.
        return
    with transaction.atomic():
        _acknowledgement_delivered_record(event)


def _acknowledgement_delivered_record(event: DeliveryEvent) -> None:
    message = event.message
    at = event.occurred_at
    complaint = (
        Complaint.objects.select_for_update()
        .filter(pk=message.complaint_id, acknowledged_at__isnull=True)
        .first()
    )
    if complaint is None:
        return
    old_status = complaint.status
    complaint.acknowledged_at = at
    if complaint.status == Status.NEW:
        complaint.status = Status.ACKNOWLEDGED
    complaint_due_refresh(complaint)
    complaint.row_version += 1
    complaint.save(
        update_fields=[
            "acknowledged_at", "status", "next_due_at", "next_due_clock", "reminder_due_at",
            "breach_due_at", "row_version", "updated_at",
        ]
    )  # fmt: skip
    timeline_record(
        complaint=complaint,
        kind=TimelineEvent.Kind.UPDATE,
        summary=f"Complaint acknowledged: our acknowledgement email reached {message.recipient}",
        visibility=TimelineEvent.Visibility.CUSTOMER,
        occurred_at=at,
        data={"outbox_id": message.pk, "automatic": True},
        dedupe_key="acknowledgement_delivered",
    )
    changes: dict[str, Any] = {"acknowledged_at": [None, at.isoformat()]}
    if old_status != complaint.status:
        changes["status"] = [old_status, complaint.status]
    audit_record(
        by=None, now=at, obj=complaint, action="acknowledgement_delivered", changes=changes
    )


def acknowledgement_context(complaint: Complaint) -> dict[str, Any]:
    version = complaint.code_version
    follow_path = reverse(
        "complaints:follow", args=[complaint.reference, follow_token_make(complaint)]
    )
    return {
        "reference": complaint.reference,
        "customer_name": complaint.customer.name,
        "summary": complaint.summary,
        "channel": complaint.get_channel_display(),
        # soVision: the acknowledgement outlines "what immediate action we will take to
        # investigate and an estimated time for our response".
        "next_action": (
            "We will now investigate: we record the facts, including any technical reports "
            "and correspondence with third parties, and then contact you with our findings."
        ),
        "respond_by": _iso(complaint.respond_by),
        "resolve_by": _iso(complaint.resolve_by),
        "adr_eligible_from": _iso(complaint.adr_eligible_from),
        "adr_eligible": complaint.adr_eligible,
        "agreed_next_step": complaint.agreed_next_step,
        "agreed_contact_method": complaint.get_agreed_contact_method_display()
        if complaint.agreed_contact_method
        else "",
        "promised_by": _iso(complaint.promised_by),
        "company_name": version.company_name,
        "company_phone": version.company_phone,
        # A signed link to this complaint only; the email is the customer's way back to it.
        "follow_url": settings.REDRESS_BASE_URL.rstrip("/") + follow_path,
    }


@transaction.atomic
def complaint_clocks_apply(
    *,
    complaint: Complaint,
    now: datetime.datetime,
    by: AbstractBaseUser | None,
    reason: str,
    version: CodeVersion | None = None,
    refresh_customer_facts: bool = False,
) -> dict[str, tuple[Any, Any]]:
    """Recompute the clocks (optionally re-applying another version, deliberately) and audit."""
    complaint = (
        Complaint.objects.select_for_update().select_related("customer").get(pk=complaint.pk)
    )
    if version is not None and version.pk != complaint.code_version_id:
        if not version.is_published:
            raise ValidationError("Only a published version can govern a complaint.")
        if not reason.strip():
            raise ValidationError("Say why this complaint is moving to another code version.")
        previous = complaint.code_version
        complaint.code_version = version
        timeline_record(
            complaint=complaint,
            kind=TimelineEvent.Kind.CLOCK_CHANGE,
            summary=f"Code version re-applied: {previous} → {version}",
            occurred_at=now,
            author=by,
            body=reason,
            data={"from_version": previous.pk, "to_version": version.pk},
        )
    if refresh_customer_facts:
        if not reason.strip():
            raise ValidationError("Say why the clocks should follow the customer's new details.")
        complaint.nation = complaint.customer.nation
        complaint.adr_employees = complaint.customer.adr_employees
    changes = complaint_refresh_clocks(complaint)
    complaint_due_refresh(complaint)
    complaint.row_version += 1
    complaint.save()
    clock_changes_record(complaint=complaint, changes=changes, now=now, by=by, reason=reason)
    return changes

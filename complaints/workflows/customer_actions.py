"""What a customer can do from their follow page. Each action lands on the timeline (visible
to them) and tells the staff member who has the complaint, through the outbox."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max, Q

from complaints.lifecycle import Action, TransitionRefused
from complaints.models import Complaint, Status, TimelineEvent
from complaints.services import complaint_create, complaint_due_refresh, complaint_refresh_clocks
from complaints.timeline import audit_record, timeline_record
from complaints.tokens import FOLLOW_MAX_AGE
from complaints.workflows.adr_letters import deadlock_reached
from complaints.workflows.escalations import escalate_to, escalation_target
from complaints.workflows.intake import attachment_sniff, attachments_store
from complaints.workflows.transition import _Event, _transition
from escalation.choices import CustomerRequest
from notifications.services import notification_enqueue

Visibility = TimelineEvent.Visibility
MAX_UPLOADS = 5


def _text(value: str, what: str, *, required: bool = True, limit: int = 5000) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({"body": f"Please tell us {what}."})
    if len(value) > limit:
        raise ValidationError({"body": f"Please keep this under {limit:,} characters."})
    return value


def _customer_event(kind: str, summary: str, body: str = "", **data: Any) -> _Event:
    return _Event(
        kind, summary, body=body, visibility=Visibility.CUSTOMER, data={"by": "customer", **data}
    )


def staff_to_notify(complaint: Complaint) -> list[AbstractBaseUser]:
    """The assigned member of staff; with nobody assigned, the managers."""
    if complaint.assigned_to is not None and complaint.assigned_to.email:
        return [complaint.assigned_to]
    User = get_user_model()
    return list(
        User.objects.filter(is_active=True, groups__name="manager")
        .exclude(email="")
        .distinct()
        .order_by("pk")
    )


def _request(c: Complaint, kind: str, now: datetime.datetime) -> None:
    """Flag a request only a manager answers: its own badge and clock (customer_request_by),
    computed with the other clocks when the change is saved, until a manager acts."""
    c.customer_request = kind
    c.customer_request_at = now
    c.customer_request_answered_at = None


def _notify_staff(complaint: Complaint, what: str, body: str, key: str) -> None:
    for person in staff_to_notify(complaint):
        notification_enqueue(
            recipient=person.email,
            template="staff_customer_action",
            context={
                "reference": complaint.reference,
                "customer_name": complaint.customer.name,
                "what": what,
                "body": body,
                "status": complaint.get_status_display(),
            },
            idempotency_key=f"complaint:{complaint.reference}:{key}:staff:{person.pk}",
            complaint=complaint,
        )


def _act(
    *,
    complaint_id: int,
    action: Action,
    portal_user: AbstractBaseUser | None,
    now: datetime.datetime,
    change: Any,
    what: str,
    body: str,
) -> Complaint:
    with transaction.atomic():
        complaint = _transition(
            complaint_id=complaint_id,
            action=action,
            by=portal_user,
            now=now,
            expected_version=None,
            change=change,
            as_customer=True,
        )
        _notify_staff(complaint, what, body, f"{action.value}:{complaint.row_version}")
    return complaint


def customer_add_information(
    *,
    complaint_id: int,
    now: datetime.datetime,
    body: str,
    uploads: list[UploadedFile] | None = None,
    portal_user: AbstractBaseUser | None = None,
) -> Complaint:
    uploads = uploads or []
    body = _text(body, "what you would like to add", required=not uploads)
    if len(uploads) > MAX_UPLOADS:
        raise ValidationError(
            {"attachments": f"Please attach at most {MAX_UPLOADS} files at a time."}
        )
    for upload in uploads:
        try:
            attachment_sniff(upload)
        except ValidationError as exc:
            raise ValidationError({"attachments": exc.messages}) from None

    def change(c: Complaint, _: Status) -> list[_Event]:
        summary = "The customer added information"
        if uploads:
            summary += f" and {len(uploads)} attachment(s)"
        return [_customer_event(TimelineEvent.Kind.NOTE, summary, body)]

    with transaction.atomic():
        complaint = _act(
            complaint_id=complaint_id, action=Action.CUSTOMER_ADD_INFORMATION,
            portal_user=portal_user, now=now, change=change,
            what="added information to their complaint", body=body,
        )  # fmt: skip
        if uploads:
            event = complaint.events.filter(kind=TimelineEvent.Kind.NOTE).order_by("-id").first()
            attachments_store(complaint=complaint, uploads=uploads, by=portal_user, event=event)
    return complaint


def customer_accept_resolution(
    *, complaint_id: int, now: datetime.datetime, body: str = "",
    portal_user: AbstractBaseUser | None = None,
) -> Complaint:  # fmt: skip
    body = _text(body, "", required=False)

    def change(c: Complaint, _: Status) -> list[_Event]:
        return [
            _customer_event(
                TimelineEvent.Kind.RESOLUTION, "The customer accepted the resolution", body
            )
        ]

    return _act(
        complaint_id=complaint_id, action=Action.CUSTOMER_ACCEPT, portal_user=portal_user,
        now=now, change=change, what="accepted the proposed resolution", body=body,
    )  # fmt: skip


def customer_reject_resolution(
    *, complaint_id: int, now: datetime.datetime, body: str,
    portal_user: AbstractBaseUser | None = None,
) -> Complaint:  # fmt: skip
    """Still unhappy after our response: the complaint becomes formal (soVision's code) and a
    senior manager takes it over. Rejecting our final position leaves it final."""
    body = _text(body, "why the proposed resolution does not put things right")

    def change(c: Complaint, new_status: Status) -> list[_Event]:
        events = [
            _customer_event(
                TimelineEvent.Kind.RESOLUTION, "The customer rejected the resolution", body
            )
        ]
        if new_status == Status.ESCALATED:
            try:
                target = escalation_target(c, formal=True)
            except TransitionRefused:
                return events  # already at the top tier: it stays there, now formal in status
            events.append(
                escalate_to(c, target, now=now, reason="Our proposed resolution was rejected.")
            )
            _request(c, CustomerRequest.ESCALATION, now)
        return events

    with transaction.atomic():
        status_before = Complaint.objects.values_list("status", flat=True).get(pk=complaint_id)
        complaint = _act(
            complaint_id=complaint_id, action=Action.CUSTOMER_REJECT, portal_user=portal_user,
            now=now, change=change, what="rejected the proposed resolution", body=body,
        )  # fmt: skip
        # Our final position at the code's last tier, rejected: we will not review it further.
        if status_before == Status.FINAL_RESPONSE and _at_last_tier(complaint):
            complaint = deadlock_reached(complaint_id=complaint_id, now=now)
    return complaint


def _at_last_tier(complaint: Complaint) -> bool:
    try:
        escalation_target(complaint)
    except TransitionRefused:
        return True
    return False


def customer_request_escalation(
    *, complaint_id: int, now: datetime.datetime, body: str,
    portal_user: AbstractBaseUser | None = None,
) -> Complaint:  # fmt: skip
    body = _text(body, "why you would like the complaint escalated")

    def change(c: Complaint, _: Status) -> list[_Event]:
        try:
            target = escalation_target(c)
        except TransitionRefused:
            raise TransitionRefused(
                "Your complaint is already with our most senior team. If you are still unhappy "
                "you can ask us for a deadlock letter."
            ) from None
        _request(c, CustomerRequest.ESCALATION, now)
        return [
            _customer_event(TimelineEvent.Kind.NOTE, "The customer asked for escalation", body),
            escalate_to(c, target, now=now, reason="Asked for on the complaint page."),
        ]

    return _act(
        complaint_id=complaint_id, action=Action.CUSTOMER_REQUEST_ESCALATION,
        portal_user=portal_user, now=now, change=change,
        what="asked for their complaint to be escalated", body=body,
    )  # fmt: skip


def customer_request_deadlock(
    *, complaint_id: int, now: datetime.datetime, body: str = "",
    portal_user: AbstractBaseUser | None = None,
) -> Complaint:  # fmt: skip
    body = _text(body, "", required=False)

    def change(c: Complaint, _: Status) -> list[_Event]:
        # A request counts until we answer it: a deadlock letter, or reopening the complaint.
        answered = c.events.filter(
            Q(kind=TimelineEvent.Kind.STATUS_CHANGE, data__action=Action.REOPEN.value)
            | Q(kind=TimelineEvent.Kind.LETTER, data__letter="deadlock")
        ).aggregate(at=Max("occurred_at"))["at"]
        pending = c.events.filter(data__request="deadlock")
        if answered is not None:
            pending = pending.filter(occurred_at__gt=answered)
        if pending.exists():
            raise TransitionRefused("You have already asked for a deadlock letter; we are on it.")
        # soVision: "You should ask us to provide you with a 'deadlock' letter": the
        # manager's due clock (adr_letter_due_by) starts now.
        c.adr_letter_asked_at = now
        c.adr_letter_issued_at = None
        _request(c, CustomerRequest.DEADLOCK, now)
        return [
            _customer_event(
                TimelineEvent.Kind.NOTE, "The customer asked for a deadlock letter", body,
                request="deadlock",
            )
        ]  # fmt: skip

    return _act(
        complaint_id=complaint_id, action=Action.CUSTOMER_REQUEST_DEADLOCK,
        portal_user=portal_user, now=now, change=change,
        what="asked for a deadlock letter (a manager issues it)", body=body,
    )  # fmt: skip


@transaction.atomic
def customer_complain_about_code(
    *, complaint_id: int, now: datetime.datetime, body: str,
    portal_user: AbstractBaseUser | None = None,
) -> Complaint:  # fmt: skip
    """A complaint about the code of practice itself: a new complaint, routed straight to the
    tier that handles those (soVision: the Company Secretary), linked from the original."""
    body = _text(body, "how we have not kept to our code of practice")
    original = Complaint.objects.select_related("customer", "code_version").get(pk=complaint_id)
    code_complaint = complaint_create(
        customer=original.customer,
        channel="web",
        category="other",
        summary=f"Complaint about our code of practice (from {original.reference})",
        details=body,
        now=now,
        by=portal_user,
    )
    tiers = sorted(code_complaint.code_version.tiers.all(), key=lambda t: t.level)
    target = next((t for t in tiers if t.handles_code_complaints), tiers[-1] if tiers else None)
    _request(code_complaint, CustomerRequest.CODE, now)
    if target is not None and target.level > 0:
        code_complaint.status = Status.ESCALATED
        event = escalate_to(
            code_complaint, target, now=now, reason="A complaint about our code of practice."
        )
    # After the escalation: the formal stage's clock starts with it.
    complaint_refresh_clocks(code_complaint)
    complaint_due_refresh(code_complaint)
    code_complaint.save()
    if target is not None and target.level > 0:
        timeline_record(
            complaint=code_complaint, kind=event.kind, summary=event.summary, body=event.body,
            visibility=event.visibility, data=event.data, occurred_at=now,
        )  # fmt: skip
        audit_record(
            by=portal_user, now=now, obj=code_complaint, action="routed_code_complaint",
            changes={"tier": [0, target.level], "status": [Status.NEW, Status.ESCALATED]},
        )  # fmt: skip
    timeline_record(
        complaint=original, kind=TimelineEvent.Kind.NOTE,
        summary=f"The customer complained about our code of practice: {code_complaint.reference}",
        body=body, visibility=Visibility.CUSTOMER, occurred_at=now,
        data={"by": "customer", "code_complaint": code_complaint.reference},
    )  # fmt: skip
    _notify_staff(code_complaint, "complained about our code of practice", body, "code_complaint")
    return code_complaint


def follow_link_send(
    *, complaint: Complaint, follow_url: str, new_link_url: str, now: datetime.datetime
) -> None:
    """Queue the fresh-link email to the address we hold (never the one typed).

    The idempotency key carries the minute, so asking again and again within a minute
    queues one email, while a request a few minutes later (the first lost?) sends another.
    """
    bucket = int(now.timestamp() // 60)
    with transaction.atomic():
        notification_enqueue(
            recipient=complaint.customer.email,
            template="follow_link",
            context={
                "reference": complaint.reference,
                "customer_name": complaint.customer.name,
                "summary": complaint.summary,
                "follow_url": follow_url,
                "valid_days": FOLLOW_MAX_AGE // 86400,
                "new_link_url": new_link_url,
            },
            idempotency_key=f"complaint:{complaint.reference}:follow_link:{bucket}",
            complaint=complaint,
        )


# The customer's actions of the lifecycle table and their workflows (the API generates one
# endpoint per entry, as for the staff's ACTION_SERVICES).
CUSTOMER_ACTION_SERVICES: dict[Action, Any] = {
    Action.CUSTOMER_ADD_INFORMATION: customer_add_information,
    Action.CUSTOMER_ACCEPT: customer_accept_resolution,
    Action.CUSTOMER_REJECT: customer_reject_resolution,
    Action.CUSTOMER_REQUEST_ESCALATION: customer_request_escalation,
    Action.CUSTOMER_REQUEST_DEADLOCK: customer_request_deadlock,
}

"""Staff actions on a complaint. Each one locks the row, checks the lifecycle, the role and the
version the person was looking at, then records what changed on the timeline and in the audit.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from complaints.lifecycle import RULES, Action, TransitionRefused
from complaints.models import (
    Complaint,
    ContactMethod,
    Letter,
    RootCause,
    Status,
    TimelineEvent,
)
from complaints.workflows.customer_updates import customer_tell
from complaints.workflows.escalations import (
    escalate_to,
    escalation_target,
    escalation_words,
    tier_members,
)
from complaints.workflows.letters import letter_issue
from complaints.workflows.transition import _Event, _transition, iso
from escalation.calendar import local_date
from escalation.choices import LetterReason
from escalation.roles import staff_roles

User = get_user_model()
Visibility = TimelineEvent.Visibility


def _required(text: str, what: str, field: str = "body") -> str:
    text = (text or "").strip()
    if not text:
        raise ValidationError({field: f"Write {what}."})
    return text


def _first_contact(complaint: Complaint, now: datetime.datetime) -> None:
    complaint.acknowledged_at = complaint.acknowledged_at or now
    complaint.first_response_at = complaint.first_response_at or now
    complaint.promised_by = None  # we kept (or replaced) whatever we had promised


def _told(complaint: Complaint, **kwargs: Any) -> Complaint:
    customer_tell(complaint=complaint, **kwargs)
    return complaint


def _transition_and_tell(
    *, action: Action, step: str, summary: Any, body: str = "", **transition: Any
) -> Complaint:
    """One change, then the customer told of it, in one transaction. `summary` may be a
    function of the changed complaint (what to say depends on where it now stands)."""
    with transaction.atomic():
        complaint = _transition(action=action, **transition)
        words = summary(complaint) if callable(summary) else summary
        return _told(complaint, step=step, now=transition["now"], by=transition["by"],
                     summary=words, body=body)  # fmt: skip


def _resolution_provided(c: Complaint, new_status: Status, now: datetime.datetime) -> None:
    """soVision: "Our objective is to provide a resolution for all complaints within 10 working
    days" — met when a resolution is proposed or confirmed remedied, not when it closes. After
    escalation the same step is the escalated tier's position (meets formal_respond_by)."""
    c.resolution_provided_at = c.resolution_provided_at or now
    if c.escalated_at is not None and c.final_position_at is None:
        c.final_position_at = now
    if new_status == Status.FINAL_RESPONSE:
        c.final_position_at = c.final_position_at or now


def complaint_acknowledge(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime, expected_version: int | None
) -> Complaint:
    def change(c: Complaint, _: Status) -> list[_Event]:
        c.acknowledged_at = now
        return [
            _Event(
                TimelineEvent.Kind.UPDATE, "Complaint acknowledged", visibility=Visibility.CUSTOMER
            )
        ]

    return _transition_and_tell(
        action=Action.ACKNOWLEDGE, step="acknowledged",
        summary="We have received your complaint and are looking into it",
        complaint_id=complaint_id, by=by, now=now, expected_version=expected_version,
        change=change,
    )  # fmt: skip


def complaint_send_update(
    *,
    complaint_id: int,
    by: AbstractBaseUser,
    now: datetime.datetime,
    expected_version: int | None,
    body: str,
    method: str,
    next_update_by: datetime.datetime | None = None,
    confirm_method: bool = False,
) -> Complaint:
    """Tell the customer where things stand, by the agreed method; optionally promise the next."""
    body = _required(body, "what you told the customer")
    if method not in ContactMethod.values:
        raise ValidationError({"method": "Choose how the update was sent: phone, email or letter."})
    if next_update_by is not None and next_update_by <= now:
        raise ValidationError({"next_update_by": "The next update must be promised for later."})

    def change(c: Complaint, _: Status) -> list[_Event]:
        agreed = c.agreed_contact_method
        if agreed and method != agreed and not confirm_method:
            raise ValidationError({"method": (
                f"The contact method agreed with the customer is "
                f"{ContactMethod(agreed).label.lower()}. Tick “I confirm” to record this update "
                f"as sent by {ContactMethod(method).label.lower()}."
            )})  # fmt: skip
        _first_contact(c, now)
        c.promised_by = next_update_by
        label = ContactMethod(method).label.lower()
        return [
            _Event(
                TimelineEvent.Kind.UPDATE,
                f"Update sent by {label}",
                body=body,
                visibility=Visibility.CUSTOMER,
                data={"method": method, "next_update_by": iso(next_update_by)},
            )
        ]

    with transaction.atomic():
        complaint = _transition(
            complaint_id=complaint_id, action=Action.SEND_UPDATE, by=by, now=now,
            expected_version=expected_version, change=change,
        )  # fmt: skip
        if method != ContactMethod.PHONE:  # a phone update was given on the call itself
            _told(complaint, step="update", now=now, by=by, method=method,
                  summary="An update on your complaint", body=body)  # fmt: skip
        return complaint


def complaint_record_findings(
    *,
    complaint_id: int,
    by: AbstractBaseUser,
    now: datetime.datetime,
    expected_version: int | None,
    body: str,
    kind: str = TimelineEvent.Kind.FINDINGS,
) -> Complaint:
    """Findings, a technical report or third-party correspondence: internal evidence."""
    body = _required(body, "the findings")
    allowed = {
        TimelineEvent.Kind.FINDINGS: "Findings recorded",
        TimelineEvent.Kind.TECHNICAL_REPORT: "Technical report recorded",
        TimelineEvent.Kind.THIRD_PARTY: "Third-party correspondence recorded",
        TimelineEvent.Kind.NOTE: "Internal note",
    }
    if kind not in allowed:
        raise ValidationError(
            {"kind": "Choose findings, a technical report, correspondence or a note."}
        )

    def change(c: Complaint, _: Status) -> list[_Event]:
        return [_Event(kind, allowed[kind], body=body)]

    return _transition(
        complaint_id=complaint_id, action=Action.RECORD_FINDINGS, by=by, now=now,
        expected_version=expected_version, change=change,
    )  # fmt: skip


def complaint_propose_resolution(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None, body: str,
) -> Complaint:  # fmt: skip
    """Our response: findings and a proposed resolution. Starts the auto-close clock."""
    body = _required(body, "the resolution you are proposing")

    def change(c: Complaint, new_status: Status) -> list[_Event]:
        _first_contact(c, now)
        _resolution_provided(c, new_status, now)
        c.responded_at = now
        c.resolution_summary = body
        final = " (our final position)" if new_status == Status.FINAL_RESPONSE else ""
        return [_Event(TimelineEvent.Kind.RESOLUTION, f"Resolution proposed{final}", body=body,
                       visibility=Visibility.CUSTOMER)]  # fmt: skip

    def summary(c: Complaint) -> str:
        if c.status == Status.FINAL_RESPONSE:
            return "Our final position on your complaint"
        return "Our findings and the resolution we propose"

    return _transition_and_tell(
        action=Action.PROPOSE_RESOLUTION, step="resolution", summary=summary, body=body,
        complaint_id=complaint_id, by=by, now=now, expected_version=expected_version,
        change=change,
    )  # fmt: skip


def complaint_confirm_remedied(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None, body: str,
) -> Complaint:  # fmt: skip
    """We have put it right (how): the resolution is actioned, which also starts auto-close."""
    body = _required(body, "how the problem was remedied")

    def change(c: Complaint, new_status: Status) -> list[_Event]:
        _first_contact(c, now)
        _resolution_provided(c, new_status, now)
        c.resolution_actioned_at = now
        c.resolution_summary = body
        return [_Event(TimelineEvent.Kind.RESOLUTION, "Remedied", body=body,
                       visibility=Visibility.CUSTOMER)]  # fmt: skip

    return _transition_and_tell(
        action=Action.CONFIRM_REMEDIED, step="remedied", summary="We have put the problem right",
        body=body, complaint_id=complaint_id, by=by, now=now, expected_version=expected_version,
        change=change,
    )  # fmt: skip


def complaint_mark_resolved(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None, body: str = "", root_cause_id: int | None = None,
    root_cause_detail: str = "",
) -> Complaint:  # fmt: skip
    """The customer accepted: resolved, with the root cause from the taxonomy (an entry that
    needs detail — "Other" — needs it said)."""
    cause = None
    detail = (root_cause_detail or "").strip()
    if root_cause_id is not None:
        cause = RootCause.objects.filter(pk=root_cause_id, active=True).first()
        if cause is None:
            raise ValidationError({"root_cause": "Choose one of the listed root causes."})
        if cause.needs_detail and not detail:
            raise ValidationError({"root_cause_detail": f"Say what the “{cause}” cause was."})

    def change(c: Complaint, _: Status) -> list[_Event]:
        _first_contact(c, now)
        if cause is not None:
            c.root_cause = cause
            c.root_cause_detail = detail
        if body.strip():
            c.resolution_summary = body.strip()
        return [_Event(TimelineEvent.Kind.RESOLUTION, "Customer accepted the resolution",
                       body=body.strip(), visibility=Visibility.CUSTOMER)]  # fmt: skip

    return _transition(
        complaint_id=complaint_id, action=Action.MARK_RESOLVED, by=by, now=now,
        expected_version=expected_version, change=change,
    )  # fmt: skip


def complaint_reopen(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None, reason: str,
) -> Complaint:  # fmt: skip
    reason = _required(reason, "why the complaint is reopened", "reason")

    def change(c: Complaint, _: Status) -> list[_Event]:
        c.resolved_at = None
        c.closed_at = None
        return []

    return _transition(
        complaint_id=complaint_id, action=Action.REOPEN, by=by, now=now,
        expected_version=expected_version, change=change, reason=reason,
    )  # fmt: skip


def complaint_escalate(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None, reason: str, assignee_id: int | None = None,
) -> Complaint:  # fmt: skip
    """Raise the complaint to the next tier of the governing code, to a named person of that
    tier's group (`assignee_id`, else the tier's default, else someone of the group)."""
    reason = _required(reason, "why the complaint is escalated", "reason")

    def change(c: Complaint, _: Status) -> list[_Event]:
        target = escalation_target(c)
        assignee = None
        if assignee_id is not None:
            assignee = tier_members(target).filter(pk=assignee_id).first()
            if assignee is None:
                raise ValidationError(
                    {"assignee": f"Choose someone of the {target.group.name} group "
                                 f"({target.title})."}
                )  # fmt: skip
        return [escalate_to(c, target, now=now, reason=reason, assignee=assignee)]

    return _transition_and_tell(
        action=Action.ESCALATE, step="escalated", summary=escalation_words, body=reason,
        complaint_id=complaint_id, by=by, now=now, expected_version=expected_version,
        change=change,
    )  # fmt: skip


def assignable_staff() -> Any:
    return (
        User.objects.filter(is_active=True, groups__name__in=["agent", "manager"])
        .distinct()
        .order_by("first_name", "username")
    )


def complaint_assign(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None, assignee_id: int | None,
) -> Complaint:  # fmt: skip
    assignee = None
    if assignee_id is not None:
        assignee = assignable_staff().filter(pk=assignee_id).first()
        if assignee is None:
            raise ValidationError({"assignee": "Choose an active agent or manager."})

    def change(c: Complaint, _: Status) -> list[_Event]:
        if c.assigned_to_id == (assignee.pk if assignee else None):
            raise ValidationError({"assignee": "The complaint is already assigned that way."})
        c.assigned_to = assignee
        who = (assignee.get_full_name() or assignee.get_username()) if assignee else "nobody"
        return [_Event(TimelineEvent.Kind.ASSIGNMENT, f"Assigned to {who}")]

    return _transition(
        complaint_id=complaint_id, action=Action.ASSIGN, by=by, now=now,
        expected_version=expected_version, change=change,
    )  # fmt: skip


def complaints_bulk_assign(
    *, complaint_ids: list[int], by: AbstractBaseUser, now: datetime.datetime,
    assignee_id: int | None,
) -> tuple[int, list[str]]:  # fmt: skip
    """A manager reassigns many at once. Returns (how many moved, why others did not)."""
    if not ({"manager", "admin"} & staff_roles(by)):
        raise TransitionRefused("Only managers can reassign complaints in bulk.")
    moved, problems = 0, []
    # A fixed order: two bulk reassignments can never deadlock on each other's rows.
    for complaint_id in sorted(set(complaint_ids)):
        try:
            complaint_assign(complaint_id=complaint_id, by=by, now=now, expected_version=None,
                             assignee_id=assignee_id)  # fmt: skip
            moved += 1
        except (ValidationError, TransitionRefused, Complaint.DoesNotExist) as exc:
            reference = (
                Complaint.objects.filter(pk=complaint_id)
                .values_list("reference", flat=True)
                .first()
            )
            message = "; ".join(getattr(exc, "messages", [str(exc)]))
            problems.append(f"{reference or complaint_id}: {message}")
    return moved, problems


def complaint_issue_deadlock(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None, body: str,
) -> Complaint:  # fmt: skip
    """Our final position: we cannot resolve it further; the customer may go to ADR."""
    body = _required(body, "our final position for the deadlock letter")

    def change(c: Complaint, _: Status) -> list[_Event]:
        c.letter_date = local_date(now)
        c.letter_reason = LetterReason.DEADLOCK
        if c.adr_letter_asked_at is not None:
            c.adr_letter_issued_at = now  # the letter the customer asked for
        return [_Event(TimelineEvent.Kind.LETTER, "Deadlock letter issued", body=body,
                       visibility=Visibility.CUSTOMER,
                       data={"letter": "deadlock", "reason": LetterReason.DEADLOCK})]  # fmt: skip

    # One transaction: the letter (and its PDF, rendered after commit) exists exactly when
    # the complaint says a deadlock letter was issued.
    with transaction.atomic():
        complaint = _transition(
            complaint_id=complaint_id, action=Action.ISSUE_DEADLOCK, by=by, now=now,
            expected_version=expected_version, change=change,
        )  # fmt: skip
        letter_issue(complaint=complaint, kind=Letter.Kind.DEADLOCK, body=body, by=by, now=now,
                     reason=LetterReason.DEADLOCK)  # fmt: skip
    return complaint


def complaint_customer_replied(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None, method: str, body: str,
) -> Complaint:  # fmt: skip
    """The customer replied by phone, email or letter. soVision: "Unless we hear from you within
    10 working days of our response … we will assume that the complaint has been resolved" —
    hearing from them by any channel stops the auto-close clock, as a reply on the web does."""
    body = _required(body, "what the customer said")
    if method not in ContactMethod.values:
        raise ValidationError(
            {"method": "Choose how the customer replied: phone, email or letter."}
        )

    def change(c: Complaint, _: Status) -> list[_Event]:
        label = ContactMethod(method).label.lower()
        return [_Event(TimelineEvent.Kind.NOTE, f"The customer replied by {label}", body=body,
                       visibility=Visibility.CUSTOMER,
                       data={"by": "customer", "method": method, "reply": True})]  # fmt: skip

    return _transition(
        complaint_id=complaint_id, action=Action.CUSTOMER_REPLIED, by=by, now=now,
        expected_version=expected_version, change=change,
    )  # fmt: skip


def complaint_record_adr_referral(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None, body: str = "",
) -> Complaint:  # fmt: skip
    def change(c: Complaint, _: Status) -> list[_Event]:
        return [_Event(TimelineEvent.Kind.THIRD_PARTY, "Customer referred the complaint to ADR",
                       body=body.strip())]  # fmt: skip

    return _transition(
        complaint_id=complaint_id, action=Action.RECORD_ADR_REFERRAL, by=by, now=now,
        expected_version=expected_version, change=change,
    )  # fmt: skip


ACTION_LABELS = {action: rule.label for action, rule in RULES.items()}

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
from complaints.models import Complaint, ContactMethod, Letter, Status, TimelineEvent
from complaints.workflows.letters import letter_issue
from complaints.workflows.transition import _Event, _transition, iso
from escalation.calendar import local_date
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

    return _transition(
        complaint_id=complaint_id, action=Action.ACKNOWLEDGE, by=by, now=now,
        expected_version=expected_version, change=change,
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
) -> Complaint:
    """Tell the customer where things stand, by the agreed method; optionally promise the next."""
    body = _required(body, "what you told the customer")
    if method not in ContactMethod.values:
        raise ValidationError({"method": "Choose how the update was sent: phone, email or letter."})
    if next_update_by is not None and next_update_by <= now:
        raise ValidationError({"next_update_by": "The next update must be promised for later."})

    def change(c: Complaint, _: Status) -> list[_Event]:
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

    return _transition(
        complaint_id=complaint_id, action=Action.SEND_UPDATE, by=by, now=now,
        expected_version=expected_version, change=change,
    )  # fmt: skip


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
        c.responded_at = now
        c.resolution_summary = body
        final = " (our final position)" if new_status == Status.FINAL_RESPONSE else ""
        return [_Event(TimelineEvent.Kind.RESOLUTION, f"Resolution proposed{final}", body=body,
                       visibility=Visibility.CUSTOMER)]  # fmt: skip

    return _transition(
        complaint_id=complaint_id, action=Action.PROPOSE_RESOLUTION, by=by, now=now,
        expected_version=expected_version, change=change,
    )  # fmt: skip


def complaint_confirm_remedied(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None, body: str,
) -> Complaint:  # fmt: skip
    """We have put it right (how): the resolution is actioned, which also starts auto-close."""
    body = _required(body, "how the problem was remedied")

    def change(c: Complaint, _: Status) -> list[_Event]:
        _first_contact(c, now)
        c.resolution_actioned_at = now
        c.resolution_summary = body
        return [_Event(TimelineEvent.Kind.RESOLUTION, "Remedied", body=body,
                       visibility=Visibility.CUSTOMER)]  # fmt: skip

    return _transition(
        complaint_id=complaint_id, action=Action.CONFIRM_REMEDIED, by=by, now=now,
        expected_version=expected_version, change=change,
    )  # fmt: skip


def complaint_mark_resolved(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None, body: str = "",
) -> Complaint:  # fmt: skip
    def change(c: Complaint, _: Status) -> list[_Event]:
        _first_contact(c, now)
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
    expected_version: int | None, reason: str,
) -> Complaint:  # fmt: skip
    """Raise the complaint to the next tier of the governing code."""
    reason = _required(reason, "why the complaint is escalated", "reason")

    def change(c: Complaint, _: Status) -> list[_Event]:
        return [escalate_to(c, escalation_target(c), now=now, reason=reason)]

    return _transition(
        complaint_id=complaint_id, action=Action.ESCALATE, by=by, now=now,
        expected_version=expected_version, change=change,
    )  # fmt: skip


def escalate_to(c: Complaint, target: Any, *, now: datetime.datetime, reason: str) -> _Event:
    """Move the (locked) complaint to tier `target` and describe it for the timeline."""
    c.tier = target.level
    if c.assigned_to is not None and not c.assigned_to.groups.filter(pk=target.group_id).exists():
        c.assigned_to = None  # the next tier's group picks it up from "unassigned"
    if target.is_formal and not c.register_reference:
        c.register_reference = f"CR-{local_date(now).year}-{c.pk:07d}"
    formal = f"; complaints register reference {c.register_reference}" if target.is_formal else ""
    return _Event(
        TimelineEvent.Kind.ESCALATION,
        f"Escalated to {target.title}{formal}",
        body=reason,
        visibility=Visibility.CUSTOMER,
        data={"tier": target.level, "register_reference": c.register_reference},
    )


def escalation_target(complaint: Complaint, *, formal: bool = False) -> Any:
    """The tier a complaint escalates to: the next one, or (formal=True) the first formal tier
    above it when the code has one. TransitionRefused at the top."""
    tiers = sorted(complaint.code_version.tiers.select_related("group"), key=lambda t: t.level)
    above = [t for t in tiers if t.level > complaint.tier]
    if not above:
        top = tiers[-1].title if tiers else str(complaint.tier)
        raise TransitionRefused(f"This complaint is already at the highest tier ({top}).")
    if formal:
        return next((t for t in above if t.is_formal), above[0])
    return above[0]


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
        return [_Event(TimelineEvent.Kind.LETTER, "Deadlock letter issued", body=body,
                       visibility=Visibility.CUSTOMER, data={"letter": "deadlock"})]  # fmt: skip

    # One transaction: the letter (and its PDF, rendered after commit) exists exactly when
    # the complaint says a deadlock letter was issued.
    with transaction.atomic():
        complaint = _transition(
            complaint_id=complaint_id, action=Action.ISSUE_DEADLOCK, by=by, now=now,
            expected_version=expected_version, change=change,
        )  # fmt: skip
        letter_issue(complaint=complaint, kind=Letter.Kind.DEADLOCK, body=body, by=by, now=now)
    return complaint


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

# Every staff action of the lifecycle table and the workflow that does it. The API's action
# endpoints are generated from this (one endpoint per entry, its body from the signature), so
# a new action needs one entry here.
ACTION_SERVICES: dict[Action, Any] = {
    Action.ACKNOWLEDGE: complaint_acknowledge,
    Action.SEND_UPDATE: complaint_send_update,
    Action.RECORD_FINDINGS: complaint_record_findings,
    Action.PROPOSE_RESOLUTION: complaint_propose_resolution,
    Action.CONFIRM_REMEDIED: complaint_confirm_remedied,
    Action.MARK_RESOLVED: complaint_mark_resolved,
    Action.REOPEN: complaint_reopen,
    Action.ESCALATE: complaint_escalate,
    Action.ASSIGN: complaint_assign,
    Action.ISSUE_DEADLOCK: complaint_issue_deadlock,
    Action.RECORD_ADR_REFERRAL: complaint_record_adr_referral,
}

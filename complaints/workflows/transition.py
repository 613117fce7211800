"""One change to a complaint, the way every staff and customer action makes it: lock the row,
check the version the person was looking at, ask the lifecycle table (and the role), apply the
change, recompute the clocks and what is due next, then record the events, the "clocks changed"
event and the audit entry in the same transaction.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from complaints.lifecycle import CUSTOMER, TIER_DECISIONS, Action, next_status
from complaints.models import Complaint, Status, TimelineEvent
from complaints.services import complaint_due_refresh, complaint_refresh_clocks
from complaints.timeline import audit_record, clock_changes_record, timeline_record
from escalation.choices import CLOCK_NAMES
from escalation.roles import ADMIN, MANAGER, staff_roles

Visibility = TimelineEvent.Visibility
MANAGER_ROLES = frozenset({MANAGER, ADMIN})
# A manager's action answers a customer's pending request, except these (internal only).
NOT_AN_ANSWER = frozenset({Action.ASSIGN, Action.RECORD_FINDINGS})

# What the audit trail compares before and after every action.
AUDITED_FIELDS = (
    "status",
    "tier",
    "assigned_to_id",
    "acknowledged_at",
    "first_response_at",
    "responded_at",
    "resolution_actioned_at",
    "resolved_at",
    "closed_at",
    "letter_date",
    "promised_by",
    "agreed_next_step",
    "agreed_contact_method",
    "resolution_summary",
    "register_reference",
    "customer_request",
    "customer_request_answered_at",
    "root_cause_id",
    "root_cause_detail",
    *CLOCK_NAMES,
    "next_due_at",
)


class EditConflict(Exception):
    """Someone else changed the complaint after this person loaded it."""

    def __init__(self, complaint: Complaint, last_change: TimelineEvent | None) -> None:
        self.complaint = complaint
        self.last_change = last_change
        who = "Someone"
        if last_change is not None and last_change.author is not None:
            who = last_change.author.get_full_name() or last_change.author.get_username()
        what = f" ({last_change.summary})" if last_change is not None else ""
        super().__init__(
            f"{who} changed this complaint while you were working on it{what}. "
            "Nothing of yours was saved yet and nothing you typed is lost: check the "
            "complaint as it is now, then submit again."
        )


@dataclass
class _Event:
    kind: str
    summary: str
    body: str = ""
    visibility: str = Visibility.INTERNAL
    data: dict[str, Any] = field(default_factory=dict)


def _snapshot(complaint: Complaint) -> dict[str, Any]:
    out = {}
    for name in AUDITED_FIELDS:
        value = getattr(complaint, name)
        out[name] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def _transition(
    *,
    complaint_id: int,
    action: Action,
    by: AbstractBaseUser | None,
    now: datetime.datetime,
    expected_version: int | None,
    change: Callable[[Complaint, Status], Iterable[_Event]],
    reason: str = "",
    as_customer: bool = False,
) -> Complaint:
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update()
            .select_related("customer", "code_version")
            .get(pk=complaint_id)
        )
        if expected_version is not None and complaint.row_version != expected_version:
            last = (
                complaint.events.exclude(kind=TimelineEvent.Kind.NOTIFICATION)
                .select_related("author")
                .order_by("-created_at", "-id")
                .first()
            )
            raise EditConflict(complaint, last)
        if as_customer:
            roles: frozenset[str] | None = frozenset({CUSTOMER})
        else:
            roles = None if by is None else staff_roles(by)
        tier = (
            complaint.code_version.tiers.select_related("group")
            .filter(level=complaint.tier)
            .first()
            if roles is not None and action in TIER_DECISIONS
            else None
        )
        new_status = next_status(
            action,
            complaint.status,
            roles=roles,
            deciders=tier.deciders if tier is not None else None,
            tier_title=tier.title if tier is not None else "",
        )
        before = _snapshot(complaint)
        old_status = complaint.status
        events = list(change(complaint, new_status))
        complaint.status = new_status
        if (
            complaint.customer_request_pending
            and roles is not None
            and roles & MANAGER_ROLES
            and action not in NOT_AN_ANSWER
        ):
            complaint.customer_request_answered_at = now
        if new_status in (Status.RESOLVED, Status.CLOSED) and old_status not in (
            Status.RESOLVED,
            Status.CLOSED,
        ):
            complaint.resolved_at = complaint.resolved_at or now
            complaint.closed_at = now if new_status == Status.CLOSED else complaint.closed_at
        clock_changes = complaint_refresh_clocks(complaint)
        complaint_due_refresh(complaint)
        complaint.row_version += 1
        complaint.save()

        for event in events:
            timeline_record(
                complaint=complaint,
                kind=event.kind,
                summary=event.summary,
                body=event.body,
                visibility=event.visibility,
                data=event.data,
                occurred_at=now,
                author=by,
            )
        if new_status != old_status:
            timeline_record(
                complaint=complaint,
                kind=TimelineEvent.Kind.STATUS_CHANGE,
                summary=f"{Status(old_status).label} → {Status(new_status).label}",
                body=reason,
                visibility=Visibility.CUSTOMER,
                data={"from": old_status, "to": new_status, "action": action.value},
                occurred_at=now,
                author=by,
            )
        clock_changes_record(complaint=complaint, changes=clock_changes, now=now, by=by)
        after = _snapshot(complaint)
        audit_record(
            by=by,
            now=now,
            obj=complaint,
            action=action.value,
            changes={k: [before[k], after[k]] for k in AUDITED_FIELDS if before[k] != after[k]},
        )
        return complaint


def iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value

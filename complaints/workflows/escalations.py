"""Escalating a complaint to a higher tier of its code: which tier, who owns it there, and
what the customer is told. soVision: "a senior member of management will take over a review of
your case and report to you directly"; Infinity: "to the Operations Director and ultimately to
the Managing Director". Shared by the staff action (actions.complaint_escalate) and the
customer's own requests (customer_actions).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth import get_user_model

from complaints.lifecycle import TransitionRefused
from complaints.models import Complaint, TimelineEvent
from complaints.workflows.transition import _Event
from escalation.calendar import local_date

User = get_user_model()
Visibility = TimelineEvent.Visibility


def tier_members(tier: Any) -> Any:
    """The active people of a tier's group, who can own a complaint escalated to it."""
    return (
        User.objects.filter(is_active=True, groups=tier.group_id)
        .distinct()
        .order_by("first_name", "username")
    )


def tier_owner(c: Complaint, tier: Any, chosen: Any = None) -> Any:
    """Who owns a complaint escalated to `tier`: the person the escalating manager chose, the
    tier's default, the current owner if they belong to the tier's group, else the first of
    the group. soVision: "a senior member of management will take over a review of your case
    and report to you directly" — a formal complaint never loses its owner."""
    members = tier_members(tier)
    for person in (chosen, tier.default_assignee if tier.default_assignee_id else None):
        if person is not None and members.filter(pk=person.pk).exists():
            return person
    if c.assigned_to_id is not None and members.filter(pk=c.assigned_to_id).exists():
        return c.assigned_to
    return members.first()


def escalate_to(
    c: Complaint, target: Any, *, now: datetime.datetime, reason: str, assignee: Any = None
) -> _Event:
    """Move the (locked) complaint to tier `target`, to a named owner of that tier, and start
    the escalated stage's own response clock; describe it for the timeline."""
    c.tier = target.level
    c.assigned_to = tier_owner(c, target, assignee)
    c.escalated_at = now
    c.final_position_at = None
    if target.is_formal and not c.register_reference:
        c.register_reference = f"CR-{local_date(now).year}-{c.pk:07d}"
    formal = f"; complaints register reference {c.register_reference}" if target.is_formal else ""
    owner = ""
    if c.assigned_to is not None:
        owner = (
            f"; {c.assigned_to.get_full_name() or c.assigned_to.get_username()} will report to you"
        )
    return _Event(
        TimelineEvent.Kind.ESCALATION,
        f"Escalated to {target.title}{formal}{owner}",
        body=reason,
        visibility=Visibility.CUSTOMER,
        data={
            "tier": target.level,
            "register_reference": c.register_reference,
            "assigned_to": c.assigned_to_id,
        },
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


def escalation_words(complaint: Complaint) -> str:
    """What the customer is told when their complaint goes up a tier."""
    owner = complaint.assigned_to
    who = f"; {owner.get_full_name() or owner.get_username()} will report to you directly" if (
        owner is not None
    ) else ""  # fmt: skip
    register = (
        f" (complaints register reference {complaint.register_reference})"
        if complaint.register_reference
        else ""
    )
    return f"Your complaint has been escalated{register}{who}"

"""The complaint lifecycle: one explicit table of which action moves which status where.

No database (the statuses are model choices, nothing more): services ask it before every change, views ask it which buttons to offer.

    new ─acknowledge→ acknowledged ─record findings→ investigating
      └──────────── propose resolution / confirm remedied ──→ awaiting_customer
    awaiting_customer ─mark resolved (customer accepted)→ resolved ─reopen→ investigating
    any open ─escalate→ escalated (formal at a formal tier) ─propose→ final_response
    any open ─issue deadlock letter (manager)→ deadlock ─record ADR referral→ adr_referred
    awaiting_customer ─silence past auto_close_at (sweep)→ closed ─reopen→ investigating
    new / acknowledged (emailed, awaiting triage) ─discard at triage→ closed

Who may act at which tier is part of each tier's definition in the code version
(`EscalationTier.decisions_by_group_only`): at such a tier only its group takes the decisions in
TIER_DECISIONS. Callers pass that group as `deciders`; None means the tier does not restrict.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from django.db import models

from escalation.roles import ADMIN, AGENT, MANAGER


class Status(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Investigating"
    AWAITING_CUSTOMER = "awaiting_customer", "Response sent, awaiting customer"
    ESCALATED = "escalated", "Escalated (formal)"
    FINAL_RESPONSE = "final_response", "Final response sent"
    DEADLOCK = "deadlock", "Deadlock letter sent"
    ADR_REFERRED = "adr_referred", "Referred to ADR"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = (
    Status.NEW,
    Status.ACKNOWLEDGED,
    Status.INVESTIGATING,
    Status.AWAITING_CUSTOMER,
    Status.ESCALATED,
    Status.FINAL_RESPONSE,
)


S = Status
OPEN = frozenset(OPEN_STATUSES)


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    SEND_UPDATE = "send_update"
    RECORD_FINDINGS = "record_findings"
    PROPOSE_RESOLUTION = "propose_resolution"
    CONFIRM_REMEDIED = "confirm_remedied"
    MARK_RESOLVED = "mark_resolved"
    REOPEN = "reopen"
    ESCALATE = "escalate"
    ASSIGN = "assign"
    ISSUE_DEADLOCK = "issue_deadlock"
    ISSUE_ADR_LETTER = "issue_adr_letter"
    CUSTOMER_REPLIED = "customer_replied"
    RECORD_ADR_REFERRAL = "record_adr_referral"
    AUTO_CLOSE = "auto_close"
    # An emailed "complaint" that triage found is not one (spam, misdirected): the message is
    # kept. Only the triage workflow moves it (after checking the person's role), never a menu.
    TRIAGE_DISCARD = "triage_discard"
    # The customer's own actions, from the follow page.
    CUSTOMER_ADD_INFORMATION = "customer_add_information"
    CUSTOMER_ACCEPT = "customer_accept"
    CUSTOMER_REJECT = "customer_reject"
    CUSTOMER_REQUEST_ESCALATION = "customer_request_escalation"
    CUSTOMER_REQUEST_DEADLOCK = "customer_request_deadlock"


@dataclass(frozen=True)
class Rule:
    label: str
    moves: dict[Status, Status]
    roles: frozenset[str]


CUSTOMER = "customer"
_STAFF = frozenset({AGENT, MANAGER, ADMIN})
_CUSTOMER = frozenset({CUSTOMER})
_MANAGERS = frozenset({MANAGER, ADMIN})


def _same(statuses: frozenset[Status]) -> dict[Status, Status]:
    return {s: s for s in statuses}


RULES: dict[Action, Rule] = {
    Action.ACKNOWLEDGE: Rule("Acknowledge", {S.NEW: S.ACKNOWLEDGED}, _STAFF),
    Action.SEND_UPDATE: Rule("Send an update", {**_same(OPEN), S.NEW: S.ACKNOWLEDGED}, _STAFF),
    Action.RECORD_FINDINGS: Rule(
        "Record findings",
        {
            S.NEW: S.INVESTIGATING,
            S.ACKNOWLEDGED: S.INVESTIGATING,
            S.INVESTIGATING: S.INVESTIGATING,
            # Our own notes never stop soVision's auto-close clock: only a customer reply does.
            S.AWAITING_CUSTOMER: S.AWAITING_CUSTOMER,
            S.ESCALATED: S.ESCALATED,
            # Evidence keeps arriving after our final position (e.g. ombudsman correspondence).
            S.FINAL_RESPONSE: S.FINAL_RESPONSE,
            S.DEADLOCK: S.DEADLOCK,
            S.ADR_REFERRED: S.ADR_REFERRED,
        },
        _STAFF,
    ),
    # At a formal tier whatever we propose is our final position (soVision's code).
    Action.PROPOSE_RESOLUTION: Rule(
        "Propose a resolution",
        {
            S.NEW: S.AWAITING_CUSTOMER,
            S.ACKNOWLEDGED: S.AWAITING_CUSTOMER,
            S.INVESTIGATING: S.AWAITING_CUSTOMER,
            S.AWAITING_CUSTOMER: S.AWAITING_CUSTOMER,
            S.ESCALATED: S.FINAL_RESPONSE,
        },
        _STAFF,
    ),
    Action.CONFIRM_REMEDIED: Rule(
        "Confirm remedied",
        {
            S.NEW: S.AWAITING_CUSTOMER,
            S.ACKNOWLEDGED: S.AWAITING_CUSTOMER,
            S.INVESTIGATING: S.AWAITING_CUSTOMER,
            S.AWAITING_CUSTOMER: S.AWAITING_CUSTOMER,
            S.ESCALATED: S.FINAL_RESPONSE,
        },
        _STAFF,
    ),
    Action.MARK_RESOLVED: Rule(
        "Mark resolved (customer accepted)",
        {s: S.RESOLVED for s in OPEN},
        _STAFF,
    ),
    Action.REOPEN: Rule("Reopen", {S.RESOLVED: S.INVESTIGATING, S.CLOSED: S.INVESTIGATING}, _STAFF),
    Action.ESCALATE: Rule(
        "Escalate",
        {
            S.NEW: S.ESCALATED,
            S.ACKNOWLEDGED: S.ESCALATED,
            S.INVESTIGATING: S.ESCALATED,
            S.AWAITING_CUSTOMER: S.ESCALATED,
            S.ESCALATED: S.ESCALATED,
            S.FINAL_RESPONSE: S.ESCALATED,
        },
        _STAFF,
    ),
    Action.ASSIGN: Rule("Assign", _same(OPEN), _STAFF),
    Action.ISSUE_DEADLOCK: Rule("Issue deadlock letter", {s: S.DEADLOCK for s in OPEN}, _MANAGERS),
    # A queued ADR-period letter, approved by a manager: the complaint stays where it is.
    Action.ISSUE_ADR_LETTER: Rule("Approve and send the ADR letter", _same(OPEN), _MANAGERS),
    # The customer replied by phone, email or letter: as a reply on the follow page, it stops
    # soVision's auto-close clock.
    Action.CUSTOMER_REPLIED: Rule(
        "Customer replied",
        {
            **_same(OPEN),
            S.AWAITING_CUSTOMER: S.INVESTIGATING,
            S.DEADLOCK: S.DEADLOCK,
            S.ADR_REFERRED: S.ADR_REFERRED,
        },
        _STAFF,
    ),
    Action.RECORD_ADR_REFERRAL: Rule(
        "Record ADR referral",
        {**{s: S.ADR_REFERRED for s in OPEN}, S.DEADLOCK: S.ADR_REFERRED},
        _MANAGERS,
    ),
    # A customer's reply stops the auto-close clock: awaiting them becomes investigating again.
    Action.CUSTOMER_ADD_INFORMATION: Rule(
        "Add information",
        {
            **_same(OPEN),
            S.AWAITING_CUSTOMER: S.INVESTIGATING,
            S.DEADLOCK: S.DEADLOCK,
            S.ADR_REFERRED: S.ADR_REFERRED,
        },
        _CUSTOMER,
    ),
    Action.CUSTOMER_ACCEPT: Rule(
        "Accept the resolution",
        {S.AWAITING_CUSTOMER: S.RESOLVED, S.FINAL_RESPONSE: S.RESOLVED},
        _CUSTOMER,
    ),
    # soVision: still unhappy after our response -> a formal complaint. Rejecting our final
    # position leaves it final; the customer can then ask for the deadlock letter.
    Action.CUSTOMER_REJECT: Rule(
        "Reject the resolution",
        {S.AWAITING_CUSTOMER: S.ESCALATED, S.FINAL_RESPONSE: S.FINAL_RESPONSE},
        _CUSTOMER,
    ),
    Action.CUSTOMER_REQUEST_ESCALATION: Rule(
        "Ask for escalation",
        {
            S.NEW: S.ESCALATED,
            S.ACKNOWLEDGED: S.ESCALATED,
            S.INVESTIGATING: S.ESCALATED,
            S.AWAITING_CUSTOMER: S.ESCALATED,
            S.ESCALATED: S.ESCALATED,
        },
        _CUSTOMER,
    ),
    Action.CUSTOMER_REQUEST_DEADLOCK: Rule("Ask for a deadlock letter", _same(OPEN), _CUSTOMER),
    Action.AUTO_CLOSE: Rule(
        "Close after customer silence", {S.AWAITING_CUSTOMER: S.CLOSED}, frozenset()
    ),
    Action.TRIAGE_DISCARD: Rule(
        "Discard at triage (not a complaint)",
        {S.NEW: S.CLOSED, S.ACKNOWLEDGED: S.CLOSED},
        frozenset(),
    ),
}


# Proposing, confirming a remedy, resolving and the final position (deadlock letter): the
# decisions a director or formal tier keeps for its own group.
TIER_DECISIONS = frozenset(
    {
        Action.PROPOSE_RESOLUTION,
        Action.CONFIRM_REMEDIED,
        Action.MARK_RESOLVED,
        Action.ISSUE_DEADLOCK,
    }
)


def _decides(
    action: Action, roles: frozenset[str] | set[str], deciders: frozenset[str] | None
) -> bool:
    return deciders is None or action not in TIER_DECISIONS or bool(deciders & set(roles))


class TransitionRefused(Exception):
    """A request the lifecycle does not allow; the message is fit to show the user."""


class TierRefused(TransitionRefused):
    """The person's role may take the action, but not at this tier (it keeps its decisions)."""


def next_status(
    action: Action,
    status: str,
    *,
    roles: frozenset[str] | set[str] | None = None,
    deciders: frozenset[str] | None = None,
    tier_title: str = "",
) -> Status:
    """Where `action` takes a complaint in `status`, or TransitionRefused with the reason.

    roles=None is the system itself (sweeps); people must hold one of the action's roles, and
    at a tier that keeps its decisions (`deciders`), that tier's group.
    """
    rule = RULES[action]
    if roles is not None and not (rule.roles & set(roles)):
        raise TransitionRefused(f"Your role cannot {rule.label.lower()}.")
    if roles is not None and not _decides(action, roles, deciders):
        where = f"At {tier_title}" if tier_title else "At this tier"
        raise TierRefused(
            f"{where} only the {', '.join(sorted(deciders or ()))} group can {rule.label.lower()}."
        )
    try:
        current = Status(status)
    except ValueError:
        raise TransitionRefused(f"Unknown complaint status {status!r}.") from None
    try:
        return rule.moves[current]
    except KeyError:
        raise TransitionRefused(
            f"A complaint that is {current.label.lower()} cannot be {_past(action)}."
        ) from None


def allowed_actions(
    status: str, *, roles: frozenset[str] | set[str], deciders: frozenset[str] | None = None
) -> list[Action]:
    """The actions a person with `roles` may take on a complaint in `status`, in menu order."""
    return [
        action
        for action, rule in RULES.items()
        if Status(status) in rule.moves
        and rule.roles & set(roles)
        and _decides(action, roles, deciders)
    ]


def _past(action: Action) -> str:
    return {
        Action.ACKNOWLEDGE: "acknowledged",
        Action.SEND_UPDATE: "updated",
        Action.RECORD_FINDINGS: "given findings",
        Action.PROPOSE_RESOLUTION: "given a proposed resolution",
        Action.CONFIRM_REMEDIED: "confirmed as remedied",
        Action.MARK_RESOLVED: "marked resolved",
        Action.REOPEN: "reopened",
        Action.ESCALATE: "escalated",
        Action.ASSIGN: "reassigned",
        Action.ISSUE_DEADLOCK: "given a deadlock letter",
        Action.ISSUE_ADR_LETTER: "sent an ADR letter",
        Action.CUSTOMER_REPLIED: "given the customer's reply",
        Action.RECORD_ADR_REFERRAL: "recorded as referred to ADR",
        Action.AUTO_CLOSE: "closed for silence",
        Action.TRIAGE_DISCARD: "discarded at triage",
        Action.CUSTOMER_ADD_INFORMATION: "given more information",
        Action.CUSTOMER_ACCEPT: "accepted",
        Action.CUSTOMER_REJECT: "rejected",
        Action.CUSTOMER_REQUEST_ESCALATION: "escalated at your request",
        Action.CUSTOMER_REQUEST_DEADLOCK: "given a deadlock letter request",
    }[action]

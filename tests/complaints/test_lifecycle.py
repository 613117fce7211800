"""The complaint lifecycle, transition by transition (pure: no database).

The tables below are written out by hand from the lifecycle as documented (complaints/lifecycle.py
docstring, issue 3 item 6) rather than read back from RULES: a change to the state machine has to
change this file too, deliberately.
"""

from __future__ import annotations

import itertools

import pytest

from complaints.lifecycle import (
    RULES,
    Action,
    TransitionRefused,
    allowed_actions,
    next_status,
)
from complaints.models import Status

A, S = Action, Status
OPEN = (
    S.NEW,
    S.ACKNOWLEDGED,
    S.INVESTIGATING,
    S.AWAITING_CUSTOMER,
    S.ESCALATED,
    S.FINAL_RESPONSE,
)
STAFF = ("agent", "manager", "admin")
MANAGERS = ("manager", "admin")

# (action, from status) → to status. Every pair not listed is refused.
DOCUMENTED: dict[tuple[Action, Status], Status] = {
    (A.ACKNOWLEDGE, S.NEW): S.ACKNOWLEDGED,
    # Sending an update is our first contact: a new complaint counts as acknowledged.
    (A.SEND_UPDATE, S.NEW): S.ACKNOWLEDGED,
    **{(A.SEND_UPDATE, s): s for s in OPEN if s != S.NEW},
    (A.RECORD_FINDINGS, S.NEW): S.INVESTIGATING,
    (A.RECORD_FINDINGS, S.ACKNOWLEDGED): S.INVESTIGATING,
    (A.RECORD_FINDINGS, S.INVESTIGATING): S.INVESTIGATING,
    (A.RECORD_FINDINGS, S.AWAITING_CUSTOMER): S.AWAITING_CUSTOMER,
    (A.RECORD_FINDINGS, S.ESCALATED): S.ESCALATED,
    (A.RECORD_FINDINGS, S.FINAL_RESPONSE): S.FINAL_RESPONSE,
    (A.RECORD_FINDINGS, S.DEADLOCK): S.DEADLOCK,
    (A.RECORD_FINDINGS, S.ADR_REFERRED): S.ADR_REFERRED,
    (A.PROPOSE_RESOLUTION, S.NEW): S.AWAITING_CUSTOMER,
    (A.PROPOSE_RESOLUTION, S.ACKNOWLEDGED): S.AWAITING_CUSTOMER,
    (A.PROPOSE_RESOLUTION, S.INVESTIGATING): S.AWAITING_CUSTOMER,
    (A.PROPOSE_RESOLUTION, S.AWAITING_CUSTOMER): S.AWAITING_CUSTOMER,
    # At the formal tier whatever we propose is our final position.
    (A.PROPOSE_RESOLUTION, S.ESCALATED): S.FINAL_RESPONSE,
    (A.CONFIRM_REMEDIED, S.NEW): S.AWAITING_CUSTOMER,
    (A.CONFIRM_REMEDIED, S.ACKNOWLEDGED): S.AWAITING_CUSTOMER,
    (A.CONFIRM_REMEDIED, S.INVESTIGATING): S.AWAITING_CUSTOMER,
    (A.CONFIRM_REMEDIED, S.AWAITING_CUSTOMER): S.AWAITING_CUSTOMER,
    (A.CONFIRM_REMEDIED, S.ESCALATED): S.FINAL_RESPONSE,
    **{(A.MARK_RESOLVED, s): S.RESOLVED for s in OPEN},
    (A.REOPEN, S.RESOLVED): S.INVESTIGATING,
    (A.REOPEN, S.CLOSED): S.INVESTIGATING,
    **{(A.ESCALATE, s): S.ESCALATED for s in OPEN},
    **{(A.ASSIGN, s): s for s in OPEN},
    **{(A.ISSUE_DEADLOCK, s): S.DEADLOCK for s in OPEN},
    **{(A.RECORD_ADR_REFERRAL, s): S.ADR_REFERRED for s in (*OPEN, S.DEADLOCK)},
    # A queued ADR-period letter, approved: the complaint stays where it is.
    **{(A.ISSUE_ADR_LETTER, s): s for s in OPEN},
    # soVision: a reply by phone, email or letter stops auto-close like a web reply (issue 10).
    **{(A.CUSTOMER_REPLIED, s): s for s in (*OPEN, S.DEADLOCK, S.ADR_REFERRED)},
    (A.CUSTOMER_REPLIED, S.AWAITING_CUSTOMER): S.INVESTIGATING,
    (A.AUTO_CLOSE, S.AWAITING_CUSTOMER): S.CLOSED,
    # An emailed complaint that triage found is not one (issue 13).
    (A.TRIAGE_DISCARD, S.NEW): S.CLOSED,
    (A.TRIAGE_DISCARD, S.ACKNOWLEDGED): S.CLOSED,
    # The customer's own actions (issue 4).
    **{(A.CUSTOMER_ADD_INFORMATION, s): s for s in (*OPEN, S.DEADLOCK, S.ADR_REFERRED)},
    (A.CUSTOMER_ADD_INFORMATION, S.AWAITING_CUSTOMER): S.INVESTIGATING,
    (A.CUSTOMER_ACCEPT, S.AWAITING_CUSTOMER): S.RESOLVED,
    (A.CUSTOMER_ACCEPT, S.FINAL_RESPONSE): S.RESOLVED,
    (A.CUSTOMER_REJECT, S.AWAITING_CUSTOMER): S.ESCALATED,
    (A.CUSTOMER_REJECT, S.FINAL_RESPONSE): S.FINAL_RESPONSE,
    **{(A.CUSTOMER_REQUEST_ESCALATION, s): S.ESCALATED for s in OPEN if s != S.FINAL_RESPONSE},
    **{(A.CUSTOMER_REQUEST_DEADLOCK, s): s for s in OPEN},
}

# Who may ask for each action; AUTO_CLOSE is the sweep's alone (roles=None).
DOCUMENTED_ROLES: dict[Action, tuple[str, ...]] = {
    **{a: STAFF for a in Action},
    A.ISSUE_DEADLOCK: MANAGERS,
    A.RECORD_ADR_REFERRAL: MANAGERS,
    A.ISSUE_ADR_LETTER: MANAGERS,
    A.AUTO_CLOSE: (),
    A.TRIAGE_DISCARD: (),
    A.CUSTOMER_ADD_INFORMATION: ("customer",),
    A.CUSTOMER_ACCEPT: ("customer",),
    A.CUSTOMER_REJECT: ("customer",),
    A.CUSTOMER_REQUEST_ESCALATION: ("customer",),
    A.CUSTOMER_REQUEST_DEADLOCK: ("customer",),
}

PAST = {
    A.ACKNOWLEDGE: "acknowledged",
    A.SEND_UPDATE: "updated",
    A.RECORD_FINDINGS: "given findings",
    A.PROPOSE_RESOLUTION: "given a proposed resolution",
    A.CONFIRM_REMEDIED: "confirmed as remedied",
    A.MARK_RESOLVED: "marked resolved",
    A.REOPEN: "reopened",
    A.ESCALATE: "escalated",
    A.ASSIGN: "reassigned",
    A.ISSUE_DEADLOCK: "given a deadlock letter",
    A.RECORD_ADR_REFERRAL: "recorded as referred to ADR",
    A.ISSUE_ADR_LETTER: "sent an ADR letter",
    A.CUSTOMER_REPLIED: "given the customer's reply",
    A.AUTO_CLOSE: "closed for silence",
    A.TRIAGE_DISCARD: "discarded at triage",
    A.CUSTOMER_ADD_INFORMATION: "given more information",
    A.CUSTOMER_ACCEPT: "accepted",
    A.CUSTOMER_REJECT: "rejected",
    A.CUSTOMER_REQUEST_ESCALATION: "escalated at your request",
    A.CUSTOMER_REQUEST_DEADLOCK: "given a deadlock letter request",
}

ALL_PAIRS = list(itertools.product(Action, Status))
ALLOWED = [pair for pair in ALL_PAIRS if pair in DOCUMENTED]
REFUSED = [pair for pair in ALL_PAIRS if pair not in DOCUMENTED]


def _id(pair: tuple[Action, Status]) -> str:
    return f"{pair[0].value}-from-{pair[1].value}"


def test_the_rules_table_is_exactly_the_documented_lifecycle():
    in_code = {(a, s): to for a, rule in RULES.items() for s, to in rule.moves.items()}
    assert in_code == DOCUMENTED
    assert {a: set(rule.roles) for a, rule in RULES.items()} == {
        a: set(roles) for a, roles in DOCUMENTED_ROLES.items()
    }


@pytest.mark.parametrize("pair", ALLOWED, ids=_id)
def test_allowed_transition_moves_to_the_documented_status(pair):
    action, status = pair
    # When the system (roles=None) asks for it
    assert next_status(action, status, roles=None) == DOCUMENTED[pair]


@pytest.mark.parametrize("pair", ALLOWED, ids=_id)
@pytest.mark.parametrize("role", STAFF)
def test_allowed_transition_is_open_exactly_to_its_roles(pair, role):
    action, status = pair
    if role in DOCUMENTED_ROLES[action]:
        assert next_status(action, status, roles={role}) == DOCUMENTED[pair]
    else:
        with pytest.raises(TransitionRefused, match=r"^Your role cannot "):
            next_status(action, status, roles={role})


@pytest.mark.parametrize("pair", REFUSED, ids=_id)
def test_undocumented_transition_is_refused_with_a_clear_message(pair):
    action, status = pair
    # Given someone whose role may take the action at all (so the status is the reason)
    roles = set(DOCUMENTED_ROLES[action]) or None
    with pytest.raises(TransitionRefused) as refused:
        next_status(action, status, roles=roles)
    assert str(refused.value) == (
        f"A complaint that is {Status(status).label.lower()} cannot be {PAST[action]}."
    )


@pytest.mark.parametrize("pair", REFUSED, ids=_id)
@pytest.mark.parametrize("role", STAFF)
def test_undocumented_transition_is_refused_for_every_role(pair, role):
    action, status = pair
    with pytest.raises(TransitionRefused):
        next_status(action, status, roles={role})


def test_role_is_checked_before_the_status():
    # An agent asking for a deadlock letter on a resolved complaint is told about their role.
    with pytest.raises(TransitionRefused, match="Your role cannot issue deadlock letter"):
        next_status(A.ISSUE_DEADLOCK, S.RESOLVED, roles={"agent"})


def test_nobody_may_close_for_silence_by_hand():
    for roles in ({"agent"}, {"manager"}, {"admin"}, set(STAFF)):
        with pytest.raises(
            TransitionRefused, match="Your role cannot close after customer silence"
        ):
            next_status(A.AUTO_CLOSE, S.AWAITING_CUSTOMER, roles=roles)


def test_a_person_with_no_role_may_do_nothing():
    with pytest.raises(TransitionRefused, match="Your role cannot acknowledge"):
        next_status(A.ACKNOWLEDGE, S.NEW, roles=set())


def test_customer_role_is_not_a_staff_role():
    with pytest.raises(TransitionRefused):
        next_status(A.MARK_RESOLVED, S.AWAITING_CUSTOMER, roles={"customer"})


@pytest.mark.parametrize("status", list(Status), ids=lambda s: s.value)
@pytest.mark.parametrize("role", STAFF)
def test_allowed_actions_offers_exactly_the_documented_ones_in_menu_order(status, role):
    expected = [
        action
        for action in Action  # menu order is the Action order
        if (action, status) in DOCUMENTED and role in DOCUMENTED_ROLES[action]
    ]
    assert allowed_actions(status, roles={role}) == expected


def test_allowed_actions_never_offers_the_sweep_only_close():
    for status in Status:
        assert A.AUTO_CLOSE not in allowed_actions(status, roles=set(STAFF))


def test_allowed_actions_of_several_roles_is_their_union():
    assert allowed_actions(S.DEADLOCK, roles={"agent"}) == [
        A.RECORD_FINDINGS,
        A.CUSTOMER_REPLIED,
    ]
    assert allowed_actions(S.DEADLOCK, roles={"agent", "manager"}) == [
        A.RECORD_FINDINGS,
        A.CUSTOMER_REPLIED,
        A.RECORD_ADR_REFERRAL,
    ]


def test_statuses_accept_their_string_values():
    # Views and services pass complaint.status, a plain str from the database.
    assert next_status(A.ACKNOWLEDGE, "new", roles={"agent"}) == S.ACKNOWLEDGED
    assert allowed_actions("closed", roles={"agent"}) == [A.REOPEN]


def test_a_long_life_walks_the_documented_path_to_adr():
    # new → acknowledged → investigating → awaiting customer → resolved → reopened → …
    path = [
        (A.ACKNOWLEDGE, S.ACKNOWLEDGED),
        (A.RECORD_FINDINGS, S.INVESTIGATING),
        (A.PROPOSE_RESOLUTION, S.AWAITING_CUSTOMER),
        (A.MARK_RESOLVED, S.RESOLVED),
        (A.REOPEN, S.INVESTIGATING),
        (A.ESCALATE, S.ESCALATED),
        (A.PROPOSE_RESOLUTION, S.FINAL_RESPONSE),
        (A.ISSUE_DEADLOCK, S.DEADLOCK),
        (A.RECORD_ADR_REFERRAL, S.ADR_REFERRED),
    ]
    status = S.NEW
    for action, expected in path:
        status = next_status(action, status, roles={"manager"})
        assert status == expected
    # Only evidence can still be added (e.g. the ombudsman's correspondence), and what the
    # customer tells us by phone, email or letter.
    assert allowed_actions(status, roles=set(STAFF)) == [A.RECORD_FINDINGS, A.CUSTOMER_REPLIED]

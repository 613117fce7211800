"""The staff action services (complaints/actions.py): what each one changes on the complaint,
what it records on the timeline and in the audit trail, and which clocks it moves.

Unless a test says otherwise the complaint is a soVision (the current code) email complaint
logged Monday 2 November 2026 at 10:00: acknowledge by Tue 3 Nov 17:00, respond by Wed 4 Nov
17:00, resolve by Mon 16 Nov 17:00, ADR from Mon 28 Dec 2026, refer by Mon 2 Aug 2027.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from complaints.lifecycle import TransitionRefused
from complaints.models import AuditEntry, Complaint, Status, TimelineEvent
from complaints.services import customer_update
from complaints.workflows import actions
from complaints.workflows.transition import EditConflict
from escalation.calendar import LONDON
from tests.factories import ComplaintFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
Kind = TimelineEvent.Kind
Visibility = TimelineEvent.Visibility


def london(month: int, day: int, hour: int, minute: int = 0, year: int = 2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(month: int, day: int, hour: int, minute: int = 0, year: int = 2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def complaint(customer, now) -> Complaint:
    return ComplaintFactory(customer=customer, now=now)


def events_after(complaint: Complaint, last_id: int) -> list[TimelineEvent]:
    return list(
        complaint.events.filter(id__gt=last_id)
        .exclude(kind=Kind.NOTIFICATION)
        .select_related("author")
        .order_by("id")
    )


def last_event_id(complaint: Complaint) -> int:
    return complaint.events.order_by("-id").values_list("id", flat=True).first() or 0


def audits(complaint: Complaint):
    return AuditEntry.objects.filter(object_type="complaint", object_id=complaint.pk).order_by("id")


def unchanged(complaint: Complaint, *, events_before: int, audits_before: int) -> None:
    """Nothing about the complaint moved: version, status, timeline, audit."""
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert fresh.row_version == complaint.row_version
    assert fresh.status == complaint.status
    assert fresh.events.count() == events_before
    assert audits(complaint).count() == audits_before


@pytest.fixture
def snapshot(complaint):
    """Call after arranging: returns a checker that nothing changed since."""

    def take():
        current = Complaint.objects.get(pk=complaint.pk)
        counts = {"events_before": current.events.count(), "audits_before": audits(current).count()}
        return lambda: unchanged(current, **counts)

    return take


def acknowledged(complaint, agent, at=None) -> Complaint:
    return actions.complaint_acknowledge(
        complaint_id=complaint.pk, by=agent, now=at or london(11, 2, 11), expected_version=None
    )


def proposed(complaint, agent, at, body="We will credit £20.") -> Complaint:
    return actions.complaint_propose_resolution(
        complaint_id=complaint.pk, by=agent, now=at, expected_version=None, body=body
    )


def escalated(complaint, by, at=None, reason="Customer unhappy with the answer") -> Complaint:
    return actions.complaint_escalate(
        complaint_id=complaint.pk, by=by, now=at or london(11, 3, 9), expected_version=None,
        reason=reason,
    )  # fmt: skip


# --- acknowledge ---------------------------------------------------------------------------


def test_acknowledge_records_when_and_moves_to_acknowledged(complaint, agent):
    done = acknowledged(complaint, agent, at=london(11, 2, 11))
    assert done.status == Status.ACKNOWLEDGED
    assert done.acknowledged_at == london(11, 2, 11)
    assert done.first_response_at is None  # an acknowledgement is not our response
    assert done.row_version == complaint.row_version + 1


def test_acknowledge_is_on_the_timeline_for_the_customer_with_its_author(complaint, agent):
    before = last_event_id(complaint)
    acknowledged(complaint, agent)
    ack, status = events_after(complaint, before)
    assert (ack.kind, ack.visibility, ack.author, ack.summary) == (
        Kind.UPDATE, Visibility.CUSTOMER, agent, "Complaint acknowledged",
    )  # fmt: skip
    assert ack.occurred_at == london(11, 2, 11)
    assert (status.kind, status.visibility, status.author) == (
        Kind.STATUS_CHANGE, Visibility.CUSTOMER, agent,
    )  # fmt: skip
    assert status.summary == "New → Acknowledged"
    assert status.data == {"from": "new", "to": "acknowledged", "action": "acknowledge"}


def test_acknowledge_is_audited_with_before_and_after(complaint, agent):
    acknowledged(complaint, agent, at=london(11, 2, 11))
    entry = audits(complaint).last()
    assert (entry.action, entry.actor, entry.at) == ("acknowledge", agent, london(11, 2, 11))
    assert entry.changes == {
        "status": ["new", "acknowledged"],
        "acknowledged_at": [None, "2026-11-02T11:00:00+00:00"],
        "next_due_at": ["2026-11-03T17:00:00+00:00", "2026-11-04T17:00:00+00:00"],
    }


def test_acknowledge_moves_the_next_due_clock_to_respond_by(complaint, agent):
    assert (complaint.next_due_clock, complaint.next_due_at) == ("acknowledge_by", utc(11, 3, 17))
    done = acknowledged(complaint, agent)
    assert (done.next_due_clock, done.next_due_at) == ("respond_by", utc(11, 4, 17))


def test_acknowledging_twice_is_refused(complaint, agent, snapshot):
    acknowledged(complaint, agent)
    nothing_changed = snapshot()
    with pytest.raises(TransitionRefused, match="acknowledged cannot be acknowledged"):
        acknowledged(complaint, agent)
    nothing_changed()


# --- send an update ------------------------------------------------------------------------


def send_update(complaint, by, *, at, body="We are testing your line.", method="phone", **kw):
    return actions.complaint_send_update(
        complaint_id=complaint.pk, by=by, now=at, expected_version=None, body=body,
        method=method, **kw,
    )  # fmt: skip


def test_update_is_our_first_response_and_acknowledges_a_new_complaint(complaint, agent):
    done = send_update(complaint, agent, at=london(11, 3, 11))
    assert done.status == Status.ACKNOWLEDGED
    assert done.acknowledged_at == done.first_response_at == london(11, 3, 11)


def test_update_is_customer_visible_with_method_and_promise(complaint, agent):
    before = last_event_id(complaint)
    send_update(complaint, agent, at=london(11, 3, 11), method="email",
                next_update_by=london(11, 6, 12), body="Engineer booked.\nFriday AM.")  # fmt: skip
    update = events_after(complaint, before)[0]
    assert (update.kind, update.visibility, update.author) == (
        Kind.UPDATE, Visibility.CUSTOMER, agent,
    )  # fmt: skip
    assert update.summary == "Update sent by email"
    assert update.body == "Engineer booked.\nFriday AM."
    assert update.data == {"method": "email", "next_update_by": "2026-11-06T12:00:00+00:00"}


def test_promised_update_becomes_the_next_due_clock(complaint, agent):
    done = send_update(complaint, agent, at=london(11, 3, 11), next_update_by=london(11, 6, 12))
    assert done.promised_by == london(11, 6, 12)
    assert (done.next_due_clock, done.next_due_at) == ("promised_by", utc(11, 6, 12))


def test_an_update_without_a_promise_keeps_none_outstanding(complaint, agent):
    send_update(complaint, agent, at=london(11, 3, 11), next_update_by=london(11, 6, 12))
    done = send_update(complaint, agent, at=london(11, 6, 11))
    assert done.promised_by is None
    assert (done.next_due_clock, done.next_due_at) == ("resolve_by", utc(11, 16, 17))
    assert done.first_response_at == london(11, 3, 11)  # the first response stays the first


def test_update_is_audited(complaint, agent):
    send_update(complaint, agent, at=london(11, 3, 11), next_update_by=london(11, 6, 12))
    entry = audits(complaint).last()
    assert entry.action == "send_update"
    assert entry.changes["promised_by"] == [None, "2026-11-06T12:00:00+00:00"]
    assert entry.changes["first_response_at"] == [None, "2026-11-03T11:00:00+00:00"]
    assert entry.changes["status"] == ["new", "acknowledged"]


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"body": "   "}, "body"),
        ({"method": "pigeon"}, "method"),
        ({"next_update_by": london(11, 3, 10)}, "next_update_by"),
    ],
    ids=["empty body", "unknown method", "promise in the past"],
)
def test_update_refuses_bad_input_and_changes_nothing(complaint, agent, snapshot, kwargs, field):
    nothing_changed = snapshot()
    with pytest.raises(ValidationError) as refused:
        send_update(complaint, agent, at=london(11, 3, 11), **kwargs)
    assert field in refused.value.message_dict
    nothing_changed()


# --- record findings -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "summary"),
    [
        (Kind.FINDINGS, "Findings recorded"),
        (Kind.TECHNICAL_REPORT, "Technical report recorded"),
        (Kind.THIRD_PARTY, "Third-party correspondence recorded"),
        (Kind.NOTE, "Internal note"),
    ],
)
def test_findings_are_internal_evidence_of_their_kind(complaint, agent, kind, summary):
    before = last_event_id(complaint)
    done = actions.complaint_record_findings(
        complaint_id=complaint.pk, by=agent, now=london(11, 3, 12), expected_version=None,
        body="Line test shows a fault at the cabinet.", kind=kind,
    )  # fmt: skip
    evidence, status = events_after(complaint, before)
    assert (evidence.kind, evidence.visibility, evidence.author, evidence.summary) == (
        kind, Visibility.INTERNAL, agent, summary,
    )  # fmt: skip
    assert evidence.body == "Line test shows a fault at the cabinet."
    assert done.status == Status.INVESTIGATING
    assert status.summary == "New → Investigating"


def test_findings_while_escalated_keep_it_escalated(complaint, agent, manager):
    escalated(complaint, manager)
    done = actions.complaint_record_findings(
        complaint_id=complaint.pk, by=manager, now=london(11, 4, 9), expected_version=None,
        body="Reviewed the call recording.",
    )  # fmt: skip
    assert done.status == Status.ESCALATED


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [({"body": ""}, "body"), ({"body": "x", "kind": "status_change"}, "kind")],
    ids=["empty body", "not an evidence kind"],
)
def test_findings_refuse_bad_input(complaint, agent, snapshot, kwargs, field):
    nothing_changed = snapshot()
    with pytest.raises(ValidationError) as refused:
        actions.complaint_record_findings(
            complaint_id=complaint.pk, by=agent, now=london(11, 3, 12), expected_version=None,
            **kwargs,
        )  # fmt: skip
    assert field in refused.value.message_dict
    nothing_changed()


# --- propose a resolution ------------------------------------------------------------------


def test_proposal_is_our_response_and_waits_for_the_customer(complaint, agent):
    done = proposed(complaint, agent, at=london(11, 3, 11))
    assert done.status == Status.AWAITING_CUSTOMER
    assert done.responded_at == done.first_response_at == done.acknowledged_at
    assert done.responded_at == london(11, 3, 11)
    assert done.resolution_summary == "We will credit £20."


def test_proposal_starts_auto_close_ten_working_days_later_at_closing_time(complaint, agent):
    # Given soVision (the current code): closed as resolved 10 working days after our response
    done = proposed(complaint, agent, at=london(11, 3, 11))
    # Tue 3 Nov + 10 working days → Tue 17 Nov, at soVision's 17:00 closing (GMT)
    assert done.auto_close_at == utc(11, 17, 17)
    assert "10 working days after our response" in done.clock_reasons["auto_close_at"]


def test_auto_close_skips_christmas_bank_holidays(complaint, agent):
    # Fri 18 Dec 2026: 25 Dec, 28 Dec (Boxing Day substitute) and 1 Jan are not working days
    done = proposed(complaint, agent, at=london(12, 18, 12))
    assert done.auto_close_at == utc(1, 6, 17, year=2027)


def test_proposal_records_the_clock_change_and_the_audit(complaint, agent):
    before = last_event_id(complaint)
    proposed(complaint, agent, at=london(11, 3, 11))
    resolution, status, clocks = events_after(complaint, before)
    assert (resolution.kind, resolution.visibility, resolution.summary, resolution.body) == (
        Kind.RESOLUTION, Visibility.CUSTOMER, "Resolution proposed", "We will credit £20.",
    )  # fmt: skip
    assert status.summary == "New → Response sent, awaiting customer"
    assert (clocks.kind, clocks.visibility, clocks.author) == (
        Kind.CLOCK_CHANGE, Visibility.INTERNAL, agent,
    )  # fmt: skip
    assert clocks.data == {"auto_close_at": [None, "2026-11-17T17:00:00+00:00"]}
    changes = audits(complaint).last().changes
    assert changes["auto_close_at"] == [None, "2026-11-17T17:00:00+00:00"]
    assert changes["responded_at"] == [None, "2026-11-03T11:00:00+00:00"]
    assert changes["resolution_summary"] == ["", "We will credit £20."]


def test_awaiting_the_customer_nothing_is_due_from_us(complaint, agent):
    done = proposed(complaint, agent, at=london(11, 3, 11))
    assert (done.next_due_at, done.next_due_clock) == (None, "")


def test_proposal_at_the_formal_tier_is_our_final_position(complaint, manager):
    escalated(complaint, manager)
    before = last_event_id(complaint)
    done = proposed(complaint, manager, at=london(11, 5, 10))
    assert done.status == Status.FINAL_RESPONSE
    assert events_after(complaint, before)[0].summary == "Resolution proposed (our final position)"


def test_a_code_without_auto_close_sets_no_auto_close_clock(use_code, customer, agent, now):
    use_code("infinity-group-2016")
    complaint = ComplaintFactory(customer=customer, now=now)
    done = proposed(complaint, agent, at=london(11, 3, 11))
    assert done.auto_close_at is None
    assert done.responded_at == london(11, 3, 11)


def test_proposal_needs_words(complaint, agent, snapshot):
    nothing_changed = snapshot()
    with pytest.raises(ValidationError):
        proposed(complaint, agent, at=london(11, 3, 11), body=" ")
    nothing_changed()


# --- confirm remedied ----------------------------------------------------------------------


def remedied(complaint, by, at, body="Engineer replaced the router."):
    return actions.complaint_confirm_remedied(
        complaint_id=complaint.pk, by=by, now=at, expected_version=None, body=body
    )


def test_remedy_records_when_the_resolution_was_actioned(complaint, agent):
    done = remedied(complaint, agent, at=london(11, 4, 15))
    assert done.resolution_actioned_at == london(11, 4, 15)
    assert done.status == Status.AWAITING_CUSTOMER
    assert done.resolution_summary == "Engineer replaced the router."
    assert done.first_response_at == london(11, 4, 15)


def test_auto_close_runs_from_the_later_of_response_and_remedy(complaint, agent):
    proposed(complaint, agent, at=london(11, 3, 11))
    done = remedied(complaint, agent, at=london(11, 5, 14))
    # Thu 5 Nov + 10 working days → Thu 19 Nov 17:00
    assert done.auto_close_at == utc(11, 19, 17)
    assert "actioning of the resolution" in done.clock_reasons["auto_close_at"]


def test_remedy_is_customer_visible(complaint, agent):
    before = last_event_id(complaint)
    remedied(complaint, agent, at=london(11, 4, 15))
    event = events_after(complaint, before)[0]
    assert (event.kind, event.visibility, event.author, event.summary) == (
        Kind.RESOLUTION, Visibility.CUSTOMER, agent, "Remedied",
    )  # fmt: skip
    assert audits(complaint).last().changes["resolution_actioned_at"] == [
        None,
        "2026-11-04T15:00:00+00:00",
    ]


# --- mark resolved, reopen -----------------------------------------------------------------


def resolve(complaint, by, at, body=""):
    return actions.complaint_mark_resolved(
        complaint_id=complaint.pk, by=by, now=at, expected_version=None, body=body
    )


def test_customer_acceptance_resolves_the_complaint(complaint, agent):
    proposed(complaint, agent, at=london(11, 3, 11))
    before = last_event_id(complaint)
    done = resolve(complaint, agent, at=london(11, 4, 9), body="Happy with the credit.")
    assert done.status == Status.RESOLVED
    assert done.resolved_at == london(11, 4, 9)
    assert done.closed_at is None
    assert (done.next_due_at, done.next_due_clock) == (None, "")
    accepted, status = events_after(complaint, before)
    assert (accepted.kind, accepted.visibility, accepted.summary, accepted.body) == (
        Kind.RESOLUTION, Visibility.CUSTOMER, "Customer accepted the resolution",
        "Happy with the credit.",
    )  # fmt: skip
    assert status.summary == "Response sent, awaiting customer → Resolved"
    assert audits(complaint).last().changes["resolved_at"] == [None, "2026-11-04T09:00:00+00:00"]


def test_reopen_takes_a_resolved_complaint_back_to_investigating(complaint, agent):
    proposed(complaint, agent, at=london(11, 3, 11))
    resolve(complaint, agent, at=london(11, 4, 9))
    before = last_event_id(complaint)
    done = actions.complaint_reopen(
        complaint_id=complaint.pk, by=agent, now=london(11, 9, 10), expected_version=None,
        reason="The fault came back.",
    )  # fmt: skip
    assert done.status == Status.INVESTIGATING
    assert done.resolved_at is None
    (status,) = events_after(complaint, before)
    assert (status.kind, status.summary, status.body, status.author) == (
        Kind.STATUS_CHANGE, "Resolved → Investigating", "The fault came back.", agent,
    )  # fmt: skip
    assert audits(complaint).last().changes["resolved_at"] == ["2026-11-04T09:00:00+00:00", None]


def test_reopen_of_a_closed_complaint_clears_the_closure(complaint, agent):
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Status.CLOSED, resolved_at=london(11, 20, 17), closed_at=london(11, 20, 17)
    )
    done = actions.complaint_reopen(
        complaint_id=complaint.pk, by=agent, now=london(11, 23, 10), expected_version=None,
        reason="Customer was on holiday.",
    )  # fmt: skip
    assert (done.status, done.closed_at, done.resolved_at) == (Status.INVESTIGATING, None, None)


def test_reopen_needs_a_reason(complaint, agent, snapshot):
    proposed(complaint, agent, at=london(11, 3, 11))
    resolve(complaint, agent, at=london(11, 4, 9))
    nothing_changed = snapshot()
    with pytest.raises(ValidationError):
        actions.complaint_reopen(
            complaint_id=complaint.pk, by=agent, now=london(11, 9, 10), expected_version=None,
            reason="",
        )  # fmt: skip
    nothing_changed()


# --- escalate ------------------------------------------------------------------------------


def test_escalation_to_the_formal_tier_gives_a_register_reference(complaint, agent, manager):
    before = last_event_id(complaint)
    done = escalated(complaint, agent, at=london(11, 3, 9))
    assert (done.status, done.tier) == (Status.ESCALATED, 1)
    assert done.register_reference == f"CR-2026-{complaint.pk:07d}"
    event, status, clocks = events_after(complaint, before)
    assert (event.kind, event.visibility, event.author, event.body) == (
        Kind.ESCALATION, Visibility.CUSTOMER, agent, "Customer unhappy with the answer",
    )  # fmt: skip
    owner = done.assigned_to.get_full_name()
    assert event.summary == (
        "Escalated to Formal review: Technical Director or Company Secretary; "
        f"complaints register reference {done.register_reference}; {owner} will report to you"
    )
    assert event.data == {
        "tier": 1, "register_reference": done.register_reference, "assigned_to": done.assigned_to_id
    }  # fmt: skip
    # The formal stage's own response clock starts with the escalation.
    assert list(clocks.data) == ["formal_respond_by"]
    # The reason is told once, on the escalation itself, not repeated on the status change.
    assert status.body == ""
    changes = audits(complaint).last().changes
    assert changes["tier"] == [0, 1]
    assert changes["register_reference"] == ["", done.register_reference]


def test_escalation_hands_an_assignee_outside_the_next_tiers_group_to_one_of_that_group(
    complaint, agent, manager
):
    """soVision: "a senior member of management will take over a review of your case and report
    to you directly" — the formal complaint never loses its owner."""
    actions.complaint_assign(complaint_id=complaint.pk, by=agent, now=london(11, 2, 11),
                             expected_version=None, assignee_id=agent.pk)  # fmt: skip
    done = escalated(complaint, agent)
    assert done.assigned_to == manager


def test_escalation_keeps_an_assignee_in_the_next_tiers_group(complaint, manager):
    actions.complaint_assign(complaint_id=complaint.pk, by=manager, now=london(11, 2, 11),
                             expected_version=None, assignee_id=manager.pk)  # fmt: skip
    assert escalated(complaint, manager).assigned_to == manager


def test_escalation_needs_a_reason(complaint, agent, snapshot):
    nothing_changed = snapshot()
    with pytest.raises(ValidationError):
        escalated(complaint, agent, reason="  ")
    nothing_changed()


def test_escalation_is_refused_at_the_top_tier(complaint, agent, manager, snapshot):
    escalated(complaint, agent)
    nothing_changed = snapshot()
    with pytest.raises(TransitionRefused, match=r"already at the highest tier \(Formal review"):
        escalated(complaint, manager, at=london(11, 4, 9))
    nothing_changed()


def test_infinity_escalates_operations_then_managing_director(use_code, customer, manager, now):
    use_code("infinity-group-2016")
    complaint = ComplaintFactory(customer=customer, now=now)
    first = escalated(complaint, manager, at=london(11, 3, 9))
    assert (first.tier, first.register_reference) == (1, "")  # not a formal tier
    second = escalated(complaint, manager, at=london(11, 4, 9))
    assert second.tier == 2
    assert second.events.filter(kind=Kind.ESCALATION).last().summary == (
        f"Escalated to Managing Director; {manager.get_full_name()} will report to you"
    )
    with pytest.raises(TransitionRefused, match=r"highest tier \(Managing Director\)"):
        escalated(complaint, manager, at=london(11, 5, 9))


# --- assign --------------------------------------------------------------------------------


def assign(complaint, by, assignee_id, at=None):
    return actions.complaint_assign(
        complaint_id=complaint.pk, by=by, now=at or london(11, 2, 11), expected_version=None,
        assignee_id=assignee_id,
    )  # fmt: skip


def test_assign_gives_the_complaint_to_a_colleague(complaint, agent, other_agent):
    before = last_event_id(complaint)
    done = assign(complaint, agent, other_agent.pk)
    assert done.assigned_to == other_agent
    assert done.status == Status.NEW  # assignment is not a status change
    (event,) = events_after(complaint, before)
    assert (event.kind, event.visibility, event.author, event.summary) == (
        Kind.ASSIGNMENT, Visibility.INTERNAL, agent, "Assigned to Olu Tester",
    )  # fmt: skip
    assert audits(complaint).last().changes == {"assigned_to_id": [None, other_agent.pk]}


def test_assign_to_nobody_returns_it_to_unassigned(complaint, agent):
    assign(complaint, agent, agent.pk)
    done = assign(complaint, agent, None)
    assert done.assigned_to is None
    assert done.events.filter(kind=Kind.ASSIGNMENT).last().summary == "Assigned to nobody"


def test_assign_refuses_the_same_assignment(complaint, agent, snapshot):
    assign(complaint, agent, agent.pk)
    nothing_changed = snapshot()
    with pytest.raises(ValidationError, match="already assigned"):
        assign(complaint, agent, agent.pk)
    nothing_changed()


def test_assign_refuses_someone_who_does_not_handle_complaints(complaint, agent, admin_staff):
    inactive = UserFactory(username="leaver", groups=["agent"], is_active=False)
    for person in (admin_staff, inactive):
        with pytest.raises(ValidationError, match="active agent or manager"):
            assign(complaint, agent, person.pk)
    assert Complaint.objects.get(pk=complaint.pk).assigned_to is None


# --- deadlock and ADR ----------------------------------------------------------------------


def deadlock(complaint, by, at, body="We cannot offer more than the £20 credit."):
    return actions.complaint_issue_deadlock(
        complaint_id=complaint.pk, by=by, now=at, expected_version=None, body=body
    )


def test_deadlock_letter_dates_the_letter_and_starts_six_months_to_refer(complaint, manager):
    done = deadlock(complaint, manager, at=london(11, 30, 15))
    assert done.status == Status.DEADLOCK
    assert done.letter_date == datetime.date(2026, 11, 30)
    assert done.adr_refer_by == datetime.date(2027, 5, 30)
    assert done.clock_reasons["adr_refer_by"] == (
        "6 months after our deadlock letter dated 30 Nov 2026"
    )
    assert (done.next_due_at, done.next_due_clock) == (None, "")


def test_deadlock_refer_by_is_clamped_to_the_end_of_a_short_month(complaint, manager):
    done = deadlock(complaint, manager, at=london(12, 31, 10))
    assert done.adr_refer_by == datetime.date(2027, 6, 30)


def test_deadlock_letter_is_customer_visible_and_audited(complaint, manager):
    before = last_event_id(complaint)
    deadlock(complaint, manager, at=london(11, 30, 15))
    letter, status, clocks = events_after(complaint, before)
    assert (letter.kind, letter.visibility, letter.author, letter.summary) == (
        Kind.LETTER, Visibility.CUSTOMER, manager, "Deadlock letter issued",
    )  # fmt: skip
    assert letter.data == {"letter": "deadlock", "reason": "deadlock"}
    # soVision: the deadlock letter "confirms that we agree that you may refer": ADR opens on
    # its date rather than 8 weeks after first made.
    assert clocks.data == {
        "adr_eligible_from": ["2026-12-28", "2026-11-30"],
        "adr_refer_by": ["2027-08-02", "2027-05-30"],
    }
    entry = audits(complaint).last()
    assert (entry.action, entry.actor) == ("issue_deadlock", manager)
    assert entry.changes["letter_date"] == [None, "2026-11-30"]
    assert entry.changes["adr_refer_by"] == ["2027-08-02", "2027-05-30"]


def test_agent_cannot_issue_a_deadlock_letter(complaint, agent, snapshot):
    nothing_changed = snapshot()
    with pytest.raises(TransitionRefused, match="Your role cannot issue deadlock letter"):
        deadlock(complaint, agent, at=london(11, 30, 15))
    nothing_changed()
    assert Complaint.objects.get(pk=complaint.pk).letter_date is None


def test_manager_records_the_adr_referral_after_deadlock(complaint, manager):
    deadlock(complaint, manager, at=london(11, 30, 15))
    before = last_event_id(complaint)
    done = actions.complaint_record_adr_referral(
        complaint_id=complaint.pk, by=manager, now=london(12, 10, 9), expected_version=None,
        body="OS reference 123",
    )  # fmt: skip
    assert done.status == Status.ADR_REFERRED
    referral, _status = events_after(complaint, before)
    assert (referral.kind, referral.visibility, referral.body) == (
        Kind.THIRD_PARTY, Visibility.INTERNAL, "OS reference 123",
    )  # fmt: skip


def test_agent_cannot_record_an_adr_referral(complaint, agent, manager, snapshot):
    deadlock(complaint, manager, at=london(11, 30, 15))
    nothing_changed = snapshot()
    with pytest.raises(TransitionRefused, match="Your role cannot record adr referral"):
        actions.complaint_record_adr_referral(
            complaint_id=complaint.pk, by=agent, now=london(12, 10, 9), expected_version=None
        )
    nothing_changed()


# --- versions and conflicts ----------------------------------------------------------------


def test_stale_version_is_refused_and_nothing_changes(complaint, agent, other_agent, snapshot):
    # Given both loaded version 1, and the other agent acknowledged first
    seen = complaint.row_version
    actions.complaint_acknowledge(complaint_id=complaint.pk, by=other_agent,
                                  now=london(11, 2, 11), expected_version=seen)  # fmt: skip
    nothing_changed = snapshot()
    # When the agent saves findings against the version they saw
    with pytest.raises(EditConflict) as conflict:
        actions.complaint_record_findings(
            complaint_id=complaint.pk, by=agent, now=london(11, 2, 12), expected_version=seen,
            body="My findings",
        )  # fmt: skip
    # Then they are told who changed what, and nothing of theirs was saved
    assert "Olu Tester changed this complaint while you were working on it" in str(conflict.value)
    assert "(New → Acknowledged)" in str(conflict.value)
    assert conflict.value.complaint.row_version == seen + 1
    nothing_changed()
    assert not Complaint.objects.get(pk=complaint.pk).events.filter(kind=Kind.FINDINGS).exists()


def test_current_version_is_accepted_and_bumped(complaint, agent):
    done = actions.complaint_acknowledge(complaint_id=complaint.pk, by=agent,
                                         now=london(11, 2, 11),
                                         expected_version=complaint.row_version)  # fmt: skip
    assert done.row_version == complaint.row_version + 1
    assert Complaint.objects.get(pk=complaint.pk).row_version == done.row_version


def test_a_refused_action_does_not_bump_the_version(complaint, agent):
    with pytest.raises(ValidationError):
        escalated(complaint, agent, reason="")
    assert Complaint.objects.get(pk=complaint.pk).row_version == complaint.row_version


def test_an_action_keeps_clocks_when_the_customer_changed_since_logging(agent, now):
    # Given a 5-person firm (ADR-eligible) in England complains by email on Fri 27 Nov 2026
    firm = CustomerFactory(business=True, employee_count=5, nation="ENG")
    complaint = ComplaintFactory(customer=firm, now=london(11, 27, 10),
                                 received_at=london(11, 27, 10))  # fmt: skip
    assert complaint.respond_by == utc(12, 1, 17)  # Mon 30 Nov, Tue 1 Dec
    assert complaint.adr_eligible
    # And the customer's record later says Scotland (St Andrew's Day, Mon 30 Nov) and 40 staff
    customer_update(customer_id=firm.pk, by=agent, now=london(11, 27, 11), nation="SCT",
                    employee_count=40)  # fmt: skip
    # When an agent acknowledges it
    done = acknowledged(complaint, agent, at=london(11, 27, 12))
    # Then its clocks are the ones it was logged with; only a deliberate re-apply moves them
    assert done.respond_by == utc(12, 1, 17)
    assert done.adr_eligible

"""The customer's own actions (complaints/customer_actions.py): what each changes, what lands on
the timeline (always customer-visible), and who among staff is told through the outbox.

Unless a test says otherwise the complaint is a soVision (the current code) email complaint
logged Monday 2 November 2026 at 10:00 and the customer acts on later working days.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.lifecycle import TransitionRefused
from complaints.models import AuditEntry, Complaint, Status, TimelineEvent
from complaints.workflows import actions
from complaints.workflows.customer_actions import (
    customer_accept_resolution,
    customer_add_information,
    customer_complain_about_code,
    customer_reject_resolution,
    customer_request_deadlock,
    customer_request_escalation,
)
from escalation.calendar import LONDON
from escalation.sweeps import complaints_auto_close_sweep
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = TimelineEvent.Kind
Visibility = TimelineEvent.Visibility


def london(month: int, day: int, hour: int, minute: int = 0, year: int = 2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def complaint(customer, agent, now) -> Complaint:
    return ComplaintFactory(customer=customer, now=now, assigned_to=agent)


@pytest.fixture
def portal_user(customer):
    user = UserFactory(username="carys")
    customer.portal_user = user
    customer.save(update_fields=["portal_user"])
    return user


def fresh(complaint: Complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def proposed(complaint: Complaint, by, at=None) -> Complaint:
    """Our response: awaiting the customer, auto-close clock running."""
    return actions.complaint_propose_resolution(
        complaint_id=complaint.pk, by=by, now=at or london(11, 3, 11), expected_version=None,
        body="We will credit £10 and replace the router.",
    )  # fmt: skip


def events_after(complaint: Complaint, last_id: int) -> list[TimelineEvent]:
    return list(
        complaint.events.filter(id__gt=last_id).exclude(kind=Kind.NOTIFICATION).order_by("id")
    )


def last_event_id(complaint: Complaint) -> int:
    return complaint.events.order_by("-id").values_list("id", flat=True).first() or 0


def staff_emails(complaint: Complaint) -> list[tuple[str, str]]:
    return list(
        OutboxMessage.objects.filter(complaint=complaint, template="staff_customer_action")
        .order_by("id")
        .values_list("recipient", "context__what")
    )


def pdf(name: str = "bill.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "application/pdf")


def state(complaint: Complaint) -> tuple:
    current = fresh(complaint)
    return (
        current.row_version,
        current.status,
        current.tier,
        current.events.count(),
        current.attachments.count(),
        OutboxMessage.objects.filter(template="staff_customer_action").count(),
    )


# --- add information -----------------------------------------------------------------------


def test_added_information_is_on_the_timeline_for_the_customer(complaint, portal_user):
    before = last_event_id(complaint)
    customer_add_information(
        complaint_id=complaint.pk, now=london(11, 3, 12), body="The router light is red.",
        portal_user=portal_user,
    )  # fmt: skip
    (event,) = events_after(complaint, before)
    assert (event.kind, event.visibility, event.summary, event.body) == (
        Kind.NOTE, Visibility.CUSTOMER, "The customer added information",
        "The router light is red.",
    )  # fmt: skip
    assert event.data == {"by": "customer"}
    assert event.author == portal_user


def test_added_information_by_link_has_no_author(complaint):
    before = last_event_id(complaint)
    customer_add_information(complaint_id=complaint.pk, now=london(11, 3, 12), body="More.")
    (event,) = events_after(complaint, before)
    assert event.author is None
    assert event.data["by"] == "customer"


def test_added_files_are_stored_on_the_customers_event(complaint, portal_user):
    before = last_event_id(complaint)
    customer_add_information(
        complaint_id=complaint.pk, now=london(11, 3, 12), body="", uploads=[pdf(), pdf("b.pdf")],
        portal_user=portal_user,
    )  # fmt: skip
    (event,) = events_after(complaint, before)
    assert event.summary == "The customer added information and 2 attachment(s)"
    files = list(complaint.attachments.order_by("id"))
    assert [(f.original_name, f.content_type, f.event_id) for f in files] == [
        ("bill.pdf", "application/pdf", event.pk),
        ("b.pdf", "application/pdf", event.pk),
    ]
    assert {f.uploaded_by for f in files} == {portal_user}


def test_adding_information_while_awaiting_the_customer_reopens_investigation(complaint, agent):
    proposed(complaint, agent)
    done = customer_add_information(
        complaint_id=complaint.pk, now=london(11, 4, 9), body="Still broken."
    )
    assert done.status == Status.INVESTIGATING
    # Waiting on us again, but the resolution objective was met when we proposed one.
    assert (done.next_due_clock, done.next_due_at) == ("", None)


def test_a_customer_reply_stops_the_auto_close_clock(complaint, agent):
    awaiting = proposed(complaint, agent)
    assert awaiting.auto_close_at is not None
    customer_add_information(complaint_id=complaint.pk, now=london(11, 4, 9), body="Not fixed.")

    closed = complaints_auto_close_sweep(now=awaiting.auto_close_at + datetime.timedelta(days=1))

    assert closed == 0
    assert fresh(complaint).status == Status.INVESTIGATING


def test_adding_nothing_is_refused_and_changes_nothing(complaint):
    before = state(complaint)
    with pytest.raises(ValidationError) as exc:
        customer_add_information(complaint_id=complaint.pk, now=london(11, 3, 12), body="  ")
    assert "body" in exc.value.message_dict
    assert state(complaint) == before


def test_more_than_five_files_at_once_are_refused(complaint):
    before = state(complaint)
    with pytest.raises(ValidationError) as exc:
        customer_add_information(
            complaint_id=complaint.pk, now=london(11, 3, 12), body="Scans",
            uploads=[pdf(f"{n}.pdf") for n in range(6)],
        )  # fmt: skip
    assert exc.value.message_dict["attachments"] == ["Please attach at most 5 files at a time."]
    assert state(complaint) == before


def test_a_file_that_is_not_a_document_is_refused_by_its_content(complaint):
    before = state(complaint)
    program = SimpleUploadedFile("invoice.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\xff\xff")
    with pytest.raises(ValidationError) as exc:
        customer_add_information(
            complaint_id=complaint.pk, now=london(11, 3, 12), body="", uploads=[program]
        )
    assert "only PDF" in exc.value.message_dict["attachments"][0]
    assert state(complaint) == before


def test_information_cannot_be_added_to_a_resolved_complaint(complaint, agent):
    proposed(complaint, agent)
    customer_accept_resolution(complaint_id=complaint.pk, now=london(11, 4, 9))
    before = state(complaint)
    with pytest.raises(TransitionRefused, match="resolved cannot be given more information"):
        customer_add_information(complaint_id=complaint.pk, now=london(11, 5, 9), body="Hello")
    assert state(complaint) == before


# --- accept / reject -----------------------------------------------------------------------


def test_accepting_resolves_the_complaint(complaint, agent, portal_user):
    proposed(complaint, agent)
    before = last_event_id(complaint)
    done = customer_accept_resolution(
        complaint_id=complaint.pk, now=london(11, 4, 9), body="Thanks!", portal_user=portal_user
    )
    assert (done.status, done.resolved_at, done.next_due_at) == (
        Status.RESOLVED, london(11, 4, 9), None,
    )  # fmt: skip
    accepted, status = events_after(complaint, before)
    assert (accepted.kind, accepted.visibility, accepted.summary, accepted.body) == (
        Kind.RESOLUTION, Visibility.CUSTOMER, "The customer accepted the resolution", "Thanks!",
    )  # fmt: skip
    assert (status.kind, status.visibility, status.data["to"]) == (
        Kind.STATUS_CHANGE, Visibility.CUSTOMER, Status.RESOLVED,
    )  # fmt: skip


def test_nothing_can_be_accepted_before_we_propose_a_resolution(complaint):
    before = state(complaint)
    with pytest.raises(TransitionRefused):
        customer_accept_resolution(complaint_id=complaint.pk, now=london(11, 3, 9))
    assert state(complaint) == before


def test_rejecting_under_sovision_makes_it_a_formal_complaint(complaint, agent):
    proposed(complaint, agent)
    before = last_event_id(complaint)
    done = customer_reject_resolution(
        complaint_id=complaint.pk, now=london(11, 4, 9), body="£10 does not cover a week offline."
    )
    assert (done.status, done.tier) == (Status.ESCALATED, 1)
    assert done.register_reference == f"CR-2026-{complaint.pk:07d}"
    rejected, escalation, status, clock = events_after(complaint, before)
    assert "customer_request_by" in clock.summary  # a manager must answer
    assert (rejected.summary, rejected.body, rejected.visibility) == (
        "The customer rejected the resolution", "£10 does not cover a week offline.",
        Visibility.CUSTOMER,
    )  # fmt: skip
    assert escalation.kind == Kind.ESCALATION
    assert escalation.visibility == Visibility.CUSTOMER
    assert escalation.summary == (
        "Escalated to Formal review: Technical Director or Company Secretary; "
        f"complaints register reference {done.register_reference}"
    )
    assert status.data["to"] == Status.ESCALATED


def test_rejecting_hands_the_complaint_to_the_formal_tier_and_tells_the_managers(
    complaint, agent, manager
):
    proposed(complaint, agent)
    done = customer_reject_resolution(complaint_id=complaint.pk, now=london(11, 4, 9), body="No.")
    # The agent is not in the formal tier's group: a manager of it takes the complaint over.
    assert done.assigned_to == manager
    assert staff_emails(complaint) == [("manager@redress.test", "rejected the proposed resolution")]


def test_rejecting_under_infinity_escalates_to_the_operations_director(
    use_code, customer, agent, now
):
    use_code("infinity-group-2016")
    complaint = ComplaintFactory(customer=customer, now=now)
    proposed(complaint, agent)
    done = customer_reject_resolution(complaint_id=complaint.pk, now=london(11, 4, 9), body="No.")
    assert (done.status, done.tier, done.register_reference) == (Status.ESCALATED, 1, "")


def test_rejecting_our_final_position_leaves_it_final(complaint, agent, manager):
    actions.complaint_escalate(complaint_id=complaint.pk, by=agent, now=london(11, 3, 9),
                               expected_version=None, reason="Asked")  # fmt: skip
    actions.complaint_propose_resolution(complaint_id=complaint.pk, by=manager,
                                         now=london(11, 4, 9), expected_version=None,
                                         body="Our final position.")  # fmt: skip
    done = customer_reject_resolution(complaint_id=complaint.pk, now=london(11, 5, 9), body="No")
    assert (done.status, done.tier) == (Status.FINAL_RESPONSE, 1)


def test_rejecting_needs_a_reason(complaint, agent):
    proposed(complaint, agent)
    before = state(complaint)
    with pytest.raises(ValidationError) as exc:
        customer_reject_resolution(complaint_id=complaint.pk, now=london(11, 4, 9), body=" ")
    assert "body" in exc.value.message_dict
    assert state(complaint) == before


# --- escalation and deadlock ---------------------------------------------------------------


def test_asking_for_escalation_moves_it_up_a_tier(complaint):
    before = last_event_id(complaint)
    done = customer_request_escalation(
        complaint_id=complaint.pk, now=london(11, 3, 9), body="Nobody has called me back."
    )
    assert (done.status, done.tier) == (Status.ESCALATED, 1)
    asked, escalation, _status, clock = events_after(complaint, before)
    assert "customer_request_by" in clock.summary
    assert (asked.summary, asked.body, asked.visibility) == (
        "The customer asked for escalation", "Nobody has called me back.", Visibility.CUSTOMER,
    )  # fmt: skip
    assert (escalation.body, escalation.visibility) == (
        "Asked for on the complaint page.", Visibility.CUSTOMER,
    )  # fmt: skip


def test_asking_for_escalation_at_the_top_tier_is_refused(complaint):
    customer_request_escalation(complaint_id=complaint.pk, now=london(11, 3, 9), body="Please")
    before = state(complaint)
    with pytest.raises(TransitionRefused, match="already with our most senior team"):
        customer_request_escalation(complaint_id=complaint.pk, now=london(11, 4, 9), body="Again")
    assert state(complaint) == before


def test_asking_for_a_deadlock_letter_is_recorded_for_a_manager(complaint, agent):
    before = last_event_id(complaint)
    done = customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 3, 9))
    assert done.status == fresh(complaint).status == Status.NEW  # a manager issues it
    event, clocks = events_after(complaint, before)
    # The letter's own clock answers the request: no second clock at the same instant.
    assert set(clocks.data) == {"adr_letter_due_by"}
    assert fresh(complaint).customer_request_by is None
    assert fresh(complaint).customer_request == "deadlock"  # the badge stays until answered
    assert (event.summary, event.visibility, event.data) == (
        "The customer asked for a deadlock letter", Visibility.CUSTOMER,
        {"by": "customer", "request": "deadlock"},
    )  # fmt: skip
    assert staff_emails(complaint) == [
        ("agent@redress.test", "asked for a deadlock letter (a manager issues it)")
    ]


def test_asking_for_a_deadlock_letter_twice_is_refused(complaint):
    customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 3, 9))
    before = state(complaint)
    with pytest.raises(TransitionRefused, match="already asked for a deadlock letter"):
        customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 4, 9), body="Again")
    assert state(complaint) == before


# --- staff are told ------------------------------------------------------------------------


def test_the_assigned_member_of_staff_is_told_through_the_outbox(complaint, manager):
    customer_add_information(complaint_id=complaint.pk, now=london(11, 3, 12), body="Red light.")
    (message,) = OutboxMessage.objects.filter(template="staff_customer_action")
    assert message.recipient == "agent@redress.test"
    assert message.complaint_id == complaint.pk
    assert message.context == {
        "reference": complaint.reference,
        "customer_name": "Carys Jones",
        "what": "added information to their complaint",
        "body": "Red light.",
        "status": "New",
    }


def test_with_nobody_assigned_the_managers_are_told(customer, now, manager, agent):
    complaint = ComplaintFactory(customer=customer, now=now)
    customer_add_information(complaint_id=complaint.pk, now=london(11, 3, 12), body="Hi")
    assert [r for r, _ in staff_emails(complaint)] == ["manager@redress.test"]


def test_staff_notes_about_the_email_stay_internal(complaint):
    before = last_event_id(complaint)
    customer_add_information(complaint_id=complaint.pk, now=london(11, 3, 12), body="Hi")
    queued = complaint.events.filter(id__gt=before, kind=Kind.NOTIFICATION).get()
    assert queued.visibility == Visibility.INTERNAL


def test_customer_actions_are_audited_as_the_portal_user(complaint, portal_user):
    customer_add_information(complaint_id=complaint.pk, now=london(11, 3, 12), body="Hi",
                             portal_user=portal_user)  # fmt: skip
    entry = AuditEntry.objects.filter(object_type="complaint", object_id=complaint.pk).last()
    assert (entry.action, entry.actor) == ("customer_add_information", portal_user)


# --- a complaint about the code of practice ------------------------------------------------


def test_a_code_complaint_is_a_new_complaint_routed_to_the_tier_that_handles_them(
    complaint, manager
):
    new = customer_complain_about_code(
        complaint_id=complaint.pk, now=london(11, 3, 12),
        body="You never acknowledged my email as your code promises.",
    )  # fmt: skip
    assert new.pk != complaint.pk and new.reference != complaint.reference
    assert new.customer_id == complaint.customer_id
    tier = new.code_version.tiers.get(handles_code_complaints=True)
    assert (new.status, new.tier) == (Status.ESCALATED, tier.level)
    assert new.register_reference == f"CR-2026-{new.pk:07d}"
    assert new.summary == f"Complaint about our code of practice (from {complaint.reference})"
    assert new.details == "You never acknowledged my email as your code promises."
    routed = new.events.get(kind=Kind.ESCALATION)
    assert routed.visibility == Visibility.CUSTOMER
    assert routed.summary.startswith(f"Escalated to {tier.title}")


def test_a_code_complaint_is_linked_from_the_original(complaint):
    before = last_event_id(complaint)
    new = customer_complain_about_code(complaint_id=complaint.pk, now=london(11, 3, 12),
                                       body="Not as your code says.")  # fmt: skip
    (event,) = events_after(complaint, before)
    assert event.visibility == Visibility.CUSTOMER
    assert event.summary == (f"The customer complained about our code of practice: {new.reference}")
    assert event.data == {"by": "customer", "code_complaint": new.reference}
    assert fresh(complaint).status == Status.NEW  # the original is unaffected


def test_a_code_complaint_tells_the_managers_and_acknowledges_the_customer(complaint, manager):
    new = customer_complain_about_code(complaint_id=complaint.pk, now=london(11, 3, 12),
                                       body="Not as your code says.")  # fmt: skip
    assert staff_emails(new) == [("manager@redress.test", "complained about our code of practice")]
    ack = OutboxMessage.objects.get(complaint=new, template="complaint_acknowledgement")
    assert ack.recipient == "carys@example.com"


def test_a_code_complaint_needs_words(complaint):
    count = Complaint.objects.count()
    with pytest.raises(ValidationError):
        customer_complain_about_code(complaint_id=complaint.pk, now=london(11, 3, 12), body="")
    assert Complaint.objects.count() == count


# --- known bugs in complaints/customer_actions.py (not this suite's file) -------------------


def test_a_reopened_complaint_can_ask_for_a_deadlock_letter_again(complaint, manager):
    customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 3, 9))
    actions.complaint_mark_resolved(complaint_id=complaint.pk, by=manager, now=london(11, 4, 9),
                                    expected_version=None, body="Sorted by phone")  # fmt: skip
    actions.complaint_reopen(complaint_id=complaint.pk, by=manager, now=london(11, 10, 9),
                             expected_version=None, reason="Fault came back")  # fmt: skip
    customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 11, 9), body="Again")
    assert complaint.events.filter(data__request="deadlock").count() == 2

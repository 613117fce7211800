"""soVision: the automatic acknowledgement email, once delivered, is the acknowledgement
(complaints.services.acknowledgement_delivered, an outbox listener)."""

from __future__ import annotations

import pytest
import time_machine

from complaints.models import AuditEntry, Complaint, Status, TimelineEvent
from complaints.selectors.follow import promises
from complaints.workflows import actions
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def logged(capture, now, **customer) -> Complaint:
    # The outbox stamps delivery with the real time: freeze it at the edge.
    with time_machine.travel(now, tick=False), capture(execute=True):
        complaint = ComplaintFactory(customer=CustomerFactory(**customer), now=now)
    return Complaint.objects.get(pk=complaint.pk)


def test_the_delivered_acknowledgement_meets_acknowledge_by(
    django_capture_on_commit_callbacks, now
):
    """soVision: "If you email us, we will acknowledge receipt of your email, outline what
    immediate action we will take to investigate and an estimated time for our response." """
    complaint = logged(django_capture_on_commit_callbacks, now, email="carys@example.com")
    message = OutboxMessage.objects.get(template="complaint_acknowledgement")
    assert message.state == OutboxMessage.State.SENT
    assert complaint.acknowledged_at == now
    assert complaint.status == Status.ACKNOWLEDGED
    event = complaint.events.get(dedupe_key="acknowledgement_delivered")
    assert event.visibility == TimelineEvent.Visibility.CUSTOMER
    assert AuditEntry.objects.filter(object_id=complaint.pk, action="acknowledgement_delivered")
    # The customer is not told "we are late".
    (ack,) = [p for p in promises(complaint, now) if p.name == "acknowledge_by"]
    assert ack.state == "kept"


def test_the_acknowledgement_says_what_we_do_next_and_by_when(
    django_capture_on_commit_callbacks, mailoutbox, now
):
    """soVision: "outline what immediate action we will take to investigate and an estimated
    time for our response" """
    logged(django_capture_on_commit_callbacks, now, email="carys@example.com")
    (email,) = mailoutbox
    assert "What we will do now: We will now investigate" in email.body
    assert "We will respond by Wednesday 4 November 2026 at 5pm." in email.body


def test_an_acknowledgement_not_yet_delivered_meets_nothing(now):
    complaint = ComplaintFactory(customer=CustomerFactory(email="carys@example.com"), now=now)
    complaint.refresh_from_db()
    assert complaint.acknowledged_at is None
    assert complaint.next_due_clock == "acknowledge_by"


def test_a_person_acknowledging_first_is_kept_when_the_email_arrives_later(
    django_capture_on_commit_callbacks, agent, now
):
    complaint = ComplaintFactory(customer=CustomerFactory(email="carys@example.com"), now=now)
    actions.complaint_acknowledge(complaint_id=complaint.pk, by=agent, now=now,
                                  expected_version=None)  # fmt: skip
    message = OutboxMessage.objects.get(template="complaint_acknowledgement")
    from notifications.tasks import outbox_deliver

    outbox_deliver(message.pk)
    complaint.refresh_from_db()
    assert complaint.acknowledged_at == now
    assert not complaint.events.filter(dedupe_key="acknowledgement_delivered").exists()

"""Customers are told at every step (complaints/workflows/customer_updates.py), by the contact
method agreed with them: email through the outbox, or a staff task to call or post.
A soVision email complaint logged Monday 2 November 2026 at 10:00."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from complaints.models import Complaint, TimelineEvent
from complaints.workflows import actions
from escalation.calendar import LONDON
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db
LATER = datetime.datetime(2026, 11, 3, 11, 0, tzinfo=LONDON)


def updates(complaint: Complaint) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(complaint=complaint, template="customer_update"))


def tasks(complaint: Complaint) -> list[TimelineEvent]:
    return list(complaint.events.filter(data__has_key="task").order_by("id"))


def test_a_proposed_resolution_is_emailed_when_email_is_agreed(agent, now):
    """soVision: "we will contact you with our findings and … propose a suitable resolution" """
    complaint = ComplaintFactory(customer=CustomerFactory(email="carys@example.com"), now=now)
    actions.complaint_propose_resolution(complaint_id=complaint.pk, by=agent, now=LATER,
                                         expected_version=None, body="A new router.")  # fmt: skip
    (message,) = updates(complaint)
    assert message.recipient == "carys@example.com"
    assert message.context["summary"] == "Our findings and the resolution we propose"
    assert message.context["body"] == "A new router."
    assert "/follow/" in message.context["follow_url"]


def test_a_phone_customer_gets_a_call_task_with_their_support_needs(agent, now):
    """soVision: "we will keep you informed (by telephone or email whichever method is agreed
    with you) of progress" """
    customer = CustomerFactory(preferred_contact="phone", phone="0117 496 0000",
                               vulnerability_flags=["hearing"])  # fmt: skip
    complaint = ComplaintFactory(customer=customer, now=now)
    actions.complaint_acknowledge(complaint_id=complaint.pk, by=agent, now=LATER,
                                  expected_version=None)  # fmt: skip
    assert not updates(complaint)
    (task,) = tasks(complaint)
    assert task.visibility == TimelineEvent.Visibility.INTERNAL
    assert task.summary.startswith("To do: call the customer (0117 496 0000) to tell them")
    assert task.data["needs"] == ["Hearing impairment"]
    assert task.summary.endswith("Support needs: Hearing impairment.")


def test_a_letter_customer_gets_a_post_task(agent, now):
    customer = CustomerFactory(preferred_contact="letter", email="carys@example.com")
    complaint = ComplaintFactory(customer=customer, now=now)
    actions.complaint_escalate(complaint_id=complaint.pk, by=agent, now=LATER,
                               expected_version=None, reason="Unhappy")  # fmt: skip
    (task,) = tasks(complaint)
    assert task.data["task"] == "post"
    assert "Your complaint has been escalated" in task.summary


def test_an_update_by_email_when_phone_was_agreed_asks_the_agent_to_confirm(agent, now):
    complaint = ComplaintFactory(customer=CustomerFactory(), now=now)
    Complaint.objects.filter(pk=complaint.pk).update(agreed_contact_method="phone")
    with pytest.raises(ValidationError) as exc:
        actions.complaint_send_update(complaint_id=complaint.pk, by=agent, now=LATER,
                                      expected_version=None, body="Engineer booked.",
                                      method="email")  # fmt: skip
    assert "agreed with the customer is phone" in exc.value.message_dict["method"][0]
    assert not updates(complaint)

    actions.complaint_send_update(complaint_id=complaint.pk, by=agent, now=LATER,
                                  expected_version=None, body="Engineer booked.", method="email",
                                  confirm_method=True)  # fmt: skip
    (message,) = updates(complaint)
    assert message.context["body"] == "Engineer booked."


def test_an_update_given_on_the_phone_sends_nothing_more(agent, now):
    complaint = ComplaintFactory(customer=CustomerFactory(), now=now)
    actions.complaint_send_update(complaint_id=complaint.pk, by=agent, now=LATER,
                                  expected_version=None, body="Engineer booked.",
                                  method="phone")  # fmt: skip
    assert not updates(complaint) and not tasks(complaint)

"""A customer's request waits for a manager: its own badge and clock until a manager acts."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from complaints.models import Complaint
from complaints.workflows import actions
from complaints.workflows.customer_actions import (
    customer_complain_about_code,
    customer_request_deadlock,
    customer_request_escalation,
)
from escalation.calendar import LONDON
from tests.factories import ComplaintFactory


def london(month, day, hour, minute=0):
    return datetime.datetime(2026, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def complaint(customer, now):
    return ComplaintFactory(customer=customer, now=now)


def test_asking_for_a_deadlock_letter_is_clocked_by_the_letter_clock_alone(complaint):
    done = customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 3, 9))
    assert (done.customer_request, done.customer_request_pending) == ("deadlock", True)
    # soVision: the manager's ADR-letter clock, 2 working days after Tue 3 Nov 09:00 -> Thu 5
    # Nov 17:00, answers the request; no second request clock at the same instant.
    assert done.adr_letter_due_by == london(11, 5, 17)
    assert done.customer_request_by is None


def test_the_request_is_next_due_once_the_other_clocks_are_met(complaint, agent):
    actions.complaint_propose_resolution(complaint_id=complaint.pk, by=agent, now=london(11, 2, 11),
                                         expected_version=None, body="£10 credit")  # fmt: skip
    done = customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 3, 9))
    # Under soVision a deadlock request starts the manager's ADR-letter clock (issue 10): that
    # clock is the request's, and what is next due.
    assert done.next_due_at == london(11, 5, 17)
    assert done.next_due_clock == "adr_letter_due_by"


def test_an_agent_acting_does_not_answer_the_request(complaint, agent):
    customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 3, 9))
    done = actions.complaint_send_update(complaint_id=complaint.pk, by=agent, now=london(11, 3, 10),
                                         expected_version=None, body="Passed on", method="email")  # fmt: skip
    assert done.customer_request_pending


def test_a_manager_issuing_the_letter_answers_the_request(complaint, manager):
    customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 3, 9))
    done = actions.complaint_issue_deadlock(complaint_id=complaint.pk, by=manager,
                                            now=london(11, 3, 11), expected_version=None,
                                            body="Our final position")  # fmt: skip
    assert not done.customer_request_pending
    assert done.customer_request_answered_at == london(11, 3, 11)


def test_a_manager_assigning_does_not_answer_the_request(complaint, manager, agent):
    customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 3, 9))
    done = actions.complaint_assign(complaint_id=complaint.pk, by=manager, now=london(11, 3, 10),
                                    expected_version=None, assignee_id=agent.pk)  # fmt: skip
    assert done.customer_request_pending


def test_asking_for_escalation_flags_an_escalation_request(complaint):
    done = customer_request_escalation(
        complaint_id=complaint.pk, now=london(11, 3, 9), body="Please"
    )
    assert (done.customer_request, done.tier) == ("escalation", 1)


def test_a_complaint_about_the_code_flags_a_code_request(complaint):
    code = customer_complain_about_code(complaint_id=complaint.pk, now=london(11, 3, 9),
                                        body="You never called back")  # fmt: skip
    code = Complaint.objects.get(pk=code.pk)
    assert (code.customer_request, code.customer_request_by) == ("code", london(11, 5, 17))


def test_the_request_shows_as_a_badge_on_the_queue_and_the_page(client, manager, complaint):
    customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 3, 9))
    client.force_login(manager)
    queue = client.get(reverse("staff:queue", args=["unassigned"])).content.decode()
    page = client.get(reverse("staff:complaint", args=[complaint.reference])).content.decode()
    assert "Customer asks: deadlock letter" in queue
    assert "Customer asks: deadlock letter" in page
    assert 'id="clock-customer_request_by"' in page

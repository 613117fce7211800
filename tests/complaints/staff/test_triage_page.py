"""The staff console's triage queue: emailed complaints confirmed or discarded."""

from __future__ import annotations

import pytest

from complaints.models import InboundEmail
from tests.complaints.workflows.test_email_intake import ingest

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in_agent(client, agent, password):
    client.force_login(agent)
    return client


def test_the_queue_lists_emailed_complaints_awaiting_triage(signed_in_agent):
    inbound = ingest("plain.eml")
    page = signed_in_agent.get("/staff/triage/").content.decode()
    assert inbound.complaint.reference in page
    assert "dana@example.com" in page


def test_confirming_takes_it_off_the_queue(signed_in_agent):
    inbound = ingest("plain.eml")
    response = signed_in_agent.post(f"/staff/triage/{inbound.pk}/confirm/")
    assert response.status_code == 303
    inbound.refresh_from_db()
    assert inbound.state == InboundEmail.State.CONFIRMED
    assert (
        "Nothing is waiting for triage." in signed_in_agent.get("/staff/triage/").content.decode()
    )


def test_discarding_without_a_reason_says_so_and_keeps_it_waiting(signed_in_agent):
    inbound = ingest("plain.eml")
    response = signed_in_agent.post(
        f"/staff/triage/{inbound.pk}/discard/", {"reason": ""}, follow=True
    )
    assert "Say why this email is not a complaint" in response.content.decode()
    inbound.refresh_from_db()
    assert inbound.state == InboundEmail.State.TRIAGE


def test_discarding_with_a_reason_closes_the_complaint(signed_in_agent):
    inbound = ingest("plain.eml")
    signed_in_agent.post(f"/staff/triage/{inbound.pk}/discard/", {"reason": "Newsletter"})
    inbound.refresh_from_db()
    assert inbound.state == InboundEmail.State.DISCARDED
    assert inbound.complaint.status == "closed"


def test_customers_never_see_the_triage_queue(client, customer, password):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="carys2"))
    assert client.get("/staff/triage/").status_code == 403

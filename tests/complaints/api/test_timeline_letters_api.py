"""Timeline (list, add) and letters (list, download) through the API."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from complaints.models import Letter, TimelineEvent
from tests.factories import TimelineEventFactory

pytestmark = pytest.mark.django_db


def test_staff_see_internal_events_and_customers_do_not(agent_api, customer_api, own_complaint):
    TimelineEventFactory(complaint=own_complaint, summary="Internal: suspect the router")
    staff = [
        e["summary"]
        for e in agent_api.get(f"/api/v1/complaints/{own_complaint.reference}/timeline/").json()
    ]
    mine = [
        e["summary"]
        for e in customer_api.get(f"/api/v1/complaints/{own_complaint.reference}/timeline/").json()
    ]
    assert "Internal: suspect the router" in staff
    assert "Internal: suspect the router" not in mine
    assert mine  # the logged event is theirs to see


def test_customers_are_not_told_which_member_of_staff_wrote(customer_api, own_complaint):
    events = customer_api.get(f"/api/v1/complaints/{own_complaint.reference}/timeline/").json()
    assert all(event["author"] is None for event in events)


def test_an_agent_adds_a_technical_report(agent_api, own_complaint):
    response = agent_api.post(
        f"/api/v1/complaints/{own_complaint.reference}/timeline/",
        {"kind": "technical_report", "body": "Line test failed at the cabinet"},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["kind"] == "technical_report"
    assert own_complaint.events.filter(kind="technical_report").exists()


def test_an_empty_timeline_entry_is_a_400(agent_api, own_complaint):
    response = agent_api.post(
        f"/api/v1/complaints/{own_complaint.reference}/timeline/", {"body": ""}, format="json"
    )
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_a_customers_timeline_entry_is_their_added_information(customer_api, own_complaint):
    response = customer_api.post(
        f"/api/v1/complaints/{own_complaint.reference}/timeline/",
        {"kind": "findings", "body": "It dropped again at 9pm"},
        format="json",
    )
    assert response.status_code == 201
    event = own_complaint.events.get(body="It dropped again at 9pm")
    assert event.visibility == TimelineEvent.Visibility.CUSTOMER
    assert event.data.get("by") == "customer"


def _letter(complaint, *, ready: bool) -> Letter:
    letter = Letter.objects.create(
        complaint=complaint, kind="deadlock", dated=complaint.received_at.date(), body="Final",
        state=Letter.State.READY if ready else Letter.State.PENDING,
    )  # fmt: skip
    if ready:
        letter.pdf.save("x.pdf", ContentFile(b"%PDF-1.4 test letter"), save=True)
    return letter


def test_a_customer_lists_and_downloads_their_letter(customer_api, own_complaint):
    letter = _letter(own_complaint, ready=True)
    listed = customer_api.get(f"/api/v1/complaints/{own_complaint.reference}/letters/").json()
    assert [item["id"] for item in listed] == [letter.pk]
    response = customer_api.get(listed[0]["download"].removeprefix("http://testserver"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_a_letter_being_prepared_is_a_json_404(agent_api, own_complaint):
    letter = _letter(own_complaint, ready=False)
    response = agent_api.get(
        f"/api/v1/complaints/{own_complaint.reference}/letters/{letter.pk}/download/"
    )
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_customer_cannot_download_another_customers_letter(customer_api, others_complaint):
    letter = _letter(others_complaint, ready=True)
    response = customer_api.get(
        f"/api/v1/complaints/{others_complaint.reference}/letters/{letter.pk}/download/"
    )
    assert response.status_code == 404

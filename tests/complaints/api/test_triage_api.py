"""/api/v1/triage/: emailed complaints awaiting a person, through the API."""

from __future__ import annotations

import pytest

from tests.complaints.workflows.test_email_intake import ingest

pytestmark = pytest.mark.django_db


def test_the_triage_api_lists_confirms_and_discards(agent_api, customer_api):
    first, second = ingest("plain.eml"), ingest("html_only.eml")
    listed = agent_api.get("/api/v1/triage/").json()["results"]
    assert [item["id"] for item in listed] == [first.pk, second.pk]  # in the order they came
    assert customer_api.get("/api/v1/triage/").status_code == 403
    assert agent_api.post(f"/api/v1/triage/{first.pk}/confirm/").json()["state"] == "confirmed"
    response = agent_api.post(f"/api/v1/triage/{second.pk}/discard/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]

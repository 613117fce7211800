"""/api/v1/alerts/ and /api/v1/simulate/: the console's bell and the admin's simulator."""

from __future__ import annotations

import datetime

import pytest

from complaints.models import StaffAlert
from escalation.models import CodeVersion
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC)


def alert(user, complaint, key: str, read: bool = False) -> StaffAlert:
    return StaffAlert.objects.create(
        user=user, complaint=complaint, kind="breach", clock="respond_by", due_at=NOW,
        message=f"Respond-by passed on {complaint.reference}", created_at=NOW,
        read_at=NOW if read else None, dedupe_key=key,
    )  # fmt: skip


def test_staff_list_only_their_own_alerts(agent_api, agent, other_agent):
    complaint = ComplaintFactory()
    mine = alert(agent, complaint, "a")
    alert(other_agent, complaint, "b")
    response = agent_api.get("/api/v1/alerts/")
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["results"]] == [mine.pk]
    assert response.json()["results"][0]["complaint"] == complaint.reference


def test_unread_only_leaves_out_read_alerts(agent_api, agent):
    complaint = ComplaintFactory()
    unread = alert(agent, complaint, "a")
    alert(agent, complaint, "b", read=True)
    response = agent_api.get("/api/v1/alerts/", {"unread": "1"})
    assert [a["id"] for a in response.json()["results"]] == [unread.pk]


def test_marking_read_touches_only_the_callers_alerts(agent_api, agent, other_agent):
    complaint = ComplaintFactory()
    mine, theirs = alert(agent, complaint, "a"), alert(other_agent, complaint, "b")
    response = agent_api.post("/api/v1/alerts/read/", {"ids": [mine.pk, theirs.pk]}, format="json")
    assert response.status_code == 200 and response.json() == {"marked": 1}
    mine.refresh_from_db(), theirs.refresh_from_db()
    assert mine.read_at is not None and theirs.read_at is None


def test_customers_and_anonymous_get_no_alerts(customer_api, anon_api):
    assert customer_api.get("/api/v1/alerts/").status_code == 403
    assert anon_api.get("/api/v1/alerts/").status_code in (401, 403)


def _sovision() -> CodeVersion:
    return CodeVersion.objects.get(code__slug="sovision-it-2016", number=1)


def test_a_manager_simulates_and_gets_the_commands_json(manager_api):
    body = {
        "version": _sovision().pk, "channel": "email", "received": "2026-11-02T10:00",
        "events": [{"at": "2026-11-03T10:00", "kind": "resolution_proposed"}],
        "until": "2026-12-01T00:00",
    }  # fmt: skip
    response = manager_api.post("/api/v1/simulate/", body, format="json")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["complaint"]["clocks"]["respond_by"] == "2026-11-04T17:00:00+00:00"
    assert any(
        h["what"] == "event" and h["kind"] == "resolution_proposed" for h in data["happened"]
    )
    assert any(h["what"] == "auto_closed" for h in data["happened"])


def test_simulating_keeps_nothing(manager_api):
    from complaints.models import Complaint

    before = Complaint.objects.count()
    manager_api.post(
        "/api/v1/simulate/",
        {"version": _sovision().pk, "channel": "email", "received": "2026-11-02T10:00",
         "until": "2026-11-20T00:00"},
        format="json",
    )  # fmt: skip
    assert Complaint.objects.count() == before


@pytest.mark.parametrize(
    "change, field",
    [
        ({"received": "not a time"}, "received"),
        ({"events": [{"at": "2027-01-01T10:00", "kind": "acknowledged"}]}, None),
        ({"events": [{"at": "2026-11-03T10:00", "kind": "dance"}]}, "events"),
        ({"version": 999999}, "version"),
    ],
)
def test_bad_simulator_input_is_a_400_with_the_reason(manager_api, change, field):
    body = {"version": _sovision().pk, "channel": "email", "received": "2026-11-02T10:00",
            "until": "2026-12-01T00:00", **change}  # fmt: skip
    response = manager_api.post("/api/v1/simulate/", body, format="json")
    assert response.status_code == 400
    payload = response.json()
    assert payload["code"] and payload["message"]
    if field:
        assert field in payload.get("errors", {}) or field in payload["message"], payload


def test_agents_and_customers_may_not_simulate(agent_api, customer_api):
    body = {"version": _sovision().pk, "channel": "email", "received": "2026-11-02T10:00",
            "until": "2026-12-01T00:00"}  # fmt: skip
    assert agent_api.post("/api/v1/simulate/", body, format="json").status_code == 403
    assert customer_api.post("/api/v1/simulate/", body, format="json").status_code == 403

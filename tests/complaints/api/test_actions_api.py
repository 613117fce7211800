"""Lifecycle actions: one endpoint each, generated from the workflows' action tables."""

from __future__ import annotations

import pytest
from django.urls import reverse

from complaints.lifecycle import Action
from complaints.models import Complaint, Letter
from complaints.workflows.action_services import ACTION_SERVICES
from complaints.workflows.customer_actions import CUSTOMER_ACTION_SERVICES

pytestmark = pytest.mark.django_db


def _act(client, complaint, action: str, body=None, **headers):
    return client.post(
        f"/api/v1/complaints/{complaint.reference}/actions/{action}/",
        body or {},
        format="json",
        **headers,
    )


@pytest.mark.parametrize("action", [*ACTION_SERVICES, *CUSTOMER_ACTION_SERVICES])
def test_every_mapped_action_has_its_own_endpoint(action):
    url = reverse(f"api:complaint-action-{action.value}", args=["RD-0000-0000"])
    assert url == f"/api/v1/complaints/RD-0000-0000/actions/{action.value}/"


def test_every_console_action_is_an_endpoint():
    # "customer_replied" is staff recording a reply by phone, email or letter.
    staff_menu = {a for a in Action if not a.value.startswith("customer_")}
    staff_menu.add(Action.CUSTOMER_REPLIED)
    system_only = {Action.AUTO_CLOSE, Action.TRIAGE_DISCARD}
    assert staff_menu - system_only == set(ACTION_SERVICES)


def test_an_agent_acknowledges_a_new_complaint(agent_api, own_complaint):
    response = _act(agent_api, own_complaint, "acknowledge")
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"
    assert response.json()["clocks"]["acknowledge_by"]["state"] in {"met"}


def test_the_body_is_read_from_the_workflow_signature(agent_api, own_complaint):
    response = _act(agent_api, own_complaint, "send_update", {"body": "On it", "method": "email"})
    assert response.status_code == 200
    assert response.json()["status"] == "acknowledged"


def test_the_workflows_own_check_is_a_400_with_its_field(agent_api, own_complaint):
    response = _act(agent_api, own_complaint, "send_update", {"body": " ", "method": "email"})
    assert response.status_code == 400
    assert "body" in response.json()["errors"]


def test_a_missing_required_field_is_a_400(agent_api, own_complaint):
    response = _act(agent_api, own_complaint, "escalate", {})
    assert response.status_code == 400
    assert "reason" in response.json()["errors"]


def test_an_action_not_allowed_in_the_status_is_409_listing_the_allowed(agent_api, own_complaint):
    Complaint.objects.filter(pk=own_complaint.pk).update(status="resolved")
    response = _act(agent_api, own_complaint, "acknowledge")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "action_not_allowed"
    assert body["allowed_actions"] == ["reopen"]


def test_a_stale_if_match_on_an_action_is_412(agent_api, own_complaint):
    response = _act(agent_api, own_complaint, "acknowledge", HTTP_IF_MATCH='"41"')
    assert response.status_code == 412
    own_complaint.refresh_from_db()
    assert own_complaint.status == "new"


def test_assign_takes_the_assignee_by_id(agent_api, own_complaint, other_agent):
    response = _act(agent_api, own_complaint, "assign", {"assignee": other_agent.pk})
    assert response.status_code == 200
    assert response.json()["assignee"]["id"] == other_agent.pk


def test_an_agent_cannot_issue_a_deadlock_letter(agent_api, own_complaint):
    response = _act(agent_api, own_complaint, "issue_deadlock", {"body": "Our final position"})
    assert response.status_code == 403
    assert not Letter.objects.exists()


def test_a_manager_issues_a_deadlock_letter(manager_api, own_complaint):
    response = _act(manager_api, own_complaint, "issue_deadlock", {"body": "Our final position"})
    assert response.status_code == 200
    assert response.json()["status"] == "deadlock"
    assert Letter.objects.filter(complaint=own_complaint, kind="deadlock").exists()


def test_a_customer_cannot_take_a_staff_action(customer_api, own_complaint):
    assert _act(customer_api, own_complaint, "acknowledge").status_code == 403


def test_staff_cannot_take_a_customers_action(agent_api, own_complaint):
    assert _act(agent_api, own_complaint, "customer_request_deadlock").status_code == 403


def test_a_customer_adds_information_to_their_own_complaint(customer_api, own_complaint):
    response = _act(customer_api, own_complaint, "customer_add_information", {"body": "Still down"})
    assert response.status_code == 200
    assert own_complaint.events.filter(body="Still down").exists()


def test_a_customer_cannot_act_on_another_customers_complaint(customer_api, others_complaint):
    response = _act(customer_api, others_complaint, "customer_add_information", {"body": "x"})
    assert response.status_code == 404
    assert not others_complaint.events.filter(body="x").exists()


def test_a_customer_action_with_a_stale_if_match_is_412(customer_api, own_complaint):
    response = _act(
        customer_api, own_complaint, "customer_add_information", {"body": "x"}, HTTP_IF_MATCH='"9"'
    )
    assert response.status_code == 412

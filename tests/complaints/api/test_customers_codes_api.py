"""Customers, codes of practice and the clock calculator through the API."""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import call_command

from complaints.models import Customer
from escalation.models import CodeVersion

pytestmark = pytest.mark.django_db


def test_staff_create_a_customer(agent_api):
    response = agent_api.post(
        "/api/v1/customers/", {"name": "Dee Evans", "email": "dee@example.com"}, format="json"
    )
    assert response.status_code == 201
    assert Customer.objects.filter(name="Dee Evans").exists()


def test_a_business_customer_needs_a_head_count(agent_api):
    response = agent_api.post(
        "/api/v1/customers/", {"name": "Widgets Ltd", "kind": "business"}, format="json"
    )
    assert response.status_code == 400
    assert "employee_count" in response.json()["errors"]


def test_a_portal_customer_sees_only_their_own_record(customer_api, portal_customer, customer):
    ids = [c["id"] for c in customer_api.get("/api/v1/customers/").json()["results"]]
    assert ids == [portal_customer.pk]
    assert customer_api.get(f"/api/v1/customers/{customer.pk}/").status_code == 404


def test_a_portal_customer_cannot_change_their_record_here(customer_api, portal_customer):
    response = customer_api.patch(
        f"/api/v1/customers/{portal_customer.pk}/", {"name": "X"}, format="json"
    )
    assert response.status_code == 403


def test_staff_find_a_customer_by_email(agent_api, customer):
    found = agent_api.get("/api/v1/customers/", {"q": "carys@example.com"}).json()["results"]
    assert [c["id"] for c in found] == [customer.pk]


def test_the_calculator_returns_what_the_command_prints(agent_api):
    params = {"code": "infinity-group-2016", "channel": "email", "received": "2026-11-02T17:45"}
    out = StringIO()
    call_command(
        "deadlines", "--code", params["code"], "--channel", "email", "--received",
        params["received"], stdout=out,
    )  # fmt: skip
    response = agent_api.get("/api/v1/deadlines/", params)
    assert response.status_code == 200
    assert response.json() == json.loads(out.getvalue())


def test_the_calculator_refuses_an_unknown_code_with_a_field_error(agent_api):
    response = agent_api.get(
        "/api/v1/deadlines/", {"code": "nope", "channel": "email", "received": "2026-11-02T10:00"}
    )
    assert response.status_code == 400


def test_everyone_signed_in_reads_the_codes(customer_api):
    slugs = {c["slug"] for c in customer_api.get("/api/v1/codes/").json()}
    assert {"infinity-group-2016", "sovision-it-2016", "ofcom-2026"} <= slugs


def test_an_admin_drafts_and_publishes_a_version(admin_api):
    source = CodeVersion.objects.filter(code__slug="ofcom-2026").order_by("-number").first()
    draft = admin_api.post(f"/api/v1/code-versions/{source.pk}/draft/")
    assert draft.status_code == 201
    assert draft.json()["status"] == "draft"
    start = (datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=400)).isoformat()
    published = admin_api.post(
        f"/api/v1/code-versions/{draft.json()['id']}/publish/",
        {"effective_from": start},
        format="json",
    )
    assert published.status_code == 200, published.json()
    assert published.json()["status"] == "published"


def test_an_agent_cannot_draft_a_version(agent_api):
    source = CodeVersion.objects.order_by("pk").first()
    assert agent_api.post(f"/api/v1/code-versions/{source.pk}/draft/").status_code == 403


def test_drafts_are_listed_to_admins_only(admin_api, agent_api):
    source = CodeVersion.objects.filter(code__slug="ofcom-2026").first()
    admin_api.post(f"/api/v1/code-versions/{source.pk}/draft/")
    admin_statuses = {
        v["status"] for v in admin_api.get("/api/v1/codes/ofcom-2026/versions/").json()
    }
    agent_statuses = {
        v["status"] for v in agent_api.get("/api/v1/codes/ofcom-2026/versions/").json()
    }
    assert "draft" in admin_statuses
    assert agent_statuses == {"published"}

"""/api/v1/complaints/: who sees what, create, edit with If-Match, filters, cursor pages."""

from __future__ import annotations

import pytest

from complaints.models import Complaint
from escalation.choices import CLOCK_NAMES
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _references(response) -> list[str]:
    return [row["reference"] for row in response.json()["results"]]


def test_every_complaint_carries_every_clock_by_canonical_name(agent_api, own_complaint):
    row = agent_api.get("/api/v1/complaints/").json()["results"][0]
    assert set(row["clocks"]) == set(CLOCK_NAMES)
    assert row["clocks"]["respond_by"]["due"] == own_complaint.respond_by.isoformat()
    assert row["clocks"]["respond_by"]["state"] in {"met", "pending", "breached"}
    assert row["adr"] == {"eligible": True, "reason": ""}
    assert row["code_version"]["code"] == own_complaint.code_version.code.slug
    assert {"status", "tier", "row_version"} <= set(row)


def test_staff_see_every_complaint(agent_api, own_complaint, others_complaint):
    response = agent_api.get("/api/v1/complaints/")
    assert set(_references(response)) == {own_complaint.reference, others_complaint.reference}


def test_a_portal_customer_lists_only_their_own(customer_api, own_complaint, others_complaint):
    assert _references(customer_api.get("/api/v1/complaints/")) == [own_complaint.reference]


def test_a_portal_customer_cannot_read_another_customers_complaint(customer_api, others_complaint):
    response = customer_api.get(f"/api/v1/complaints/{others_complaint.reference}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_user_with_no_role_and_no_customer_record_sees_nothing(others_complaint):
    from tests.complaints.api.conftest import token_client
    from tests.factories import UserFactory

    stranger = token_client(UserFactory(username="stranger"))
    assert stranger.get("/api/v1/complaints/").json()["results"] == []


def test_a_customer_is_not_shown_who_has_their_complaint(customer_api, own_complaint, agent):
    Complaint.objects.filter(pk=own_complaint.pk).update(assigned_to=agent)
    body = customer_api.get(f"/api/v1/complaints/{own_complaint.reference}/").json()
    assert body["assignee"] is None


def test_retrieve_sends_the_row_version_as_etag(agent_api, own_complaint):
    response = agent_api.get(f"/api/v1/complaints/{own_complaint.reference}/")
    assert response["ETag"] == f'"{own_complaint.row_version}"'


def test_an_agent_logs_an_email_complaint(agent_api, customer):
    response = agent_api.post(
        "/api/v1/complaints/",
        {
            "customer": customer.pk,
            "channel": "email",
            "category": "billing",
            "summary": "Charged twice",
            "received_at": "2026-11-02T10:00:00Z",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    complaint = Complaint.objects.get(reference=response.json()["reference"])
    assert complaint.customer == customer
    assert response.json()["clocks"]["respond_by"]["due"] == complaint.respond_by.isoformat()


def test_a_phone_complaint_needs_the_identity_check_as_in_the_console(agent_api, customer):
    response = agent_api.post(
        "/api/v1/complaints/",
        {"customer": customer.pk, "channel": "phone", "category": "billing", "summary": "Bill"},
        format="json",
    )
    assert response.status_code == 400
    assert "identity" in response.json()["errors"]
    assert not Complaint.objects.exists()


def test_bad_input_is_a_400_with_field_errors(agent_api, customer):
    response = agent_api.post(
        "/api/v1/complaints/",
        {"customer": customer.pk, "channel": "pigeon", "category": "billing"},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert {"channel", "summary"} <= set(body["errors"])


def test_a_customer_cannot_log_a_complaint_through_the_staff_endpoint(customer_api, customer):
    response = customer_api.post(
        "/api/v1/complaints/",
        {"customer": customer.pk, "channel": "email", "category": "billing", "summary": "x"},
        format="json",
    )
    assert response.status_code == 403


def test_edit_with_the_current_etag_changes_the_field_and_the_etag(agent_api, own_complaint):
    response = agent_api.patch(
        f"/api/v1/complaints/{own_complaint.reference}/",
        {"summary": "Broadband drops every evening"},
        format="json",
        HTTP_IF_MATCH=f'"{own_complaint.row_version}"',
    )
    assert response.status_code == 200
    assert response.json()["summary"] == "Broadband drops every evening"
    assert response["ETag"] == f'"{own_complaint.row_version + 1}"'


def test_a_stale_if_match_is_refused_with_412_and_changes_nothing(agent_api, own_complaint):
    response = agent_api.patch(
        f"/api/v1/complaints/{own_complaint.reference}/",
        {"summary": "Too late"},
        format="json",
        HTTP_IF_MATCH='"999"',
    )
    assert response.status_code == 412
    assert response.json()["code"] == "stale"
    assert response.json()["row_version"] == own_complaint.row_version
    own_complaint.refresh_from_db()
    assert own_complaint.summary == "My own broadband"


def test_an_admin_cannot_edit_a_complaint_as_in_the_console(admin_api, own_complaint):
    response = admin_api.patch(
        f"/api/v1/complaints/{own_complaint.reference}/", {"summary": "x"}, format="json"
    )
    assert response.status_code == 403


def test_a_customer_cannot_edit_their_complaint_directly(customer_api, own_complaint):
    response = customer_api.patch(
        f"/api/v1/complaints/{own_complaint.reference}/", {"summary": "x"}, format="json"
    )
    assert response.status_code == 403


def test_filter_by_status(agent_api, own_complaint, others_complaint):
    Complaint.objects.filter(pk=own_complaint.pk).update(status="investigating")
    response = agent_api.get("/api/v1/complaints/?status=investigating")
    assert _references(response) == [own_complaint.reference]


def test_filter_by_breached(agent_api, own_complaint, others_complaint, now):
    Complaint.objects.filter(pk=others_complaint.pk).update(next_due_at=None)
    assert _references(agent_api.get("/api/v1/complaints/?breached=true")) == [
        own_complaint.reference
    ]
    assert _references(agent_api.get("/api/v1/complaints/?breached=false")) == [
        others_complaint.reference
    ]


def test_filter_by_code_version_and_due_window(agent_api, own_complaint):
    version = own_complaint.code_version_id
    due = own_complaint.next_due_at
    after = (due.replace(microsecond=0)).isoformat().replace("+00:00", "Z")
    assert _references(agent_api.get(f"/api/v1/complaints/?code_version={version + 100}")) == []
    assert _references(
        agent_api.get("/api/v1/complaints/", {"code_version": version, "due_after": after})
    ) == [own_complaint.reference]
    assert _references(agent_api.get("/api/v1/complaints/", {"due_before": after})) == []


def test_a_bad_filter_is_a_400_naming_it(agent_api):
    response = agent_api.get("/api/v1/complaints/?status=lost&tier=x")
    assert response.status_code == 400
    assert {"status", "tier"} <= set(response.json()["errors"])


def test_cursor_pages_walk_every_complaint_once_in_clock_order(agent_api, customer):
    made = [ComplaintFactory(customer=customer) for _ in range(7)]
    Complaint.objects.filter(pk=made[0].pk).update(next_due_at=None)
    seen, url = [], "/api/v1/complaints/?page_size=3"
    while url:
        body = agent_api.get(url).json()
        seen += [row["reference"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(c.reference for c in made)
    assert seen[-1] == made[0].reference  # no clock waiting: last


def test_ordering_by_a_clock_descending(agent_api, customer):
    early = ComplaintFactory(customer=customer)
    late = ComplaintFactory(customer=customer)
    Complaint.objects.filter(pk=late.pk).update(respond_by=early.respond_by.replace(year=2027))
    response = agent_api.get("/api/v1/complaints/?ordering=-respond_by")
    assert _references(response) == [late.reference, early.reference]


def test_an_unknown_ordering_or_forged_cursor_is_a_400(agent_api):
    assert agent_api.get("/api/v1/complaints/?ordering=summary").status_code == 400
    assert agent_api.get("/api/v1/complaints/?cursor=bm9wZQ").status_code == 400


def test_listing_runs_the_same_number_of_queries_for_5_or_50(
    agent_api, django_assert_max_num_queries
):
    customers = [CustomerFactory() for _ in range(5)]
    for customer in customers:
        ComplaintFactory(customer=customer)
    with django_assert_max_num_queries(8) as few:
        agent_api.get("/api/v1/complaints/")
    for _ in range(45):
        ComplaintFactory(customer=CustomerFactory())
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(agent_api.get("/api/v1/complaints/").json()["results"]) == 50


def test_the_fast_representation_is_exactly_the_declared_fields(own_complaint, agent, rf):
    from rest_framework import serializers

    from complaints.api.serializers import ComplaintSerializer

    request = rf.get("/")
    request.user = agent
    from complaints.api.serializers import viewer_context

    serializer = ComplaintSerializer(context=viewer_context(request))
    complaint = Complaint.objects.select_related("customer", "code_version__code").get(
        pk=own_complaint.pk
    )
    declared = serializers.Serializer.to_representation(serializer, complaint)
    assert serializer.to_representation(complaint) == dict(declared)

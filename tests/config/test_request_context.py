"""Bad bytes are refused with a message (issue 14, item 10); every request has an id that the
logs carry (item 17); liveness and readiness answer in JSON."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlencode

import pytest
from django.urls import reverse

from complaints.models import Complaint
from config.request_context import JsonFormatter, RequestIdFilter, request_id_var
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/staff/queue/all/?q=%00",
        "/staff/queue/all/?q=abc%01def",
        "/my/complaints/RD%00X/",
        "/follow/RD%00X/token/",
        "/complain/?x=%1b",
        "/admin/complaints/complaint/?q=%00",
    ],
)
def test_a_control_character_in_the_address_is_refused_with_a_message(client, agent, url):
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == 400
    assert "control character" in response.content.decode()


def post_form(client, url: str, fields: dict[str, str]):
    return client.post(url, urlencode(fields), content_type="application/x-www-form-urlencoded")


def test_a_control_character_in_a_posted_field_is_refused_and_changes_nothing(client, customer):
    complaints_before = Complaint.objects.count()
    response = post_form(
        client, reverse("complaints:new_link"), {"reference": "RD\x00X", "email": "a@example.com"}
    )
    assert response.status_code == 400
    assert "control character" in response.content.decode()
    assert Complaint.objects.count() == complaints_before


def test_a_nul_in_a_multipart_field_is_refused_by_the_form(client):
    response = client.post(
        reverse("complaints:new_link"), {"reference": "RD\x00X", "email": "a@example.com"}
    )
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()


def test_newlines_and_tabs_in_a_posted_field_are_accepted(client):
    fields = {"reference": "RD-ABCD-1234\t", "email": "a@example.com\n"}
    assert post_form(client, reverse("complaints:new_link"), fields).status_code == 200


def test_a_nul_in_a_search_by_a_signed_in_agent_does_not_reach_the_database(
    client, agent, customer, now, django_assert_num_queries
):
    ComplaintFactory(customer=customer, now=now)
    client.force_login(agent)
    with django_assert_num_queries(0):
        assert client.get("/staff/queue/all/?q=%00").status_code == 400


def test_every_response_carries_a_request_id(client):
    response = client.get(reverse("complaints:healthz"))
    assert len(response["X-Request-ID"]) == 32


def test_a_sane_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(client):
    kept = client.get(reverse("complaints:healthz"), HTTP_X_REQUEST_ID="proxy-abc-12345")
    replaced = client.get(reverse("complaints:healthz"), HTTP_X_REQUEST_ID="<script>")
    assert kept["X-Request-ID"] == "proxy-abc-12345"
    assert replaced["X-Request-ID"] != "<script>"


def test_a_json_log_line_names_the_request_it_belongs_to():
    record = logging.LogRecord("redress", logging.WARNING, __file__, 1, "it %s", ("broke",), None)
    token = request_id_var.set("abc123def456")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "it broke"
    assert line["request_id"] == "abc123def456"
    assert line["level"] == "WARNING"


def test_liveness_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("complaints:healthz"))
    assert response.json() == {"status": "ok"}


def test_readiness_checks_the_database_and_the_broker(client):
    # memory:// is the test broker: always reachable
    response = client.get(reverse("complaints:readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_readiness_is_503_and_names_the_broker_when_it_is_down(client, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6399/14"  # nothing listens there
    response = client.get(reverse("complaints:readyz"))
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"].startswith("unavailable")

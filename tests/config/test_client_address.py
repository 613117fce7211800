"""Behind the proxy every per-address limit counts the client, not the proxy (issue 14, item
13): ClientAddressMiddleware puts the address from REDRESS_CLIENT_ADDRESS_HEADER in REMOTE_ADDR."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from complaints.models import WebSubmission
from complaints.workflows.rate_limits import client_key_make
from tests.complaints.portal.test_public_form import answers

pytestmark = pytest.mark.django_db
PROXY = "172.18.0.5"


def sign_in_wrongly(client, **headers):
    return client.post(reverse("login"), {"username": "agent", "password": "wrong"},
                       REMOTE_ADDR=PROXY, **headers)  # fmt: skip


def test_behind_the_proxy_a_failed_sign_in_is_counted_for_the_clients_address(
    client, settings, agent
):
    settings.REDRESS_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    sign_in_wrongly(client, HTTP_X_REAL_IP="203.0.113.9")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


def test_behind_the_proxy_a_submission_is_keyed_by_the_clients_address(client, settings):
    settings.REDRESS_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    client.post(reverse("complaints:complain"), answers(), REMOTE_ADDR=PROXY,
                HTTP_X_REAL_IP="2001:db8::7")  # fmt: skip
    assert WebSubmission.objects.get().client_key == client_key_make("2001:db8::7")


def test_without_the_setting_the_header_is_ignored(client, settings, agent):
    # make run: gunicorn faces clients, so a client could claim any address in the header
    settings.REDRESS_CLIENT_ADDRESS_HEADER = ""
    sign_in_wrongly(client, HTTP_X_REAL_IP="203.0.113.9")
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]


@pytest.mark.parametrize("value", ["", "203.0.113.9, 10.0.0.1", "localhost", "1.2.3.4.5"])
def test_a_header_that_is_not_one_address_leaves_the_peers(client, settings, agent, value):
    settings.REDRESS_CLIENT_ADDRESS_HEADER = "X-Real-IP"
    sign_in_wrongly(client, HTTP_X_REAL_IP=value)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [PROXY]

"""Throttling per token and per anonymous client, answered in the error shape."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from complaints.api.throttles import AnonClientRateThrottle, TokenRateThrottle
from tests.complaints.api.conftest import token_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_rates(monkeypatch):
    cache.clear()
    rates = {"token": "2/min", "anon": "1/min"}
    monkeypatch.setattr(TokenRateThrottle, "THROTTLE_RATES", rates)
    monkeypatch.setattr(AnonClientRateThrottle, "THROTTLE_RATES", rates)
    yield
    cache.clear()


def test_a_token_over_its_rate_gets_429_in_the_error_shape(agent):
    client = token_client(agent)
    assert [client.get("/api/v1/codes/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/codes/")
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


def test_each_token_has_its_own_budget(agent):
    first, second = token_client(agent), token_client(agent)
    for _ in range(2):
        first.get("/api/v1/codes/")
    assert first.get("/api/v1/codes/").status_code == 429
    assert second.get("/api/v1/codes/").status_code == 200


def test_anonymous_clients_are_throttled_by_address(anon_api):
    assert anon_api.get("/api/schema/").status_code == 200
    response = anon_api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 429

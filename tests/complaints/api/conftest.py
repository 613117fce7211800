"""API personas: clients signed in as each role, by token (integrations) or by session."""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from complaints.api_tokens import api_token_create
from tests.factories import ComplaintFactory, CustomerFactory, UserFactory


def token_client(user) -> APIClient:
    _, key = api_token_create(user=user, name=f"{user.username} test integration")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@pytest.fixture
def agent_api(agent) -> APIClient:
    return token_client(agent)


@pytest.fixture
def manager_api(manager) -> APIClient:
    return token_client(manager)


@pytest.fixture
def admin_api(admin_staff) -> APIClient:
    return token_client(admin_staff)


@pytest.fixture
def portal_user(db):
    return UserFactory(username="carys")


@pytest.fixture
def portal_customer(portal_user):
    return CustomerFactory(name="Carys Jones", email="carys@example.com", portal_user=portal_user)


@pytest.fixture
def customer_api(portal_user, portal_customer) -> APIClient:
    return token_client(portal_user)


@pytest.fixture
def anon_api() -> APIClient:
    return APIClient()


@pytest.fixture
def own_complaint(portal_customer):
    return ComplaintFactory(customer=portal_customer, summary="My own broadband")


@pytest.fixture
def others_complaint(db):
    return ComplaintFactory(customer=CustomerFactory(name="Oscar Smith"), summary="Not yours")

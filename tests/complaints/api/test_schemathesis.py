"""Schemathesis against the live schema, in-process over WSGI: every operation, a bounded
number of generated requests each, signed in as an agent, a manager and a customer. No
response may be a 5xx, and every response must match the contract (status, type, body)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from complaints.api_tokens import api_token_create
from tests.factories import ComplaintFactory, CustomerFactory, UserFactory

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES_PER_OPERATION = 5
# Bounded so `make test` stays fast: the schema's examples and a few generated (valid and
# invalid) requests per operation; the exhaustive coverage phase is for a soak run.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})


@pytest.fixture
def api_schema(db):
    """The schema as the site serves it. Like Django's test client, the in-process WSGI calls
    must not close the test's database connection at the end of each request."""
    cache.clear()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application(), config=CONFIG)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


def _persona(role: str) -> dict[str, str]:
    """A bearer token for the persona, and complaints of theirs for the requests to find."""
    if role == "customer":
        user = UserFactory(username="st-customer")
        customer = CustomerFactory(email="st-customer@example.com", portal_user=user)
    else:
        user = UserFactory(username=f"st-{role}", groups=[role])
        customer = CustomerFactory()
    for _ in range(2):
        ComplaintFactory(customer=customer)
    _, key = api_token_create(user=user, name="schemathesis")
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def agent_headers(db) -> dict[str, str]:
    return _persona("agent")


@pytest.fixture
def manager_headers(db) -> dict[str, str]:
    return _persona("manager")


@pytest.fixture
def customer_headers(db) -> dict[str, str]:
    return _persona("customer")


BOUNDED = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)


@schema.parametrize()
@BOUNDED
def test_as_an_agent_every_operation_answers_within_its_contract(case, agent_headers):
    case.call_and_validate(headers=agent_headers, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_as_a_manager_every_operation_answers_within_its_contract(case, manager_headers):
    case.call_and_validate(headers=manager_headers, checks=CHECKS)


@schema.parametrize()
@BOUNDED
def test_as_a_customer_every_operation_answers_within_its_contract(case, customer_headers):
    case.call_and_validate(headers=customer_headers, checks=CHECKS)

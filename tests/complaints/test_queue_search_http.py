"""The staff queue's search through the page, on PostgreSQL: the engine `make run` uses.

Under SQLite every one of these answered 500 ("LIMIT/OFFSET not allowed in subqueries of
compound statements"); `make run` now runs the same engine as the tests (config/embedded_db.py).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def wanted():
    customer = CustomerFactory(
        name="Siân O'Brien-Pritchard",
        account_reference="ACC-424242",
        email="sian.obrien@example.com",
        phone="029 2018 0000",
        postcode="CF10 1AA",
    )
    return ComplaintFactory(customer=customer, summary="Router resets at 100% load every night")


@pytest.fixture
def other():
    customer = CustomerFactory(
        name="Oscar Smith", account_reference="ACC-111111", email="oscar@example.com",
        phone="0117 496 0000", postcode="BS31 2UG",
    )  # fmt: skip
    return ComplaintFactory(customer=customer, summary="Billed twice in October")


def search(client, user, q: str) -> tuple[int, str]:
    client.force_login(user)
    response = client.get(reverse("staff:queue", args=["all"]), {"q": q})
    return response.status_code, response.content.decode()


@pytest.mark.parametrize(
    "q",
    [
        pytest.param("REFERENCE", id="reference"),
        pytest.param("reference-lower-no-dashes", id="reference-typed-loosely"),
        pytest.param("Pritchard", id="surname"),
        pytest.param("o'brien", id="name-with-a-quote"),
        pytest.param("pritch", id="partial-name"),
        pytest.param("ACC-424242", id="account-reference"),
        pytest.param("SIAN.OBRIEN@example.com", id="email-any-case"),
        pytest.param("029 2018 0000", id="phone"),
        pytest.param("cf101aa", id="postcode-typed-compact"),
        pytest.param("CF10 1AA", id="postcode"),
        pytest.param("resets", id="word-of-the-summary"),
        pytest.param("100% load", id="percent-sign"),
    ],
)
def test_queue_search_finds_the_complaint_by(client, agent, wanted, other, q):
    if q == "REFERENCE":
        q = wanted.reference
    elif q == "reference-lower-no-dashes":
        q = wanted.reference.replace("-", "").lower()
    status, html = search(client, agent, q)
    assert status == 200
    assert wanted.reference in html
    assert other.reference not in html


@pytest.mark.parametrize("q", ["%", "%%%", "_", "'", '"', "'; --", "\\", "a%b"])
def test_queue_search_with_wildcards_and_quotes_answers_and_matches_literally(
    client, agent, wanted, other, q
):
    status, html = search(client, agent, q)
    assert status == 200
    assert other.reference not in html

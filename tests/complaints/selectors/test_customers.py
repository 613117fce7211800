"""One customer search for the whole console: the queue's search box and the log-a-contact
search find the same customers by the same keys, and every key is looked up by an index."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection

from complaints.selectors import queue as queue_selectors
from complaints.selectors.customers import customers_find, customers_matching
from complaints.selectors.queue import QueueFilters, complaint_queue
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db

KEYS = [
    pytest.param("pritch", id="part-of-the-name-any-case"),
    pytest.param("acc-424242", id="account-reference-any-case"),
    pytest.param("SIAN.OBRIEN@Example.com", id="email-any-case"),
    pytest.param("+44 (0)29 2018-0000", id="phone-written-internationally"),
    pytest.param("02920180000", id="phone-digits-only"),
    pytest.param("cf101aa", id="postcode-without-the-space"),
]


@pytest.fixture
def wanted():
    return CustomerFactory(
        name="Siân O'Brien-Pritchard",
        account_reference="ACC-424242",
        email="sian.obrien@example.com",
        phone="029 2018 0000",
        postcode="CF10 1AA",
    )


@pytest.fixture
def other():
    return CustomerFactory(
        name="Oscar Smith", account_reference="ACC-111111", email="oscar@example.com",
        phone="0117 496 0000", postcode="BS31 2UG",
    )  # fmt: skip


@pytest.mark.parametrize("query", KEYS)
def test_log_a_contact_finds_the_customer_by(wanted, other, query):
    assert customers_find(query, limit=10) == [wanted]


@pytest.mark.parametrize("query", KEYS)
def test_the_queue_search_finds_their_complaint_by_the_same_key(agent, now, wanted, other, query):
    mine, _ = ComplaintFactory(customer=wanted), ComplaintFactory(customer=other)
    page = complaint_queue(user=agent, queue="all", filters=QueueFilters(), q=query, now=now)
    assert [row.complaint for row in page.rows] == [mine]


def test_two_letters_match_exact_keys_but_not_names(wanted):
    CustomerFactory(name="Al Evans", account_reference="AL")
    assert [c.account_reference for c in customers_find("al", limit=10)] == ["AL"]


def test_blank_search_finds_nobody(wanted):
    assert customers_find("   ", limit=10) == []


@pytest.mark.parametrize("query", KEYS)
def test_every_key_is_looked_up_by_an_index(wanted, query):
    # Given the planner told to avoid reading whole tables wherever an index could do instead
    sql, params = customers_matching(query).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # Then no leg of the OR is left for a sequential scan
    assert "Seq Scan" not in plan, plan


def test_a_name_shared_by_many_customers_still_lists_their_complaints_in_queue_order(
    agent, now, monkeypatch
):
    # Given more customers called Pritchard than the search lists by id
    monkeypatch.setattr(queue_selectors, "CUSTOMER_IDS_MAX", 2)
    complaints = [
        ComplaintFactory(customer=CustomerFactory(name=f"Ann Pritchard {n}")) for n in range(3)
    ]
    ComplaintFactory(customer=CustomerFactory(name="Oscar Smith"))
    for days, complaint in zip((3, 1, 2), complaints, strict=True):
        due = now + datetime.timedelta(days=days)
        type(complaint).objects.filter(pk=complaint.pk).update(next_due_at=due)
    # When staff search for the name
    page = complaint_queue(user=agent, queue="all", filters=QueueFilters(), q="pritchard", now=now)
    # Then every one of them is listed, the clock due first at the top
    assert [row.complaint for row in page.rows] == [complaints[1], complaints[2], complaints[0]]


def test_a_name_shared_by_few_customers_lists_their_complaints_in_queue_order(agent, now):
    complaints = [
        ComplaintFactory(customer=CustomerFactory(name=f"Ann Pritchard {n}")) for n in range(3)
    ]
    for days, complaint in zip((2, 3, 1), complaints, strict=True):
        due = now + datetime.timedelta(days=days)
        type(complaint).objects.filter(pk=complaint.pk).update(next_due_at=due)
    page = complaint_queue(user=agent, queue="all", filters=QueueFilters(), q="pritchard", now=now)
    assert [row.complaint for row in page.rows] == [complaints[2], complaints[0], complaints[1]]

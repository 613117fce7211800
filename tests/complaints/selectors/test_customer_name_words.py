"""The queue search's customer ids come from the names' words (migration 0016), and they are
exactly the customers `customers_matching` finds, whatever the names and whoever wrote them."""

from __future__ import annotations

import pytest
from django.db import connection

from complaints.models import Customer
from complaints.selectors.customers import customer_ids_matching, customers_matching
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NAMES = [
    "Ann Smith",
    "Bob  Goldsmith",  # two spaces, and the query inside a word
    "Carys Smith-Jones",
    "Dai O'Brien",
    "Smith Plumbing Ltd",
    "Éowyn Ströme",
    "Gwen\tSMITHSON",  # a tab, upper case
    "Hari 100% Ltd",
    "Ifan Under_Score",
    "Jo Brown",
]
QUERIES = [
    "smith", "SMITH", "mith", "Goldsmith", "smith-j", "o'brien", "'bri", "ströme", "STRÖ",
    "100%", "0% L", "r_s", "der_", "brown", "jo brown", "Ann Smith", "nobody", "ltd", "o b",
    "%", "_",
]  # fmt: skip


def names_words() -> dict[int, list[str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT customer_id, array_agg(word ORDER BY word) FROM complaints_customernameword "
            "GROUP BY customer_id"
        )
        return dict(cursor.fetchall())


def known_words() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT word FROM complaints_nameword")
        return {w for (w,) in cursor.fetchall()}


@pytest.fixture
def customers():
    return [CustomerFactory(name=name) for name in NAMES]


@pytest.mark.parametrize("query", QUERIES)
def test_the_words_find_exactly_the_customers_the_name_search_finds(customers, query):
    expected = set(customers_matching(query).values_list("pk", flat=True))
    assert set(customer_ids_matching(query, limit=100)) == expected


def test_a_surname_search_finds_a_name_s_words_without_reading_customers(customers):
    # The ids come from the words alone: the customers' table is not in the name leg's plan
    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN SELECT customer_id FROM complaints_customernameword WHERE word IN "
            "(SELECT word FROM complaints_nameword WHERE word LIKE UPPER('%%smith%%'))"
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "complaints_customer " not in plan
    assert {customers[0].pk, customers[2].pk, customers[4].pk} <= set(
        customer_ids_matching("smith", limit=100)
    )


def test_the_limit_caps_the_ids(customers):
    assert len(customer_ids_matching("smith", limit=2)) == 2


def test_the_words_follow_a_renamed_customer_and_forget_a_word_no_one_has(customers):
    ann = customers[0]
    Customer.objects.filter(pk=ann.pk).update(name="Ann Zebedee")
    assert names_words()[ann.pk] == ["ANN", "ZEBEDEE"]
    assert ann.pk in customer_ids_matching("zebedee", limit=10)
    assert ann.pk not in customer_ids_matching("smith", limit=10)
    # "SMITH" is still someone's word ("Smith Plumbing Ltd"); "ZEBEDEE" goes with its customer
    assert "SMITH" in known_words()
    Customer.objects.filter(pk=ann.pk).update(name="Anonymised")
    assert "ZEBEDEE" not in known_words()


def test_a_deleted_customer_leaves_no_words_behind(db):
    lone = CustomerFactory(name="Quentin Xylophone")
    Customer.objects.filter(pk=lone.pk).delete()
    assert lone.pk not in names_words()
    assert not {"QUENTIN", "XYLOPHONE"} & known_words()


def test_customers_copied_in_bulk_get_their_words_too(db):
    # The bench seeder COPYs customers in batches: the statement-level trigger sees them all
    Customer.objects.bulk_create(
        [Customer(name=f"Bulk Person{n}", kind="consumer", nation="ENG") for n in range(50)]
    )
    assert len(customer_ids_matching("person", limit=100)) == 50

"""Reads of customers: the one way staff find a customer by what they typed.

`customers_matching` serves both the log-a-contact search (`customers_find`) and the staff
queues' search (`complaints.selectors.queue`), so a customer found one way is found the other.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet

from complaints.matching import (
    phone_national,
    phone_national_sql,
    postcode_compact,
    postcode_compact_sql,
)
from complaints.models import Customer

# Trigram indexes only help from three characters on; shorter text matches names badly anyway.
MIN_NAME_SEARCH = 3
# Text that is a phone number as people write it, and the fewest digits worth matching on.
_PHONE_TEXT = re.compile(r"[\d\s()+./-]+")
MIN_PHONE_DIGITS = 6


def customers_matching(query: str) -> QuerySet[Customer]:
    """Customers whose name contains `query` (any case, from MIN_NAME_SEARCH characters), or
    whose account reference or email is `query` (any case), postcode is it ignoring spaces, or
    phone is it as digits in national form (+44 / (0) / punctuation ignored). Unordered.

    Each leg is served by its own index, so PostgreSQL ORs bitmap index scans and never reads
    the whole table: customer_name_trgm_idx (upper(name), trigram), customer_account_ref_upper_idx,
    customer_email_upper_idx, customer_postcode_idx and customer_phone_national_idx.
    """
    query = " ".join(query.split())
    if not query:
        return Customer.objects.none()
    customers, condition = _exact_legs(query)
    if len(query) >= MIN_NAME_SEARCH:
        condition |= Q(name__icontains=query)
    return customers.filter(condition)


def customer_ids_matching(query: str, *, limit: int) -> list[int]:
    """The ids of up to `limit` customers `customers_matching(query)` finds, in no order.

    The same customers, found without reading one customer row per name match: a query with
    no space in it is in a name exactly when it is in one of the name's words, and the words
    are kept apart with their customers' ids (migration 0016_search_name_words: a few thousand
    distinct words with a trigram index, and (word, customer_id) pairs read from their primary
    key alone). A query with a space in it goes through customers_matching as it is.
    """
    query = " ".join(query.split())
    if not query:
        return []
    if " " in query or len(query) < MIN_NAME_SEARCH:
        return list(customers_matching(query).order_by().values_list("pk", flat=True)[:limit])
    customers, condition = _exact_legs(query)
    others, params = customers.filter(condition).order_by().values("pk").query.sql_with_params()
    # Exactly what name__icontains sends (UPPER on both sides, LIKE's wildcards escaped), on
    # the words instead of the whole name.
    pattern = f"%{connection.ops.prep_for_like_query(query)}%"
    with connection.cursor() as cursor:
        cursor.execute(
            f"({others}) UNION SELECT customer_id FROM complaints_customernameword "  # noqa: S608
            "WHERE word IN (SELECT word FROM complaints_nameword WHERE word LIKE UPPER(%s)) "
            "LIMIT %s",
            [*params, pattern, limit],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _exact_legs(query: str) -> tuple[QuerySet[Customer], Q]:
    """customers_matching's legs but the name's: account reference, email, postcode, phone (the
    customers with the expressions they need, and the condition ORing them)."""
    customers = Customer.objects.all()
    condition = Q(account_reference__iexact=query) | Q(email__iexact=query)
    compact = postcode_compact(query)
    if 5 <= len(compact) <= 8 and compact.isalnum():
        customers = customers.alias(postcode_compact=postcode_compact_sql())
        condition |= Q(postcode_compact=compact)
    digits = phone_national(query)
    if _PHONE_TEXT.fullmatch(query) and len(digits) >= MIN_PHONE_DIGITS:
        customers = customers.alias(phone_national=phone_national_sql())
        condition |= Q(phone_national=digits)
    return customers, condition


def customers_find(query: str, *, limit: int) -> list[Customer]:
    """Up to `limit` customers `customers_matching` finds, by name; only what the results show."""
    return list(
        customers_matching(query).order_by("name", "id").only("id", "name", "postcode")[:limit]
    )

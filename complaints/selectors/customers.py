"""Reads of customers: the one way staff find a customer by what they typed.

`customers_matching` serves both the log-a-contact search (`customers_find`) and the staff
queues' search (`complaints.selectors.queue`), so a customer found one way is found the other.
"""

from __future__ import annotations

import re

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
    customers = Customer.objects.all()
    condition = Q(account_reference__iexact=query) | Q(email__iexact=query)
    if len(query) >= MIN_NAME_SEARCH:
        condition |= Q(name__icontains=query)
    compact = postcode_compact(query)
    if 5 <= len(compact) <= 8 and compact.isalnum():
        customers = customers.alias(postcode_compact=postcode_compact_sql())
        condition |= Q(postcode_compact=compact)
    digits = phone_national(query)
    if _PHONE_TEXT.fullmatch(query) and len(digits) >= MIN_PHONE_DIGITS:
        customers = customers.alias(phone_national=phone_national_sql())
        condition |= Q(phone_national=digits)
    return customers.filter(condition)


def customers_find(query: str, *, limit: int) -> list[Customer]:
    """Up to `limit` customers `customers_matching` finds, by name; only what the results show."""
    return list(
        customers_matching(query).order_by("name", "id").only("id", "name", "postcode")[:limit]
    )

"""Reads of customers: finding one while logging a contact (staff console)."""

from __future__ import annotations

import re
from typing import Any

from django.db.models import F, Q, Value
from django.db.models.functions import Replace, Upper

from complaints.models import Customer


def _phone_national(text: str) -> str:
    """Digits only, +44 / 0044 / "(0)" read as the UK's leading 0."""
    text = text.replace("(0)", "").strip()
    text = re.sub(r"^(\+|00)44", "0", text)
    return re.sub(r"\D", "", text)


def _phone_national_sql(expression: Any) -> Any:
    # Nested REPLACEs: the same expression as the phone the form normalises, one per character.
    expression = Replace(expression, Value("(0)"), Value(""))
    expression = Replace(expression, Value("+44"), Value("0"))
    for character in " -().+/":
        expression = Replace(expression, Value(character), Value(""))
    return expression


def customers_find(query: str, *, limit: int) -> list[Customer]:
    """Customers matching a name (contains), account reference or email (exact), postcode
    (ignoring spaces) or phone (digits only). Fetches only what the results may show."""
    query = query.strip()
    if not query:
        return []
    condition = Q(account_reference__iexact=query) | Q(email__iexact=query)
    if len(query) >= 2:
        condition |= Q(name__icontains=query)
    customers = Customer.objects.all()
    compact = re.sub(r"\s+", "", query).upper()
    if 5 <= len(compact) <= 8 and compact.isalnum():
        customers = customers.alias(
            postcode_compact=Upper(Replace(F("postcode"), Value(" "), Value("")))
        )
        condition |= Q(postcode_compact=compact)
    if re.fullmatch(r"[\d\s()+./-]+", query) and len(_phone_national(query)) >= 6:
        customers = customers.alias(phone_national=_phone_national_sql(F("phone")))
        condition |= Q(phone_national=_phone_national(query))
    return list(
        customers.filter(condition).order_by("name", "id").only("id", "name", "postcode")[:limit]
    )

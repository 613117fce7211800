"""How a customer's contact details are normalised for matching, in Python and in SQL.

The customer search (`complaints.selectors.customers.customers_matching`) compares what staff
type with these expressions, and `Customer`'s expression indexes are built on exactly the same
ones, so PostgreSQL can serve each leg of the search from an index. Keep the two in step by
using these functions in both places, never a hand-written copy of the SQL.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import F, Value
from django.db.models.functions import Replace, Upper

# The characters people write phone numbers with besides digits.
_PHONE_PUNCTUATION = " -().+/"


def phone_national(text: str) -> str:
    """Digits only, +44 / 0044 / "(0)" read as the UK's leading 0: '+44 (0)117 496-0000' →
    '01174960000'."""
    text = text.replace("(0)", "").strip()
    text = re.sub(r"^(\+|00)44", "0", text)
    return re.sub(r"\D", "", text)


def phone_national_sql(expression: Any = None) -> Any:
    """The stored phone in `phone_national`'s form (nested REPLACEs, one per character); the
    expression `customer_phone_national_idx` is built on."""
    expression = F("phone") if expression is None else expression
    expression = Replace(expression, Value("(0)"), Value(""))
    expression = Replace(expression, Value("+44"), Value("0"))
    for character in _PHONE_PUNCTUATION:
        expression = Replace(expression, Value(character), Value(""))
    return expression


def postcode_compact(text: str) -> str:
    """'bs31 2ug' → 'BS312UG'."""
    return re.sub(r"\s+", "", text).upper()


def postcode_compact_sql() -> Any:
    """The stored postcode without spaces, upper case: what `customer_postcode_idx` (migration
    0005) is built on."""
    return Upper(Replace(F("postcode"), Value(" "), Value("")))

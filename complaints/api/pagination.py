"""Cursor (keyset) pagination ordered by a clock column, then id.

`?ordering=respond_by` (or `-respond_by`; default `next_due_at`, the queue's order) and
`?cursor=` from the previous page's `next`. Each page is at most two index-friendly queries:
the rows with a value, `(clock, id) > (v, i)`, then — once those run out — the rows with no
such clock, by id. No OFFSET and no COUNT(*), so page 10,000 costs what page 1 does.
"""

from __future__ import annotations

import base64
import datetime
import json
from typing import Any

from django.db.models import QuerySet
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import exceptions
from rest_framework.pagination import BasePagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from complaints.selectors.clocks import DATE_CLOCKS
from escalation.choices import CLOCK_NAMES

# The queue's order first (the default), every canonical clock, and arrival.
ORDERINGS = ("next_due_at", *CLOCK_NAMES, "received_at")
DATE_COLUMNS = DATE_CLOCKS
MAX_PAGE_SIZE = 200


def _encode(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()


def _decode(cursor: str) -> dict[str, Any]:
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor.encode()).decode())
        if not isinstance(payload, dict) or not isinstance(payload.get("i"), int):
            raise ValueError
        return payload
    except (ValueError, UnicodeError, json.JSONDecodeError):
        raise exceptions.ValidationError(
            {"cursor": ["That cursor is not one this API gave."]}
        ) from None


def _value(column: str, raw: Any) -> datetime.date | datetime.datetime | None:
    if raw is None:
        return None
    parsed = (parse_date if column in DATE_COLUMNS else parse_datetime)(str(raw))
    if parsed is None:
        raise exceptions.ValidationError({"cursor": ["That cursor is not one this API gave."]})
    return parsed


class ClockCursorPagination(BasePagination):
    page_size = 50

    def ordering(self, request: Request) -> tuple[str, bool]:
        raw = request.query_params.get("ordering", "next_due_at") or "next_due_at"
        descending = raw.startswith("-")
        column = raw.lstrip("-")
        if column not in ORDERINGS:
            raise exceptions.ValidationError(
                {"ordering": [f"Order by one of: {', '.join(ORDERINGS)} (prefix - to reverse)."]}
            )
        return column, descending

    def size(self, request: Request) -> int:
        raw = request.query_params.get("page_size", "")
        if not raw:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
            raise exceptions.ValidationError(
                {"page_size": [f"Ask for between 1 and {MAX_PAGE_SIZE} per page."]}
            )
        return int(raw)

    def paginate_queryset(self, queryset: QuerySet, request: Request, view: Any = None) -> list:
        column, descending = self.ordering(request)
        size = self.size(request)
        self.request, self.column, self.descending = request, column, descending
        sign = "-" if descending else ""
        cursor = request.query_params.get("cursor")
        after_value: Any = None
        after_id: int | None = None
        in_nulls = False
        if cursor:
            payload = _decode(cursor)
            if payload.get("o") != f"{sign}{column}":
                raise exceptions.ValidationError(
                    {"cursor": ["This cursor belongs to another ordering: start again without it."]}
                )
            after_value, after_id = _value(column, payload.get("v")), payload["i"]
            in_nulls = after_value is None
        rows: list = []
        if not in_nulls:
            valued = queryset.filter(**{f"{column}__isnull": False})
            if after_id is not None:
                op = "<" if descending else ">"
                valued = valued.extra(
                    where=[
                        f'("complaints_complaint"."{column}", "complaints_complaint"."id") {op} (%s, %s)'
                    ],
                    params=[after_value, after_id],
                )
            rows = list(valued.order_by(f"{sign}{column}", f"{sign}id")[: size + 1])
        if len(rows) <= size:
            nulls = queryset.filter(**{f"{column}__isnull": True})
            if in_nulls and after_id is not None:
                nulls = nulls.filter(**{"id__lt" if descending else "id__gt": after_id})
            rows += list(nulls.order_by(f"{sign}id")[: size + 1 - len(rows)])
        self.has_next = len(rows) > size
        self.page = rows[:size]
        return self.page

    def next_link(self) -> str | None:
        if not self.has_next or not self.page:
            return None
        last = self.page[-1]
        value = getattr(last, self.column)
        payload = {
            "o": f"{'-' if self.descending else ''}{self.column}",
            "v": value.isoformat() if value is not None else None,
            "i": last.pk,
        }
        url = self.request.build_absolute_uri()
        return replace_query_param(url, "cursor", _encode(payload))

    def get_paginated_response(self, data: Any) -> Response:
        return Response({"next": self.next_link(), "results": data})

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "description": "The next page, or null on the last.",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": "cursor",
                "in": "query",
                "required": False,
                "description": "From the previous page's `next`.",
                "schema": {"type": "string"},
            },
            {
                "name": "ordering",
                "in": "query",
                "required": False,
                "description": "A clock to order by, then id; prefix - to reverse.",
                "schema": {
                    "type": "string",
                    "enum": [*ORDERINGS, *(f"-{o}" for o in ORDERINGS)],
                    "default": "next_due_at",
                },
            },
            {
                "name": "page_size",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_PAGE_SIZE,
                    "default": 50,
                },
            },
        ]

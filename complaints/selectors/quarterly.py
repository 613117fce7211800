"""The quarterly complaints return, and the streamed export of complaint rows.

Quarterly return CSV layout (header `quarter,section,category,measure,value`):

    quarter   e.g. 2026-Q4 (calendar quarters, London dates)
    section   received_by_outcome | resolve_working_days | adr
    category  the complaint category (sales, billing, ...) or "all"
    measure   received_by_outcome: the outcome today of complaints received in the quarter —
                resolved_first_contact, resolved, auto_closed, deadlock, adr_referred, open
              resolve_working_days: a bucket of working days from effective receipt to
                resolution for complaints resolved in the quarter — 0, 1-2, 3-5, 6-10, 11-20,
                21-40, 41+ (see selectors/reports.py for the exact count)
              adr: deadlock_letters, adr_letters (dated in the quarter), adr_referred
                (complaints received in the quarter now referred to ADR)
    value     a count

Everything is counted in SQL; the export streams rows from a server-side cursor so a year of
complaints never sits in memory.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import replace

from django.db.models import Case, CharField, Count, Value, When

from complaints.lifecycle import OPEN_STATUSES, Status
from complaints.models import Letter
from complaints.selectors.report_filters import ReportFilters
from complaints.selectors.reports import (
    complaints_matching,
    complaints_received,
    working_days_to_resolve,
)
from escalation.calendar import LONDON
from escalation.choices import Category

HEADER = ("quarter", "section", "category", "measure", "value")
OUTCOMES = ("resolved_first_contact", "resolved", "auto_closed", "deadlock", "adr_referred", "open")
BUCKETS = (
    ("0", 0, 0),
    ("1-2", 1, 2),
    ("3-5", 3, 5),
    ("6-10", 6, 10),
    ("11-20", 11, 20),
    ("21-40", 21, 40),
    ("41+", 41, None),
)


def quarter_range(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1-4")
    start = datetime.date(year, 3 * quarter - 2, 1)
    following = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return start, following - datetime.timedelta(days=1)


_OUTCOME = Case(
    When(
        resolved_at_first_contact=True, status=Status.RESOLVED, then=Value("resolved_first_contact")
    ),
    When(status=Status.RESOLVED, then=Value("resolved")),
    When(status=Status.CLOSED, then=Value("auto_closed")),
    When(status=Status.DEADLOCK, then=Value("deadlock")),
    When(status=Status.ADR_REFERRED, then=Value("adr_referred")),
    When(status__in=OPEN_STATUSES, then=Value("open")),
    output_field=CharField(),
)


def _bucket_sql() -> str:
    whens = []
    for label, low, high in BUCKETS:
        cond = f"wd >= {low}" + (f" AND wd <= {high}" if high is not None else "")
        whens.append(f"WHEN {cond} THEN '{label}'")
    return "CASE " + " ".join(whens) + " END"


def quarterly_return_rows(
    *, year: int, quarter: int, filters: ReportFilters
) -> Iterator[tuple[str, str, str, str, str]]:
    start, end = quarter_range(year, quarter)
    f = replace(filters, start=start, end=end)
    name = f"{year}-Q{quarter}"
    counts = {
        (r["category"], r["outcome"]): r["n"]
        for r in complaints_received(f).annotate(outcome=_OUTCOME).values("category", "outcome")
        .annotate(n=Count("pk")).order_by()
    }  # fmt: skip
    for category in Category.values:
        for outcome in OUTCOMES:
            yield (
                name,
                "received_by_outcome",
                category,
                outcome,
                str(counts.get((category, outcome), 0)),
            )
    buckets = dict(
        working_days_to_resolve(f, select=f"{_bucket_sql()} AS b, count(*)", tail="GROUP BY b")
    )
    for label, _, _ in BUCKETS:
        yield name, "resolve_working_days", "all", label, str(buckets.get(label, 0))
    letters = dict(
        Letter.objects.filter(
            state=Letter.State.READY, dated__gte=start, dated__lte=end,
            complaint__in=complaints_matching(f).values("pk"),
        ).values_list("kind").annotate(n=Count("pk")).order_by()
    )  # fmt: skip
    yield name, "adr", "all", "deadlock_letters", str(letters.get(Letter.Kind.DEADLOCK, 0))
    yield name, "adr", "all", "adr_letters", str(letters.get(Letter.Kind.ADR, 0))
    referred = complaints_received(f).filter(status=Status.ADR_REFERRED).count()
    yield name, "adr", "all", "adr_referred", str(referred)


EXPORT_HEADER = (
    "reference", "received_at", "first_made_at", "channel", "category", "department", "nation",
    "status", "tier", "code_version", "assigned_to", "acknowledge_by", "acknowledged_at",
    "respond_by", "first_response_at", "resolve_by", "resolved_at", "root_cause",
)  # fmt: skip
EXPORT_CHUNK = 2000


def _iso(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.astimezone(LONDON).isoformat(timespec="minutes")
    return str(value)


def complaints_export_rows(filters: ReportFilters) -> Iterator[tuple[str, ...]]:
    """One row per complaint received in the range, oldest first, from a server-side cursor."""
    rows = (
        complaints_received(filters)
        .order_by("received_at", "id")
        .values_list(
            "reference", "received_at", "first_made_at", "channel", "category", "department",
            "nation", "status", "tier", "code_version_id", "assigned_to__username",
            "acknowledge_by", "acknowledged_at", "respond_by", "first_response_at", "resolve_by",
            "resolved_at", "root_cause__name",
        )
        .iterator(chunk_size=EXPORT_CHUNK)
    )  # fmt: skip
    for row in rows:
        yield tuple(_iso(v) for v in row)

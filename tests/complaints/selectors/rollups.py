"""The dashboard's rollup rows as sets, to compare the triggers' running totals with a rebuild
(tests/complaints/selectors/test_report_rollups.py, tests/bench/test_seed.py)."""

from __future__ import annotations

from django.db import connection
from django.db.models import Sum

from complaints.models import (
    ReportClock,
    ReportOpen,
    ReportReceived,
    ReportResolved,
    ReportRootCause,
)
from complaints.rollups import rollups_fold

ROLLUPS = (ReportOpen, ReportReceived, ReportClock, ReportResolved, ReportRootCause)


def rollup_rows() -> dict[str, set[tuple]]:
    """Every rollup row with a non-zero count, without its id (a rebuild renumbers), once the
    pending changes are counted (as the dashboard counts them before it reads)."""
    rollups_fold()
    out = {}
    for model in ROLLUPS:
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        counts = [f for f in ("n", "on_time", "late", "unmet", "closed") if f in fields]
        rows = model.objects.values_list(*fields)
        out[model.__name__] = {row for row in rows if any(row[fields.index(c)] for c in counts)}
    return out


def rebuilt_rows() -> dict[str, set[tuple]]:
    """The rows a rebuild gives. It rewrites the live tables: take rollup_rows() first."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT complaints_report_rebuild()")
    return rollup_rows()


def received_counted() -> int:
    """How many complaints the received rollup counts (its per-combination rows), once the
    pending changes are counted."""
    rollups_fold()
    return ReportReceived.objects.filter(total=False).aggregate(n=Sum("n"))["n"] or 0

"""The dashboard's figures computed straight from the complaints: the SQL the dashboard ran
before the rollups (issue 12's first version, which the hand-built data set checked), kept here
as the oracle the rollups are compared against. Test code only: at 1,000,000 complaints it takes
seconds (a scan of the complaints received or resolved in the range)."""

from __future__ import annotations

import datetime

from django.db import connection
from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from complaints.lifecycle import OPEN_STATUSES, Status
from complaints.selectors.report_filters import ReportFilters
from complaints.selectors.reports import (
    MET_CLOCKS,
    DashboardFigures,
    Share,
    _due_now,
    _letters,
    complaints_matching,
    complaints_received,
    complaints_resolved,
    working_days_to_resolve,
)
from escalation.calendar import LONDON, local_date


def _open_now(figures: DashboardFigures) -> None:
    f = figures.filters
    labels = dict(Status.choices)
    rows = (
        complaints_matching(f)
        .filter(status__in=OPEN_STATUSES)
        .values("status", "tier")
        .annotate(n=Count("pk"))
    )
    by_status: dict[str, int] = {}
    by_tier: dict[int, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        by_tier[row["tier"]] = by_tier.get(row["tier"], 0) + row["n"]
    figures.open_by_status = [
        (str(s), labels[s], by_status[s]) for s in OPEN_STATUSES if by_status.get(s)
    ]
    figures.open_by_tier = sorted(by_tier.items())
    # Breached and due counts are live SQL in the product too: the same function serves both.
    _due_now(figures)


# One scan of the complaints received in the range: the weekly counts by channel and by
# category and the range's totals, as three grouping sets of one query.
_RECEIVED_SQL = """
SELECT date_trunc('week', c.received_at AT TIME ZONE 'Europe/London')::date AS week,
       c.channel, c.category, GROUPING(c.channel) AS no_channel,
       GROUPING(c.category) AS no_category, count(*),
       count(*) FILTER (WHERE c.tier > 0),
       count(*) FILTER (WHERE c.status = 'closed'),
       count(*) FILTER (WHERE c.status = 'adr_referred'),
       count(*) FILTER (WHERE c.customer_request = 'code')
FROM ({base}) c
GROUP BY GROUPING SETS ((1, c.channel), (1, c.category), ())
ORDER BY 1, 2, 3
"""


def _received_figures(figures: DashboardFigures) -> None:
    base = complaints_received(figures.filters).values(
        "received_at", "channel", "category", "tier", "status", "customer_request"
    )
    sql, params = base.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_RECEIVED_SQL.format(base=sql), params)
        rows = cursor.fetchall()
    for week, channel, category, no_channel, no_category, n, *totals in rows:
        if not no_channel:
            figures.weekly_by_channel.append((week, channel, n))
        elif not no_category:
            figures.weekly_by_category.append((week, category, n))
        else:
            figures.received = n
            (figures.escalated, figures.auto_closed, figures.adr_referred,
             figures.code_complaints) = totals  # fmt: skip


# One scan for the three met-on-time clocks: each complaint unpivoted into its clocks.
_CLOCKS_SQL = """
SELECT k.clock, date_trunc('month', k.due AT TIME ZONE 'Europe/London')::date AS month,
       count(*) AS decided, count(*) FILTER (WHERE k.met <= k.due) AS met
FROM ({base}) c
CROSS JOIN LATERAL (VALUES ('acknowledge_by', c.acknowledge_by, c.acknowledged_at),
                           ('respond_by', c.respond_by, c.first_response_at),
                           ('resolve_by', c.resolve_by, c.resolved_at)) AS k(clock, due, met)
WHERE k.due >= %s AND k.due < %s AND (k.met IS NOT NULL OR k.due < %s)
GROUP BY 1, 2
ORDER BY 1, 2
"""


def _clock_shares(filters: ReportFilters, now: datetime.datetime) -> dict[str, list[Share]]:
    in_range = Q()
    for clock, _, _ in MET_CLOCKS:
        in_range |= Q(**{f"{clock}__gte": filters.since, f"{clock}__lt": filters.until})
    base = (
        complaints_matching(filters)
        .filter(in_range)
        .values(*(name for pair in MET_CLOCKS for name in pair[:2]))
    )
    sql, params = base.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_CLOCKS_SQL.format(base=sql), [*params, filters.since, filters.until, now])
        rows = cursor.fetchall()
    out: dict[str, list[Share]] = {clock: [] for clock, _, _ in MET_CLOCKS}
    for clock, month, decided, met in rows:
        out[clock].append(Share(month, met, decided))
    return out


def _resolve_days(figures: DashboardFigures) -> None:
    [(count, median, p90)] = working_days_to_resolve(
        figures.filters,
        select="count(*), percentile_cont(0.5) WITHIN GROUP (ORDER BY wd), "
        "percentile_cont(0.9) WITHIN GROUP (ORDER BY wd)",
    )
    figures.resolved = count
    figures.resolve_median = None if median is None else round(float(median), 1)
    figures.resolve_p90 = None if p90 is None else round(float(p90), 1)


def _root_causes(figures: DashboardFigures) -> None:
    resolved = complaints_resolved(figures.filters).filter(root_cause__isnull=False)
    ranked = (
        resolved.values("root_cause__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "root_cause__name")
    )
    figures.root_causes = [(r["root_cause__name"], r["n"]) for r in ranked]
    trend = (
        resolved.annotate(month=TruncMonth("resolved_at", tzinfo=LONDON))
        .values("month", "root_cause__name")
        .annotate(n=Count("pk"))
        .order_by("month", "root_cause__name")
    )
    figures.root_cause_trend = [
        (local_date(r["month"]), r["root_cause__name"], r["n"]) for r in trend
    ]


def figures_from_complaints(filters: ReportFilters, now: datetime.datetime) -> DashboardFigures:
    figures = DashboardFigures(filters=filters, now=now)
    _open_now(figures)
    _received_figures(figures)
    figures.clocks_met = _clock_shares(filters, now)
    _resolve_days(figures)
    _letters(figures)
    _root_causes(figures)
    return figures

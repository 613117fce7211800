"""The dashboard's figures, computed in SQL (aggregates, FILTER, percentile_cont, date buckets
in Europe/London) — never by loading complaints into Python. Views, the CSV and PDF exports and
the API all call `dashboard_figures`.

What each figure means (the tests build a data set with known answers for each):

- **Open now** by status and by tier: complaints whose status is open (lifecycle.OPEN_STATUSES),
  whatever the date range.
- **Breached now / due today / due this week**: the clock next due (`next_due_at`) against now,
  as the queue badges read it: breached = passed; due today = not passed and its London date is
  today; this week = not passed and before Monday 00:00 London of next week (today included).
- **Received per week** by channel and by category: complaints whose `received_at` falls in the
  range, bucketed by the London week (Monday) it fell in.
- **Share of each clock met on time**, per month: for acknowledge_by / respond_by / resolve_by,
  a clock is *decided* once it is met (acknowledged_at / first_response_at / resolved_at is set)
  or has passed unmet; it is *met on time* when that instant is at or before the clock. The
  share is met on time ÷ decided, bucketed by the London month the clock fell due, for clocks
  due in the range. Clocks not yet due and not yet met are left out.
- **Working days to resolve** (median, 90th percentile): for complaints resolved in the range,
  the working days after the day of effective receipt up to the day of resolution (London
  dates), in the customer's nation under the governing code version's calendar (office
  weekdays, bank holidays, closure days) — 0 when resolved on the day it counted from.
  Complaints received more than a year before the range starts are left out of it.
- **Escalation rate**: of complaints received in the range, the share above frontline (tier > 0).
- **Auto-closed**: received in the range and closed for customer silence (status closed).
- **ADR referrals**: received in the range, status referred to ADR.
- **ADR letters sent**: deadlock and ADR letters dated in the range (ready), of complaints
  matching the filters.
- **Complaints about the code**: received in the range, raised as a complaint about the code.
- **Root causes**: complaints resolved in the range by recorded root cause, ranked, and per month.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import connection, models
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from complaints.lifecycle import OPEN_STATUSES, Status
from complaints.models import Complaint, Letter
from complaints.models.reports import (
    ReportClock,
    ReportOpen,
    ReportReceived,
    ReportResolved,
    ReportRootCause,
)
from complaints.rollups import rollups_fold, rollups_pending
from complaints.selectors.queue import end_of_today
from complaints.selectors.report_filters import ReportFilters, london_midnight
from escalation.calendar import NATIONS, WorkingCalendar, local_date
from escalation.models import CodeVersion
from escalation.roles import staff_roles
from escalation.selectors import code_rules

# The most pending changes one dashboard request counts before it reads: about 1 s at 1M.
DASHBOARD_FOLD_MAX = 50_000

MET_CLOCKS = (
    ("acknowledge_by", "acknowledged_at", "Acknowledge"),
    ("respond_by", "first_response_at", "Respond"),
    ("resolve_by", "resolved_at", "Resolve"),
)
# Complaints received up to a year before the range still get a working-day count (the
# ordinal arrays stay short: every complaint reads two of their elements).
CALENDAR_LOOKBACK_DAYS = 366


@dataclass(frozen=True)
class Share:
    month: datetime.date
    met: int
    decided: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.met / self.decided, 1) if self.decided else None


@dataclass
class DashboardFigures:
    filters: ReportFilters
    now: datetime.datetime
    open_by_status: list[tuple[str, str, int]] = field(default_factory=list)
    open_by_tier: list[tuple[int, int]] = field(default_factory=list)
    breached: int = 0
    due_today: int = 0
    due_this_week: int = 0
    weekly_by_channel: list[tuple[datetime.date, str, int]] = field(default_factory=list)
    weekly_by_category: list[tuple[datetime.date, str, int]] = field(default_factory=list)
    clocks_met: dict[str, list[Share]] = field(default_factory=dict)
    resolved: int = 0
    resolve_median: float | None = None
    resolve_p90: float | None = None
    received: int = 0
    escalated: int = 0
    auto_closed: int = 0
    adr_referred: int = 0
    code_complaints: int = 0
    letters: dict[str, int] = field(default_factory=dict)
    root_causes: list[tuple[str, int]] = field(default_factory=list)
    root_cause_trend: list[tuple[datetime.date, str, int]] = field(default_factory=list)
    # Changes not yet counted when the figures were read (more were waiting than one page
    # should fold: beat counts the rest within minutes). 0 almost always.
    uncounted: int = 0

    @property
    def open_total(self) -> int:
        return sum(n for _, _, n in self.open_by_status)

    @property
    def escalation_rate(self) -> float | None:
        return round(100 * self.escalated / self.received, 1) if self.received else None


def complaints_matching(filters: ReportFilters) -> QuerySet[Complaint]:
    return Complaint.objects.filter(filters.q()).order_by()


def complaints_received(filters: ReportFilters) -> QuerySet[Complaint]:
    # complaint_received_idx
    return complaints_matching(filters).filter(
        received_at__gte=filters.since, received_at__lt=filters.until
    )


def complaints_resolved(filters: ReportFilters) -> QuerySet[Complaint]:
    # complaint_resolved_idx
    return complaints_matching(filters).filter(
        resolved_at__gte=filters.since, resolved_at__lt=filters.until
    )


def _open_now(figures: DashboardFigures) -> None:
    f = figures.filters
    labels = dict(Status.choices)
    rows = (
        _rollup_rows(ReportOpen, f)
        .filter(n__gt=0)
        .values("status", "tier")
        .annotate(n=Sum("n"))
        .order_by()
    )
    by_status: dict[str, int] = {}
    by_tier: dict[int, int] = {}
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        by_tier[row["tier"]] = by_tier.get(row["tier"], 0) + row["n"]
    figures.open_by_status = [
        (str(s), labels[s], by_status[s]) for s in OPEN_STATUSES if by_status.get(s)
    ]
    figures.open_by_tier = sorted((tier, n) for tier, n in by_tier.items() if n)
    _due_now(figures)


def _due_now(figures: DashboardFigures) -> None:
    """Breached, due today and due this week: live, not rolled up (they move with the clock)."""
    f, now = figures.filters, figures.now
    today = local_date(now)
    next_monday = london_midnight(today + datetime.timedelta(days=7 - today.weekday()))
    # complaint_next_due_idx: only the complaints due before next Monday are read.
    due = (
        complaints_matching(f)
        .filter(next_due_at__lt=next_monday)
        .aggregate(
            breached=Count("pk", filter=Q(next_due_at__lt=now)),
            due_today=Count(
                "pk", filter=Q(next_due_at__gte=now, next_due_at__lt=end_of_today(now))
            ),
            due_this_week=Count("pk", filter=Q(next_due_at__gte=now, next_due_at__lt=next_monday)),
        )
    )
    figures.breached, figures.due_today = due["breached"], due["due_today"]
    figures.due_this_week = due["due_this_week"]


# The received rollup's days in the range: the weekly counts by channel and by category and the
# range's totals, as three grouping sets of one query.
_RECEIVED_SQL = """
SELECT date_trunc('week', r.day)::date AS week, r.channel, r.category,
       GROUPING(r.channel) AS no_channel, GROUPING(r.category) AS no_category, sum(r.n),
       sum(r.n) FILTER (WHERE r.tier > 0), sum(r.closed), sum(r.adr_referred), sum(r.code_request)
FROM ({base}) r
GROUP BY GROUPING SETS ((1, r.channel), (1, r.category), ())
HAVING sum(r.n) > 0 OR GROUPING(r.channel) + GROUPING(r.category) = 2
ORDER BY 1, 2, 3
"""


def _rollup_rows(model: type[models.Model], filters: ReportFilters) -> QuerySet:
    """A rollup's rows for the filters: with none, the total rows (a few a day); otherwise
    the rows of each combination of the filters that matches."""
    dims = filters.q()
    return model.objects.filter(dims, total=not dims).order_by()


def _rollup(model: type[models.Model], filters: ReportFilters, *fields: str) -> tuple[str, list]:
    """SQL (and its parameters) for `fields` of a rollup's rows in the filters' day range."""
    rows = _rollup_rows(model, filters).filter(day__gte=filters.start, day__lte=filters.end)
    sql, params = rows.values(*fields).query.sql_with_params()
    return sql, list(params)


def _received_figures(figures: DashboardFigures) -> None:
    sql, params = _rollup(
        ReportReceived, figures.filters,
        "day", "channel", "category", "tier", "n", "closed", "adr_referred", "code_request",
    )  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(_RECEIVED_SQL.format(base=sql), params)
        rows = cursor.fetchall()
    for week, channel, category, no_channel, no_category, n, *totals in rows:
        if not no_channel:
            figures.weekly_by_channel.append((week, channel, n))
        elif not no_category:
            figures.weekly_by_category.append((week, category, n))
        else:
            figures.received = n or 0
            (figures.escalated, figures.auto_closed, figures.adr_referred,
             figures.code_complaints) = (t or 0 for t in totals)  # fmt: skip


# The clock rollup's days in the range: a clock met (on time or late) is decided whenever it
# fell due; one not met is decided once it has passed, i.e. on every day before today, and today
# only up to now, which the complaints themselves answer (the *_unmet_idx partial indexes).
_CLOCKS_SQL = """
SELECT r.clock, date_trunc('month', r.day)::date AS month,
       sum(r.on_time + r.late + CASE WHEN r.day < %s THEN r.unmet ELSE 0 END) AS decided,
       sum(r.on_time) AS met
FROM ({base}) r
GROUP BY 1, 2
ORDER BY 1, 2
"""


def _clocks_passed_today(filters: ReportFilters, now: datetime.datetime) -> dict[str, int]:
    """Clocks due today before now and not met, per clock (0 if today is outside the range)."""
    today = local_date(now)
    if not filters.start <= today <= filters.end:
        return {}
    since = london_midnight(today)
    conditions = {
        clock: Q(**{f"{clock}__gte": since, f"{clock}__lt": now, f"{met}__isnull": True})
        for clock, met, _ in MET_CLOCKS
    }
    either = conditions["acknowledge_by"] | conditions["respond_by"] | conditions["resolve_by"]
    return (
        Complaint.objects.filter(filters.q())
        .filter(either)
        .order_by()
        .aggregate(**{clock: Count("pk", filter=q) for clock, q in conditions.items()})
    )


def _clock_shares(filters: ReportFilters, now: datetime.datetime) -> dict[str, list[Share]]:
    sql, params = _rollup(ReportClock, filters, "clock", "day", "on_time", "late", "unmet")
    today = local_date(now)
    with connection.cursor() as cursor:
        cursor.execute(_CLOCKS_SQL.format(base=sql), [today, *params])
        rows = cursor.fetchall()
    passed = _clocks_passed_today(filters, now)
    month = today.replace(day=1)
    out: dict[str, list[Share]] = {clock: [] for clock, _, _ in MET_CLOCKS}
    for clock, row_month, decided, met in rows:
        if row_month == month:
            decided += passed.pop(clock, 0)
        if decided:
            out[clock].append(Share(row_month, met, decided))
    return out


def working_day_ordinals(
    versions: list[CodeVersion], start: datetime.date, end: datetime.date
) -> list[tuple[int, str, list[int]]]:
    """(version, nation, ordinals) per calendar: ordinals[i] counts the working days from
    `start` up to and including start + i days, so the working days between two days is the
    difference of their ordinals. Built from the pure calendar; indexed by day in SQL."""
    out = []
    span = (end - start).days + 1
    for version in versions:
        rules = code_rules(version)
        for nation in NATIONS:
            calendar = WorkingCalendar(
                office_hours=rules.office_hours, nation=nation, closure_days=rules.closure_days
            )
            count, ordinals = 0, []
            for offset in range(span):
                count += calendar.is_working_day(start + datetime.timedelta(days=offset))
                ordinals.append(count)
            out.append((version.pk, nation, ordinals))
    return out


# One row per (version, nation) calendar, hash-joined to the complaints; each complaint's
# working days are two array look-ups by day offset (NULL when a day is outside the calendar).
# (Joining a row-per-day calendar twice made the planner pair every day with every day.)
_WORKING_DAYS_SQL = """
WITH cal(version_id, nation, ords) AS (VALUES {values}),
days AS (
    SELECT cal.ords[((c.resolved_at AT TIME ZONE 'Europe/London')::date - %s::date) + 1]
         - cal.ords[((c.effective_receipt_at AT TIME ZONE 'Europe/London')::date - %s::date) + 1]
           AS wd
    FROM ({base}) c
    JOIN cal ON cal.version_id = c.code_version_id AND cal.nation = c.nation
)
SELECT {select} FROM days WHERE wd IS NOT NULL {tail}
"""


def working_days_to_resolve(filters: ReportFilters, *, select: str, tail: str = "") -> list[tuple]:
    """Run `SELECT <select> FROM days WHERE wd IS NOT NULL <tail>`, where `days.wd` is each
    complaint's working days from effective receipt to resolution, for complaints resolved in
    the range (see the module docstring)."""
    base = complaints_resolved(filters).values(
        "code_version_id", "nation", "effective_receipt_at", "resolved_at"
    )
    version_ids = [filters.code_version] if filters.code_version is not None else _versions_in_use()
    versions = list(
        CodeVersion.objects.filter(pk__in=version_ids).prefetch_related(
            "channel_windows", "closure_days"
        )
    )
    start = filters.start - datetime.timedelta(days=CALENDAR_LOOKBACK_DAYS)
    calendars = working_day_ordinals(versions, start, filters.end) or [(0, "", [0])]
    values = ", ".join(["(%s::int, %s::text, %s::int[])"] * len(calendars))
    sql, params = base.query.sql_with_params()
    query = _WORKING_DAYS_SQL.format(values=values, base=sql, select=select, tail=tail)
    with connection.cursor() as cursor:
        cursor.execute(query, [*(p for row in calendars for p in row), start, start, *params])
        return cursor.fetchall()


# The resolved rollup's histogram of working days, and percentile_cont's interpolation over
# it: the value at 0-based rank p × (count − 1), between the values at the ranks either side.
# Complaints whose effective receipt was not within the year before resolution carry their
# receipt day and count only if it falls in the live figure's calendar (see the docstring).
_RESOLVE_DAYS_SQL = """
WITH h AS (
    SELECT r.working_days AS wd, sum(r.n) AS n
    FROM ({base}) r
    WHERE r.working_days IS NOT NULL
      AND (r.receipt_day IS NULL OR r.receipt_day BETWEEN %s AND %s)
    GROUP BY 1 HAVING sum(r.n) > 0
),
c AS (SELECT wd, sum(n) OVER (ORDER BY wd) AS upto FROM h),
total AS (SELECT coalesce(sum(n), 0) AS n FROM h),
q AS (SELECT p, p * (total.n - 1)::float8 AS at FROM total, (VALUES (0.5::float8), (0.9)) v(p)
      WHERE total.n > 0)
SELECT (SELECT n FROM total), p,
       (SELECT wd FROM c WHERE upto > floor(q.at) ORDER BY wd LIMIT 1) AS below,
       (SELECT wd FROM c WHERE upto > ceil(q.at) ORDER BY wd LIMIT 1) AS above,
       q.at - floor(q.at) AS fraction
FROM q RIGHT JOIN total ON true
ORDER BY p
"""


def _resolve_days(figures: DashboardFigures) -> None:
    f = figures.filters
    sql, params = _rollup(ReportResolved, f, "day", "working_days", "receipt_day", "n")
    lookback = f.start - datetime.timedelta(days=CALENDAR_LOOKBACK_DAYS)
    with connection.cursor() as cursor:
        cursor.execute(_RESOLVE_DAYS_SQL.format(base=sql), [*params, lookback, f.end])
        rows = cursor.fetchall()
    figures.resolved = int(rows[0][0])
    values = {p: below + fraction * (above - below) for _, p, below, above, fraction in rows if p}
    median, p90 = values.get(0.5), values.get(0.9)
    figures.resolve_median = None if median is None else round(float(median), 1)
    figures.resolve_p90 = None if p90 is None else round(float(p90), 1)


def _versions_in_use() -> list[int]:
    # Published versions (drafts never govern complaints): a handful of rows.
    return list(
        CodeVersion.objects.filter(status=CodeVersion.Status.PUBLISHED).values_list("pk", flat=True)
    )


def _letters(figures: DashboardFigures) -> None:
    f = figures.filters
    rows = (
        Letter.objects.filter(
            state=Letter.State.READY,
            dated__gte=f.start,
            dated__lte=f.end,
            complaint__in=complaints_matching(f).values("pk"),
        )
        .values("kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    figures.letters = {kind: 0 for kind in Letter.Kind.values} | {r["kind"]: r["n"] for r in rows}


def _root_causes(figures: DashboardFigures) -> None:
    f = figures.filters
    resolved = _rollup_rows(ReportRootCause, f).filter(day__gte=f.start, day__lte=f.end, n__gt=0)
    ranked = (
        resolved.values("root_cause__name").annotate(n=Sum("n")).order_by("-n", "root_cause__name")
    )
    figures.root_causes = [(r["root_cause__name"], r["n"]) for r in ranked]
    trend = (
        resolved.annotate(month=TruncMonth("day"))
        .values("month", "root_cause__name")
        .annotate(n=Sum("n"))
        .order_by("month", "root_cause__name")
    )
    figures.root_cause_trend = [(r["month"], r["root_cause__name"], r["n"]) for r in trend]


def reports_check(user: AbstractBaseUser) -> None:
    """Reports, exports and case files are for managers (and admins): agents and customers
    get none."""
    if not ({"manager", "admin"} & staff_roles(user)):
        raise PermissionDenied("Reports are for managers.")


def dashboard_figures(
    *, user: AbstractBaseUser, filters: ReportFilters, now: datetime.datetime
) -> DashboardFigures:
    """Every dashboard figure for `filters` at `now`: a fixed number of aggregate queries."""
    reports_check(user)
    # The changes written since the last fold are counted first, so the figures are exact now;
    # a backlog bigger than a page should wait for (a bulk update, beat stopped) is left to beat
    # past DASHBOARD_FOLD_MAX, and the figures say how many changes they do not include yet.
    figures = DashboardFigures(filters=filters, now=now)
    if rollups_fold(limit=DASHBOARD_FOLD_MAX) == DASHBOARD_FOLD_MAX:
        figures.uncounted = rollups_pending()
    _open_now(figures)
    _received_figures(figures)
    figures.clocks_met = _clock_shares(filters, now)
    _resolve_days(figures)
    _letters(figures)
    _root_causes(figures)
    return figures

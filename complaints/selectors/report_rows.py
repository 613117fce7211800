"""The dashboard's figures as flat rows: the figures CSV, the PDF's tables and the API share them.

CSV layout (one row per figure, header `section,measure,period,value`):

    section      what the figure belongs to, e.g. "open_by_status", "received_by_channel"
    measure      the status, tier, channel, category, clock, letter kind or root cause
    period       the London week (Monday) or month (first day) as YYYY-MM-DD; blank if none
    value        an integer count, or a number with one decimal (percentages, working days)
"""

from __future__ import annotations

from collections.abc import Iterator

from complaints.selectors.reports import MET_CLOCKS, DashboardFigures

HEADER = ("section", "measure", "period", "value")


def _num(value: float | int | None) -> str:
    if value is None:
        return ""
    return str(value)


def figure_rows(f: DashboardFigures) -> Iterator[tuple[str, str, str, str]]:
    for status, _, n in f.open_by_status:
        yield "open_by_status", status, "", str(n)
    for tier, n in f.open_by_tier:
        yield "open_by_tier", str(tier), "", str(n)
    yield "clocks_now", "breached", "", str(f.breached)
    yield "clocks_now", "due_today", "", str(f.due_today)
    yield "clocks_now", "due_this_week", "", str(f.due_this_week)
    for week, channel, n in f.weekly_by_channel:
        yield "received_by_channel", channel, week.isoformat(), str(n)
    for week, category, n in f.weekly_by_category:
        yield "received_by_category", category, week.isoformat(), str(n)
    for clock, _, _ in MET_CLOCKS:
        for share in f.clocks_met.get(clock, []):
            month = share.month.isoformat()
            yield "clock_met_decided", clock, month, str(share.decided)
            yield "clock_met_on_time", clock, month, str(share.met)
            yield "clock_met_percent", clock, month, _num(share.percent)
    yield "resolve_working_days", "resolved", "", str(f.resolved)
    yield "resolve_working_days", "median", "", _num(f.resolve_median)
    yield "resolve_working_days", "p90", "", _num(f.resolve_p90)
    yield "received", "total", "", str(f.received)
    yield "received", "escalated", "", str(f.escalated)
    yield "received", "escalation_rate_percent", "", _num(f.escalation_rate)
    yield "received", "auto_closed", "", str(f.auto_closed)
    yield "received", "adr_referred", "", str(f.adr_referred)
    yield "received", "code_complaints", "", str(f.code_complaints)
    for kind, n in sorted(f.letters.items()):
        yield "letters_sent", kind, "", str(n)
    for name, n in f.root_causes:
        yield "root_cause", name, "", str(n)
    for month, name, n in f.root_cause_trend:
        yield "root_cause_by_month", name, month.isoformat(), str(n)

"""The dashboard's charts and tables, from the figures the selectors computed (presentation only).

Each chart comes with its figures as a table: the page shows both, the PDF summary prints both.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.utils.safestring import SafeString

from complaints.selectors.reports import MET_CLOCKS, DashboardFigures
from complaints.staff.charts import bar_chart, line_chart
from escalation.choices import Category, Channel


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    svg: SafeString
    headers: list[str]
    rows: list[list[str]]


def _weeks(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    monday = start - datetime.timedelta(days=start.weekday())
    out = []
    while monday <= end:
        out.append(monday)
        monday += datetime.timedelta(days=7)
    return out


def _months(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    month, out = start.replace(day=1), []
    while month <= end:
        out.append(month)
        month = (month + datetime.timedelta(days=32)).replace(day=1)
    return out


def _weekly_chart(
    chart_id: str, title: str, f: DashboardFigures, rows: list, choices: type
) -> Chart:
    weeks = _weeks(f.filters.start, f.filters.end)
    counts: dict[str, dict[datetime.date, int]] = defaultdict(dict)
    for week, key, n in rows:
        counts[key][week] = n
    labels = dict(choices.choices)
    present = [k for k in choices.values if k in counts]
    series = [(labels[k], [counts[k].get(w, 0) for w in weeks]) for k in present]
    x = [f"{w:%d %b}" for w in weeks]
    return Chart(
        chart_id,
        title,
        bar_chart(chart_id, title, x, series or [("None", [0] * len(weeks))]),
        ["Week from", *[labels[k] for k in present], "Total"],
        [
            [f"{w:%d %b %Y}", *[str(counts[k].get(w, 0)) for k in present],
             str(sum(counts[k].get(w, 0) for k in present))]
            for w in weeks
        ],
    )  # fmt: skip


def _clocks_chart(f: DashboardFigures) -> Chart:
    months = _months(f.filters.start, f.filters.end)
    by_clock = {
        clock: {s.month: s for s in f.clocks_met.get(clock, [])} for clock, _, _ in MET_CLOCKS
    }
    series = [
        (label, [by_clock[clock][m].percent if m in by_clock[clock] else None for m in months])
        for clock, _, label in MET_CLOCKS
    ]
    rows = []
    for m in months:
        row = [f"{m:%b %Y}"]
        for clock, _, _ in MET_CLOCKS:
            share = by_clock[clock].get(m)
            row.append(f"{share.percent}% ({share.met} of {share.decided})" if share else "—")
        rows.append(row)
    title = "Share of each clock met on time, by month due"
    return Chart(
        "clocks-met",
        title,
        line_chart("clocks-met", title, [f"{m:%b %y}" for m in months], series, y_max=100,
                   suffix="%"),
        ["Month due", *[label for _, _, label in MET_CLOCKS]],
        rows,
    )  # fmt: skip


def _open_chart(f: DashboardFigures) -> Chart:
    title = "Open complaints by status"
    labels = [label for _, label, _ in f.open_by_status]
    values = [n for _, _, n in f.open_by_status]
    return Chart(
        "open-status",
        title,
        bar_chart("open-status", title, labels, [("Open", values)]),
        ["Status", "Open complaints"],
        [[label, str(n)] for label, n in zip(labels, values, strict=True)],
    )


def _root_cause_chart(f: DashboardFigures) -> Chart:
    title = "Root causes of complaints resolved, by month"
    months = _months(f.filters.start, f.filters.end)
    names = [name for name, _ in f.root_causes[:6]]
    counts: dict[str, dict[datetime.date, int]] = defaultdict(dict)
    for month, name, n in f.root_cause_trend:
        counts[name][month] = n
    series = [(name, [counts[name].get(m, 0) for m in months]) for name in names]
    return Chart(
        "root-causes",
        title,
        line_chart("root-causes", title, [f"{m:%b %y}" for m in months],
                   series or [("None recorded", [0] * len(months))]),
        ["Root cause", "Complaints resolved"],
        [[name, str(n)] for name, n in f.root_causes],
    )  # fmt: skip


def dashboard_charts(f: DashboardFigures) -> list[Chart]:
    return [
        _open_chart(f),
        _weekly_chart(
            "weekly-channel", "Complaints received per week, by channel", f,
            f.weekly_by_channel, Channel,
        ),
        _weekly_chart(
            "weekly-category", "Complaints received per week, by category", f,
            f.weekly_by_category, Category,
        ),
        _clocks_chart(f),
        _root_cause_chart(f),
    ]  # fmt: skip

"""The filters every manager report shares (dashboard, CSV, PDF, quarterly return, API).

A date range (London dates, both ends included), then the complaint's code version, channel,
category, department, nation, tier and assignee. `from_params` reads GET parameters; a bad value
is dropped with a message saying so, never guessed.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import Q

from complaints.models import Department
from complaints.selectors.queue import choice_params
from escalation.calendar import LONDON
from escalation.choices import Category, Channel, Nation

# A range longer than this is refused: the weekly chart would be unreadable and the scan long.
MAX_RANGE_DAYS = 3 * 366


def _month_start(day: datetime.date, months_back: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 - months_back
    return datetime.date(index // 12, index % 12 + 1, 1)


def london_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=LONDON)


@dataclass(frozen=True)
class ReportFilters:
    start: datetime.date
    end: datetime.date
    code_version: int | None = None
    channel: str = ""
    category: str = ""
    department: str = ""
    nation: str = ""
    tier: int | None = None
    assignee: int | str | None = None  # a user id, or "none"

    @classmethod
    def default(cls, today: datetime.date) -> ReportFilters:
        """The last twelve months: this month and the eleven before it."""
        return cls(start=_month_start(today, 11), end=today)

    @classmethod
    def from_params(
        cls, params: Mapping[str, Any], *, today: datetime.date
    ) -> tuple[ReportFilters, list[str]]:
        problems: list[str] = []
        filters = cls.default(today)
        values: dict[str, Any] = {}
        for name, label in (("start", "from"), ("end", "to")):
            raw = str(params.get(name) or "").strip()
            if not raw:
                continue
            try:
                values[name] = datetime.date.fromisoformat(raw)
            except ValueError:
                problems.append(f"Ignored the “{label}” date: “{raw[:20]}” is not a date.")
        values |= choice_params(
            params,
            (("channel", Channel), ("category", Category), ("department", Department),
             ("nation", Nation)),
            problems,
        )  # fmt: skip
        for name, label in (("code_version", "code version"), ("tier", "tier")):
            raw = str(params.get(name) or "").strip()
            if not raw:
                continue
            if raw.isascii() and raw.isdigit() and int(raw) < 2**31:
                values[name] = int(raw)
            else:
                problems.append(f"Ignored the {label} filter: “{raw[:40]}” is not a {label}.")
        raw = str(params.get("assignee") or "").strip()
        if raw == "none":
            values["assignee"] = "none"
        elif raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31:
            values["assignee"] = int(raw)
        elif raw:
            problems.append(f"Ignored the assignee filter: “{raw[:40]}” is not a member of staff.")
        filters = replace(filters, **values)
        if filters.end < filters.start:
            problems.append("The “to” date was before the “from” date: showing the default range.")
            filters = replace(filters, start=cls.default(today).start, end=today)
        elif (filters.end - filters.start).days > MAX_RANGE_DAYS:
            problems.append("Choose a range of at most three years: showing the last three.")
            filters = replace(filters, start=filters.end - datetime.timedelta(days=MAX_RANGE_DAYS))
        return filters, problems

    @property
    def since(self) -> datetime.datetime:
        """The first instant of the range (London midnight of `start`)."""
        return london_midnight(self.start)

    @property
    def until(self) -> datetime.datetime:
        """The first instant after the range (London midnight after `end`)."""
        return london_midnight(self.end + datetime.timedelta(days=1))

    def q(self) -> Q:
        """Everything but the date range, as a filter on complaints."""
        q = Q()
        for name in ("channel", "category", "department", "nation"):
            if getattr(self, name):
                q &= Q(**{name: getattr(self, name)})
        if self.code_version is not None:
            q &= Q(code_version_id=self.code_version)
        if self.tier is not None:
            q &= Q(tier=self.tier)
        if self.assignee == "none":
            q &= Q(assigned_to__isnull=True)
        elif self.assignee is not None:
            q &= Q(assigned_to_id=self.assignee)
        return q

    def as_params(self) -> dict[str, str]:
        out = {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "code_version": "" if self.code_version is None else str(self.code_version),
            "channel": self.channel,
            "category": self.category,
            "department": self.department,
            "nation": self.nation,
            "tier": "" if self.tier is None else str(self.tier),
            "assignee": "" if self.assignee is None else str(self.assignee),
        }
        return {k: v for k, v in out.items() if v}

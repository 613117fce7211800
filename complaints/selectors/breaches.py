"""The breach board: every open complaint with a clock breached or due today, for managers.

"Breached" and "due today" are read from the clock next due (`next_due_at`, the earliest clock
still waiting on us) against `now`, exactly as the queue badges (`queue.due_badge`) read them:
breached = the instant has passed; due today = not passed, and its London date is today. A
complaint whose next clock is breached is counted once, under that clock, even if a later clock
of it has passed too. The board does not read any recorded breach events.

A fixed number of queries whatever the size: three grouped counts (by clock, owner, tier) and
one bounded list per clock, each a range scan of `complaint_next_due_idx` (migration 0006).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet

from complaints.models import Complaint
from complaints.selectors.queue import CLOCK_LABELS, DueBadge, due_badge, end_of_today
from escalation.calendar import WorkingCalendar, local_date
from escalation.roles import staff_roles
from escalation.selectors import code_rules

# Rows listed under each clock; the rest are in the "Breached" / "Due today" queues.
ROWS_PER_CLOCK = 50


@dataclass(frozen=True)
class BoardCount:
    key: str
    label: str
    breached: int
    due_today: int

    @property
    def total(self) -> int:
        return self.breached + self.due_today


@dataclass(frozen=True)
class BoardRow:
    complaint: Complaint
    badge: DueBadge
    age_working_days: int


@dataclass(frozen=True)
class ClockGroup:
    clock: str
    label: str
    count: BoardCount
    rows: list[BoardRow]

    @property
    def more(self) -> int:
        return max(self.count.total - len(self.rows), 0)


@dataclass
class BreachBoard:
    by_clock: list[BoardCount]
    by_owner: list[BoardCount]
    by_tier: list[BoardCount]
    groups: list[ClockGroup]

    @property
    def breached(self) -> int:
        return sum(c.breached for c in self.by_clock)

    @property
    def due_today(self) -> int:
        return sum(c.due_today for c in self.by_clock)


def _on_board(now: datetime.datetime) -> QuerySet[Complaint]:
    return Complaint.objects.filter(next_due_at__lt=end_of_today(now))


def _counts(now: datetime.datetime, *fields: str) -> list[dict]:
    return list(
        _on_board(now)
        .order_by()
        .values(*fields)
        .annotate(
            breached=Count("pk", filter=Q(next_due_at__lt=now)),
            due_today=Count("pk", filter=Q(next_due_at__gte=now)),
        )
        .order_by(*fields)
    )


def _person(first: str, last: str, username: str | None) -> str:
    if username is None:
        return "Nobody (unassigned)"
    return f"{first} {last}".strip() or username


def complaint_age_working_days(complaint: Complaint, now: datetime.datetime) -> int:
    """Working days since effective receipt, in the customer's nation under the governing code."""
    rules = code_rules(complaint.code_version)
    calendar = WorkingCalendar(
        office_hours=rules.office_hours, nation=complaint.nation, closure_days=rules.closure_days
    )
    return calendar.working_days_between(
        local_date(complaint.effective_receipt_at), local_date(now)
    )


def breach_board(*, user: AbstractBaseUser, now: datetime.datetime) -> BreachBoard:
    if not ({"manager", "admin"} & staff_roles(user)):
        raise PermissionDenied("The breach board is for managers.")
    by_clock = [
        BoardCount(
            r["next_due_clock"],
            CLOCK_LABELS.get(r["next_due_clock"], r["next_due_clock"]),
            r["breached"],
            r["due_today"],
        )
        for r in _counts(now, "next_due_clock")
    ]
    owners = _counts(
        now,
        "assigned_to_id",
        "assigned_to__first_name",
        "assigned_to__last_name",
        "assigned_to__username",
    )
    by_owner = sorted(
        (
            BoardCount(
                str(r["assigned_to_id"] or "none"),
                _person(
                    r["assigned_to__first_name"],
                    r["assigned_to__last_name"],
                    r["assigned_to__username"],
                ),
                r["breached"],
                r["due_today"],
            )
            for r in owners
        ),
        key=lambda c: (-c.total, c.label),
    )
    by_tier = [
        BoardCount(
            str(r["tier"]),
            "Frontline" if r["tier"] == 0 else f"Tier {r['tier']}",
            r["breached"],
            r["due_today"],
        )
        for r in _counts(now, "tier")
    ]
    groups = []
    for count in by_clock:
        found = list(
            _on_board(now)
            .filter(next_due_clock=count.key)
            .select_related("customer", "assigned_to", "code_version")
            .order_by("next_due_at", "id")[:ROWS_PER_CLOCK]
        )
        groups.append(
            ClockGroup(
                clock=count.key,
                label=count.label,
                count=count,
                rows=[
                    BoardRow(
                        complaint=c,
                        badge=DueBadge(*due_badge(c.next_due_at, now)),
                        age_working_days=complaint_age_working_days(c, now),
                    )
                    for c in found
                ],
            )
        )
    return BreachBoard(by_clock=by_clock, by_owner=by_owner, by_tier=by_tier, groups=groups)

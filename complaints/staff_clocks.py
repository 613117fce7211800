"""The registry of staff-facing clocks: the one place the beat jobs learn which clocks to enforce.

Each clock declares its canonical name, the Complaint column holding its due instant, the SQL
condition under which it is met (a Q), and who is reminded. The reminder and breach jobs
(complaints.workflows.enforcement) iterate over `STAFF_CLOCKS`; another clock (a formal-review
or ADR-letter clock) is one more entry plus its column.

A clock is enforced only while the complaint is open and the clock is not met. What each job
already did is kept on the complaint (`enforced`: {"reminder:respond_by": due ISO, …}), so the
next reminder and the next breach are precomputed on every write (`reminder_due_at`,
`breach_due_at`) and each job is one range scan on a partial index.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Q

from complaints.lifecycle import OPEN, Status
from complaints.models import Complaint
from escalation.calendar import WorkingCalendar
from escalation.clocks import CodeRules
from escalation.selectors import code_rules

OWNER_ELSE_MANAGERS = "owner_else_managers"


@dataclass(frozen=True)
class StaffClock:
    name: str  # canonical (DOMAIN.md): used on the timeline, in alerts and by the simulator
    column: str  # the Complaint column with the due instant
    met: Q  # SQL condition: the clock no longer waits on us
    label: str
    reminded: str = OWNER_ELSE_MANAGERS


STAFF_CLOCKS: tuple[StaffClock, ...] = (
    StaffClock(
        "acknowledge_by",
        "acknowledge_by",
        Q(acknowledged_at__isnull=False) | Q(first_response_at__isnull=False),
        "Acknowledge by",
    ),
    StaffClock("respond_by", "respond_by", Q(first_response_at__isnull=False), "Respond by"),
    # While the customer holds our response or final position, resolving is not our delay
    # (as escalation.clocks.next_due says); the clock runs again if they come back to us.
    # soVision's objective is to *provide* a resolution: met once one is proposed or remedied.
    StaffClock(
        "resolve_by",
        "resolve_by",
        Q(resolution_provided_at__isnull=False)
        | Q(resolved_at__isnull=False)
        | Q(status__in=[Status.AWAITING_CUSTOMER, Status.FINAL_RESPONSE]),
        "Resolve by",
    ),
    # The formal stage's own response window: met by the position taken after escalation.
    StaffClock(
        "formal_respond_by",
        "formal_respond_by",
        Q(final_position_at__isnull=False),
        "Formal response by",
    ),
    # An ADR letter asked for (soVision) or waiting for a manager's approval.
    StaffClock(
        "adr_letter_due_by",
        "adr_letter_due_by",
        Q(adr_letter_issued_at__isnull=False),
        "ADR letter due by",
    ),
    # A customer's request (escalation, deadlock letter, complaint about the code) waiting for
    # a manager: met once a manager acts on the complaint.
    StaffClock(
        "customer_request_by",
        "customer_request_by",
        Q(customer_request_answered_at__isnull=False) | Q(customer_request=""),
        "Answer the customer's request by",
    ),
)
STAFF_CLOCKS_BY_NAME = {clock.name: clock for clock in STAFF_CLOCKS}


def _q_fields(q: Q) -> set[str]:
    names: set[str] = set()
    for child in q.children:
        if isinstance(child, Q):
            names |= _q_fields(child)
        else:
            names.add(child[0].split("__")[0])
    return names


# Every column the jobs read to decide what is due (the sweeps fetch exactly these).
ENFORCEMENT_FIELDS: tuple[str, ...] = tuple(
    sorted(
        {"pk", "status", "nation", "code_version_id", "enforced"}
        | {c.column for c in STAFF_CLOCKS}
        | set().union(*(_q_fields(c.met) for c in STAFF_CLOCKS))
    )
)


def q_holds(q: Q, get: Callable[[str], Any]) -> bool:
    """Evaluate a registry Q in Python against one row (`get(field)` reads a value).

    Only what the registry uses: exact, `__isnull` and `__in` lookups, AND / OR / NOT.
    """
    results = []
    for child in q.children:
        if isinstance(child, Q):
            results.append(q_holds(child, get))
            continue
        lookup, expected = child
        field, _, op = lookup.partition("__")
        value = get(field)
        if op == "isnull":
            results.append((value is None) == bool(expected))
        elif op == "in":
            results.append(value in [str(e) for e in expected] or value in expected)
        elif op in ("", "exact"):
            results.append(value == expected)
        else:  # pragma: no cover - a new registry entry with a new lookup must extend this
            raise ValueError(f"unsupported lookup {lookup!r} in a staff clock's met condition")
    held = all(results) if q.connector == Q.AND else any(results)
    return not held if q.negated else held


def _getter(row: Any) -> Callable[[str], Any]:
    if isinstance(row, Mapping):
        return lambda name: row.get(name)
    return lambda name: getattr(row, name)


def clocks_waiting(row: Any) -> list[tuple[StaffClock, datetime.datetime]]:
    """The registry clocks that still wait on us for this row, with their due instants."""
    get = _getter(row)
    if get("status") not in OPEN:
        return []
    out = []
    for clock in STAFF_CLOCKS:
        due = get(clock.column)
        if due is not None and not q_holds(clock.met, get):
            out.append((clock, due))
    return out


def done_key(job: str, clock: StaffClock) -> str:
    return f"{job}:{clock.name}"


def calendar_for(rules: CodeRules, nation: str) -> WorkingCalendar:
    return WorkingCalendar(
        office_hours=rules.office_hours, nation=nation, closure_days=rules.closure_days
    )


def reminder_at(rules: CodeRules, nation: str, due: datetime.datetime) -> datetime.datetime | None:
    """When a clock due at `due` is reminded (the code version's working days before), or None."""
    days = rules.reminder_working_days_before
    if days is None:
        return None
    return calendar_for(rules, nation).working_days_before(due, days)


def enforcement_due(
    row: Any, rules: CodeRules
) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    """(next reminder instant, next breach instant) still to act on for this row."""
    get = _getter(row)
    done = get("enforced") or {}
    reminders, breaches = [], []
    for clock, due in clocks_waiting(row):
        stamp = due.isoformat()
        if done.get(done_key("breach", clock)) != stamp:
            breaches.append(due)
            if done.get(done_key("reminder", clock)) != stamp:
                at = reminder_at(rules, get("nation"), due)
                # A reminder after (or at) the due instant would only repeat the breach.
                if at is not None and at < due:
                    reminders.append(at)
    return (min(reminders, default=None), min(breaches, default=None))


def complaint_enforcement_refresh(complaint: Complaint) -> None:
    """Set the complaint's next reminder and breach instants in memory (callers save)."""
    complaint.reminder_due_at, complaint.breach_due_at = enforcement_due(
        complaint, code_rules(complaint.code_version)
    )


def rows_enforcement_due(
    rows: Iterable[dict[str, Any]], rules_by_version: Mapping[int, CodeRules]
) -> dict[int, tuple[datetime.datetime | None, datetime.datetime | None]]:
    """enforcement_due for many value rows (a sweep's batch), by pk."""
    return {r["pk"]: enforcement_due(r, rules_by_version[r["code_version_id"]]) for r in rows}


def enforcement_write(updates: Iterable[tuple[int, Any, Any, dict, dict]]) -> int:
    """Write many rows' enforcement state in one statement, each guarded by its old `enforced`.

    `updates`: (pk, reminder_due_at, breach_due_at, new enforced, old enforced). A row another
    sweep already moved on (its `enforced` no longer the one read) is left alone.
    """
    rows = [
        (pk, reminder, breach, json.dumps(new), json.dumps(old))
        for pk, reminder, breach, new, old in updates
    ]
    if not rows:
        return 0
    values = ", ".join(["(%s, %s::timestamptz, %s::timestamptz, %s::jsonb, %s::jsonb)"] * len(rows))
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_complaint AS c SET reminder_due_at = v.reminder, "
            "breach_due_at = v.breach, enforced = v.new "
            f"FROM (VALUES {values}) AS v(id, reminder, breach, new, old) "
            "WHERE c.id = v.id AND c.enforced = v.old",
            [p for row in rows for p in row],
        )
        return cursor.rowcount

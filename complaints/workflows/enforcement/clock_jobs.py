"""Reminders and breaches over the registry of staff clocks (complaints.staff_clocks).

Both jobs claim a batch by their precomputed column (`reminder_due_at`, `breach_due_at`; one
partial index each), decide per row in memory which clocks to act on, record one timeline event
per (clock, due instant) behind its dedupe key, alert the owner (and for a breach the managers)
once per person, and write the row's new enforcement state in one guarded statement. A clock
whose due instant moves (a code version re-applied) is a new event; one already met is skipped.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.db import transaction

from complaints.alerts import (
    RECIPIENT_FIELDS,
    AlertSpec,
    Person,
    Recipients,
    staff_alerts_raise,
)
from complaints.lifecycle import Action, TransitionRefused
from complaints.models import AuditEntry, Complaint, StaffAlert, TimelineEvent
from complaints.staff_clocks import (
    ENFORCEMENT_FIELDS,
    StaffClock,
    clocks_waiting,
    done_key,
    enforcement_due,
    enforcement_write,
    reminder_at,
)
from complaints.timeline import audit_record_bulk, timeline_record_bulk
from complaints.workflows.actions import escalate_to, escalation_target
from complaints.workflows.transition import _transition
from escalation.calendar import LONDON
from escalation.clocks import CodeRules
from escalation.models import CodeVersion
from escalation.selectors import code_rules
from escalation.sweeps import sweep_scope

BATCH = 500


def _fmt(instant: datetime.datetime) -> str:
    return instant.astimezone(LONDON).strftime("%a %d %b %Y %H:%M")


def _claim(
    column: str, *, now: datetime.datetime, batch: int, only: Sequence[int] | None
) -> list[dict[str, Any]]:
    return list(
        Complaint.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(**{f"{column}__lte": now})
        .filter(**sweep_scope(only))
        .order_by(column)
        .values(*ENFORCEMENT_FIELDS, *RECIPIENT_FIELDS, "reference")[:batch]
    )


def _versions(rows: list[dict[str, Any]]) -> dict[int, tuple[CodeVersion, CodeRules]]:
    ids = {r["code_version_id"] for r in rows}
    return {v.pk: (v, code_rules(v)) for v in CodeVersion.objects.filter(pk__in=ids)}


def _clock_event(
    row: dict[str, Any], clock: StaffClock, due: datetime.datetime, kind: str, *,
    at: datetime.datetime, people: list[Person], summary: str, message: str,
) -> tuple[TimelineEvent, AlertSpec]:  # fmt: skip
    """The timeline event (once per clock and due instant) and the alerts for one clock."""
    stamp = due.isoformat()
    event = TimelineEvent(
        complaint_id=row["pk"], kind=str(kind), occurred_at=at, summary=summary,
        data={"clock": clock.name, "due": stamp, "to": [p.pk for p in people]},
        dedupe_key=f"{kind!s}:{clock.name}:{stamp}",
    )  # fmt: skip
    return event, AlertSpec(row["pk"], row["reference"], kind, clock.name, due, message, people)


def complaints_remind_sweep(
    *, now: datetime.datetime, batch: int = BATCH, only: Sequence[int] | None = None
) -> int:
    """Remind the owner (else the team's managers) of each staff clock coming due.

    Uses complaint_reminder_due_idx. A reminder whose clock is already due is skipped: the
    breach job speaks then.
    """
    with transaction.atomic():
        rows = _claim("reminder_due_at", now=now, batch=batch, only=only)
        if not rows:
            return 0
        versions = _versions(rows)
        recipients = Recipients()
        events, specs, updates = [], [], []
        for r in rows:
            rules = versions[r["code_version_id"]][1]
            done = dict(r["enforced"] or {})
            for clock, due in clocks_waiting(r):
                stamp = due.isoformat()
                key = done_key("reminder", clock)
                if done.get(key) == stamp or done.get(done_key("breach", clock)) == stamp:
                    continue
                at = reminder_at(rules, r["nation"], due)
                if at is None or at > now:
                    continue
                done[key] = stamp
                if now >= due:
                    continue
                event, spec = _clock_event(
                    r, clock, due, StaffAlert.Kind.REMINDER, at=now,
                    people=recipients.owner_else_managers(r),
                    summary=f"Reminder sent: {clock.label.lower()} {_fmt(due)}",
                    message=f"{clock.label} {_fmt(due)}: {r['reference']} is due soon",
                )  # fmt: skip
                events.append(event)
                specs.append(spec)
            reminder, breach = enforcement_due({**r, "enforced": done}, rules)
            updates.append((r["pk"], reminder, breach, done, r["enforced"]))
        enforcement_write(updates)
        timeline_record_bulk(events)
        staff_alerts_raise(specs, now=now)
    return len(events)


def complaints_breach_sweep(
    *, now: datetime.datetime, batch: int = BATCH, only: Sequence[int] | None = None
) -> int:
    """Record each staff clock that passed unmet, once; alert the owner and the managers; and
    escalate to the next tier where the code version says a breach does.

    Uses complaint_breach_due_idx.
    """
    with transaction.atomic():
        rows = _claim("breach_due_at", now=now, batch=batch, only=only)
        if not rows:
            return 0
        versions = _versions(rows)
        recipients = Recipients()
        events, audits, specs, updates, escalate = [], [], [], [], []
        for r in rows:
            version, rules = versions[r["code_version_id"]]
            done = dict(r["enforced"] or {})
            breached = []
            for clock, due in clocks_waiting(r):
                stamp = due.isoformat()
                key = done_key("breach", clock)
                if done.get(key) == stamp or due > now:
                    continue
                done[key] = stamp
                breached.append(clock.name)
                event, spec = _clock_event(
                    r, clock, due, StaffAlert.Kind.BREACH, at=due,
                    people=recipients.owner_and_managers(r),
                    summary=f"Breached: {clock.label.lower()} {_fmt(due)} passed unmet",
                    message=f"{clock.label} {_fmt(due)} was missed on {r['reference']}",
                )  # fmt: skip
                events.append(event)
                specs.append(spec)
                audits.append(
                    AuditEntry(at=now, object_type="complaint", object_id=r["pk"],
                               action="breach", changes={"clock": clock.name, "due": stamp})
                )  # fmt: skip
            reminder, breach = enforcement_due({**r, "enforced": done}, rules)
            updates.append((r["pk"], reminder, breach, done, r["enforced"]))
            if breached and version.escalate_on_breach:
                escalate.append((r["pk"], breached))
        enforcement_write(updates)
        timeline_record_bulk(events)
        audit_record_bulk(audits)
        staff_alerts_raise(specs, now=now)
        for pk, clocks in escalate:
            _escalate_on_breach(pk, clocks, now=now)
    return len(events)


def _escalate_on_breach(pk: int, clocks: list[str], *, now: datetime.datetime) -> None:
    """Only under versions that ask for it (none of the presets): through the same change
    engine staff use, as the system; at the top tier, or in a status that cannot escalate,
    the breach stands alone."""

    def change(c: Complaint, _: Any) -> list[Any]:
        reason = f"Escalated automatically: {', '.join(clocks)} breached"
        return [escalate_to(c, escalation_target(c), now=now, reason=reason)]

    try:
        with transaction.atomic():
            _transition(complaint_id=pk, action=Action.ESCALATE, by=None, now=now,
                        expected_version=None, change=change)  # fmt: skip
    except TransitionRefused:
        pass

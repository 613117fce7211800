"""What would happen to a complaint under this code? One complaint, its scripted events applied
through the same services staff and customers use, and the real beat jobs run at every instant
beat would act on it, all inside a transaction that is rolled back.

`complaint_simulate` returns a JSON-able dict: the `simulate` command prints it, the admin page
shows it in words, and an API can return it as it is.
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from complaints.lifecycle import TransitionRefused
from complaints.models import Complaint, Letter, TimelineEvent
from complaints.services import complaint_create, customer_create
from complaints.staff_clocks import STAFF_CLOCKS
from complaints.workflows import actions, customer_actions
from complaints.workflows.enforcement.jobs import enforce
from escalation.calendar import LONDON, months_after
from escalation.choices import CLOCK_NAMES
from escalation.models import CodeVersion
from notifications.models import OutboxMessage

MAX_STEPS = 1000
CUSTOMER_EMAIL = "customer@simulation.invalid"


class SimulationError(ValueError):
    """Bad input to the simulator: the message says what to fix."""


@dataclass(frozen=True)
class ScriptedEvent:
    at: datetime.datetime
    kind: str


def _staff(fn: Callable[..., Any], **extra: Any) -> Callable[[int, Any, datetime.datetime], Any]:
    def run(pk: int, by: Any, now: datetime.datetime) -> Any:
        return fn(complaint_id=pk, by=by, now=now, expected_version=None, **extra)

    return run


def _customer(fn: Callable[..., Any], **extra: Any) -> Callable[[int, Any, datetime.datetime], Any]:
    def run(pk: int, by: Any, now: datetime.datetime) -> Any:
        return fn(complaint_id=pk, now=now, **extra)

    return run


EVENT_KINDS: dict[str, Callable[[int, Any, datetime.datetime], Any]] = {
    "acknowledged": _staff(actions.complaint_acknowledge),
    "responded": _staff(actions.complaint_send_update, body="Simulated update", method="email"),
    "resolution_proposed": _staff(actions.complaint_propose_resolution, body="Simulated proposal"),
    "remedied": _staff(actions.complaint_confirm_remedied, body="Simulated remedy"),
    "customer_replied": _customer(customer_actions.customer_add_information, body="More detail"),
    "customer_accepted": _customer(customer_actions.customer_accept_resolution),
    "customer_rejected": _customer(customer_actions.customer_reject_resolution, body="Not fixed"),
    "escalate": _staff(actions.complaint_escalate, reason="Simulated escalation"),
    # Our final position is a resolution proposed at a higher tier (FINAL_RESPONSE).
    "final_position": _staff(actions.complaint_propose_resolution, body="Our final position"),
    "deadlock_requested": _customer(customer_actions.customer_request_deadlock),
    "deadlock_letter": _staff(actions.complaint_issue_deadlock, body="Our final position"),
}


def _iso(instant: datetime.datetime) -> str:
    return instant.astimezone(LONDON).isoformat()


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0, 0), tzinfo=LONDON)


def _beat_instants(c: Complaint) -> list[datetime.datetime]:
    """Every instant beat would act on this complaint, as it stands now."""
    found = [getattr(c, clock.column) for clock in STAFF_CLOCKS]
    found += [c.reminder_due_at, c.breach_due_at, c.auto_close_at]
    found.append(_midnight(c.adr_eligible_from))
    if c.adr_refer_by is not None:
        found.append(_midnight(c.adr_refer_by + datetime.timedelta(days=1)))
    if c.closed_at is not None:
        months = c.code_version.retention_months_after_closure
        local = c.closed_at.astimezone(LONDON)
        found.append(datetime.datetime.combine(months_after(local.date(), months), local.timetz()))
    return [i for i in found if i is not None]


def _letter_reason(letter: Letter) -> str:
    # Issue 10 adds an explicit reason; until then the kind says it.
    reason = getattr(letter, "reason", "") or ""
    if reason:
        return str(reason)
    return "deadlock" if letter.kind == Letter.Kind.DEADLOCK else "adr_period"


_EVENT_WHAT = {
    TimelineEvent.Kind.REMINDER: "reminder",
    TimelineEvent.Kind.BREACH: "breach",
    TimelineEvent.Kind.REFER_BY: "refer_by_passed",
    TimelineEvent.Kind.ANONYMISED: "anonymised",
}


def _happened_from_event(event: TimelineEvent) -> dict[str, Any] | None:
    data = event.data or {}
    what = _EVENT_WHAT.get(event.kind)
    if what in ("reminder", "breach"):
        return {"at": _iso(event.occurred_at), "what": what, "clock": data.get("clock")}
    if what:
        return {"at": _iso(event.occurred_at), "what": what}
    if event.kind == TimelineEvent.Kind.ESCALATION:
        return {"at": _iso(event.occurred_at), "what": "escalated", "tier": data.get("tier")}
    if event.kind == TimelineEvent.Kind.STATUS_CHANGE and data.get("action") == "auto_close":
        return {"at": _iso(event.occurred_at), "what": "auto_closed"}
    if event.dedupe_key == "adr_period_reached":
        return {"at": _iso(event.occurred_at), "what": "adr_period_reached"}
    return None


class _Observer:
    """Collects what happened to the complaint since the last look, stamped with the instant."""

    def __init__(self, complaint: Complaint) -> None:
        self.pk = complaint.pk
        self.events = self.letters = self.messages = 0
        self.happened: list[dict[str, Any]] = []

    def look(self, at: datetime.datetime) -> None:
        for event in TimelineEvent.objects.filter(complaint_id=self.pk, pk__gt=self.events):
            self.events = max(self.events, event.pk)
            entry = _happened_from_event(event)
            if entry is not None:
                self.happened.append(entry)
        for letter in Letter.objects.filter(complaint_id=self.pk, pk__gt=self.letters):
            self.letters = max(self.letters, letter.pk)
            self.happened.append(
                {
                    "at": _iso(at),
                    "what": "adr_letter",
                    "reason": _letter_reason(letter),
                    "kind": letter.kind,
                }  # fmt: skip
            )
        for message in OutboxMessage.objects.filter(complaint_id=self.pk, pk__gt=self.messages):
            self.messages = max(self.messages, message.pk)
            if message.recipient == CUSTOMER_EMAIL:
                self.happened.append(
                    {"at": _iso(at), "what": "customer_notified", "template": message.template}
                )


class _Rollback(Exception):
    pass


def simulation_input_check(
    *, received: datetime.datetime, until: datetime.datetime, events: Sequence[ScriptedEvent],
    first_made: datetime.datetime | None = None,
) -> None:  # fmt: skip
    if until < received:
        raise SimulationError("--until must not be before --received.")
    if first_made is not None and first_made > received:
        raise SimulationError("--first-made must not be after --received.")
    for event in events:
        if event.kind not in EVENT_KINDS:
            raise SimulationError(
                f"Unknown event kind {event.kind!r}; the kinds are: {', '.join(EVENT_KINDS)}."
            )
        if event.at > until:
            raise SimulationError(f"The {event.kind} event at {_iso(event.at)} is after --until.")
        if event.at < received:
            raise SimulationError(
                f"The {event.kind} event at {_iso(event.at)} is before the complaint was received."
            )


def complaint_simulate(
    *,
    version: CodeVersion,
    channel: str,
    received: datetime.datetime,
    until: datetime.datetime,
    first_made: datetime.datetime | None = None,
    nation: str = "ENG",
    category: str = "other",
    employees: int | None = None,
    events: Sequence[ScriptedEvent] = (),
) -> dict[str, Any]:
    """Run the simulation; the database is left exactly as it was. SimulationError on bad input."""
    simulation_input_check(received=received, until=until, events=events, first_made=first_made)
    result: dict[str, Any] = {}
    try:
        with transaction.atomic():
            result = _simulate(
                version=version, channel=channel, received=received, until=until,
                first_made=first_made, nation=nation, category=category, employees=employees,
                events=sorted(events, key=lambda e: e.at),
            )  # fmt: skip
            raise _Rollback
    except _Rollback:
        pass
    return result


def _simulate(
    *, version: CodeVersion, channel: str, received: datetime.datetime,
    until: datetime.datetime, first_made: datetime.datetime | None, nation: str, category: str,
    employees: int | None, events: list[ScriptedEvent],
) -> dict[str, Any]:  # fmt: skip
    User = get_user_model()
    person = User.objects.create(
        username=f"simulator-{secrets.token_hex(6)}", first_name="Simulated", last_name="Owner",
        email="owner@simulation.invalid", is_active=True,
    )  # fmt: skip
    person.groups.add(*Group.objects.filter(name__in=["agent", "manager"]))
    customer_fields = {"kind": "consumer"} if employees is None else {
        "kind": "business", "employee_count": employees
    }  # fmt: skip
    try:
        customer = customer_create(
            name="Simulated customer", email=CUSTOMER_EMAIL, nation=nation, now=received,
            **customer_fields,
        )  # fmt: skip
        complaint = complaint_create(
            customer=customer, channel=channel, category=category, summary="Simulated complaint",
            now=received, received_at=received, first_made_at=first_made, code_version=version,
            assigned_to=person,
        )  # fmt: skip
    except ValidationError as exc:
        raise SimulationError("; ".join(exc.messages)) from exc
    observer = _Observer(complaint)
    observer.look(received)
    pending = list(events)
    instant = received
    for _ in range(MAX_STEPS):
        while pending and pending[0].at <= instant:
            event = pending.pop(0)
            entry: dict[str, Any] = {"at": _iso(event.at), "what": "event", "kind": event.kind}
            try:
                EVENT_KINDS[event.kind](complaint.pk, person, event.at)
            except (TransitionRefused, ValidationError) as exc:
                entry["refused"] = "; ".join(getattr(exc, "messages", [str(exc)]))
            observer.happened.append(entry)
            observer.look(event.at)
        enforce(now=instant, only=[complaint.pk])
        observer.look(instant)
        complaint = Complaint.objects.select_related("code_version").get(pk=complaint.pk)
        later = [i for i in _beat_instants(complaint) if instant < i <= until]
        later += [e.at for e in pending]
        if not later:
            break
        instant = min(later)
    complaint = Complaint.objects.select_related("code_version").get(pk=complaint.pk)
    # In time order (parsed: offsets differ across DST); at one instant, scripted events first.
    happened = sorted(
        observer.happened,
        key=lambda h: (datetime.datetime.fromisoformat(h["at"]), h["what"] != "event"),
    )
    return {
        "complaint": {
            "code_version": str(complaint.code_version),
            "status": complaint.status,
            "tier": complaint.tier,
            "clocks": {
                name: (
                    _iso(value)
                    if isinstance(value, datetime.datetime)
                    else (value.isoformat() if value is not None else None)
                )
                for name in CLOCK_NAMES
                for value in [getattr(complaint, name)]
            },
        },
        "happened": happened,
    }


_CLOCK_WORDS = {clock.name: clock.label.lower() for clock in STAFF_CLOCKS}


def happened_words(entry: dict[str, Any]) -> str:
    """One entry of `happened` in plain words, for the admin page (and anyone else)."""
    what = entry["what"]
    clock = _CLOCK_WORDS.get(entry.get("clock") or "", entry.get("clock") or "")
    if what == "event":
        text = f"{entry['kind'].replace('_', ' ').capitalize()} (scripted)"
        if entry.get("refused"):
            text += f": refused, {entry['refused']}"
        return text
    words = {
        "reminder": f"Reminder to the owner: {clock} is coming up",
        "breach": f"Breach recorded: {clock} passed unmet; the owner and managers are alerted",
        "escalated": f"Escalated to tier {entry.get('tier')}",
        "adr_letter": "ADR letter sent: "
        + ("we reached deadlock" if entry.get("reason") == "deadlock" else "the ADR period passed"),
        "adr_period_reached": "The ADR period is reached: the customer may go to the ombudsman",
        "auto_closed": "Closed as resolved: the customer did not reply in time",
        "refer_by_passed": "The time to go to the ombudsman ended",
        "anonymised": "Personal data removed: the retention period is over",
        "customer_notified": "The customer is emailed ("
        + str(entry.get("template", "")).replace("_", " ")
        + ")",
    }
    return words.get(what, what)

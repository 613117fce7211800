"""Building a batch of bench rows: customers, complaints with their clocks, opening timelines.

Part of the seeder (bench/seed.py). Pure Python: it runs in the forked builder processes and
never touches the database; ids and references are handed to it.
"""

from __future__ import annotations

import bisect
import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.seed_clocks import ClockMemo
from bench.seed_data import (
    ACTIONS,
    ARRIVALS,
    AUTO_CLOSE_SUMMARY,
    BUSINESSES,
    CATEGORIES,
    CHANNEL_LABELS,
    CHANNELS,
    CUSTOMER_DOMAINS,
    DEPARTMENTS,
    DETAILS,
    FIRST_NAMES,
    GRID,
    HISTORY_DAYS,
    LIFECYCLE_TEXTS,
    LIFECYCLE_TIMES,
    MIDNIGHT,
    NATIONS,
    NEXT_STEPS,
    OPEN,
    POSTCODE_LETTERS,
    REMEDIES,
    RESPONDED,
    SENIOR,
    STATUS_BY_AGE,
    STATUS_LABELS,
    STREETS,
    SUMMARIES,
    SURNAMES,
    TOWNS,
    UTC,
    VULNERABILITIES,
    WHEN,
    Weighted,
)
from complaints.services import complaint_next_due
from complaints.staff_clocks import enforcement_due
from escalation.calendar import LONDON, local_date
from escalation.choices import CLOCK_NAMES
from escalation.clocks import ClockInputs


def _dt(ts: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ts, UTC)


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of Weighted
class Code:
    weight: float
    effective: list[float]  # effective_from timestamps of its published versions, ascending
    version_ids: list[int]

    def version_at(self, ts: float) -> int:
        # As code_version_in_force: the latest in force at ts, else the earliest.
        return self.version_ids[max(bisect.bisect_right(self.effective, ts) - 1, 0)]


@dataclass(frozen=True)
class Version:
    label: str  # as str(CodeVersion), for the "logged" event
    tiers: dict[int, bool]  # escalation level -> is_formal
    auto_closes: bool
    adr_scheme: str


# Complaints built before their rows are spelt out and dropped: bounds a builder's memory.
CHUNK = 2_000
Rows = list[dict[str, Any]]
Emit = Callable[[Rows, Rows], None]  # (complaints, their events), a chunk at a time


class _Row(dict):
    """A complaint row that `complaints.services.complaint_next_due` can read like a Complaint."""

    __getattr__ = dict.__getitem__


class Builder:
    def __init__(
        self,
        *,
        now: datetime.datetime,
        codes: list[Code],
        versions: dict[int, Version],
        memo: ClockMemo,
        agents: dict[str, list[int]],
        managers: list[int],
        seed: str,
    ) -> None:
        self.now = int(now.timestamp())
        self.now_grid = self.now - self.now % GRID
        self.start = -(-(self.now - HISTORY_DAYS * 86400) // GRID) * GRID  # on the grid too
        self.first_day = local_date(_dt(self.start))
        self.days = (local_date(now) - self.first_day).days + 1
        self.codes = Weighted({code: code.weight for code in codes})
        self.versions, self.memo = versions, memo
        self.agents, self.managers = agents, managers
        self.all_agents = [pk for team in agents.values() for pk in team]
        self.seed = seed

    def build(
        self,
        number: int,
        customer_ids: list[int],
        complaint_ids: list[int],
        references: list[str],
        *,
        emit: Emit,
    ) -> Rows:
        """Hand the batch's complaints and events to `emit` CHUNK complaints at a time; return
        its customers (their created_at is that of their first complaint, known at the end)."""
        rng = random.Random(f"{self.seed}:{number}")  # str seeds hash alike in every process
        customers = [self._customer(rng, cid) for cid in customer_ids]
        # Every customer has at least one complaint; the rest land at random (some have several).
        owners = list(range(len(customers)))
        owners += [rng.randrange(len(customers)) for _ in range(len(complaint_ids) - len(owners))]
        complaints: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for complaint_id, owner, reference in zip(complaint_ids, owners, references, strict=True):
            customer = customers[owner]
            created = self._complaint(rng, complaint_id, reference, customer, complaints, events)
            if customer["created_at"] is None or created < customer["created_at"]:
                customer["created_at"] = customer["updated_at"] = created
            if len(complaints) >= CHUNK:
                emit(complaints, events)
                complaints, events = [], []
        emit(complaints, events)
        return customers

    def _customer(self, rng: random.Random, cid: int) -> dict[str, Any]:
        nation = NATIONS.pick(rng)
        town, area = rng.choice(TOWNS[nation]).split(":")
        surname = rng.choice(SURNAMES[nation])
        letters = "".join(rng.choices(POSTCODE_LETTERS, k=2))
        row: dict[str, Any] = {
            "id": cid,
            "account_reference": f"ACC-{100000 + cid}",
            "address": f"{rng.randint(1, 180)} {rng.choice(STREETS)}\n{town}",
            "postcode": f"{area}{rng.randint(1, 29)} {rng.randint(1, 9)}{letters}",
            "nation": nation,
            "created_at": None,
        }
        if rng.random() < 0.15:
            # Head-counts either side of the ADR threshold (10) matter most; a few firms are big.
            employees = rng.choice(
                (rng.randint(1, 9), 10, rng.randint(11, 49), rng.randint(50, 250))
            )
            name = f"{surname} {rng.choice(BUSINESSES)}"
            domain = "".join(ch for ch in name.lower() if ch.isalnum())
            row |= {
                "kind": "business",
                "employee_count": employees,
                "name": name,
                "email": f"office@{domain}.example",
                "phone": f"01632 960{rng.randrange(1000):03d}",  # Ofcom's drama numbers
                "preferred_contact": rng.choice(("email", "email", "phone")),
            }
        else:
            first = rng.choice(FIRST_NAMES)
            local = f"{first}.{surname}{rng.randint(1, 99)}".lower().replace("'", "")
            has_email = rng.random() < 0.9
            row |= {
                "kind": "consumer",
                "employee_count": None,
                "name": f"{first} {surname}",
                "email": f"{local}@{rng.choice(CUSTOMER_DOMAINS)}" if has_email else "",
                "phone": f"07700 900{rng.randrange(1000):03d}",
                "preferred_contact": rng.choice(("email", "email", "phone"))
                if has_email
                else "letter",
            }
        if rng.random() < 0.06:
            row["vulnerability_flags"] = [rng.choice(VULNERABILITIES)]
        return row

    def _received(self, rng: random.Random, channel: str) -> int:
        weekdays, hours = ARRIVALS[channel]
        while True:
            day = self.first_day + datetime.timedelta(days=rng.randrange(self.days))
            if rng.random() >= weekdays[day.weekday()]:
                continue
            local = datetime.datetime(
                day.year, day.month, day.day, hours.pick(rng), 5 * rng.randrange(12), tzinfo=LONDON
            )
            ts = int(local.timestamp())
            if self.start <= ts <= self.now:
                return ts

    def _staff_time(
        self, rng: random.Random, after: int, lo_days: int, hi_days: int, *, future: bool = False
    ) -> int:
        """A moment in office hours (Mon-Fri 09:00-17:00 London) lo..hi days after `after`,
        not after now unless it is a promise about the `future`."""
        day = datetime.datetime.fromtimestamp(after, LONDON).date()
        day += datetime.timedelta(days=rng.randint(lo_days, hi_days))
        if day.weekday() > 4:
            day += datetime.timedelta(days=7 - day.weekday())
        local = datetime.datetime(
            day.year, day.month, day.day, rng.randint(9, 16), 5 * rng.randrange(12), tzinfo=LONDON
        )
        ts = int(local.timestamp())
        if ts <= after:
            ts = after + GRID * rng.randint(1, 24)
        return ts if future else min(ts, self.now_grid)

    def _complaint(
        self,
        rng: random.Random,
        complaint_id: int,
        reference: str,
        customer: dict[str, Any],
        complaints: list[dict[str, Any]],
        events: list[dict[str, Any]],
    ) -> datetime.datetime:
        channel, category = CHANNELS.pick(rng), CATEGORIES.pick(rng)
        received = first_made = self._received(rng, channel)
        if rng.random() < 0.15:  # the customer first told us earlier, another way
            first_made = max(received - GRID * rng.randint(12, 20 * 288), self.start)
        version_id = self.codes.pick(rng).version_at(first_made)
        version = self.versions[version_id]
        logged = min(received + (0 if channel == "web" else GRID * rng.randint(0, 12)), self.now)
        by_age = next(w for days, w in STATUS_BY_AGE if self.now - received < days * 86400)
        status = by_age.pick(rng)
        if status == "closed" and not version.auto_closes:
            status = "resolved"  # only the auto-close sweep closes, and only under such a code

        # What staff did, in order (complaints.workflows.actions): acknowledge, first contact, escalate,
        # respond, action the fix, accept or auto-close, deadlock letter, ADR referral.
        f: dict[str, Any] = dict.fromkeys(LIFECYCLE_TIMES) | dict.fromkeys(LIFECYCLE_TEXTS, "")
        # The customer facts the clocks are computed from, recorded on the complaint.
        f["nation"] = customer["nation"]
        f["adr_employees"] = customer["employee_count"]
        department = DEPARTMENTS.get(category) or rng.choice(("technical", "accounts", ""))
        changed = logged
        responded = resolution = letter = escalated = None
        if status != "new":
            changed = self._staff_time(rng, logged, 0, 2)
            f["acknowledged_at"] = changed
        if status in SENIOR or status == "final_response":
            escalated = changed = self._staff_time(rng, changed, 0, 5)
        if status == "investigating" and rng.random() < 0.5:
            f["first_response_at"] = changed = self._staff_time(rng, changed, 0, 3)
        if status in RESPONDED:
            responded = changed = self._staff_time(rng, changed, 0, 7)
            f["first_response_at"] = responded
            f["resolution_summary"] = "We have looked into this and " + rng.choice(REMEDIES)
            if status in ("resolved", "closed") and rng.random() < 0.5:  # remedied too
                resolution = (
                    responded if rng.random() < 0.5 else self._staff_time(rng, responded, 1, 5)
                )
                changed = resolution
        if status in ("acknowledged", "investigating") and (
            channel in ("phone", "in_person") or rng.random() < 0.2
        ):  # a timescale agreed at the latest update: mostly ahead, sometimes already missed
            last_update = max(changed, self.now - 86400 * rng.randint(0, 4))
            f["promised_by"] = self._staff_time(rng, last_update, 1, 5, future=True)
            f["agreed_next_step"] = rng.choice(NEXT_STEPS)
            f["agreed_contact_method"] = customer["preferred_contact"]
        if status == "resolved":
            f["resolved_at"] = changed = self._staff_time(rng, changed, 0, 10)
        elif status in ("deadlock", "adr_referred"):
            letter = changed = self._staff_time(rng, changed, 14, 56)
            if status == "adr_referred":
                changed = self._staff_time(rng, letter, 1, 60)
        # The escalated stage's clock starts at the escalation; our response there meets it, as
        # a response or remedy meets the resolution objective (complaints.workflows.actions).
        tier_formal_clock = bool(escalated)
        provided = min((t for t in (responded, resolution) if t is not None), default=None)
        f["resolution_provided_at"] = _dt(provided) if provided else None
        f["escalated_at"] = _dt(escalated) if escalated else None
        f["final_position_at"] = _dt(responded) if escalated and responded else None
        f["letter_reason"] = "deadlock" if letter else ""
        f["adr_letter_asked_at"] = f["adr_letter_issued_at"] = None
        inputs = ClockInputs(
            channel=channel,
            received=_dt(received),
            first_made=_dt(first_made),
            nation=customer["nation"],
            category=category,
            employees=customer["employee_count"],
            letter_date=local_date(_dt(letter)) if letter else None,
            responded=_dt(responded) if responded else None,
            resolution_actioned=_dt(resolution) if resolution else None,
            escalated=_dt(escalated) if escalated and tier_formal_clock else None,
        )
        clocks = self.memo.clocks(version_id, inputs)
        # escalation.sweeps.complaints_auto_close_sweep closes an awaiting complaint once
        # auto_close_at has passed (it runs every 5 minutes): seeded as it would have left it.
        awaited = changed  # when we last wrote, and the customer's silence began
        if status in ("closed", "awaiting_customer") and clocks.auto_close_at is not None:
            due = int(clocks.auto_close_at.timestamp())
            if due <= self.now:
                status = "closed"
                closed = min(due + GRID * rng.randint(0, 1), self.now)
                f["resolved_at"] = f["closed_at"] = changed = closed
            else:
                status = "awaiting_customer"
        elif status == "closed":
            status = "awaiting_customer"  # cannot happen (auto_closes checked): never "closed"

        tier = 0
        if escalated:
            tier = rng.randint(1, max(1, max(version.tiers, default=1)))
            if any(version.tiers.get(level) for level in range(1, tier + 1)):
                year = local_date(_dt(escalated)).year
                f["register_reference"] = f"CR-{year}-{complaint_id:07d}"  # as complaint_escalate
        elif status in ("resolved", "closed") and rng.random() < 0.05:
            tier = min(1, max(version.tiers, default=0))  # resolved after an escalation
        if status in ("deadlock", "adr_referred") or (escalated and rng.random() < 0.5):
            assigned = rng.choice(self.managers)
        elif escalated or (status == "new" and rng.random() < 0.4):
            assigned = None  # escalation drops an agent: the tier's group picks it up
        else:
            assigned = rng.choice(self.agents.get(department) or self.all_agents)

        # escalation.sweeps.complaints_adr_period_sweep (every 15 minutes) has marked every
        # complaint whose ADR period passed while it was open, and so every open one whose
        # adr_eligible_from is today or earlier: a sweep run at `now` finds nothing to do.
        period = int(
            datetime.datetime.combine(clocks.adr_eligible_from, MIDNIGHT, LONDON).timestamp()
        )
        reached = period + GRID * rng.randint(1, 3)
        if status in OPEN:
            if period <= self.now:
                f["adr_period_reached_at"] = min(reached, self.now)
        else:
            open_until = {"resolved": f["resolved_at"], "closed": f["closed_at"]}.get(status)
            open_until = letter if status in ("deadlock", "adr_referred") else open_until
            if open_until is not None and reached <= open_until:
                f["adr_period_reached_at"] = reached

        for name in LIFECYCLE_TIMES:
            if f[name] is not None:
                f[name] = _dt(f[name])
        details = " ".join(rng.sample(DETAILS, rng.randint(0, 3)))
        row = _Row(
            id=complaint_id,
            reference=reference,
            customer_id=customer["id"],
            channel=channel,
            category=category,
            department=department,
            summary=rng.choice(SUMMARIES[category]) + rng.choice(WHEN),
            details=details,
            first_made_at=inputs.first_made,
            received_at=inputs.received,
            effective_receipt_at=clocks.effective_receipt,
            status=status,
            assigned_to_id=assigned,
            tier=tier,
            code_version_id=version_id,
            responded_at=inputs.responded,
            resolution_actioned_at=inputs.resolution_actioned,
            letter_date=inputs.letter_date,
            customer_request="",
            customer_request_answered_at=None,
            **clocks.as_dict(),
            adr_eligible=clocks.adr_eligible,
            adr_ineligible_reason=clocks.adr_ineligible_reason,
            clock_reasons=clocks.reasons,
            created_at=_dt(logged),
            updated_at=_dt(changed),
            row_version=1
            + (status != "new")
            + (status == "closed")
            + (f["adr_period_reached_at"] is not None),
            **f,
        )
        row["next_due_at"], row["next_due_clock"] = complaint_next_due(row)  # type: ignore[arg-type]
        # The beat jobs find a complaint only by these two (complaints.staff_clocks): a seeded
        # row gets them as every write does, so the reminder and breach jobs see it.
        row["reminder_due_at"], row["breach_due_at"] = enforcement_due(
            row, self.memo.rules[version_id]
        )
        complaints.append(row)

        # The timeline complaint_create writes, then the change that brought it to its status.
        author = (
            rng.choice(self.all_agents) if channel in ("phone", "letter", "in_person") else None
        )
        label = f"({CHANNEL_LABELS[channel]}) under {version.label}"
        events.append({
            "complaint_id": complaint_id, "kind": "logged", "visibility": "customer",
            "author_id": author, "occurred_at": inputs.received, "created_at": row["created_at"],
            "summary": f"Complaint logged {label}", "body": details,
        })  # fmt: skip
        events.append({
            "complaint_id": complaint_id, "kind": "clock_change", "visibility": "internal",
            "author_id": author, "occurred_at": row["created_at"], "created_at": row["created_at"],
            "summary": "Clocks set from the code of practice",
            "data": {"version": version_id, "reasons": clocks.reasons,
                     "clocks": {name: _iso(getattr(clocks, name)) for name in CLOCK_NAMES}},
        })  # fmt: skip
        staff_status = "awaiting_customer" if status == "closed" else status
        if status != "new":
            at = _dt(awaited) if status == "closed" else row["updated_at"]
            events.append({
                "complaint_id": complaint_id, "kind": "status_change", "visibility": "customer",
                "author_id": assigned, "occurred_at": at, "created_at": at,
                "summary": f"New → {STATUS_LABELS[staff_status]}",
                "data": {"from": "new", "to": staff_status, "action": ACTIONS[staff_status]},
            })  # fmt: skip
        if status == "closed":  # the auto-close sweep's own event
            events.append({
                "complaint_id": complaint_id, "kind": "status_change", "visibility": "customer",
                "occurred_at": row["closed_at"], "created_at": row["closed_at"],
                "summary": AUTO_CLOSE_SUMMARY,
                "data": {"from": "awaiting_customer", "to": "closed", "action": "auto_close"},
                "dedupe_key": f"auto_close:{row['auto_close_at'].isoformat()}",
            })  # fmt: skip
        if f["adr_period_reached_at"]:  # as escalation.sweeps.complaints_adr_period_sweep
            if clocks.adr_eligible:
                told = f"the customer may now refer the complaint to {version.adr_scheme}"
            else:
                told = f"not eligible for ADR: {clocks.adr_ineligible_reason}"
            events.append({
                "complaint_id": complaint_id, "kind": "clock_change", "visibility": "customer",
                "occurred_at": f["adr_period_reached_at"], "created_at": f["adr_period_reached_at"],
                "summary": f"ADR period reached: {told}"[:300], "dedupe_key": "adr_period_reached",
            })  # fmt: skip
        return row["created_at"]

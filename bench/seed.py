"""Bench data: a realistic load of complaints, written fast, with clocks from the real rules.

`bench_seed(complaints=N)` tops the database up to N complaints (re-running adds nothing) spread
over the 18 months before `now`: customers (about one per three complaints), staff, complaints
whose status fits their age, and each complaint's opening timeline. Every clock comes from
`escalation.clocks.compute_clocks` with the rules of the code version in force when the complaint
was first made, as `complaint_create` sets them.

Speed, on PostgreSQL:

* each batch is one `COPY ... FROM STDIN` per table from an in-memory TSV buffer;
* forked builder processes make the next batches while this one copies the last, so Python
  and PostgreSQL share the cores (building rows costs more CPU than copying them);
* clocks are memoised exactly (`_ClockMemo`); instants sit on a 5-minute grid so they repeat.

Memory stays bounded whatever the size: references come from a bijection instead of a set of
those taken, the memo and the date spellings forget when full, and batches are built and spooled
to temporary files a chunk at a time.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime
import itertools
import json
import math
import multiprocessing
import os
import random
import tempfile
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Sum
from django.utils import timezone

from bench.seed_schema import FOREIGN_KEY, schema_drop, schema_restore
from complaints.models import (
    OPEN_STATUSES,
    Complaint,
    Customer,
    Department,
    StaffProfile,
    Status,
    TimelineEvent,
)
from complaints.models.reports import ReportDimensions, ReportReceived
from complaints.rollups import rollups_fold
from complaints.services import _REFERENCE_ALPHABET, complaint_next_due
from complaints.staff_clocks import enforcement_due
from escalation.calendar import LONDON, local_date
from escalation.choices import CLOCK_NAMES, Channel
from escalation.clocks import ClockInputs, Clocks, CodeRules, compute_clocks
from escalation.models import CodeOfPractice, CodeVersion, EscalationTier
from escalation.selectors import code_rules, code_version_in_force

UTC = datetime.UTC
GRID = 300  # seconds: every generated instant is a whole 5 minutes, so clock inputs repeat
HISTORY_DAYS = 548  # 18 months
AGENTS, MANAGERS = 20, 5
CURRENT_CODE_SHARE = 0.92  # the rest were deliberately re-applied to another shipped code

Progress = Callable[[str], None]


class _Weighted:
    """A fixed weighted choice; cumulative weights are summed once, not per row."""

    def __init__(self, weights: dict[Any, float]) -> None:
        self.values = list(weights)
        self.cum = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


def _words(text: str) -> list[str]:
    return text.split("|")


# --- what the data looks like ------------------------------------------------------------------

CHANNELS = _Weighted({"phone": 45, "email": 30, "web": 15, "letter": 8, "in_person": 2})
NATIONS = _Weighted({"ENG": 80, "WLS": 5, "SCT": 10, "NIR": 5})
CATEGORIES = _Weighted(
    {"billing": 30, "fault_repair": 25, "service": 20, "sales": 10, "pricing": 8, "other": 7}
)
_ANY_HOUR = dict(
    enumerate((1, 1, 1, 1, 1, 1, 2, 4, 7, 9, 9, 9, 8, 8, 8, 8, 8, 7, 7, 7, 6, 5, 3, 2))
)
# When each channel's complaints arrive, London time: a weight per weekday (Mon..Sun), an hour.
ARRIVALS: dict[str, tuple[tuple[float, ...], _Weighted]] = {
    "phone": ((1, 1, 1, 1, 1, 0.3, 0), _Weighted(dict(zip(range(8, 20), (4, 9, 10, 9, 7, 8, 9, 8, 7, 5, 3, 2), strict=True)))),
    "email": ((1, 1, 1, 1, 1, 0.5, 0.4), _Weighted(_ANY_HOUR)),
    "web": ((1, 1, 1, 1, 1, 0.6, 0.5), _Weighted(_ANY_HOUR)),
    "letter": ((1, 1, 1, 1, 1, 0, 0), _Weighted({9: 5, 10: 4, 11: 2})),  # post opened mornings
    "in_person": ((1, 1, 1, 1, 1, 0.7, 0), _Weighted(dict.fromkeys(range(9, 18), 1))),
}  # fmt: skip
# Status by age of the complaint in days: old ones are mostly resolved or closed.
STATUS_BY_AGE = (
    (2, _Weighted({"new": 35, "acknowledged": 25, "investigating": 25, "awaiting_customer": 8,
                   "escalated": 3, "resolved": 4})),
    (10, _Weighted({"new": 5, "acknowledged": 8, "investigating": 27, "awaiting_customer": 25,
                    "escalated": 8, "final_response": 5, "resolved": 18, "closed": 4})),
    (56, _Weighted({"investigating": 6, "awaiting_customer": 8, "escalated": 5,
                    "final_response": 5, "deadlock": 3, "resolved": 35, "closed": 38})),
    (math.inf, _Weighted({"escalated": 0.4, "final_response": 0.4, "deadlock": 3,
                          "adr_referred": 2, "resolved": 20, "closed": 73})),
)  # fmt: skip
ACTIONS = {  # the complaints.workflows.actions action that last moved a complaint to each status
    "acknowledged": "acknowledge", "investigating": "record_findings",
    "awaiting_customer": "propose_resolution", "escalated": "escalate",
    "final_response": "propose_resolution", "deadlock": "issue_deadlock",
    "adr_referred": "record_adr_referral", "resolved": "mark_resolved", "closed": "auto_close",
}  # fmt: skip
LIFECYCLE_TIMES = ("acknowledged_at", "first_response_at", "promised_by", "resolved_at",
                   "closed_at", "adr_period_reached_at")  # fmt: skip
LIFECYCLE_TEXTS = ("resolution_summary", "agreed_next_step", "agreed_contact_method",
                   "register_reference")  # fmt: skip
MIDNIGHT = datetime.time(0, 0)
# The event escalation.sweeps.complaints_auto_close_sweep writes (tests/bench compares them).
AUTO_CLOSE_SUMMARY = (
    "Closed as resolved: we did not hear back within the time the code of practice allows"
)
OPEN = {str(s) for s in OPEN_STATUSES}
RESPONDED = {
    "awaiting_customer",
    "final_response",
    "deadlock",
    "adr_referred",
    "resolved",
    "closed",
}
SENIOR = {"escalated", "deadlock", "adr_referred"}
DEPARTMENTS = {"billing": "accounts", "pricing": "accounts", "sales": "accounts"}
DEPARTMENTS["fault_repair"] = "technical"
FIRST_NAMES = _words(
    "Oliver|Amelia|George|Isla|Harry|Ava|Noah|Mia|Jack|Ivy|Leo|Lily|Arthur|Freya|Muhammad|"
    "Florence|Oscar|Grace|Charlie|Sophia|Jacob|Emily|Thomas|Poppy|Alfie|Evie|Henry|Ella|William|"
    "Rosie|James|Sienna|Joshua|Daisy|Freddie|Aisha|Samuel|Priya|Daniel|Chloe|Ethan|Hannah|Ryan|"
    "Megan|Liam|Niamh|Callum|Eilidh|Rhys|Cerys|Dylan|Seren|Aaron|Siobhan|Sean|Ciara|Rory|Owen"
)
SURNAMES = {
    "ENG": _words(
        "Smith|Jones|Taylor|Brown|Williams|Wilson|Johnson|Davies|Patel|Robinson|Wright|Thompson|"
        "Evans|Walker|White|Roberts|Green|Hall|Wood|Jackson|Clarke|Khan|Hughes|Edwards|Turner|"
        "Hill|Moore|Cooper|Ward|Ali|Begum|Harris|Lewis|King|Baker|Allen|Carter|Shaw|Kaur|Mitchell"
    ),
    "WLS": _words(
        "Jones|Williams|Davies|Evans|Thomas|Roberts|Hughes|Lewis|Morgan|Griffiths|Price|Rees|"
        "Owen|Jenkins|Lloyd|Pritchard|Powell|Bowen|Parry|Llewellyn"
    ),
    "SCT": _words(
        "Smith|Brown|Wilson|Campbell|Stewart|Thomson|Robertson|Anderson|MacDonald|Scott|Reid|"
        "Murray|Taylor|Clark|Ross|Watson|Morrison|Paterson|Fraser|MacLeod"
    ),
    "NIR": _words(
        "Wilson|Campbell|Kelly|Johnston|Moore|Thompson|Smyth|Brown|O'Neill|Doherty|Stewart|"
        "Quinn|Robinson|Murphy|Graham|McLaughlin|Hamilton|Hughes|Gallagher|McCann"
    ),
}
TOWNS = {  # town:postcode area
    "ENG": _words(
        "Birmingham:B|Bristol:BS|Manchester:M|Leeds:LS|Liverpool:L|Newcastle upon Tyne:NE|"
        "London:SW|London:E|London:N|Cambridge:CB|Oxford:OX|Brighton:BN|Plymouth:PL|"
        "Nottingham:NG|Sheffield:S|Norwich:NR|Exeter:EX|York:YO|Leicester:LE|Tunbridge Wells:TN"
    ),
    "WLS": _words("Cardiff:CF|Swansea:SA|Newport:NP|Wrexham:LL|Aberystwyth:SY|Brecon:LD"),
    "SCT": _words(
        "Edinburgh:EH|Glasgow:G|Aberdeen:AB|Dundee:DD|Inverness:IV|Kilmarnock:KA|Falkirk:FK"
    ),
    "NIR": _words("Belfast:BT|Derry:BT|Lisburn:BT|Newry:BT|Enniskillen:BT"),
}
STREETS = _words(
    "High Street|Station Road|Church Lane|Victoria Road|Park Avenue|Mill Lane|Queen Street|"
    "King's Road|The Crescent|Manor Way|Orchard Close|Castle Street|Meadow View|Green Lane"
)
BUSINESSES = _words(
    "Ltd|& Co|Services Ltd|Plumbing|Print Ltd|Dental Practice|Logistics Ltd|Cafe|Accountants|"
    "Builders Ltd|Garage|Florists|Hair Studio|Consulting Ltd|Solicitors"
)
VULNERABILITIES = _words("hearing|sight|mobility|mental_health|financial|bereavement")
SUMMARIES = {
    "billing": _words(
        "Charged twice for line rental|Bill higher than the agreed monthly price|"
        "Direct debit taken on the wrong date|Refund promised but not received|"
        "Charged after cancelling the contract|Early termination fee disputed"
    ),
    "fault_repair": _words(
        "Broadband drops every evening|No dial tone for a week|Engineer missed the booked "
        "appointment|Fault reported three times, still not fixed|Very slow broadband since the "
        "router swap|Crackling on the landline"
    ),
    "service": _words(
        "Kept on hold for over an hour|Nobody called back as promised|Moved house and service "
        "not transferred|Adviser was rude on the phone|Number porting failed|Letters not sent "
        "in large print as agreed"
    ),
    "sales": _words(
        "Signed up to a contract I did not agree to|Promised discount not applied|Sales adviser "
        "said speeds would be higher|Router sold as free but charged for"
    ),
    "pricing": _words(
        "Mid-contract price rise not explained|Price rise above what was advertised|"
        "Out-of-bundle call charges too high|Paper bill charge added without notice"
    ),
    "other": _words(
        "Data protection request not answered|Wrong name on the account|Marketing calls after "
        "opting out|Complaint about how a complaint was handled"
    ),
}
# Varied enough that a summary search is neither always empty nor always everything.
WHEN = _words(
    "||||| since last week| for three weeks| again this month| after the storm| since I moved| "
    "for the second time| since the price change| despite two calls| since January| since the "
    "engineer's visit| on my business line| at my mother's address"
)
DETAILS = _words(
    "I have called several times about this.|Nobody has explained why.|I would like this put "
    "right and an apology.|This has happened before.|I work from home and rely on the service.|"
    "I have attached my last two bills.|Please contact me by my preferred method.|I was told "
    "someone would ring back within a day."
)
REMEDIES = _words(
    "credited the overcharge to your account.|booked an engineer, who has fixed the fault.|"
    "corrected the bill and apologise for the error.|cancelled the charge.|applied the "
    "promised discount from your next bill.|moved your service to the new address."
)
NEXT_STEPS = _words(
    "Call back with the engineer's findings|Confirm the refund once finance approve it|"
    "Check the line test results and call back|Send the corrected bill|Ring after the repair visit"
)
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
CUSTOMER_DOMAINS = ("example.com", "example.co.uk", "example.org", "example.net")
CHANNEL_LABELS = {c.value: c.label.lower() for c in Channel}
STATUS_LABELS = {s.value: s.label for s in Status}


def _dt(ts: int) -> datetime.datetime:
    return datetime.datetime.fromtimestamp(ts, UTC)


def _iso(value: datetime.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- clocks ------------------------------------------------------------------------------------


_NEVER = datetime.datetime.min.replace(tzinfo=UTC)


# Tables the database fills while the seeder copies (the queue search's name words, migration
# 0016, which have no model, by trigger; every manager's desk rollup, 0017-0018, by trigger or by
# the rebuild after a deferred seed): vacuumed with the copied ones, or the search reads the heap
# for each of a common surname's customers until autovacuum comes by.
TRIGGER_FILLED = (
    "complaints_nameword",
    "complaints_customernameword",
    "complaints_report_pending",  # a top-up's pending changes, folded (deleted) at its end
) + tuple(rollup._meta.db_table for rollup in ReportDimensions.__subclasses__())


# Tables whose foreign keys and secondary indexes a big seed drops and restores at its end
# (seed_schema.py): the three it copies into, and the name words' trigger fills one row per word
# of every name.
SEEDED_TABLES = (
    Customer._meta.db_table,
    Complaint._meta.db_table,
    TimelineEvent._meta.db_table,
    "complaints_customernameword",
)


class ClockMemoMismatch(RuntimeError):
    """compute_clocks no longer splits the way _ClockMemo assumes: fix _ClockMemo."""


class _ClockMemo:
    """`compute_clocks`, memoised exactly.

    A complaint's clocks fall into independent groups, each a function of a few inputs
    (DOMAIN.md, "The clocks"): the working-day windows of (channel, nation, received); the ADR
    dates of (local date first made, letter date); auto-close of (nation, the later of
    responded and resolution actioned, and which of the two it was); ADR eligibility of
    (category, employees). A row whose groups have all been seen is assembled from them;
    otherwise compute_clocks runs on the row's own inputs and its result fills the groups.
    Every CHECK_EVERY-th assembled row is also computed in full and compared, so a change to
    compute_clocks that breaks this split stops the seeder instead of writing wrong clocks
    (tests/bench/test_seed.py recomputes every seeded row as well).
    """

    CHECK_EVERY = 97
    # Entries per group before that group is forgotten and refilled: bounds a builder's memory
    # (each entry carries its clocks' reasons, about 1 KB) whatever the number of complaints.
    MAX_ENTRIES = 10_000
    RECEIPT = ("acknowledge_by", "respond_by", "resolve_by")
    ADR = ("adr_eligible_from", "adr_refer_by")
    CLOSE = ("auto_close_at",)

    def __init__(self, rules: dict[int, CodeRules]) -> None:
        self.rules = rules
        self.receipt: dict[tuple, tuple] = {}
        self.adr: dict[tuple, tuple] = {}
        self.close: dict[tuple, tuple] = {}
        self.eligibility: dict[tuple, tuple] = {}
        self.computed = 0
        self.assembled = 0

    @staticmethod
    def _groups_cover(i: ClockInputs) -> bool:
        """Whether the four groups are all of this row's clocks. An escalation (the formal
        response clock), a letter asked for, a customer's request or a letter written for the
        ADR period start clocks the groups do not hold: such a row is computed in full (it
        was once assembled without its formal_respond_by, which the spot check caught)."""
        return (
            i.escalated is None
            and i.adr_letter_asked is None
            and i.customer_request_at is None
            and i.letter_reason == "deadlock"
        )

    def clocks(self, version_id: int, i: ClockInputs) -> Clocks:
        k1 = (version_id, i.channel, i.nation, i.received)
        k2 = (version_id, local_date(i.first_made), i.letter_date)
        later = max(i.responded or _NEVER, i.resolution_actioned or _NEVER)
        k3 = (version_id, i.nation, later, later == i.responded)
        k4 = (version_id, i.category, i.employees)
        p1, p2 = self.receipt.get(k1), self.adr.get(k2)
        p3, p4 = self.close.get(k3), self.eligibility.get(k4)
        if p1 is None or p2 is None or p3 is None or p4 is None or not self._groups_cover(i):
            self.computed += 1
            c = compute_clocks(self.rules[version_id], i)
            r = c.reasons
            pick = lambda names: {k: r[k] for k in names if k in r}  # noqa: E731
            for group in (self.receipt, self.adr, self.close, self.eligibility):
                if len(group) >= self.MAX_ENTRIES:
                    group.clear()
            receipt = (c.effective_receipt, c.acknowledge_by, c.respond_by, c.resolve_by)
            self.receipt[k1] = (*receipt, pick(self.RECEIPT))
            self.adr[k2] = (c.adr_eligible_from, c.adr_refer_by, pick(self.ADR))
            self.close[k3] = (c.auto_close_at, pick(self.CLOSE))
            self.eligibility[k4] = (c.adr_eligible, c.adr_ineligible_reason)
            return c
        self.assembled += 1
        clocks = Clocks(
            effective_receipt=p1[0],
            acknowledge_by=p1[1],
            respond_by=p1[2],
            resolve_by=p1[3],
            adr_eligible_from=p2[0],
            adr_refer_by=p2[1],
            auto_close_at=p3[0],
            adr_eligible=p4[0],
            adr_ineligible_reason=p4[1],
            reasons={**p1[4], **p2[2], **p3[1]},
        )
        if self.assembled % self.CHECK_EVERY == 1:
            full = compute_clocks(self.rules[version_id], i)
            if full != clocks:
                raise ClockMemoMismatch(f"assembled {clocks!r}, compute_clocks gives {full!r}")
        return clocks


# --- building batches (pure Python: runs in the builder thread, never touches the database) ----


@dataclass(frozen=True, eq=False)  # hashed by identity: a key of _Weighted
class _Code:
    weight: float
    effective: list[float]  # effective_from timestamps of its published versions, ascending
    version_ids: list[int]

    def version_at(self, ts: float) -> int:
        # As code_version_in_force: the latest in force at ts, else the earliest.
        return self.version_ids[max(bisect.bisect_right(self.effective, ts) - 1, 0)]


@dataclass(frozen=True)
class _Version:
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


class _Builder:
    def __init__(
        self,
        *,
        now: datetime.datetime,
        codes: list[_Code],
        versions: dict[int, _Version],
        memo: _ClockMemo,
        agents: dict[str, list[int]],
        managers: list[int],
        seed: str,
    ) -> None:
        self.now = int(now.timestamp())
        self.now_grid = self.now - self.now % GRID
        self.start = -(-(self.now - HISTORY_DAYS * 86400) // GRID) * GRID  # on the grid too
        self.first_day = local_date(_dt(self.start))
        self.days = (local_date(now) - self.first_day).days + 1
        self.codes = _Weighted({code: code.weight for code in codes})
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


# --- writing -----------------------------------------------------------------------------------

_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _tsv_text(value: str) -> str:
    # Almost every value is plain (addresses carry newlines): test before translating.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_TSV_ESCAPES)
    return value


def _tsv_json(value: Any) -> str:
    text = json.dumps(value)  # escapes control characters itself: only backslashes need doubling
    return text.replace("\\", "\\\\") if "\\" in text else text


# Instants repeat (the 5-minute grid) and a datetime caches its hash: a dict is ~10x faster
# than isoformat(). One cache for every date and time column (a date never equals a datetime),
# forgotten when full: about 30 MB.
_SPELT: dict[datetime.date, str] = {}
SPELT_MAX = 200_000


def _tsv_instant(value: datetime.date, get: Callable = _SPELT.get) -> str:
    text = get(value)
    if text is None:
        if len(_SPELT) >= SPELT_MAX:
            _SPELT.clear()
        text = _SPELT[value] = value.isoformat()
    return text


def _tsv_format(f: models.Field) -> Callable[[Any], str]:
    """How one column's value is spelt in COPY's text format (None is handled by the caller)."""
    if isinstance(f, models.JSONField):
        return _tsv_json
    if isinstance(f, models.BooleanField):
        return {True: "t", False: "f"}.__getitem__
    if isinstance(f, models.DateField):  # DateTimeField too
        return _tsv_instant
    if isinstance(f, models.CharField | models.TextField):
        return _tsv_text
    return str


class _Table:
    """One model's COPY statement; columns the seeder does not fill get the field's default."""

    def __init__(self, model: type[models.Model], *, with_id: bool) -> None:
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.model = model
        self.name = model._meta.db_table
        self.columns = [(f.attname, _tsv_format(f), f.get_default()) for f in fields]
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in fields)
        self.copy_sql = f"COPY {quote(self.name)} ({names}) FROM STDIN"

    def tsv(self, rows: list[dict[str, Any]]) -> bytes:
        columns = self.columns
        lines = [
            "\t".join(["\\N" if (v := row.get(a, d)) is None else f(v) for a, f, d in columns])
            for row in rows
        ]
        if not lines:
            return b""
        lines.append("")
        return "\n".join(lines).encode()


# (table, the TSV file of its rows, row count) per table, in COPY order.
Payload = list[tuple[str, str, int]]


@dataclass
class TableLoad:
    rows: int = 0
    seconds: float = 0.0
    bytes: int | None = None  # pg_total_relation_size after the load

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class _CopyWriter:
    """PostgreSQL: ids reserved from the tables' sequences, then one COPY per table per batch."""

    def __init__(self) -> None:
        # Nothing refers to timeline events, so their ids are left to the table's sequence.
        self.tables = [
            _Table(Customer, with_id=True),
            _Table(Complaint, with_id=True),
            _Table(TimelineEvent, with_id=False),
        ]
        self.loads = {t.name: TableLoad() for t in self.tables}

    def reserve(self, model: type[models.Model], n: int) -> list[int]:
        # nextval() is safe beside other writers, unlike jumping the sequence with setval().
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, n],
            )
            return [row[0] for row in cursor.fetchall()]

    def spool(self, builder: _Builder, job: tuple, directory: str) -> Payload:
        """Build one batch into a TSV file per table under `directory`, a chunk at a time, so
        neither the builder nor this process ever holds a whole batch."""
        customers_table, complaints_table, events_table = self.tables
        stem = os.path.join(directory, f"batch-{job[0]}")
        paths = [f"{stem}.{t.name}.tsv" for t in self.tables]
        counts = [0, 0, 0]
        with open(paths[1], "wb") as complaints_file, open(paths[2], "wb") as events_file:

            def emit(complaints: Rows, events: Rows) -> None:
                complaints_file.write(complaints_table.tsv(complaints))
                events_file.write(events_table.tsv(events))
                counts[1] += len(complaints)
                counts[2] += len(events)

            customers = builder.build(*job, emit=emit)
        with open(paths[0], "wb") as customers_file:
            customers_file.write(customers_table.tsv(customers))
        counts[0] = len(customers)
        return [(t.name, path, n) for t, path, n in zip(self.tables, paths, counts, strict=True)]

    def write(self, payload: Payload) -> None:
        tables = {t.name: t for t in self.tables}
        with transaction.atomic(), connection.cursor() as cursor:
            # Losing the last batches in a crash is fine for bench data; waiting on fsync is not.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # Customers first, though the foreign keys are only checked at commit (deferred).
            for name, path, n in payload:
                began = time.perf_counter()
                with open(path, "rb") as data:
                    cursor.copy_expert(tables[name].copy_sql, data, 1 << 20)
                os.unlink(path)
                load = self.loads[name]
                load.rows += n
                load.seconds += time.perf_counter() - began

    def finish(self) -> float:
        began = time.perf_counter()
        tables = ", ".join([t.name for t in self.tables] + list(TRIGGER_FILLED))
        with connection.cursor() as cursor:
            if connection.in_atomic_block:  # a test: VACUUM cannot run in a transaction
                cursor.execute(f"ANALYZE {tables}")
            else:
                # VACUUM too: it sets the visibility map, without which index-only scans visit
                # the heap for every row (a queue page 18 ms instead of 0.7 ms at 1M rows)
                # until autovacuum gets round to it, in the middle of someone's benchmark.
                cursor.execute(f"VACUUM (ANALYZE) {tables}")
            for t in self.tables:
                cursor.execute("SELECT pg_total_relation_size(%s)", [t.name])
                self.loads[t.name].bytes = cursor.fetchone()[0]
        return time.perf_counter() - began


def _rollups_count_all(complaints: int) -> bool:
    """Whether the desk's rollups count every complaint (their total rows, a few per day): not
    so after a deferred seed that was killed before its rebuild. Changes still pending
    (migration 0021) are counted first."""
    rollups_fold()
    counted = ReportReceived.objects.filter(total=True).aggregate(n=Sum("n"))["n"] or 0
    return counted == complaints


def _rollups_defer_end() -> None:
    with connection.cursor() as cursor:
        cursor.execute("RESET redress.report_rollups")


def _rollups_rebuild(say: Progress) -> float:
    """Count every complaint into the desk's rollups again (the triggers were deferred). It
    holds a SHARE lock on the complaints meanwhile: other writers wait for it."""
    say("bench_seed: rebuilding the desk's rollups from the complaints")
    began = time.perf_counter()
    _rollups_defer_end()
    with connection.cursor() as cursor:
        cursor.execute("SELECT complaints_report_rebuild()")
    return time.perf_counter() - began


@dataclass
class SeedReport:
    before: int
    after: int
    seconds: float = 0.0
    build_seconds: float = 0.0
    analyze_seconds: float = 0.0
    rollups_seconds: float | None = None  # the rebuild, when the triggers were deferred
    rollups_fold_seconds: float = 0.0  # counting the triggers' pending rows, when not
    keys_dropped: int = 0  # foreign keys dropped for the copy (bench/seed_schema.py)
    indexes_dropped: int = 0  # secondary indexes dropped for the copy
    restore_seconds: float = 0.0  # restoring both (and the rollups' rebuild alongside)
    clocks_computed: int = 0
    clocks_assembled: int = 0
    peak_rss_main: float = 0.0  # MiB, this process
    peak_rss_builders: float = 0.0  # MiB, the largest builder process
    tables: dict[str, TableLoad] = field(default_factory=dict)

    @property
    def created(self) -> int:
        return self.after - self.before

    def lines(self) -> list[str]:
        if not self.created:
            return [f"bench_seed: {self.after:,} complaints already; nothing to do."]
        out = [
            f"bench_seed: {self.created:,} complaints in {self.seconds:.1f} s "
            f"({self.created / self.seconds:,.0f} complaints/s); {self.after:,} in total",
        ]
        for name, load in self.tables.items():
            size = f"{load.bytes / 2**20:,.1f} MiB" if load.bytes is not None else "size n/a"
            out.append(
                f"  {name:26} {load.rows:>11,} rows {load.seconds:7.1f} s "
                f"{load.rows_per_second:>11,.0f} rows/s {size:>13}"
            )
        total = self.clocks_computed + self.clocks_assembled
        out.append(
            f"  builders' CPU {self.build_seconds:.1f} s (alongside the copy); clocks: "
            f"{self.clocks_computed:,} computed, {self.clocks_assembled:,} from memo "
            f"({self.clocks_assembled / max(total, 1):.0%}); VACUUM ANALYZE {self.analyze_seconds:.1f} s"
        )
        out.append(
            f"  the desk's rollups: rebuilt once at the end in {self.rollups_seconds:.1f} s"
            if self.rollups_seconds is not None
            else "  the desk's rollups: kept by their triggers on every COPY (a small top-up), "
            f"counted by one fold at the end in {self.rollups_fold_seconds:.1f} s"
        )
        if self.keys_dropped or self.indexes_dropped:
            out.append(
                f"  {self.keys_dropped} foreign keys and {self.indexes_dropped} secondary indexes "
                f"dropped for the copy, restored in {self.restore_seconds:.1f} s (the rollups' "
                "rebuild beside the index builds)"
            )
        out.append(
            f"  peak memory (resident): this process {self.peak_rss_main:,.0f} MiB, the largest "
            f"builder {self.peak_rss_builders:,.0f} MiB"
        )
        return out


def staff_ensure() -> tuple[dict[str, list[int]], list[int]]:
    """The bench's agents (by department) and managers, created if missing, as user ids."""
    User = get_user_model()
    agents: dict[str, list[int]] = {}
    managers: list[int] = []
    departments = [d.value for d in Department]
    for role, count in (("agent", AGENTS), ("manager", MANAGERS)):
        group, _ = Group.objects.get_or_create(name=role)
        for n in range(1, count + 1):
            username = f"bench-{role}-{n:02d}"
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": FIRST_NAMES[(n * 7 + len(role)) % len(FIRST_NAMES)],
                    "last_name": SURNAMES["ENG"][(n * 5 + len(role)) % len(SURNAMES["ENG"])],
                    "is_staff": True,
                    "email": f"{username}@redress.localhost",
                },
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(group)
            profile, _ = StaffProfile.objects.get_or_create(
                user=user, defaults={"department": departments[n % len(departments)]}
            )
            if role == "agent":
                agents.setdefault(profile.department, []).append(user.pk)
            else:
                managers.append(user.pk)
    return agents, managers


def _codes(now: datetime.datetime) -> tuple[list[_Code], dict[int, CodeVersion]]:
    """Each shipped code with its published versions; the provider's current code dominates."""
    current = CodeOfPractice.objects.get(is_current=True)
    others = list(CodeOfPractice.objects.exclude(pk=current.pk).order_by("slug"))
    versions: dict[int, CodeVersion] = {}
    codes = []
    for code in [current, *others]:
        published = list(
            code.versions.filter(status=CodeVersion.Status.PUBLISHED)
            .select_related("code")
            .order_by("effective_from")
        )
        if not published:
            continue
        versions |= {v.pk: v for v in published}
        weight = CURRENT_CODE_SHARE if code == current else (1 - CURRENT_CODE_SHARE) / len(others)
        entry = _Code(
            weight, [v.effective_from.timestamp() for v in published], [v.pk for v in published]
        )
        # Builders pick versions by bisecting, without queries: check that agrees with the
        # selector at every boundary before trusting it with a million rows.
        probes = [now - datetime.timedelta(days=HISTORY_DAYS), now]
        for v in published:
            probes += [v.effective_from - datetime.timedelta(seconds=1), v.effective_from]
        for at in probes:
            if entry.version_at(at.timestamp()) != code_version_in_force(at=at, code=code).pk:
                raise RuntimeError(f"bench_seed picks the wrong {code} version at {at}")
        codes.append(entry)
    return codes, versions


class _References:
    """References in reference_generate's format, unique in this run and against existing rows,
    in constant memory.

    The n-th complaint the seeder has ever written (its position: the complaints already there
    plus its place in this run) gets a keyed bijection of n over the 32^8 = 2^40 reference
    bodies, so two positions never share a reference and nothing needs remembering. A
    reference some other writer already holds (the web form's are random; another seed's may
    coincide) is found by one indexed query per batch and replaced by a random fresh one.
    """

    BITS = 40
    MASK = (1 << BITS) - 1

    def __init__(self, seed: str, *, start: int) -> None:
        rng = random.Random(f"{seed}:references")
        # Odd multipliers and xor-shifts are each invertible modulo 2^40: so is their chain.
        self.keys = [rng.getrandbits(self.BITS) | 1 for _ in range(3)]
        self.offset = rng.getrandbits(self.BITS)
        self.rng = rng
        self.position = start

    def _body(self, n: int) -> str:
        x = (n + self.offset) & self.MASK
        for key in self.keys:
            x = (x * key) & self.MASK
            x ^= x >> 19
        return "".join(_REFERENCE_ALPHABET[(x >> shift) & 31] for shift in range(35, -5, -5))

    def take(self, n: int) -> list[str]:
        bodies = [self._body(p) for p in range(self.position, self.position + n)]
        self.position += n
        out = [f"RD-{b[:4]}-{b[4:]}" for b in bodies]
        taken = self._existing(out)
        while taken:
            fresh: dict[int, str] = {}
            for index, reference in enumerate(out):
                if reference in taken:
                    body = "".join(self.rng.choices(_REFERENCE_ALPHABET, k=8))
                    fresh[index] = f"RD-{body[:4]}-{body[4:]}"
            for index, reference in fresh.items():
                out[index] = reference
            # A random replacement could collide too (or repeat another of this batch's).
            taken = self._existing(list(fresh.values()))
            if len(set(out)) != len(out):
                taken |= {r for r in fresh.values() if out.count(r) > 1}
        return out

    @staticmethod
    def _existing(references: list[str]) -> set[str]:
        # complaints_complaint_reference_key (the unique constraint) answers each look-up.
        return set(
            Complaint.objects.filter(reference__in=references).values_list("reference", flat=True)
        )


# What the builders work from: set just before they are forked, so they inherit it.
_WORK: tuple[_Builder, _CopyWriter, str] | None = None


def peak_rss_mib() -> float:
    """This process's peak resident memory since it started (or since `peak_rss_reset`)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def peak_rss_reset() -> None:
    """Start this process's peak resident memory afresh (Linux; elsewhere nothing happens)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def _build_job(job: tuple[int, list[int], list[int], list[str]]) -> tuple[Payload, tuple]:
    """Build one batch into TSV files for the writer, in a builder process (or thread)."""
    assert _WORK is not None
    builder, writer, directory = _WORK
    began, computed, assembled = time.thread_time(), builder.memo.computed, builder.memo.assembled
    payload = writer.spool(builder, job, directory)
    memo = builder.memo
    return payload, (
        time.thread_time() - began,
        memo.computed - computed,
        memo.assembled - assembled,
        os.getpid(),
        peak_rss_mib(),
    )


def _builders(processes: int) -> Executor:
    """Forked builder processes, so Python and PostgreSQL each get cores; without fork one thread, which still overlaps the copy (psycopg2 releases the GIL)."""
    if processes > 0 and "fork" in multiprocessing.get_all_start_methods():
        # The children inherit this process's database connection but never use it, and a
        # forked child leaves through os._exit(), so nothing of theirs ever reaches the socket.
        return ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork"))
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-build")


def bench_seed(
    *,
    complaints: int,
    now: datetime.datetime | None = None,
    seed: int = 42,
    batch: int = 20_000,
    workers: int | None = None,
    progress: Progress | None = None,
) -> SeedReport:
    """Top the database up to `complaints` complaints; returns what was loaded and how fast.

    `workers` processes (default one per core, at most 4) build batches while this one copies.
    """
    if complaints < 0 or batch < 1:
        raise ValueError("complaints must be >= 0 and batch >= 1")
    now = now or timezone.now()
    say = progress or (lambda line: None)
    # What an earlier seed dropped and did not restore (it was killed): restore it first.
    schema_restore(say)
    before = Complaint.objects.count()
    report = SeedReport(before=before, after=before)
    to_create = complaints - before
    if to_create <= 0:
        return report

    peak_rss_reset()
    began = time.perf_counter()
    agents, managers = staff_ensure()
    codes, versions = _codes(now)
    rules = {pk: code_rules(v) for pk, v in versions.items()}
    tiers: dict[int, dict[int, bool]] = {pk: {} for pk in versions}
    for t in EscalationTier.objects.filter(version__in=versions).values(
        "version", "level", "is_formal"
    ):
        tiers[t["version"]][t["level"]] = t["is_formal"]
    builder = _Builder(
        now=now,
        codes=codes,
        versions={
            pk: _Version(
                label=str(v),
                tiers=tiers[pk],
                auto_closes=rules[pk].auto_close_working_days is not None,
                adr_scheme=v.adr_scheme_name,
            )
            for pk, v in versions.items()
        },
        memo=_ClockMemo(rules),
        agents=agents,
        managers=managers,
        seed=f"{seed}:{before}",
    )
    references = _References(str(seed), start=before)
    writer = _CopyWriter()
    sizes = [batch] * (to_create // batch) + ([to_create % batch] if to_create % batch else [])
    workers = workers or min(os.cpu_count() or 1, 4)

    def submit(pool: Executor, number: int) -> Future:
        # Ids and references are handed out here, in order, so every builder's rows are unique.
        n = sizes[number]
        customer_ids = writer.reserve(Customer, math.ceil(n / 3))
        complaint_ids = writer.reserve(Complaint, n)
        return pool.submit(_build_job, (number, customer_ids, complaint_ids, references.take(n)))

    say(
        f"bench_seed: {before:,} complaints present; adding {to_create:,} in {len(sizes)} "
        f"batches of up to {batch:,} ({workers or 'a thread'} building)"
    )
    # A seed that at least doubles the complaints rebuilds the desk's rollups once at the end
    # instead of having the triggers upsert them on every COPY (migration 0020): at 1,000,000
    # the rebuild takes 65-72 s, the triggers about twice that. A smaller top-up keeps them,
    # unless an earlier seed was killed before its rebuild and left them short.
    defer_rollups = to_create >= before or not _rollups_count_all(before)
    # The same rule for the foreign keys and secondary indexes: checked and maintained row by
    # row on every COPY they cost more than the rows themselves; restored once on the finished
    # tables they cost a join or a sort each.
    drop_schema = to_create >= before
    global _WORK
    done = 0
    builders_peak: dict[int, float] = {}
    # The batches wait on disk, not in memory (the page cache holds them, not a process).
    spool = tempfile.TemporaryDirectory(prefix="bench-seed-")
    _WORK = (builder, writer, spool.name)
    try:
        if defer_rollups:
            with connection.cursor() as cursor:
                cursor.execute("SET redress.report_rollups = 'deferred'")
        if drop_schema:
            dropped = schema_drop(SEEDED_TABLES)
            report.keys_dropped = sum(kind == FOREIGN_KEY for kind, *_ in dropped)
            report.indexes_dropped = len(dropped) - report.keys_dropped
        with spool, _builders(workers) as pool:
            ahead = max(workers, 1) + 1
            pending = deque(submit(pool, number) for number in range(min(ahead, len(sizes))))
            for number, n in enumerate(sizes):
                payload, stats = pending.popleft().result()
                seconds, computed, assembled, pid, peak = stats
                if number + ahead < len(sizes):
                    pending.append(submit(pool, number + ahead))
                writer.write(payload)
                report.build_seconds += seconds
                report.clocks_computed += computed
                report.clocks_assembled += assembled
                builders_peak[pid] = max(builders_peak.get(pid, 0.0), peak)
                done += n
                elapsed = time.perf_counter() - began
                say(
                    f"  {done:>11,} / {to_create:,} complaints {elapsed:7.1f} s {done / elapsed:9,.0f}/s"
                )
    except Exception:
        # A batch failed: count the ones already committed and restore the schema, then
        # report the failure itself (a rebuild that fails too, on a lost connection say, must
        # not hide it).
        try:
            if defer_rollups:
                _rollups_rebuild(say)
            schema_restore(say)
        except Exception:  # noqa: BLE001 - the first error is the one to see
            say(
                "bench_seed: the rollups or the dropped foreign keys and indexes could not be "
                "restored; the next seed restores them"
            )
        raise
    except BaseException:  # Ctrl-C: stop now, not after a minute's rebuild
        if defer_rollups:
            with contextlib.suppress(DatabaseError):
                _rollups_defer_end()
        say(
            "bench_seed: interrupted; the desk's rollups and the dropped foreign keys and "
            "indexes are restored at the start of the next seed"
        )
        raise
    finally:
        _WORK = None
    if drop_schema:  # the rollups are deferred too: their rebuild (one core) runs alongside

        def rebuild() -> None:
            report.rollups_seconds = _rollups_rebuild(say)

        report.restore_seconds = schema_restore(say, alongside=rebuild)
    elif defer_rollups:
        report.rollups_seconds = _rollups_rebuild(say)
    else:  # the triggers appended the copies as pending changes (migration 0021): count them
        folded = time.perf_counter()
        rollups_fold()
        report.rollups_fold_seconds = time.perf_counter() - folded

    report.analyze_seconds = writer.finish()
    report.peak_rss_main = peak_rss_mib()
    report.peak_rss_builders = max(builders_peak.values(), default=0.0)
    report.after = before + to_create
    report.seconds = time.perf_counter() - began
    report.tables = writer.loads
    return report

"""Bench data: a realistic load of complaints, written fast, with clocks from the real rules.

`bench_seed(complaints=N)` tops the database up to N complaints (re-running adds nothing) spread
over the 18 months before `now`: customers (about one per three complaints), staff, complaints
whose status fits their age, and each complaint's opening timeline. Every clock comes from
`escalation.clocks.compute_clocks` with the rules of the code version in force when the complaint
was first made, as `complaint_create` sets them.

Speed, on PostgreSQL:

* each batch is one `COPY ... FROM STDIN` per table from an in-memory TSV buffer;
* batch k+1 is built in a thread while batch k is copied: psycopg2 releases the GIL while it
  waits on the server, so Python and PostgreSQL each keep a core busy;
* clocks are memoised exactly (`_ClockMemo`); instants sit on a 5-minute grid so they repeat.

Any other database (SQLite for a quick local try) gets plain `bulk_create`.
"""

from __future__ import annotations

import bisect
import datetime
import io
import itertools
import json
import math
import random
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection, models, transaction
from django.utils import timezone

from complaints.models import Complaint, Customer, Status, TimelineEvent
from complaints.services import _REFERENCE_ALPHABET
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
    (math.inf, _Weighted({"escalated": 1, "final_response": 1, "deadlock": 3, "adr_referred": 2,
                          "resolved": 20, "closed": 73})),
)  # fmt: skip
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
DETAILS = _words(
    "I have called several times about this.|Nobody has explained why.|I would like this put "
    "right and an apology.|This has happened before.|I work from home and rely on the service.|"
    "I have attached my last two bills.|Please contact me by my preferred method.|I was told "
    "someone would ring back within a day."
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


class ClockMemoMismatch(RuntimeError):
    """compute_clocks no longer splits the way _ClockMemo assumes: fix _ClockMemo."""


class _ClockMemo:
    """`compute_clocks`, memoised exactly.

    A complaint's clocks fall into independent groups, each a function of a few inputs
    (DOMAIN.md, "The clocks"): the working-day windows of (channel, nation, received); the ADR
    dates of (local date first made, letter date); auto-close of (nation, the later of responded
    and resolution actioned, and which it was); ADR eligibility of (category, employees). A row whose groups have all been seen
    is assembled from them; otherwise compute_clocks runs on the row's own inputs and its result
    fills the groups. Every CHECK_EVERY-th assembled row is also computed in full and compared,
    so a change to compute_clocks that breaks this split stops the seeder instead of writing
    wrong clocks (tests/bench/test_seed.py recomputes a sample as well).
    """

    CHECK_EVERY = 97
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

    def clocks(self, version_id: int, i: ClockInputs, first_made_day: datetime.date) -> Clocks:
        k1 = (version_id, i.channel, i.nation, i.received)
        k2 = (version_id, first_made_day, i.letter_date)
        later = max(i.responded or _NEVER, i.resolution_actioned or _NEVER)
        k3 = (version_id, i.nation, later, later == i.responded)
        k4 = (version_id, i.category, i.employees)
        p1, p2 = self.receipt.get(k1), self.adr.get(k2)
        p3, p4 = self.close.get(k3), self.eligibility.get(k4)
        if p1 is None or p2 is None or p3 is None or p4 is None:
            self.computed += 1
            c = compute_clocks(self.rules[version_id], i)
            r = c.reasons
            self.receipt[k1] = (
                c.effective_receipt, c.acknowledge_by, c.respond_by, c.resolve_by,
                {k: r[k] for k in self.RECEIPT if k in r},
            )  # fmt: skip
            self.adr[k2] = (
                c.adr_eligible_from,
                c.adr_refer_by,
                {k: r[k] for k in self.ADR if k in r},
            )
            self.close[k3] = (c.auto_close_at, {k: r[k] for k in self.CLOSE if k in r})
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


@dataclass
class Batch:
    customers: list[dict[str, Any]]
    complaints: list[dict[str, Any]]
    events: list[dict[str, Any]]


class _Builder:
    def __init__(
        self,
        *,
        now: datetime.datetime,
        codes: list[_Code],
        labels: dict[int, str],
        max_tier: dict[int, int],
        memo: _ClockMemo,
        agents: list[int],
        managers: list[int],
        references: set[str],
        seed: str,
    ) -> None:
        self.now = int(now.timestamp())
        self.now_grid = self.now - self.now % GRID
        self.start = self.now - HISTORY_DAYS * 86400
        self.first_day = local_date(_dt(self.start))
        self.days = (local_date(now) - self.first_day).days + 1
        self.codes = _Weighted({code: code.weight for code in codes})
        self.labels, self.max_tier, self.memo = labels, max_tier, memo
        self.agents, self.managers = agents, managers
        self.references, self.seed = references, seed
        self.build_seconds = 0.0

    def build(self, number: int, customer_ids: list[int], complaint_ids: list[int]) -> Batch:
        began = time.perf_counter()
        rng = random.Random(f"{self.seed}:{number}")  # str seeds hash alike in every process
        customers = [self._customer(rng, cid) for cid in customer_ids]
        # Every customer has at least one complaint; the rest land at random (some have several).
        owners = list(range(len(customers)))
        owners += [rng.randrange(len(customers)) for _ in range(len(complaint_ids) - len(owners))]
        complaints: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for complaint_id, owner in zip(complaint_ids, owners, strict=True):
            customer = customers[owner]
            created = self._complaint(rng, complaint_id, customer, complaints, events)
            if customer["created_at"] is None or created < customer["created_at"]:
                customer["created_at"] = customer["updated_at"] = created
        self.build_seconds += time.perf_counter() - began
        return Batch(customers, complaints, events)

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

    def _received(self, rng: random.Random, channel: str) -> tuple[int, datetime.date]:
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
                return ts, day

    def _staff_time(self, rng: random.Random, after: int, lo_days: int, hi_days: int) -> int:
        """A moment in office hours (Mon-Fri 09:00-17:00 London) lo..hi days after `after`."""
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
        return min(ts, self.now_grid)

    def _reference(self, rng: random.Random) -> str:
        # The format of complaints.services.reference_generate, from the seeded generator.
        while True:
            body = "".join(rng.choices(_REFERENCE_ALPHABET, k=8))
            reference = f"RD-{body[:4]}-{body[4:]}"
            if reference not in self.references:
                self.references.add(reference)
                return reference

    def _complaint(
        self,
        rng: random.Random,
        complaint_id: int,
        customer: dict[str, Any],
        complaints: list[dict[str, Any]],
        events: list[dict[str, Any]],
    ) -> datetime.datetime:
        channel, category = CHANNELS.pick(rng), CATEGORIES.pick(rng)
        received, first_made_day = self._received(rng, channel)
        first_made = received
        if rng.random() < 0.15:  # the customer first told us earlier, another way
            first_made = max(received - GRID * rng.randint(12, 20 * 288), self.start)
            first_made_day = local_date(_dt(first_made))
        version_id = self.codes.pick(rng).version_at(first_made)

        status = next(w for days, w in STATUS_BY_AGE if self.now - received < days * 86400).pick(
            rng
        )
        responded = resolution = closed = letter_date = None
        changed = self._staff_time(rng, received, 0, 2)
        if status in RESPONDED or (status == "escalated" and rng.random() < 0.5):
            responded = changed = self._staff_time(rng, received, 0, 9)
        if status in ("resolved", "closed"):
            if rng.random() < 0.5:  # the fix went in with our response, or some days later
                resolution = (
                    responded if rng.random() < 0.5 else self._staff_time(rng, responded, 1, 5)
                )
            closed = changed = self._staff_time(rng, resolution or responded, 0, 14)
        elif status in ("deadlock", "adr_referred"):
            changed = self._staff_time(rng, responded, 14, 56)
            letter_date = local_date(_dt(changed))
            if status == "adr_referred":
                changed = self._staff_time(rng, changed, 1, 60)
        tier = 0
        if status in SENIOR:
            tier = rng.randint(1, max(1, self.max_tier[version_id]))
        elif closed and rng.random() < 0.08:
            tier = min(1, self.max_tier[version_id])
        if status in SENIOR:
            assigned = rng.choice(self.managers)
        else:
            assigned = None if status == "new" and rng.random() < 0.4 else rng.choice(self.agents)

        inputs = ClockInputs(
            channel=channel,
            received=_dt(received),
            first_made=_dt(first_made),
            nation=customer["nation"],
            category=category,
            employees=customer["employee_count"],
            letter_date=letter_date,
            responded=_dt(responded) if responded else None,
            resolution_actioned=_dt(resolution) if resolution else None,
        )
        clocks = self.memo.clocks(version_id, inputs, first_made_day)
        logged_by = rng.choice(self.agents) if channel in ("phone", "letter", "in_person") else None
        logged = _dt(
            min(received + (0 if channel == "web" else GRID * rng.randint(0, 12)), self.now)
        )
        changed_at = max(_dt(changed), logged)
        details = " ".join(rng.sample(DETAILS, rng.randint(0, 3)))
        complaints.append({
            "id": complaint_id,
            "reference": self._reference(rng),
            "customer_id": customer["id"],
            "channel": channel,
            "category": category,
            "department": DEPARTMENTS.get(category) or rng.choice(("technical", "accounts", "")),
            "summary": rng.choice(SUMMARIES[category]),
            "details": details,
            "first_made_at": inputs.first_made,
            "received_at": inputs.received,
            "effective_receipt_at": clocks.effective_receipt,
            "status": status,
            "assigned_to_id": assigned,
            "tier": tier,
            "code_version_id": version_id,
            "responded_at": inputs.responded,
            "resolution_actioned_at": inputs.resolution_actioned,
            "letter_date": letter_date,
            **clocks.as_dict(),
            "adr_eligible": clocks.adr_eligible,
            "adr_ineligible_reason": clocks.adr_ineligible_reason,
            "clock_reasons": clocks.reasons,
            "created_at": logged,
            "updated_at": logged if status == "new" else changed_at,
            "closed_at": _dt(closed) if closed else None,
            "row_version": 1 if status == "new" else 2,
        })  # fmt: skip
        # The timeline complaint_create writes, plus the status change that brought it here.
        event = {"complaint_id": complaint_id, "author_id": logged_by, "created_at": logged}
        events.append(event | {
            "kind": "logged", "visibility": "customer", "occurred_at": inputs.received,
            "summary": f"Complaint logged ({CHANNEL_LABELS[channel]}) under {self.labels[version_id]}",
            "body": details,
        })  # fmt: skip
        events.append(event | {
            "kind": "clock_change", "visibility": "internal", "occurred_at": logged,
            "summary": "Clocks set from the code of practice",
            "data": {"version": version_id, "reasons": clocks.reasons,
                     "clocks": {name: _iso(getattr(clocks, name)) for name in CLOCK_NAMES}},
        })  # fmt: skip
        if status != "new":
            events.append({
                "complaint_id": complaint_id, "author_id": assigned, "kind": "status_change",
                "visibility": "internal", "occurred_at": changed_at, "created_at": changed_at,
                "summary": f"Status changed: New → {STATUS_LABELS[status]}",
                "data": {"from": "new", "to": status},
            })  # fmt: skip
        return logged


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


def _tsv_format(f: models.Field) -> Callable[[Any], str]:
    """How one column's value is spelt in COPY's text format (None is handled by the caller)."""
    if isinstance(f, models.JSONField):
        return _tsv_json
    if isinstance(f, models.BooleanField):
        return {True: "t", False: "f"}.__getitem__
    if isinstance(f, models.DateField):  # DateTimeField too
        # Instants repeat (the 5-minute grid) and a datetime caches its hash: a dict is ~10x
        # faster than isoformat().
        spelt: dict[datetime.date, str] = {}

        def iso(value: datetime.date, get: Callable = spelt.get) -> str:
            text = get(value)
            if text is None:
                if len(spelt) > 2_000_000:
                    spelt.clear()
                text = spelt[value] = value.isoformat()
            return text

        return iso
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
        lines.append("")
        return "\n".join(lines).encode()


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
        self.tables = [
            _Table(Customer, with_id=True),
            _Table(Complaint, with_id=True),
            _Table(
                TimelineEvent, with_id=False
            ),  # nothing refers to events: the sequence fills ids
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

    def prepare(self, batch: Batch) -> list[tuple[_Table, bytes, int]]:
        rows = (batch.customers, batch.complaints, batch.events)
        return [(t, t.tsv(r), len(r)) for t, r in zip(self.tables, rows, strict=True)]

    def write(self, payload: list[tuple[_Table, bytes, int]]) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            # Losing the last batches in a crash is fine for bench data; waiting on fsync is not.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            for table, data, n in payload:
                began = time.perf_counter()
                cursor.copy_expert(table.copy_sql, io.BytesIO(data), 1 << 20)
                load = self.loads[table.name]
                load.rows += n
                load.seconds += time.perf_counter() - began

    def finish(self) -> float:
        began = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE " + ", ".join(t.name for t in self.tables))
            for t in self.tables:
                cursor.execute("SELECT pg_total_relation_size(%s)", [t.name])
                self.loads[t.name].bytes = cursor.fetchone()[0]
        return time.perf_counter() - began


class _OrmWriter(_CopyWriter):
    """Anything but PostgreSQL (a quick SQLite try): bulk_create, ids counted on from the max."""

    def reserve(self, model: type[models.Model], n: int) -> list[int]:
        attr = f"_next_{model._meta.model_name}"
        if not hasattr(self, attr):
            top = model.objects.aggregate(top=models.Max("pk"))["top"] or 0
            setattr(self, attr, top + 1)
        start = getattr(self, attr)
        setattr(self, attr, start + n)
        return list(range(start, start + n))

    def prepare(self, batch: Batch) -> list[tuple[_Table, Any, int]]:
        rows = (batch.customers, batch.complaints, batch.events)
        return [(t, r, len(r)) for t, r in zip(self.tables, rows, strict=True)]

    def write(self, payload: list[tuple[_Table, Any, int]]) -> None:
        with transaction.atomic():
            for table, rows, n in payload:
                began = time.perf_counter()
                table.model.objects.bulk_create(
                    [table.model(**row) for row in rows], batch_size=500
                )
                load = self.loads[table.name]
                load.rows += n
                load.seconds += time.perf_counter() - began

    def finish(self) -> float:
        return 0.0


# --- the entry point -----------------------------------------------------------------------------


@dataclass
class SeedReport:
    before: int
    after: int
    seconds: float = 0.0
    build_seconds: float = 0.0
    analyze_seconds: float = 0.0
    clocks_computed: int = 0
    clocks_assembled: int = 0
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
            f"  building rows {self.build_seconds:.1f} s (overlaps the copy); clocks: "
            f"{self.clocks_computed:,} computed, {self.clocks_assembled:,} from memo "
            f"({self.clocks_assembled / max(total, 1):.0%}); ANALYZE {self.analyze_seconds:.1f} s"
        )
        return out


def staff_ensure() -> tuple[list[int], list[int]]:
    """The bench's agents and managers (created if missing), as lists of user ids."""
    User = get_user_model()
    ids: dict[str, list[int]] = {}
    for role, count in (("agent", AGENTS), ("manager", MANAGERS)):
        group, _ = Group.objects.get_or_create(name=role)
        ids[role] = []
        for n in range(1, count + 1):
            first = FIRST_NAMES[(n * 7 + len(role)) % len(FIRST_NAMES)]
            last = SURNAMES["ENG"][(n * 5 + len(role)) % len(SURNAMES["ENG"])]
            user, created = User.objects.get_or_create(
                username=f"bench-{role}-{n:02d}",
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "is_staff": True,
                    "email": f"bench-{role}-{n:02d}@redress.localhost",
                },  # fmt: skip
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            user.groups.add(group)
            ids[role].append(user.pk)
    return ids["agent"], ids["manager"]


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
        # The builder picks versions by bisecting, in the thread, without queries: check it
        # agrees with the selector at every boundary before trusting it with a million rows.
        probes = [now - datetime.timedelta(days=HISTORY_DAYS), now]
        for v in published:
            probes += [v.effective_from - datetime.timedelta(microseconds=1), v.effective_from]
        for at in probes:
            index = max(bisect.bisect_right(entry.effective, at.timestamp()) - 1, 0)
            assert entry.version_ids[index] == code_version_in_force(at=at, code=code).pk
        codes.append(entry)
    return codes, versions


def bench_seed(
    *,
    complaints: int,
    now: datetime.datetime | None = None,
    seed: int = 42,
    batch: int = 20_000,
    progress: Progress | None = None,
) -> SeedReport:
    """Top the database up to `complaints` complaints; returns what was loaded and how fast."""
    if complaints < 0 or batch < 1:
        raise ValueError("complaints must be >= 0 and batch >= 1")
    now = now or timezone.now()
    say = progress or (lambda line: None)
    before = Complaint.objects.count()
    report = SeedReport(before=before, after=before)
    to_create = complaints - before
    if to_create <= 0:
        return report

    began = time.perf_counter()
    agents, managers = staff_ensure()
    codes, versions = _codes(now)
    memo = _ClockMemo({pk: code_rules(v) for pk, v in versions.items()})
    tiers = EscalationTier.objects.values("version").annotate(top=models.Max("level"))
    max_tier = dict.fromkeys(versions, 0) | {row["version"]: row["top"] for row in tiers}
    references = set(Complaint.objects.values_list("reference", flat=True)) if before else set()
    builder = _Builder(
        now=now, codes=codes, labels={pk: str(v) for pk, v in versions.items()},
        max_tier=max_tier, memo=memo, agents=agents, managers=managers,
        references=references, seed=f"{seed}:{before}",
    )  # fmt: skip
    writer = _CopyWriter() if connection.vendor == "postgresql" else _OrmWriter()
    sizes = [batch] * (to_create // batch) + ([to_create % batch] if to_create % batch else [])

    def job(number: int) -> Any:
        n = sizes[number]
        customer_ids = writer.reserve(Customer, math.ceil(n / 3))
        complaint_ids = writer.reserve(Complaint, n)
        return lambda: writer.prepare(builder.build(number, customer_ids, complaint_ids))

    say(f"bench_seed: {before:,} complaints present; adding {to_create:,} in {len(sizes)} batches")
    done = 0
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="bench-build") as pool:
        pending = pool.submit(job(0))
        for number in range(len(sizes)):
            payload = pending.result()
            if number + 1 < len(sizes):
                pending = pool.submit(job(number + 1))
            writer.write(payload)
            done += sizes[number]
            elapsed = time.perf_counter() - began
            say(
                f"  {done:>11,} / {to_create:,} complaints {elapsed:7.1f} s {done / elapsed:9,.0f}/s"
            )

    report.analyze_seconds = writer.finish()
    report.after = before + to_create
    report.seconds = time.perf_counter() - began
    report.build_seconds = builder.build_seconds
    report.clocks_computed, report.clocks_assembled = memo.computed, memo.assembled
    report.tables = writer.loads
    return report

"""What the bench data looks like: the weights, words and instants the builders draw from.

Part of the seeder (bench/seed.py); pure data, no database.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import math
import random
from typing import Any

from complaints.models import (
    OPEN_STATUSES,
    Status,
)
from escalation.choices import Channel

UTC = datetime.UTC
GRID = 300  # seconds: every generated instant is a whole 5 minutes, so clock inputs repeat
HISTORY_DAYS = 548  # 18 months
AGENTS, MANAGERS = 20, 5
CURRENT_CODE_SHARE = 0.92  # the rest were deliberately re-applied to another shipped code


class Weighted:
    """A fixed weighted choice; cumulative weights are summed once, not per row."""

    def __init__(self, weights: dict[Any, float]) -> None:
        self.values = list(weights)
        self.cum = list(itertools.accumulate(weights.values()))

    def pick(self, rng: random.Random) -> Any:
        return self.values[bisect.bisect(self.cum, rng.random() * self.cum[-1])]


def _words(text: str) -> list[str]:
    return text.split("|")


CHANNELS = Weighted({"phone": 45, "email": 30, "web": 15, "letter": 8, "in_person": 2})
NATIONS = Weighted({"ENG": 80, "WLS": 5, "SCT": 10, "NIR": 5})
CATEGORIES = Weighted(
    {"billing": 30, "fault_repair": 25, "service": 20, "sales": 10, "pricing": 8, "other": 7}
)
_ANY_HOUR = dict(
    enumerate((1, 1, 1, 1, 1, 1, 2, 4, 7, 9, 9, 9, 8, 8, 8, 8, 8, 7, 7, 7, 6, 5, 3, 2))
)
# When each channel's complaints arrive, London time: a weight per weekday (Mon..Sun), an hour.
ARRIVALS: dict[str, tuple[tuple[float, ...], Weighted]] = {
    "phone": ((1, 1, 1, 1, 1, 0.3, 0), Weighted(dict(zip(range(8, 20), (4, 9, 10, 9, 7, 8, 9, 8, 7, 5, 3, 2), strict=True)))),
    "email": ((1, 1, 1, 1, 1, 0.5, 0.4), Weighted(_ANY_HOUR)),
    "web": ((1, 1, 1, 1, 1, 0.6, 0.5), Weighted(_ANY_HOUR)),
    "letter": ((1, 1, 1, 1, 1, 0, 0), Weighted({9: 5, 10: 4, 11: 2})),  # post opened mornings
    "in_person": ((1, 1, 1, 1, 1, 0.7, 0), Weighted(dict.fromkeys(range(9, 18), 1))),
}  # fmt: skip
# Status by age of the complaint in days: old ones are mostly resolved or closed.
STATUS_BY_AGE = (
    (2, Weighted({"new": 35, "acknowledged": 25, "investigating": 25, "awaiting_customer": 8,
                   "escalated": 3, "resolved": 4})),
    (10, Weighted({"new": 5, "acknowledged": 8, "investigating": 27, "awaiting_customer": 25,
                    "escalated": 8, "final_response": 5, "resolved": 18, "closed": 4})),
    (56, Weighted({"investigating": 6, "awaiting_customer": 8, "escalated": 5,
                    "final_response": 5, "deadlock": 3, "resolved": 35, "closed": 38})),
    (math.inf, Weighted({"escalated": 0.4, "final_response": 0.4, "deadlock": 3,
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

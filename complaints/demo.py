"""Demo data for `make run`, built relative to the day it first runs.

Every shipped code governs some complaints, at every stage: new, acknowledged, answered and
waiting on the customer, escalated, at deadlock, resolved. Their dates are counted back from
today in each code's own working days, so on any day a few clocks fall due today, a few are
breached and the rest lie ahead; nothing promises a date that has already passed unless it is
meant to show as breached. Built through the same services staff and customers use.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User

from complaints.models import Complaint, ContactMethod, Customer
from complaints.services import complaint_create, customer_create
from complaints.workflows import actions, customer_actions
from escalation.calendar import WorkingCalendar, local_date, opening_time_on
from escalation.models import CodeVersion
from escalation.selectors import code_rules

DEMO_CUSTOMERS: list[dict[str, Any]] = [
    {
        "name": "Casey Customer",
        "email": "casey@example.com",
        "phone": "07700 900123",
        "postcode": "BS31 2UG",
        "account_reference": "ACC-100001",
        "nation": "ENG",
    },
    {
        "name": "Isla MacLeod",
        "email": "isla@example.co.uk",
        "postcode": "EH1 1YZ",
        "account_reference": "ACC-100002",
        "nation": "SCT",
        "preferred_contact": "phone",
        "phone": "0131 496 0000",
    },
    {
        "name": "Harbour Print Ltd",
        "kind": "business",
        "employee_count": 8,
        "email": "office@harbourprint.example",
        "postcode": "BT1 5GS",
        "account_reference": "ACC-200417",
        "nation": "NIR",
    },
    {
        "name": "Dafydd Jones",
        "email": "",
        "address": "4 Heol y Castell\nCardiff",
        "postcode": "CF10 1AA",
        "account_reference": "ACC-100003",
        "nation": "WLS",
        "preferred_contact": "letter",
        "vulnerability_flags": ["sight"],
        "vulnerability_notes": "Prefers large print letters (18pt).",
    },
    {
        "name": "Priya Shah",
        "email": "priya.shah@example.org",
        "phone": "07700 900456",
        "postcode": "M1 1AE",
        "account_reference": "ACC-100004",
        "nation": "ENG",
    },
]

LONDON = ZoneInfo("Europe/London")
Step = Callable[[Complaint, User, datetime.datetime], Any]


@dataclass(frozen=True)
class DemoComplaint:
    code: str
    customer: int
    channel: str
    category: str
    department: str
    summary: str
    # Received this many of the code's working days before today, at `hour` local time.
    working_days_ago: int
    hour: int = 10
    # (working days ago, step): what staff and the customer did since, oldest first.
    steps: tuple[tuple[int, Step], ...] = field(default_factory=tuple)
    assigned: bool = True


def _ack(c: Complaint, by: User, now: datetime.datetime) -> Any:
    return actions.complaint_acknowledge(complaint_id=c.pk, by=by, now=now, expected_version=None)


def _update(text: str, method: str = ContactMethod.EMAIL) -> Step:
    def step(c: Complaint, by: User, now: datetime.datetime) -> Any:
        return actions.complaint_send_update(
            complaint_id=c.pk, by=by, now=now, expected_version=None, body=text, method=method
        )

    return step


def _propose(text: str) -> Step:
    def step(c: Complaint, by: User, now: datetime.datetime) -> Any:
        return actions.complaint_propose_resolution(
            complaint_id=c.pk, by=by, now=now, expected_version=None, body=text
        )

    return step


def _escalate(reason: str) -> Step:
    def step(c: Complaint, by: User, now: datetime.datetime) -> Any:
        return actions.complaint_escalate(
            complaint_id=c.pk, by=by, now=now, expected_version=None, reason=reason
        )

    return step


def _reject(text: str) -> Step:
    def step(c: Complaint, by: User, now: datetime.datetime) -> Any:
        return customer_actions.customer_reject_resolution(complaint_id=c.pk, now=now, body=text)

    return step


def _deadlock(text: str) -> Step:
    def step(c: Complaint, by: User, now: datetime.datetime) -> Any:
        return actions.complaint_issue_deadlock(
            complaint_id=c.pk, by=by, now=now, expected_version=None, body=text
        )

    return step


def _request_deadlock(c: Complaint, by: User, now: datetime.datetime) -> Any:
    return customer_actions.customer_request_deadlock(
        complaint_id=c.pk, now=now, body="Please send the deadlock letter so I can go to OSComs."
    )


def _resolved(text: str) -> Step:
    def step(c: Complaint, by: User, now: datetime.datetime) -> Any:
        return actions.complaint_mark_resolved(
            complaint_id=c.pk, by=by, now=now, expected_version=None, body=text
        )

    return step


INFINITY, SOVISION, OFCOM = "infinity-group-2016", "sovision-it-2016", "ofcom-2026"

DEMO_COMPLAINTS: tuple[DemoComplaint, ...] = (
    # Infinity: email 5 wd, letter 10 wd, phone call-back 5 wd; Operations → Managing Director.
    DemoComplaint(
        INFINITY,
        4,
        "email",
        "billing",
        "accounts",
        "Direct debit taken on the wrong date",
        0,
        hour=9,
    ),
    DemoComplaint(
        INFINITY,
        0,
        "email",
        "billing",
        "accounts",
        "Charged twice for October's line rental",
        5,
        steps=((4, _ack),),
    ),
    DemoComplaint(
        INFINITY,
        3,
        "letter",
        "billing",
        "accounts",
        "Paper bill not sent in large print as agreed",
        12,
        assigned=False,
    ),
    DemoComplaint(
        INFINITY,
        2,
        "phone",
        "fault_repair",
        "technical",
        "Phone line crackles after engineer visit",
        2,
        steps=((1, _update("Line test booked; we will call you back.", ContactMethod.PHONE)),),
    ),
    DemoComplaint(
        INFINITY,
        4,
        "email",
        "service",
        "technical",
        "Engineer missed two booked appointments",
        20,
        steps=(
            (19, _ack),
            (14, _propose("A £30 credit for the missed visits.")),
            (12, _reject("Thirty pounds does not cover two days off work.")),
        ),
    ),
    DemoComplaint(
        INFINITY,
        0,
        "letter",
        "sales",
        "accounts",
        "Early termination fee charged after moving house",
        45,
        steps=(
            (44, _ack),
            (40, _propose("We will halve the fee.")),
            (38, _reject("The fee should not apply at all.")),
            (30, _escalate("Still unresolved at Operations Director level.")),
            (25, _deadlock("We cannot waive a fee the contract sets out.")),
        ),
    ),
    # soVision: acknowledge emails in 1 wd, respond in 2 wd, resolve in 10, auto-close after 10.
    DemoComplaint(
        SOVISION,
        0,
        "web",
        "service",
        "technical",
        "Broadband drops every evening since the storm",
        0,
        hour=9,
    ),
    DemoComplaint(
        SOVISION,
        1,
        "email",
        "fault_repair",
        "technical",
        "Router replacement never arrived",
        2,
        steps=((1, _ack),),
    ),
    DemoComplaint(
        SOVISION,
        2,
        "email",
        "billing",
        "accounts",
        "Invoice shows services we cancelled",
        4,
        assigned=False,
    ),
    DemoComplaint(
        SOVISION,
        0,
        "phone",
        "pricing",
        "accounts",
        "Price rise not explained when contract renewed",
        6,
        steps=((5, _propose("We will refund the difference for two months.")),),
    ),
    DemoComplaint(
        SOVISION,
        4,
        "email",
        "service",
        "technical",
        "Support ticket closed without a fix",
        15,
        steps=(
            (15, _ack),
            (13, _propose("A new router and a line test.")),
            (10, _reject("The new router did not help.")),
            (3, _request_deadlock),
        ),
    ),
    DemoComplaint(
        SOVISION,
        1,
        "letter",
        "fault_repair",
        "technical",
        "Repeated outages at the shop",
        30,
        steps=(
            (29, _update("An engineer is booked.")),
            (27, _propose("A month's credit and a line rebuild.")),
            (26, _resolved("Line rebuilt; the customer confirmed it works.")),
        ),
    ),
    # ofcom-2026 ships with the provider's own windows (none), so only the ADR clocks run.
    DemoComplaint(OFCOM, 4, "web", "billing", "accounts", "Roaming charges after opting out", 3),
    DemoComplaint(
        OFCOM,
        2,
        "email",
        "service",
        "technical",
        "Leased line repair took three weeks",
        25,
        steps=((24, _ack), (20, _update("We are waiting on the wholesale provider."))),
    ),
)


def _calendar(version: CodeVersion, nation: str) -> WorkingCalendar:
    rules = code_rules(version)
    return WorkingCalendar(
        office_hours=rules.office_hours, nation=nation, closure_days=rules.closure_days
    )


def _working_days_before(calendar: WorkingCalendar, today: datetime.date, n: int) -> datetime.date:
    """The `n`th working day before `today` (today itself, or the last working day, for 0)."""
    day = today
    while not calendar.is_working_day(day):
        day -= datetime.timedelta(days=1)
    while n > 0:
        day -= datetime.timedelta(days=1)
        if calendar.is_working_day(day):
            n -= 1
    return day


def _instant(calendar: WorkingCalendar, day: datetime.date, hour: int) -> datetime.datetime:
    """`hour` o'clock on `day` in London, but never before the office opens."""
    wall = datetime.datetime.combine(day, datetime.time(hour), tzinfo=LONDON)
    return max(wall, opening_time_on(day, calendar.office_hours))


def demo_complaints_create(
    *, customers: list[Customer], agent: User, manager: User, now: datetime.datetime
) -> list[Complaint]:
    """Log every demo complaint and play its steps at their (past) instants."""
    versions = {
        v.code.slug: v
        for v in CodeVersion.objects.select_related("code").filter(
            status=CodeVersion.Status.PUBLISHED
        )
    }
    today = local_date(now)
    made = []
    for demo in DEMO_COMPLAINTS:
        version = versions[demo.code]
        customer = customers[demo.customer]
        calendar = _calendar(version, customer.nation)
        received = min(
            now, _instant(calendar, _working_days_before(calendar, today, demo.working_days_ago),
                          demo.hour)
        )  # fmt: skip
        complaint = complaint_create(
            customer=customer,
            channel=demo.channel,
            category=demo.category,
            department=demo.department,
            summary=demo.summary,
            details=f"{demo.summary}. Logged as demo data.",
            first_made_at=received,
            received_at=received,
            now=received,
            by=agent,
            code_version=version,
            assigned_to=agent if demo.assigned else None,
            # Only today's complaints email an acknowledgement: older ones would arrive now
            # promising dates that have passed.
            acknowledge=demo.working_days_ago == 0,
        )
        for days_ago, step in demo.steps:
            day = _working_days_before(calendar, today, days_ago)
            at = min(now, _instant(calendar, day, 14))
            step(complaint, manager, at)
        made.append(complaint)
    return made


def demo_customers_create(*, portal_user: User) -> list[Customer]:
    customers = []
    for i, fields in enumerate(DEMO_CUSTOMERS):
        extra = {"portal_user": portal_user} if i == 0 else {}
        customers.append(customer_create(**fields, **extra))
    return customers

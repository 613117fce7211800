"""Every clock a complaint has, computed from a code's rules. Pure: no Django, `now` never read.

The rules are a frozen snapshot of a code version (`CodeVersion.rules()` builds one), so the same
function serves complaints, the `deadlines` command, the admin what-if page and the bench seeder.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field

from escalation.calendar import (
    LONDON,
    OfficeHours,
    WorkingCalendar,
    local_date,
    months_after,
    weeks_after,
)

CONSUMER = None  # employees=None means the customer is a consumer, not a business


@dataclass(frozen=True)
class ChannelRule:
    acknowledge_working_days: int | None = None
    respond_working_days: int | None = None


@dataclass(frozen=True)
class CodeRules:
    office_hours: OfficeHours
    channels: Mapping[str, ChannelRule]
    adr_period_weeks: int
    resolve_working_days: int | None = None
    auto_close_working_days: int | None = None
    adr_period_applies_from: datetime.date | None = None
    adr_period_weeks_before: int | None = None
    refer_by_months_after_letter: int | None = None
    refer_by_months_after_first_made: int | None = None
    adr_employee_threshold: int = 10
    adr_threshold_inclusive: bool = True
    adr_excluded_categories: frozenset[str] = frozenset()
    closure_days: frozenset[datetime.date] = frozenset()
    # Reminders before each staff-facing clock; None = no reminders.
    reminder_working_days_before: int | None = 1
    # soVision ("confirms that we agree that you may refer") and Ofcom: the deadlock letter
    # opens ADR on its date; Infinity ("only once 8 weeks have passed"): it does not.
    deadlock_opens_adr: bool = False
    formal_respond_working_days: int | None = None
    adr_letter_due_working_days: int | None = None


@dataclass(frozen=True)
class ClockInputs:
    channel: str
    received: datetime.datetime
    first_made: datetime.datetime
    nation: str = "ENG"
    category: str = "other"
    employees: int | None = CONSUMER
    letter_date: datetime.date | None = None
    responded: datetime.datetime | None = None
    resolution_actioned: datetime.datetime | None = None
    # "deadlock" or "adr_period": what our letter of letter_date was written for.
    letter_reason: str = "deadlock"
    escalated: datetime.datetime | None = None
    adr_letter_asked: datetime.datetime | None = None
    customer_request_at: datetime.datetime | None = None


# A customer's request awaiting a manager is answered within the code's web-form response
# window (the request arrives through the web); a code with no such window gets this many.
CUSTOMER_REQUEST_WORKING_DAYS = 5


@dataclass(frozen=True)
class Clocks:
    effective_receipt: datetime.datetime
    acknowledge_by: datetime.datetime | None
    respond_by: datetime.datetime | None
    resolve_by: datetime.datetime | None
    adr_eligible_from: datetime.date
    adr_refer_by: datetime.date | None
    auto_close_at: datetime.datetime | None
    adr_eligible: bool
    adr_ineligible_reason: str
    formal_respond_by: datetime.datetime | None = None
    adr_letter_due_by: datetime.datetime | None = None
    customer_request_by: datetime.datetime | None = None
    # clock name -> the rule that produced it, in words, for the complaint page and audit trail
    reasons: Mapping[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, datetime.datetime | datetime.date | None]:
        return {
            "acknowledge_by": self.acknowledge_by,
            "respond_by": self.respond_by,
            "resolve_by": self.resolve_by,
            "formal_respond_by": self.formal_respond_by,
            "adr_letter_due_by": self.adr_letter_due_by,
            "adr_eligible_from": self.adr_eligible_from,
            "adr_refer_by": self.adr_refer_by,
            "auto_close_at": self.auto_close_at,
            "customer_request_by": self.customer_request_by,
        }


def _fmt(instant: datetime.datetime) -> str:
    return instant.astimezone(LONDON).strftime("%a %d %b %Y %H:%M")


def _wd(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


def adr_eligibility(rules: CodeRules, *, employees: int | None, category: str) -> tuple[bool, str]:
    if employees is not None:
        if employees < 0:
            raise ValueError("employees cannot be negative")
        limit = rules.adr_employee_threshold
        too_big = employees > limit if rules.adr_threshold_inclusive else employees >= limit
        if too_big:
            bound = f"{limit} or fewer" if rules.adr_threshold_inclusive else f"fewer than {limit}"
            return False, (
                f"The ADR scheme takes businesses with {bound} employees; "
                f"this customer has {employees}."
            )
    if category in rules.adr_excluded_categories:
        return False, f"The ADR scheme does not deal with {category.replace('_', ' ')} complaints."
    return True, ""


def adr_period_weeks(rules: CodeRules, first_made: datetime.datetime) -> int:
    start = rules.adr_period_applies_from
    if start is not None and local_date(first_made) < start and rules.adr_period_weeks_before:
        return rules.adr_period_weeks_before
    return rules.adr_period_weeks


def compute_clocks(rules: CodeRules, inputs: ClockInputs) -> Clocks:
    for name in (
        "received",
        "first_made",
        "responded",
        "resolution_actioned",
        "escalated",
        "adr_letter_asked",
        "customer_request_at",
    ):
        value = getattr(inputs, name)
        if value is not None and value.tzinfo is None:
            raise ValueError(f"{name} must carry a timezone")
    if inputs.channel not in rules.channels and inputs.channel not in _KNOWN_CHANNELS:
        raise ValueError(f"unknown channel {inputs.channel!r}")

    calendar = WorkingCalendar(
        office_hours=rules.office_hours, nation=inputs.nation, closure_days=rules.closure_days
    )
    effective = calendar.effective_receipt(inputs.received)
    window = rules.channels.get(inputs.channel, ChannelRule())
    reasons: dict[str, str] = {}
    from_receipt = f"from effective receipt {_fmt(effective)}"

    def within(n: int | None, name: str, what: str) -> datetime.datetime | None:
        if n is None:
            return None
        reasons[name] = f"{what} within {_wd(n)} {from_receipt}, by closing time"
        return calendar.due_after_working_days(inputs.received, n)

    made = _CHANNEL_WORDS[inputs.channel]
    acknowledge_by = within(
        window.acknowledge_working_days, "acknowledge_by", f"Acknowledge a complaint made {made}"
    )
    respond_by = within(
        window.respond_working_days, "respond_by", f"Respond to a complaint made {made}"
    )
    resolve_by = within(rules.resolve_working_days, "resolve_by", "Resolve")

    def after(start: datetime.datetime | None, n: int | None, name: str, what: str):
        """Closing time N working days after a later event (escalation, a letter asked for)."""
        if start is None or n is None:
            return None
        reasons[name] = f"{what} within {_wd(n)} of {_fmt(start)}, by closing time"
        return calendar.due_after_working_days(start, n)

    formal_respond_by = after(
        inputs.escalated, rules.formal_respond_working_days, "formal_respond_by",
        "Give our position after escalation",
    )  # fmt: skip
    adr_letter_due_by = after(
        inputs.adr_letter_asked, rules.adr_letter_due_working_days, "adr_letter_due_by",
        "A manager sends the ADR letter asked for (or queued for approval)",
    )  # fmt: skip

    adr_eligible_from, reasons["adr_eligible_from"] = _adr_eligible_from(rules, inputs)
    adr_refer_by, refer_reason = _adr_refer_by(rules, inputs)
    if refer_reason:
        reasons["adr_refer_by"] = refer_reason

    auto_close_at = None
    starts = [t for t in (inputs.responded, inputs.resolution_actioned) if t is not None]
    if rules.auto_close_working_days is not None and starts:
        later = max(starts)
        which = "our response" if later == inputs.responded else "the actioning of the resolution"
        auto_close_at = calendar.due_after_working_days(later, rules.auto_close_working_days)
        reasons["auto_close_at"] = (
            f"Closed as resolved {_wd(rules.auto_close_working_days)} after {which} "
            f"({_fmt(later)}) unless the customer replies"
        )

    customer_request_by = None
    # A request that itself started the ADR letter clock (soVision: "ask us to provide you with
    # a 'deadlock' letter") is answered by that clock, not by a second one at the same instant.
    answered_by_letter_clock = (
        adr_letter_due_by is not None and inputs.customer_request_at == inputs.adr_letter_asked
    )
    if inputs.customer_request_at is not None and not answered_by_letter_clock:
        web = rules.channels.get("web", ChannelRule()).respond_working_days
        days = web if web is not None else CUSTOMER_REQUEST_WORKING_DAYS
        customer_request_by = calendar.due_after_working_days(inputs.customer_request_at, days)
        reasons["customer_request_by"] = (
            f"A manager answers the customer's request of {_fmt(inputs.customer_request_at)} "
            f"within {_wd(days)}, by closing time"
        )

    eligible, why_not = adr_eligibility(rules, employees=inputs.employees, category=inputs.category)
    return Clocks(
        effective_receipt=effective,
        acknowledge_by=acknowledge_by,
        respond_by=respond_by,
        resolve_by=resolve_by,
        formal_respond_by=formal_respond_by,
        adr_letter_due_by=adr_letter_due_by,
        adr_eligible_from=adr_eligible_from,
        adr_refer_by=adr_refer_by,
        auto_close_at=auto_close_at,
        adr_eligible=eligible,
        adr_ineligible_reason=why_not,
        customer_request_by=customer_request_by,
        reasons=reasons,
    )


def _adr_eligible_from(rules: CodeRules, inputs: ClockInputs) -> tuple[datetime.date, str]:
    """The ADR period from first made, or our deadlock letter's date where the code says such
    a letter opens ADR at once and it came first."""
    weeks = adr_period_weeks(rules, inputs.first_made)
    after_period = weeks_after(inputs.first_made, weeks)
    reason = f"{weeks} weeks after the complaint was first made on {local_date(inputs.first_made):%d %b %Y}"
    letter = inputs.letter_date
    if (
        rules.deadlock_opens_adr
        and letter is not None
        and inputs.letter_reason == "deadlock"
        and letter < after_period
    ):
        return letter, (
            f"Our deadlock letter dated {letter:%d %b %Y} opens ADR at once (before the "
            f"{weeks}-week period would end on {after_period:%d %b %Y})"
        )
    return after_period, reason


def _adr_refer_by(rules: CodeRules, inputs: ClockInputs) -> tuple[datetime.date | None, str]:
    """Months after our letter; without one, months after first made. An ADR-period letter
    never shortens the time a seed gives "if we never wrote" a deadlock letter."""
    first_made = local_date(inputs.first_made)
    fallback = None
    if rules.refer_by_months_after_first_made is not None:
        fallback = months_after(first_made, rules.refer_by_months_after_first_made)
    months = rules.refer_by_months_after_letter
    if inputs.letter_date is not None and months is not None:
        after_letter = months_after(inputs.letter_date, months)
        what = "deadlock letter" if inputs.letter_reason == "deadlock" else "ADR letter"
        if inputs.letter_reason != "deadlock" and fallback is not None and fallback > after_letter:
            return fallback, (
                f"{rules.refer_by_months_after_first_made} months after the complaint was first "
                f"made: later than {months} months after our {what} dated "
                f"{inputs.letter_date:%d %b %Y}, and we have not written a deadlock letter"
            )
        return after_letter, f"{months} months after our {what} dated {inputs.letter_date:%d %b %Y}"
    if fallback is not None:
        return fallback, (
            f"{rules.refer_by_months_after_first_made} months after the complaint was first made, "
            "as we have not written a deadlock letter"
        )
    return None, ""


_CHANNEL_WORDS = {
    "phone": "by phone",
    "email": "by email",
    "letter": "by letter",
    "web": "through the web form",
    "in_person": "in person",
}
_KNOWN_CHANNELS = frozenset(_CHANNEL_WORDS)


def next_due(
    *,
    waiting_on_us: bool,
    waiting_on_customer: bool,
    acknowledge_by: datetime.datetime | None,
    acknowledged_at: datetime.datetime | None,
    respond_by: datetime.datetime | None,
    first_response_at: datetime.datetime | None,
    promised_by: datetime.datetime | None,
    resolve_by: datetime.datetime | None,
    resolution_provided_at: datetime.datetime | None = None,
    formal_respond_by: datetime.datetime | None = None,
    final_position_at: datetime.datetime | None = None,
    adr_letter_due_by: datetime.datetime | None = None,
    adr_letter_issued_at: datetime.datetime | None = None,
    customer_request_by: datetime.datetime | None = None,
) -> tuple[datetime.datetime | None, str]:
    """The earliest clock still waiting on us, or (None, "") when nothing is.

    `waiting_on_us` is False once the complaint is no longer open; `waiting_on_customer` while
    the customer has our response or final position (resolve_by is then not our delay).
    `customer_request_by` is passed only while a customer's request awaits a manager: it is
    waiting on us whatever the status (a deadlock request after our final position above all).
    """
    pending: list[tuple[datetime.datetime, str]] = []
    if customer_request_by:
        pending.append((customer_request_by, "customer_request_by"))
    if not waiting_on_us:
        return min(pending) if pending else (None, "")
    if acknowledged_at is None and acknowledge_by:
        pending.append((acknowledge_by, "acknowledge_by"))
    if first_response_at is None and respond_by:
        pending.append((respond_by, "respond_by"))
    if promised_by:
        pending.append((promised_by, "promised_by"))
    # soVision's objective is to *provide* a resolution: met once one is proposed or remedied.
    if resolve_by and not waiting_on_customer and resolution_provided_at is None:
        pending.append((resolve_by, "resolve_by"))
    if formal_respond_by and final_position_at is None:
        pending.append((formal_respond_by, "formal_respond_by"))
    # The letter is owed whatever the status: a deadlock request comes after our final position.
    if adr_letter_due_by and adr_letter_issued_at is None:
        pending.append((adr_letter_due_by, "adr_letter_due_by"))
    if not pending:
        return None, ""
    return min(pending)

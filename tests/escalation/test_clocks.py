"""compute_clocks on hand-made rules: pure, no database."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from escalation.calendar import LONDON, OfficeHours
from escalation.clocks import (
    ChannelRule,
    ClockInputs,
    CodeRules,
    adr_eligibility,
    adr_period_weeks,
    compute_clocks,
)

UTC = datetime.UTC
RULES = CodeRules(
    office_hours=OfficeHours(opens=datetime.time(9, 0), closes=datetime.time(17, 0)),
    channels={"email": ChannelRule(acknowledge_working_days=1, respond_working_days=2)},
    adr_period_weeks=8,
    resolve_working_days=10,
    auto_close_working_days=10,
    refer_by_months_after_letter=6,
    refer_by_months_after_first_made=9,
)
MONDAY_10AM = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)
INPUTS = ClockInputs(channel="email", received=MONDAY_10AM, first_made=MONDAY_10AM)


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def test_every_clock_produced_has_a_reason():
    # Given a complaint we responded to and wrote a letter about
    inputs = dataclasses.replace(
        INPUTS, responded=london(2026, 11, 4, 12), letter_date=datetime.date(2026, 12, 1)
    )
    # When the clocks are computed
    clocks = compute_clocks(RULES, inputs)
    # Then each clock that exists says, in words, which rule produced it
    produced = {name for name, value in clocks.as_dict().items() if value is not None}
    assert produced == {
        "acknowledge_by",
        "respond_by",
        "resolve_by",
        "adr_eligible_from",
        "adr_refer_by",
        "auto_close_at",
    }
    assert set(clocks.reasons) == produced
    assert all(clocks.reasons[name].strip() for name in produced)


def test_working_day_reasons_name_the_window_and_effective_receipt():
    clocks = compute_clocks(RULES, INPUTS)
    assert "made by email within 1 working day from" in clocks.reasons["acknowledge_by"]
    assert "within 2 working days" in clocks.reasons["respond_by"]
    assert "Mon 02 Nov 2026 10:00" in clocks.reasons["respond_by"]
    assert "within 10 working days" in clocks.reasons["resolve_by"]


def test_adr_reasons_name_the_period_and_the_date():
    clocks = compute_clocks(RULES, INPUTS)
    assert clocks.reasons["adr_eligible_from"] == (
        "8 weeks after the complaint was first made on 02 Nov 2026"
    )
    assert "9 months after the complaint was first made" in clocks.reasons["adr_refer_by"]


def test_refer_by_reason_names_the_letter_when_there_is_one():
    clocks = compute_clocks(
        RULES, dataclasses.replace(INPUTS, letter_date=datetime.date(2026, 12, 1))
    )
    assert clocks.adr_refer_by == datetime.date(2027, 6, 1)
    assert clocks.reasons["adr_refer_by"] == "6 months after our deadlock letter dated 01 Dec 2026"


def test_auto_close_reason_names_the_later_event():
    inputs = dataclasses.replace(
        INPUTS, responded=london(2026, 11, 4, 12), resolution_actioned=london(2026, 11, 6, 15)
    )
    clocks = compute_clocks(RULES, inputs)
    assert (
        "after the actioning of the resolution (Fri 06 Nov 2026 15:00)"
        in clocks.reasons["auto_close_at"]
    )


def test_no_auto_close_without_a_response_or_resolution():
    clocks = compute_clocks(RULES, INPUTS)
    assert clocks.auto_close_at is None
    assert "auto_close_at" not in clocks.reasons


def test_auto_close_from_resolution_alone():
    clocks = compute_clocks(
        RULES, dataclasses.replace(INPUTS, resolution_actioned=london(2026, 11, 4, 12))
    )
    # 10 working days after Wed 4 Nov → Wed 18 Nov, 17:00 GMT
    assert clocks.auto_close_at == datetime.datetime(2026, 11, 18, 17, 0, tzinfo=UTC)


def test_no_auto_close_when_the_code_has_none_even_after_a_response():
    rules = dataclasses.replace(RULES, auto_close_working_days=None)
    clocks = compute_clocks(rules, dataclasses.replace(INPUTS, responded=london(2026, 11, 4, 12)))
    assert clocks.auto_close_at is None


def test_channel_without_a_window_has_no_acknowledge_or_respond_clock():
    clocks = compute_clocks(RULES, dataclasses.replace(INPUTS, channel="phone"))
    assert clocks.acknowledge_by is None
    assert clocks.respond_by is None
    assert "respond_by" not in clocks.reasons


def test_results_are_utc():
    clocks = compute_clocks(RULES, INPUTS)
    assert clocks.respond_by == datetime.datetime(2026, 11, 4, 17, 0, tzinfo=UTC)
    assert clocks.respond_by.utcoffset() == datetime.timedelta(0)


# --- ADR period switch (Ofcom 2025 statement) -------------------------------------------------

SWITCHING = dataclasses.replace(
    RULES,
    adr_period_weeks=6,
    adr_period_applies_from=datetime.date(2026, 4, 8),
    adr_period_weeks_before=8,
)


def test_adr_period_is_the_new_one_on_the_switch_date():
    assert adr_period_weeks(SWITCHING, london(2026, 4, 8, 0, 0)) == 6


def test_adr_period_is_the_earlier_one_the_day_before():
    assert adr_period_weeks(SWITCHING, london(2026, 4, 7, 23, 59)) == 8


def test_adr_period_switch_is_decided_on_the_london_date():
    # 23:30Z on 7 April is already 8 April in BST
    assert adr_period_weeks(SWITCHING, datetime.datetime(2026, 4, 7, 23, 30, tzinfo=UTC)) == 6


def test_adr_period_without_a_switch_is_constant():
    assert adr_period_weeks(RULES, london(2016, 1, 1, 12)) == 8


def test_adr_eligible_from_uses_the_switched_period():
    first_made = london(2026, 4, 8, 10)
    clocks = compute_clocks(
        SWITCHING, ClockInputs(channel="email", received=first_made, first_made=first_made)
    )
    assert clocks.adr_eligible_from == datetime.date(2026, 5, 20)
    assert clocks.reasons["adr_eligible_from"].startswith("6 weeks")


def test_adr_eligible_from_counts_from_first_made_not_receipt():
    # First made on 3 Feb by phone, this letter received a week later
    clocks = compute_clocks(
        RULES,
        ClockInputs(
            channel="email", received=london(2026, 2, 10, 10), first_made=london(2026, 2, 3, 10)
        ),
    )
    assert clocks.adr_eligible_from == datetime.date(2026, 3, 31)


# --- eligibility and input checks ---------------------------------------------------------------


def test_negative_employees_is_refused():
    with pytest.raises(ValueError, match="negative"):
        adr_eligibility(RULES, employees=-1, category="other")


def test_naive_received_is_refused():
    with pytest.raises(ValueError, match="timezone"):
        compute_clocks(
            RULES, dataclasses.replace(INPUTS, received=datetime.datetime(2026, 11, 2, 10))
        )


def test_unknown_channel_is_refused():
    with pytest.raises(ValueError, match="unknown channel"):
        compute_clocks(RULES, dataclasses.replace(INPUTS, channel="fax"))

"""The clocks the ADR letters set or start (pure: no database): a deadlock letter opening ADR
at once, an ADR-period letter never shortening the refer-by time, the formal stage's response
clock, the manager's clock for an asked-for letter, and the resolution objective met when a
resolution is provided."""

from __future__ import annotations

import dataclasses
import datetime

from escalation.calendar import LONDON, OfficeHours
from escalation.clocks import ChannelRule, ClockInputs, CodeRules, compute_clocks, next_due

SOVISION = CodeRules(
    office_hours=OfficeHours(opens=datetime.time(9), closes=datetime.time(17)),
    channels={"email": ChannelRule(acknowledge_working_days=1, respond_working_days=2)},
    adr_period_weeks=8,
    resolve_working_days=10,
    refer_by_months_after_letter=6,
    refer_by_months_after_first_made=9,
    deadlock_opens_adr=True,
    formal_respond_working_days=10,
    adr_letter_due_working_days=2,
)
INFINITY = dataclasses.replace(SOVISION, deadlock_opens_adr=False)
FIRST_MADE = datetime.datetime(2026, 11, 4, 10, 0, tzinfo=LONDON)  # Wednesday
INPUTS = ClockInputs(channel="email", received=FIRST_MADE, first_made=FIRST_MADE)
LETTER = datetime.date(2026, 11, 16)


def test_a_deadlock_letter_opens_adr_on_its_date_under_sovision():
    """soVision: "This confirms that we agree that you may refer your complaint to our ADR
    scheme." """
    clocks = compute_clocks(SOVISION, dataclasses.replace(INPUTS, letter_date=LETTER))
    assert clocks.adr_eligible_from == LETTER
    assert clocks.reasons["adr_eligible_from"].startswith(
        "Our deadlock letter dated 16 Nov 2026 opens ADR at once"
    )


def test_a_deadlock_letter_does_not_open_adr_early_under_infinity():
    """Infinity: "Ombudsman Services: Communications can only be accessed once 8 weeks have
    passed since you first made your complaint" """
    clocks = compute_clocks(INFINITY, dataclasses.replace(INPUTS, letter_date=LETTER))
    assert clocks.adr_eligible_from == datetime.date(2026, 12, 30)


def test_a_letter_after_the_period_leaves_eligibility_at_the_period():
    late = datetime.date(2027, 1, 8)
    clocks = compute_clocks(SOVISION, dataclasses.replace(INPUTS, letter_date=late))
    assert clocks.adr_eligible_from == datetime.date(2026, 12, 30)


def test_an_adr_period_letter_never_opens_adr_early_and_never_shortens_the_nine_months():
    """Infinity: "In the unlikely case of our not having written to you, you will have up to 9
    months to contact Ombudsman Services: Communications." — the ADR-period letter does not say
    we are unable to resolve the complaint, so the 9 months from first made still stand when
    they are later than 6 months from that letter."""
    at_period = datetime.date(2026, 12, 30)
    clocks = compute_clocks(
        INFINITY,
        dataclasses.replace(INPUTS, letter_date=at_period, letter_reason="adr_period"),
    )
    assert clocks.adr_refer_by == datetime.date(2027, 8, 4)  # 9 months after 4 Nov 2026
    assert "9 months after the complaint was first made" in clocks.reasons["adr_refer_by"]


def test_an_adr_period_letter_under_ofcom_gives_twelve_months_from_the_letter():
    """Ofcom (2026): both schemes accept cases up to 12 months after the ADR letter."""
    ofcom = dataclasses.replace(
        SOVISION, refer_by_months_after_letter=12, refer_by_months_after_first_made=None
    )
    clocks = compute_clocks(
        ofcom,
        dataclasses.replace(
            INPUTS, letter_date=datetime.date(2026, 12, 16), letter_reason="adr_period"
        ),
    )
    assert clocks.adr_refer_by == datetime.date(2027, 12, 16)
    assert clocks.reasons["adr_refer_by"] == "12 months after our ADR letter dated 16 Dec 2026"


def test_the_formal_stage_has_its_own_response_clock_from_the_escalation():
    escalated = datetime.datetime(2026, 11, 9, 11, 0, tzinfo=LONDON)  # Monday
    clocks = compute_clocks(SOVISION, dataclasses.replace(INPUTS, escalated=escalated))
    assert clocks.formal_respond_by == datetime.datetime(2026, 11, 23, 17, 0, tzinfo=LONDON)


def test_an_asked_for_letter_is_due_from_a_manager_within_the_codes_working_days():
    """soVision: "You should ask us to provide you with a 'deadlock' letter" — once asked, a
    manager's clock runs (2 working days: the seed is silent)."""
    asked = datetime.datetime(2026, 11, 13, 16, 0, tzinfo=LONDON)  # Friday
    clocks = compute_clocks(SOVISION, dataclasses.replace(INPUTS, adr_letter_asked=asked))
    assert clocks.adr_letter_due_by == datetime.datetime(2026, 11, 17, 17, 0, tzinfo=LONDON)


def test_no_clock_without_its_event():
    clocks = compute_clocks(SOVISION, INPUTS)
    assert (clocks.formal_respond_by, clocks.adr_letter_due_by) == (None, None)


def _due(**kwargs):
    base = dict(
        waiting_on_us=True, waiting_on_customer=False, acknowledge_by=None, acknowledged_at=None,
        respond_by=None, first_response_at=None, promised_by=None, resolve_by=None,
    )  # fmt: skip
    return next_due(**{**base, **kwargs})


def test_the_resolution_objective_is_no_longer_due_once_a_resolution_was_provided():
    """soVision: "Our objective is to provide a resolution for all complaints within 10 working
    days." """
    resolve_by = datetime.datetime(2026, 11, 18, 17, 0, tzinfo=LONDON)
    assert _due(resolve_by=resolve_by) == (resolve_by, "resolve_by")
    assert _due(resolve_by=resolve_by, resolution_provided_at=FIRST_MADE) == (None, "")


def test_the_new_clocks_sort_the_queues_until_met():
    formal = datetime.datetime(2026, 11, 20, 17, 0, tzinfo=LONDON)
    letter = datetime.datetime(2026, 11, 19, 17, 0, tzinfo=LONDON)
    assert _due(formal_respond_by=formal, adr_letter_due_by=letter) == (letter, "adr_letter_due_by")
    assert _due(formal_respond_by=formal, adr_letter_due_by=letter,
                adr_letter_issued_at=FIRST_MADE) == (formal, "formal_respond_by")  # fmt: skip
    assert _due(formal_respond_by=formal, final_position_at=FIRST_MADE) == (None, "")

"""The customer-request clock and its place in next_due (pure: no database)."""

from __future__ import annotations

import datetime

from escalation.calendar import LONDON, OfficeHours, WorkingCalendar
from escalation.clocks import ChannelRule, ClockInputs, CodeRules, compute_clocks, next_due

HOURS = OfficeHours(opens=datetime.time(9), closes=datetime.time(17), weekdays=frozenset(range(5)))


def rules(web_days: int | None) -> CodeRules:
    channels = {"web": ChannelRule(respond_working_days=web_days)} if web_days else {}
    return CodeRules(office_hours=HOURS, channels=channels, adr_period_weeks=8)


def inputs(**kw) -> ClockInputs:
    received = datetime.datetime(2026, 12, 21, 10, tzinfo=LONDON)
    return ClockInputs(channel="email", received=received, first_made=received, **kw)


def test_a_request_is_due_within_the_web_response_window_across_christmas():
    asked = datetime.datetime(2026, 12, 23, 16, tzinfo=LONDON)
    clocks = compute_clocks(rules(2), inputs(customer_request_at=asked))
    # 24 Dec, then 29 Dec (25 and 28 Dec are bank holidays): closing time 29 Dec.
    assert clocks.customer_request_by == datetime.datetime(2026, 12, 29, 17, tzinfo=LONDON)
    assert "customer_request_by" in clocks.as_dict()


def test_a_code_without_a_web_window_gives_five_working_days():
    asked = datetime.datetime(2026, 11, 2, 10, tzinfo=LONDON)
    clocks = compute_clocks(rules(None), inputs(customer_request_at=asked))
    assert clocks.customer_request_by == datetime.datetime(2026, 11, 9, 17, tzinfo=LONDON)


def test_a_deadlock_request_that_started_the_letter_clock_has_no_second_clock():
    asked = datetime.datetime(2026, 11, 2, 10, tzinfo=LONDON)
    letter_rules = CodeRules(
        office_hours=HOURS, channels={}, adr_period_weeks=8, adr_letter_due_working_days=2
    )
    clocks = compute_clocks(letter_rules, inputs(customer_request_at=asked, adr_letter_asked=asked))
    assert clocks.adr_letter_due_by == datetime.datetime(2026, 11, 4, 17, tzinfo=LONDON)
    assert clocks.customer_request_by is None
    assert "customer_request_by" not in clocks.reasons


def test_a_request_other_than_the_letter_keeps_its_own_clock_beside_the_letter_clock():
    letter_asked = datetime.datetime(2026, 11, 2, 10, tzinfo=LONDON)
    asked = datetime.datetime(2026, 11, 3, 10, tzinfo=LONDON)
    letter_rules = CodeRules(
        office_hours=HOURS, channels={}, adr_period_weeks=8, adr_letter_due_working_days=2
    )
    clocks = compute_clocks(
        letter_rules, inputs(customer_request_at=asked, adr_letter_asked=letter_asked)
    )
    assert clocks.customer_request_by == datetime.datetime(2026, 11, 10, 17, tzinfo=LONDON)


def test_no_request_no_clock():
    assert compute_clocks(rules(2), inputs()).customer_request_by is None


def _due(**kw):
    base = dict(
        waiting_on_us=True, waiting_on_customer=False, acknowledge_by=None, acknowledged_at=None,
        respond_by=None, first_response_at=None, promised_by=None, resolve_by=None,
    )  # fmt: skip
    return next_due(**(base | kw))


def test_a_pending_request_is_next_due_while_the_customer_has_our_final_position():
    request_by = datetime.datetime(2026, 11, 4, 17, tzinfo=LONDON)
    resolve_by = datetime.datetime(2026, 11, 3, 17, tzinfo=LONDON)
    assert _due(waiting_on_customer=True, resolve_by=resolve_by,
                customer_request_by=request_by) == (request_by, "customer_request_by")  # fmt: skip


def test_the_earliest_clock_wins_over_a_later_request():
    respond_by = datetime.datetime(2026, 11, 3, 17, tzinfo=LONDON)
    request_by = datetime.datetime(2026, 11, 4, 17, tzinfo=LONDON)
    assert _due(respond_by=respond_by, customer_request_by=request_by) == (respond_by, "respond_by")


def test_working_days_between_skips_bank_holidays_and_weekends():
    calendar = WorkingCalendar(office_hours=HOURS, nation="SCT")
    assert (
        calendar.working_days_between(datetime.date(2026, 12, 31), datetime.date(2027, 1, 5)) == 1
    )
    assert calendar.working_days_between(datetime.date(2027, 1, 5), datetime.date(2027, 1, 5)) == 0

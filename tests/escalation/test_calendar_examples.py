"""Worked examples for the complaint clocks (DOMAIN.md, "The clocks").

Every expected value was worked out by hand from a printed calendar and the published UK bank
holidays, not taken from the implementation. Expected instants are written in UTC so that each
test also pins the GMT/BST conversion.
"""

import datetime

import pytest

from escalation.calendar import (
    LONDON,
    OfficeHours,
    WorkingCalendar,
    closing_time_on,
    local_date,
    months_after,
    weeks_after,
)

UTC = datetime.UTC
INFINITY_HOURS = OfficeHours(opens=datetime.time(9, 0), closes=datetime.time(17, 30))
SOVISION_HOURS = OfficeHours(opens=datetime.time(9, 0), closes=datetime.time(17, 0))


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=UTC)


def infinity(nation: str = "ENG", closure_days: tuple[datetime.date, ...] = ()) -> WorkingCalendar:
    return WorkingCalendar(office_hours=INFINITY_HOURS, nation=nation, closure_days=closure_days)


# --- DOMAIN.md clock 2 example ------------------------------------------------------------------


def test_domain_example_received_in_office_hours_is_due_five_working_days_later() -> None:
    # Given an email received Monday 2 November 2026 at 10:00 (GMT) in England
    received = london(2026, 11, 2, 10, 0)
    # When the 5-working-day email window is computed
    due = infinity().due_after_working_days(received, 5)
    # Then it is due Monday 9 November at 17:30, which is 17:30Z in winter
    assert due == utc(2026, 11, 9, 17, 30)


def test_domain_example_received_after_closing_counts_from_next_morning() -> None:
    # Given the same Monday, but at 17:45, after Infinity's 17:30 close
    received = london(2026, 11, 2, 17, 45)
    cal = infinity()
    # When the effective receipt and 5-working-day deadline are computed
    effective = cal.effective_receipt(received)
    due = cal.due_after_working_days(received, 5)
    # Then it counts from Tuesday 09:00 and is due Tuesday 10 November at 17:30
    assert effective == utc(2026, 11, 3, 9, 0)
    assert due == utc(2026, 11, 10, 17, 30)


# --- effective receipt --------------------------------------------------------------------------


def test_received_inside_office_hours_counts_from_that_moment_in_utc() -> None:
    received = london(2026, 11, 4, 13, 17)
    effective = infinity().effective_receipt(received)
    assert effective == utc(2026, 11, 4, 13, 17)
    assert effective.tzinfo is UTC


def test_received_exactly_at_opening_counts_from_that_moment() -> None:
    assert infinity().effective_receipt(london(2026, 11, 4, 9, 0)) == utc(2026, 11, 4, 9, 0)


def test_received_on_saturday_counts_from_monday_opening() -> None:
    # Saturday 7 November 2026 -> Monday 9 November 09:00
    assert infinity().effective_receipt(london(2026, 11, 7, 12, 0)) == utc(2026, 11, 9, 9, 0)


def test_received_before_opening_counts_from_opening_the_same_day() -> None:
    assert infinity().effective_receipt(london(2026, 11, 4, 8, 0)) == utc(2026, 11, 4, 9, 0)


def test_received_exactly_at_closing_counts_from_next_working_day() -> None:
    # Closing time is outside office hours: Wednesday 17:30 -> Thursday 09:00
    assert infinity().effective_receipt(london(2026, 11, 4, 17, 30)) == utc(2026, 11, 5, 9, 0)


def test_received_a_moment_before_closing_counts_from_that_moment() -> None:
    received = datetime.datetime(2026, 11, 4, 17, 29, 59, 999999, tzinfo=LONDON)
    assert infinity().effective_receipt(received) == received


def test_received_friday_evening_counts_from_monday_opening() -> None:
    assert infinity().effective_receipt(london(2026, 11, 6, 18, 0)) == utc(2026, 11, 9, 9, 0)


def test_effective_receipt_accepts_instants_in_any_timezone() -> None:
    # 05:00 in New York on Wednesday 4 November 2026 (EST, UTC-5) is 10:00 in London
    new_york = datetime.datetime(
        2026, 11, 4, 5, 0, tzinfo=datetime.timezone(-datetime.timedelta(hours=5))
    )
    assert infinity().effective_receipt(new_york) == utc(2026, 11, 4, 10, 0)


# --- zero and small windows ---------------------------------------------------------------------


def test_zero_working_days_is_closing_time_on_the_day_of_effective_receipt() -> None:
    assert infinity().due_after_working_days(london(2026, 11, 2, 10, 0), 0) == utc(
        2026, 11, 2, 17, 30
    )


def test_zero_working_days_from_weekend_is_closing_time_on_monday() -> None:
    assert infinity().due_after_working_days(london(2026, 11, 7, 10, 0), 0) == utc(
        2026, 11, 9, 17, 30
    )


def test_sovision_two_working_days_closes_at_five_pm() -> None:
    cal = WorkingCalendar(office_hours=SOVISION_HOURS)
    # Monday 16:59 is inside soVision's hours -> Wednesday 4 November 17:00
    assert cal.due_after_working_days(london(2026, 11, 2, 16, 59), 2) == utc(2026, 11, 4, 17, 0)


def test_sovision_received_at_five_pm_counts_from_next_day() -> None:
    cal = WorkingCalendar(office_hours=SOVISION_HOURS)
    # Monday 17:00 is soVision's close -> effective Tuesday -> due Thursday 5 November 17:00
    assert cal.due_after_working_days(london(2026, 11, 2, 17, 0), 2) == utc(2026, 11, 5, 17, 0)


# --- working-day primitives ---------------------------------------------------------------------


def test_next_working_day_after_friday_is_monday() -> None:
    assert infinity().next_working_day(datetime.date(2026, 11, 6)) == datetime.date(2026, 11, 9)


def test_working_days_after_zero_is_the_start_even_on_a_weekend() -> None:
    saturday = datetime.date(2026, 11, 7)
    assert infinity().working_days_after(saturday, 0) == saturday


def test_custom_weekdays_make_saturday_a_working_day() -> None:
    hours = OfficeHours(
        opens=datetime.time(9, 0), closes=datetime.time(13, 0), weekdays=frozenset({5})
    )
    cal = WorkingCalendar(office_hours=hours)
    assert cal.is_working_day(datetime.date(2026, 11, 7))
    assert not cal.is_working_day(datetime.date(2026, 11, 9))
    # Monday 2 November -> Saturday 7 November 09:00 (GMT)
    assert cal.effective_receipt(london(2026, 11, 2, 10, 0)) == utc(2026, 11, 7, 9, 0)


# --- Christmas and New Year ---------------------------------------------------------------------


def test_boxing_day_2026_falls_on_saturday_so_monday_28th_is_the_substitute() -> None:
    cal = infinity()
    assert not cal.is_working_day(datetime.date(2026, 12, 25))
    assert not cal.is_working_day(datetime.date(2026, 12, 28))
    assert cal.is_working_day(datetime.date(2026, 12, 29))


def test_christmas_2026_england_window_skips_three_bank_holidays() -> None:
    # Given an email received Wednesday 23 December 2026 at 10:00 in England
    received = london(2026, 12, 23, 10, 0)
    # When 5 working days are counted: Thu 24 (1), [Fri 25, Mon 28 holidays], Tue 29 (2),
    # Wed 30 (3), Thu 31 (4), [Fri 1 Jan holiday], Mon 4 Jan (5)
    due = infinity("ENG").due_after_working_days(received, 5)
    # Then it is due Monday 4 January 2027 at 17:30
    assert due == utc(2027, 1, 4, 17, 30)


def test_christmas_2026_scotland_also_skips_the_2_january_substitute() -> None:
    # Given the same receipt in Scotland, where 2 January 2027 (Saturday) moves to Monday 4th
    received = london(2026, 12, 23, 10, 0)
    # When 5 working days are counted
    due = infinity("SCT").due_after_working_days(received, 5)
    # Then the fifth working day is Tuesday 5 January 2027
    assert due == utc(2027, 1, 5, 17, 30)


def test_2_january_2026_is_a_holiday_in_scotland_only() -> None:
    friday = datetime.date(2026, 1, 2)
    assert not infinity("SCT").is_working_day(friday)
    assert infinity("ENG").is_working_day(friday)
    assert infinity("NIR").is_working_day(friday)


def test_scotland_2_january_2027_on_a_saturday_is_substituted_on_monday_4th() -> None:
    monday = datetime.date(2027, 1, 4)
    assert not infinity("SCT").is_working_day(monday)
    assert infinity("ENG").is_working_day(monday)


# --- Easter 2027 --------------------------------------------------------------------------------


def test_easter_2027_england_skips_good_friday_and_easter_monday() -> None:
    # Given receipt Thursday 25 March 2027 at 10:00 (still GMT)
    received = london(2027, 3, 25, 10, 0)
    # When 5 working days are counted: [Fri 26, Mon 29 holidays], Tue 30 (1), Wed 31 (2),
    # Thu 1 Apr (3), Fri 2 Apr (4), Mon 5 Apr (5)
    due = infinity("ENG").due_after_working_days(received, 5)
    # Then it is due Monday 5 April at 17:30 BST, which is 16:30Z
    assert due == utc(2027, 4, 5, 16, 30)


def test_easter_2027_scotland_works_easter_monday() -> None:
    # Scotland has Good Friday but not Easter Monday: Mon 29 (1) ... Fri 2 Apr (5)
    due = infinity("SCT").due_after_working_days(london(2027, 3, 25, 10, 0), 5)
    assert due == utc(2027, 4, 2, 16, 30)


def test_wales_follows_england_and_wales_bank_holidays() -> None:
    assert not infinity("WLS").is_working_day(datetime.date(2027, 3, 29))


# --- Scotland: St Andrew's Day ------------------------------------------------------------------


def test_st_andrews_day_2026_delays_scottish_deadline_but_not_english() -> None:
    # Given receipt Friday 27 November 2026 at 10:00 and a 1-working-day window
    received = london(2026, 11, 27, 10, 0)
    # When computed for England and for Scotland (Monday 30 November is St Andrew's Day)
    england = infinity("ENG").due_after_working_days(received, 1)
    scotland = infinity("SCT").due_after_working_days(received, 1)
    # Then England is due Monday 30th and Scotland Tuesday 1 December
    assert england == utc(2026, 11, 30, 17, 30)
    assert scotland == utc(2026, 12, 1, 17, 30)


# --- Northern Ireland ---------------------------------------------------------------------------


def test_st_patricks_day_2027_delays_northern_irish_deadline_only() -> None:
    # Tuesday 16 March 2027 + 1 working day; Wednesday 17th is St Patrick's Day in NI
    received = london(2027, 3, 16, 10, 0)
    assert infinity("ENG").due_after_working_days(received, 1) == utc(2027, 3, 17, 17, 30)
    assert infinity("NIR").due_after_working_days(received, 1) == utc(2027, 3, 18, 17, 30)


def test_battle_of_the_boyne_2027_moves_weekend_receipt_to_tuesday_in_ni() -> None:
    # Saturday 10 July 2027 (BST); Monday 12 July is the Boyne holiday in NI only
    received = london(2027, 7, 10, 11, 0)
    assert infinity("ENG").effective_receipt(received) == utc(2027, 7, 12, 8, 0)
    assert infinity("NIR").effective_receipt(received) == utc(2027, 7, 13, 8, 0)


def test_battle_of_the_boyne_2026_on_sunday_is_substituted_on_monday_13th() -> None:
    assert not infinity("NIR").is_working_day(datetime.date(2026, 7, 13))
    assert infinity("ENG").is_working_day(datetime.date(2026, 7, 13))


# --- company closure days -----------------------------------------------------------------------


def test_closure_days_are_skipped_when_counting() -> None:
    # Thursday 5 and Friday 6 November 2026 closed: Tue 3 (1), Wed 4 (2), Mon 9 (3), Tue 10 (4),
    # Wed 11 (5)
    cal = infinity(closure_days=(datetime.date(2026, 11, 5), datetime.date(2026, 11, 6)))
    assert cal.due_after_working_days(london(2026, 11, 2, 10, 0), 5) == utc(2026, 11, 11, 17, 30)


def test_received_on_a_closure_day_counts_from_next_working_day() -> None:
    cal = infinity(closure_days=(datetime.date(2026, 11, 4),))
    assert cal.effective_receipt(london(2026, 11, 4, 11, 0)) == utc(2026, 11, 5, 9, 0)


# --- clock changes ------------------------------------------------------------------------------


def test_window_spanning_october_clock_change_is_due_at_local_closing_time() -> None:
    # Given Thursday 22 October 2026 10:00 BST (09:00Z); clocks go back Sunday 25 October
    received = london(2026, 10, 22, 10, 0)
    assert received == utc(2026, 10, 22, 9, 0)
    cal = infinity()
    # When 5 working days are counted: Fri 23, Mon 26, Tue 27, Wed 28, Thu 29
    # Then receipt is unchanged and the deadline is 17:30 GMT = 17:30Z on Thursday 29th
    assert cal.effective_receipt(received) == utc(2026, 10, 22, 9, 0)
    assert cal.due_after_working_days(received, 5) == utc(2026, 10, 29, 17, 30)


def test_friday_evening_before_october_change_opens_monday_at_nine_gmt() -> None:
    # Friday 23 October 2026 17:45 BST (16:45Z) -> Monday 26 October 09:00 GMT = 09:00Z
    assert infinity().effective_receipt(utc(2026, 10, 23, 16, 45)) == utc(2026, 10, 26, 9, 0)


def test_window_spanning_march_clock_change_is_due_at_1630_utc() -> None:
    # Wednesday 25 March 2026 10:00 GMT; clocks go forward Sunday 29 March (Easter is April).
    # Thu 26 (1), Fri 27 (2), Mon 30 (3), Tue 31 (4), Wed 1 April (5), 17:30 BST = 16:30Z
    due = infinity().due_after_working_days(london(2026, 3, 25, 10, 0), 5)
    assert due == utc(2026, 4, 1, 16, 30)


def test_0830_utc_on_a_bst_day_is_0930_local_and_inside_hours() -> None:
    received = utc(2027, 3, 30, 8, 30)
    assert infinity().effective_receipt(received) == received


def test_0830_utc_on_a_gmt_day_is_before_opening() -> None:
    assert infinity().effective_receipt(utc(2027, 3, 2, 8, 30)) == utc(2027, 3, 2, 9, 0)


def test_after_hours_before_easter_and_clock_change_opens_tuesday_at_0800_utc() -> None:
    # Thursday 25 March 2027 17:45 GMT; Fri 26 and Mon 29 are holidays, clocks change Sunday 28th
    assert infinity().effective_receipt(utc(2027, 3, 25, 17, 45)) == utc(2027, 3, 30, 8, 0)


def test_closing_time_on_uses_the_offset_of_that_day() -> None:
    assert closing_time_on(datetime.date(2026, 7, 1), INFINITY_HOURS) == utc(2026, 7, 1, 16, 30)
    assert closing_time_on(datetime.date(2026, 12, 1), INFINITY_HOURS) == utc(2026, 12, 1, 17, 30)


def test_opening_time_in_the_skipped_march_hour_is_read_an_hour_later() -> None:
    # A Sunday-only office opening 01:30: on 28 March 2027 01:30 never happens, and PEP 495
    # reads it with the GMT offset, i.e. 01:30Z = 02:30 BST.
    hours = OfficeHours(
        opens=datetime.time(1, 30), closes=datetime.time(3, 0), weekdays=frozenset({6})
    )
    cal = WorkingCalendar(office_hours=hours)
    assert cal.effective_receipt(utc(2027, 3, 28, 0, 0)) == utc(2027, 3, 28, 1, 30)


def test_office_window_swallowed_by_march_change_moves_to_next_working_day() -> None:
    # Opening 01:30 (read as 02:30 BST) and closing 02:15 BST leave no office time on
    # 28 March 2027, so a Saturday receipt waits for Sunday 4 April 01:30 BST = 00:30Z.
    hours = OfficeHours(
        opens=datetime.time(1, 30), closes=datetime.time(2, 15), weekdays=frozenset({6})
    )
    cal = WorkingCalendar(office_hours=hours)
    assert cal.effective_receipt(utc(2027, 3, 27, 12, 0)) == utc(2027, 4, 4, 0, 30)


def test_receipt_early_on_a_day_whose_office_window_is_swallowed_waits_a_week() -> None:
    # Same office; 00:30Z on Sunday 28 March 2027 is before the (non-existent) opening that day.
    hours = OfficeHours(
        opens=datetime.time(1, 30), closes=datetime.time(2, 15), weekdays=frozenset({6})
    )
    cal = WorkingCalendar(office_hours=hours)
    assert cal.effective_receipt(utc(2027, 3, 28, 0, 30)) == utc(2027, 4, 4, 0, 30)


def test_repeated_october_hour_is_inside_hours_on_its_second_occurrence() -> None:
    # Sunday-only office 01:00-02:00 on 25 October 2026 opens at the first 01:00 (BST, 00:00Z)
    # and closes at 02:00 GMT (02:00Z), so 01:30 GMT (01:30Z) is inside.
    hours = OfficeHours(
        opens=datetime.time(1, 0), closes=datetime.time(2, 0), weekdays=frozenset({6})
    )
    cal = WorkingCalendar(office_hours=hours)
    assert cal.effective_receipt(utc(2026, 10, 25, 1, 30)) == utc(2026, 10, 25, 1, 30)


# --- calendar weeks -----------------------------------------------------------------------------


def test_domain_example_eight_weeks_from_3_february_2026_is_31_march() -> None:
    assert weeks_after(london(2026, 2, 3, 14, 0), 8) == datetime.date(2026, 3, 31)


def test_weeks_count_from_the_local_date_first_made() -> None:
    # 23:30Z on 31 March 2026 is 00:30 BST on 1 April, so 8 weeks run from 1 April -> 27 May
    first_made = utc(2026, 3, 31, 23, 30)
    assert local_date(first_made) == datetime.date(2026, 4, 1)
    assert weeks_after(first_made, 8) == datetime.date(2026, 5, 27)


def test_late_evening_in_winter_keeps_the_same_local_date() -> None:
    # 23:30Z on 3 February 2026 is 23:30 GMT, still 3 February
    assert weeks_after(utc(2026, 2, 3, 23, 30), 8) == datetime.date(2026, 3, 31)


# --- calendar months ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(datetime.date(2026, 8, 31), 6, datetime.date(2027, 2, 28), id="domain-clamp"),
        pytest.param(datetime.date(2027, 8, 31), 6, datetime.date(2028, 2, 29), id="leap-year"),
        pytest.param(datetime.date(2026, 1, 15), 12, datetime.date(2027, 1, 15), id="one-year"),
        pytest.param(datetime.date(2026, 11, 30), 9, datetime.date(2027, 8, 30), id="nine"),
        pytest.param(datetime.date(2026, 12, 31), 1, datetime.date(2027, 1, 31), id="into-jan"),
        pytest.param(datetime.date(2026, 1, 31), 1, datetime.date(2026, 2, 28), id="into-feb"),
        pytest.param(datetime.date(2026, 5, 31), 0, datetime.date(2026, 5, 31), id="zero"),
    ],
)
def test_months_after_keeps_day_number_clamped_to_month_end(
    start: datetime.date, months: int, expected: datetime.date
) -> None:
    assert months_after(start, months) == expected


# --- bad input ----------------------------------------------------------------------------------


def test_naive_received_datetime_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        infinity().effective_receipt(datetime.datetime(2026, 11, 2, 10, 0))  # noqa: DTZ001


def test_naive_first_made_is_rejected() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        weeks_after(datetime.datetime(2026, 2, 3, 10, 0), 8)  # noqa: DTZ001


def test_negative_working_days_are_rejected() -> None:
    with pytest.raises(ValueError, match="must not be negative"):
        infinity().due_after_working_days(london(2026, 11, 2, 10, 0), -1)
    with pytest.raises(ValueError, match="must not be negative"):
        infinity().working_days_after(datetime.date(2026, 11, 2), -1)


def test_unknown_nation_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown nation 'UK'"):
        WorkingCalendar(office_hours=INFINITY_HOURS, nation="UK")


@pytest.mark.parametrize("closes", [datetime.time(9, 0), datetime.time(8, 0)])
def test_closing_not_after_opening_is_rejected(closes: datetime.time) -> None:
    with pytest.raises(ValueError, match="closing time must be after opening time"):
        OfficeHours(opens=datetime.time(9, 0), closes=closes)


@pytest.mark.parametrize("weekdays", [frozenset(), frozenset({7}), frozenset({-1, 0})])
def test_empty_or_out_of_range_weekdays_are_rejected(weekdays: frozenset[int]) -> None:
    with pytest.raises(ValueError, match="weekday"):
        OfficeHours(opens=datetime.time(9, 0), closes=datetime.time(17, 0), weekdays=weekdays)


def test_timezone_aware_office_hours_are_rejected() -> None:
    with pytest.raises(ValueError, match="naive Europe/London"):
        OfficeHours(opens=datetime.time(9, 0, tzinfo=UTC), closes=datetime.time(17, 0))


def test_datetime_closure_days_are_rejected() -> None:
    with pytest.raises(ValueError, match="dates, not datetimes"):
        infinity(closure_days=(datetime.datetime(2026, 11, 4, tzinfo=UTC),))


def test_weekdays_given_as_a_list_are_normalised_to_a_frozenset() -> None:
    hours = OfficeHours(opens=datetime.time(9, 0), closes=datetime.time(17, 0), weekdays=[0, 2])  # type: ignore[arg-type]
    assert hours.weekdays == frozenset({0, 2})

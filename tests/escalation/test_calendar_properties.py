"""Property tests for the complaint clocks: 2015-2035, every nation, arbitrary office hours."""

import calendar
import datetime
import zoneinfo

from hypothesis import given, settings
from hypothesis import strategies as st

from escalation.calendar import (
    LONDON,
    NATIONS,
    OfficeHours,
    WorkingCalendar,
    closing_time_on,
    local_date,
    months_after,
    opening_time_on,
    weeks_after,
)

UTC = datetime.UTC
FIRST_DAY = datetime.date(2015, 1, 1)
LAST_DAY = datetime.date(2035, 12, 31)

fast = settings(max_examples=200, deadline=None)

# Instants arrive from the database (UTC), from users (London) and from integrations elsewhere.
timezones = st.sampled_from(
    [
        UTC,
        LONDON,
        zoneinfo.ZoneInfo("America/New_York"),
        zoneinfo.ZoneInfo("Asia/Kolkata"),
        datetime.timezone(datetime.timedelta(hours=-3, minutes=-30)),
    ]
)
instants = st.datetimes(
    min_value=datetime.datetime(2015, 1, 1),  # noqa: DTZ001 - hypothesis bounds are naive
    max_value=datetime.datetime(2035, 12, 31, 23, 59, 59),  # noqa: DTZ001
    timezones=timezones,
)
# Whole or half hours most of the time so that DST edges (01:00, 02:00) come up often,
# arbitrary times the rest.
wall_times = st.one_of(
    st.builds(datetime.time, st.integers(0, 23), st.sampled_from([0, 30])),
    st.times(),
)


@st.composite
def office_hours(draw: st.DrawFn) -> OfficeHours:
    opens, closes = sorted(draw(st.lists(wall_times, min_size=2, max_size=2, unique=True)))
    weekdays = draw(st.frozensets(st.integers(0, 6), min_size=1))
    return OfficeHours(opens=opens, closes=closes, weekdays=weekdays)


@st.composite
def calendars_and_instants(draw: st.DrawFn) -> tuple[WorkingCalendar, datetime.datetime]:
    instant = draw(instants)
    # Closures near the instant, so they actually interact with the windows under test.
    start = local_date(instant)
    offsets = draw(st.frozensets(st.integers(-3, 60), max_size=25))
    closures = {start + datetime.timedelta(days=d) for d in offsets}
    cal = WorkingCalendar(
        office_hours=draw(office_hours()),
        nation=draw(st.sampled_from(NATIONS)),
        closure_days=closures,
    )
    return cal, instant


working_days = st.integers(0, 30)


def assert_in_office_hours(cal: WorkingCalendar, instant: datetime.datetime) -> None:
    day = local_date(instant)
    assert cal.is_working_day(day)
    assert (
        opening_time_on(day, cal.office_hours) <= instant < closing_time_on(day, cal.office_hours)
    )


@fast
@given(calendars_and_instants(), working_days)
def test_due_is_at_closing_time_on_a_working_day(
    case: tuple[WorkingCalendar, datetime.datetime], n: int
) -> None:
    cal, received = case
    due = cal.due_after_working_days(received, n)
    assert due.tzinfo is UTC
    assert cal.is_working_day(local_date(due))
    assert due == closing_time_on(local_date(due), cal.office_hours)


@fast
@given(calendars_and_instants(), working_days)
def test_one_more_working_day_is_strictly_later(
    case: tuple[WorkingCalendar, datetime.datetime], n: int
) -> None:
    cal, received = case
    assert cal.due_after_working_days(received, n + 1) > cal.due_after_working_days(received, n)


@fast
@given(calendars_and_instants(), working_days, working_days)
def test_more_working_days_never_move_the_deadline_earlier(
    case: tuple[WorkingCalendar, datetime.datetime], n: int, m: int
) -> None:
    cal, received = case
    fewer, more = sorted((n, m))
    assert cal.due_after_working_days(received, more) >= cal.due_after_working_days(received, fewer)


@fast
@given(calendars_and_instants())
def test_effective_receipt_is_not_before_receipt_and_is_in_office_hours(
    case: tuple[WorkingCalendar, datetime.datetime],
) -> None:
    cal, received = case
    effective = cal.effective_receipt(received)
    assert effective.tzinfo is UTC
    assert effective >= received
    assert_in_office_hours(cal, effective)


@fast
@given(calendars_and_instants())
def test_effective_receipt_is_idempotent(case: tuple[WorkingCalendar, datetime.datetime]) -> None:
    cal, received = case
    effective = cal.effective_receipt(received)
    assert cal.effective_receipt(effective) == effective


@fast
@given(calendars_and_instants())
def test_receipt_inside_office_hours_is_unchanged(
    case: tuple[WorkingCalendar, datetime.datetime],
) -> None:
    cal, received = case
    day = local_date(received)
    opens = opening_time_on(day, cal.office_hours)
    closes = closing_time_on(day, cal.office_hours)
    inside = cal.is_working_day(day) and opens <= received < closes
    assert (cal.effective_receipt(received) == received) == inside


@fast
@given(calendars_and_instants(), working_days)
def test_due_is_after_effective_receipt(
    case: tuple[WorkingCalendar, datetime.datetime], n: int
) -> None:
    cal, received = case
    assert cal.due_after_working_days(received, n) > cal.effective_receipt(received)


@fast
@given(calendars_and_instants(), working_days)
def test_working_days_after_counts_exactly_n_working_days(
    case: tuple[WorkingCalendar, datetime.datetime], n: int
) -> None:
    cal, instant = case
    start = local_date(instant)
    end = cal.working_days_after(start, n)
    between = (start + datetime.timedelta(days=i) for i in range(1, (end - start).days + 1))
    assert sum(cal.is_working_day(day) for day in between) == n
    assert n == 0 or cal.is_working_day(end)


@fast
@given(st.dates(min_value=FIRST_DAY, max_value=LAST_DAY), st.integers(0, 120))
def test_months_after_lands_in_the_target_month_no_later_than_the_same_day(
    day: datetime.date, months: int
) -> None:
    result = months_after(day, months)
    assert (result.year - day.year) * 12 + (result.month - day.month) == months
    assert result.day <= day.day
    last = calendar.monthrange(result.year, result.month)[1]
    assert result.day == min(day.day, last)


@fast
@given(instants, st.integers(0, 104))
def test_weeks_after_is_seven_days_per_week_from_the_local_date(
    first_made: datetime.datetime, weeks: int
) -> None:
    assert (weeks_after(first_made, weeks) - local_date(first_made)).days == 7 * weeks

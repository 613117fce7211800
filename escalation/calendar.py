"""Working-day and calendar arithmetic for complaint clocks (DOMAIN.md, "The clocks").

Pure Python on purpose (standard library plus ``holidays``) so the rules that decide when a
provider is in breach can be tested exhaustively without Django or a database.

Every instant goes in and comes out as an aware datetime; results are always UTC. Office hours
and dates are Europe/London wall-clock values, so all day arithmetic happens on London local
dates and is converted back through ``zoneinfo`` - never by adding fixed offsets, which would be
an hour out for half the year.

Boundaries:

* Office hours are half-open, ``opens <= t < closes``: a complaint arriving exactly at closing
  time is after hours and counts from the next working day's opening.
* A wall time repeated when the clocks go back means its first occurrence; one skipped when they
  go forward is read with the pre-change offset (PEP 495 ``fold=0``), i.e. an hour later by the
  clock. Both follow from ``datetime.combine(day, t, tzinfo=LONDON)``.
"""

from __future__ import annotations

import calendar
import datetime
import functools
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

import holidays

__all__ = [
    "LONDON",
    "NATIONS",
    "OfficeHours",
    "WorkingCalendar",
    "closing_time_on",
    "local_date",
    "months_after",
    "opening_time_on",
    "weeks_after",
]

LONDON = zoneinfo.ZoneInfo("Europe/London")
NATIONS = ("ENG", "WLS", "SCT", "NIR")

_UTC = datetime.UTC
_ONE_DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class OfficeHours:
    """Opening hours as Europe/London wall-clock times on the given weekdays (Monday=0)."""

    opens: datetime.time
    closes: datetime.time
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4})

    def __post_init__(self) -> None:
        if self.opens.tzinfo is not None or self.closes.tzinfo is not None:
            # An offset baked into the time would be wrong for half the year (GMT vs BST).
            raise ValueError("office hours must be naive Europe/London wall-clock times")
        if self.closes <= self.opens:
            raise ValueError("closing time must be after opening time")
        # Callers often hold weekdays as a list (forms, JSON); normalise so the value is
        # hashable and immutable like the rest of this frozen dataclass.
        weekdays = frozenset(self.weekdays)
        if not weekdays:
            raise ValueError("office hours need at least one weekday")
        if not all(isinstance(d, int) and 0 <= d <= 6 for d in weekdays):
            raise ValueError(f"weekdays must be integers 0 (Monday) to 6 (Sunday): {weekdays}")
        object.__setattr__(self, "weekdays", weekdays)


def _require_aware(value: datetime.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        # A naive value is ambiguous between GMT and BST, so guessing would shift clocks.
        raise ValueError(f"{name} must be a timezone-aware datetime, got naive {value!r}")


def local_date(instant: datetime.datetime) -> datetime.date:
    """The Europe/London calendar date on which ``instant`` falls."""
    _require_aware(instant, "instant")
    return instant.astimezone(LONDON).date()


def _local_instant(day: datetime.date, wall: datetime.time) -> datetime.datetime:
    # combine() with a ZoneInfo resolves the offset for that particular date, so 17:30 is
    # 17:30Z in winter and 16:30Z in summer.
    return datetime.datetime.combine(day, wall, tzinfo=LONDON).astimezone(_UTC)


def opening_time_on(day: datetime.date, office_hours: OfficeHours) -> datetime.datetime:
    """The UTC instant of local opening time on ``day`` (whether or not it is a working day)."""
    return _local_instant(day, office_hours.opens)


def closing_time_on(day: datetime.date, office_hours: OfficeHours) -> datetime.datetime:
    """The UTC instant of local closing time on ``day`` (whether or not it is a working day)."""
    return _local_instant(day, office_hours.closes)


def weeks_after(first_made: datetime.datetime, weeks: int) -> datetime.date:
    """The local date ``weeks`` calendar weeks after the local date ``first_made`` fell on.

    The local date matters: 23:30Z on 31 March is already 1 April in BST.
    """
    return local_date(first_made) + datetime.timedelta(weeks=weeks)


def months_after(day: datetime.date, months: int) -> datetime.date:
    """Same day number ``months`` later, clamped to that month's last day (31 Aug + 6 = 28 Feb)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@functools.cache
def _bank_holidays(nation: str, year: int) -> frozenset[datetime.date]:
    # Shared across calendars: building a holidays year costs far more than a set lookup, and
    # the result never changes within a process. Substitute ("observed") days are included.
    # No UK substitute day crosses a year boundary, so keying on the date's own year is safe.
    return frozenset(holidays.UnitedKingdom(subdiv=nation, years=year))


class WorkingCalendar:
    """Working days for one UK nation, one set of office hours and a set of closure days."""

    def __init__(
        self,
        *,
        office_hours: OfficeHours,
        nation: str = "ENG",
        closure_days: Iterable[datetime.date] = (),
    ) -> None:
        if nation not in NATIONS:
            raise ValueError(f"unknown nation {nation!r}; expected one of {', '.join(NATIONS)}")
        closures = frozenset(closure_days)
        if any(isinstance(d, datetime.datetime) for d in closures):
            # A datetime never compares equal to a date, so it would silently never match.
            raise ValueError("closure days must be dates, not datetimes")
        self.office_hours = office_hours
        self.nation = nation
        self.closure_days = closures

    def __repr__(self) -> str:
        return (
            f"WorkingCalendar(office_hours={self.office_hours!r}, nation={self.nation!r}, "
            f"closure_days={sorted(self.closure_days)!r})"
        )

    def is_working_day(self, day: datetime.date) -> bool:
        return (
            day.weekday() in self.office_hours.weekdays
            and day not in self.closure_days
            and day not in _bank_holidays(self.nation, day.year)
        )

    def next_working_day(self, day: datetime.date) -> datetime.date:
        """The first working day strictly after ``day``."""
        day += _ONE_DAY
        while not self.is_working_day(day):
            day += _ONE_DAY
        return day

    def previous_working_day(self, day: datetime.date) -> datetime.date:
        """The last working day strictly before ``day``."""
        day -= _ONE_DAY
        while not self.is_working_day(day):
            day -= _ONE_DAY
        return day

    def working_days_before(self, due: datetime.datetime, n: int) -> datetime.datetime:
        """The same local wall time ``n`` working days before the local date of ``due``.

        Reminders use it: a clock due at 17:30 on Monday 9 November is reminded at 17:30 on
        the working day before (Friday), in this nation's calendar; across a DST change the
        wall time is kept, not the UTC offset.
        """
        _require_aware(due, "due")
        if n < 0:
            raise ValueError(f"number of working days must not be negative, got {n}")
        local = due.astimezone(LONDON)
        day = local.date()
        for _ in range(n):
            day = self.previous_working_day(day)
        return _local_instant(day, local.time().replace(tzinfo=None))

    def working_days_after(self, start: datetime.date, n: int) -> datetime.date:
        """The ``n``th working day strictly after ``start``; ``start`` itself when ``n`` is 0."""
        if n < 0:
            raise ValueError(f"number of working days must not be negative, got {n}")
        for _ in range(n):
            start = self.next_working_day(start)
        return start

    def working_days_between(self, start: datetime.date, end: datetime.date) -> int:
        """How many working days lie strictly after ``start`` up to and including ``end``
        (0 when ``end`` is not later): a complaint's age in working days."""
        count, day = 0, start + _ONE_DAY
        while day <= end:
            count += self.is_working_day(day)
            day += _ONE_DAY
        return count

    def _office_window(self, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
        return opening_time_on(day, self.office_hours), closing_time_on(day, self.office_hours)

    def effective_receipt(self, received: datetime.datetime) -> datetime.datetime:
        """When a complaint received at ``received`` starts counting (DOMAIN.md clock 1).

        Inside office hours on a working day it counts from that moment; otherwise from opening
        time on the next working day (the same day if it arrived before opening). Closing time
        itself is outside office hours.
        """
        _require_aware(received, "received")
        received = received.astimezone(_UTC)
        day = local_date(received)
        if self.is_working_day(day):
            # Instants, not wall times, so the hour repeated in October is not counted twice.
            opens, closes = self._office_window(day)
            if opens <= received < closes:
                return received
            if received < opens < closes:
                return opens
        # opens < closes fails only when opening falls in the hour skipped in March and is read
        # as at or after closing: that day has no office hours, so keep looking.
        while True:
            day = self.next_working_day(day)
            opens, closes = self._office_window(day)
            if opens < closes:
                return opens

    def due_after_working_days(self, received: datetime.datetime, n: int) -> datetime.datetime:
        """Deadline for "within ``n`` working days" (DOMAIN.md clock 2).

        Closing time on the ``n``th working day after the local date of effective receipt;
        ``n == 0`` means closing time on the day of effective receipt itself.
        """
        if n < 0:
            raise ValueError(f"number of working days must not be negative, got {n}")
        start = local_date(self.effective_receipt(received))
        return closing_time_on(self.working_days_after(start, n), self.office_hours)

"""The quarterly complaints return and the streamed complaints export, on the reports data set."""

from __future__ import annotations

import datetime

from complaints.selectors.quarterly import (
    complaints_export_rows,
    quarter_range,
    quarterly_return_rows,
)
from complaints.selectors.report_filters import ReportFilters
from tests.complaints.selectors.test_reports import RANGE, data  # noqa: F401 - the fixture

ANY = ReportFilters(start=datetime.date(2026, 10, 1), end=datetime.date(2026, 12, 31))


def test_a_quarter_runs_from_its_first_to_its_last_day():
    assert quarter_range(2026, 4) == (datetime.date(2026, 10, 1), datetime.date(2026, 12, 31))
    assert quarter_range(2027, 1) == (datetime.date(2027, 1, 1), datetime.date(2027, 3, 31))


def test_the_return_counts_by_category_and_outcome(data):  # noqa: F811
    rows = {
        (r[1], r[2], r[3]): r[4] for r in quarterly_return_rows(year=2026, quarter=4, filters=ANY)
    }
    # Received Q4 2026: billing A, B, D, E, F, G and the October one; service C.
    assert rows[("received_by_outcome", "billing", "resolved")] == "4"  # A, B, D, October
    assert rows[("received_by_outcome", "billing", "open")] == "1"  # E
    assert rows[("received_by_outcome", "billing", "auto_closed")] == "1"  # F
    assert rows[("received_by_outcome", "billing", "adr_referred")] == "1"  # G
    assert rows[("received_by_outcome", "service", "resolved")] == "1"  # C


def test_the_return_buckets_working_days_to_resolve(data):  # noqa: F811
    rows = {(r[1], r[3]): r[4] for r in quarterly_return_rows(year=2026, quarter=4, filters=ANY)}
    # Resolved in Q4 2026: October one (1 wd: 1 Oct Thu -> 2 Oct Fri), C 0, D 10, A 4.
    assert [rows[("resolve_working_days", b)] for b in ("0", "1-2", "3-5", "6-10", "11-20")] == [
        "1", "1", "1", "1", "0",
    ]  # fmt: skip


def test_the_return_counts_adr_letters_and_referrals(data):  # noqa: F811
    rows = {(r[1], r[3]): r[4] for r in quarterly_return_rows(year=2026, quarter=4, filters=ANY)}
    assert (rows[("adr", "deadlock_letters")], rows[("adr", "adr_letters")]) == ("1", "0")
    assert rows[("adr", "adr_referred")] == "1"


def test_the_export_has_one_row_per_complaint_received_in_the_range(data):  # noqa: F811
    rows = list(complaints_export_rows(RANGE))
    assert len(rows) == 8
    assert rows[0][1] == "2026-11-02T10:00+00:00"
    assert rows[0][3] in {"email", "phone", "web"}

"""The dashboard's rollups stay equal to a recomputation from scratch, whatever writes happen.

The triggers (migrations 0018, 0021) append what every INSERT, UPDATE and DELETE of complaints
changes to the pending rows, and a fold counts them into the rollups;
`complaints_report_rebuild()` recomputes them from the complaints. After a random mix of writes
(single and bulk updates of every column the rollups read, inserts, deletes) with folds
anywhere between them, the running totals must equal the rebuild, and every dashboard figure read from them must equal the
same figure computed straight from the complaints (tests/.../report_oracle.py, the SQL the
dashboard ran before). The working days counted in SQL must equal the pure calendar's.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

import holidays
import pytest
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from complaints.models import (
    Complaint,
    ReportBankHoliday,
    ReportOpen,
    ReportPending,
    ReportReceived,
    RootCause,
)
from complaints.rollups import rollups_fold
from complaints.selectors import reports
from complaints.selectors.report_filters import ReportFilters
from complaints.selectors.reports import dashboard_figures
from escalation.calendar import LONDON, NATIONS, WorkingCalendar
from escalation.models import ClosureDay, CodeVersion
from escalation.selectors import code_rules, code_rules_cache_clear
from tests.complaints.selectors.report_oracle import figures_from_complaints
from tests.complaints.selectors.rollups import ROLLUPS, rebuilt_rows, rollup_rows
from tests.factories import ComplaintFactory, CustomerFactory, UserFactory

NOW = datetime.datetime(2027, 1, 8, 12, 0, tzinfo=LONDON)
RANGE = ReportFilters(start=datetime.date(2026, 10, 1), end=datetime.date(2027, 1, 31))
SLOW = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def at(day: int, hour: int) -> datetime.datetime:
    """An instant between 1 October 2026 and 31 January 2027 (across the Christmas holidays
    and the end of British Summer Time)."""
    return datetime.datetime(2026, 10, 1, 9, tzinfo=LONDON) + datetime.timedelta(
        days=day, hours=hour
    )


instants = st.builds(at, st.integers(0, 122), st.integers(0, 14))
maybe_instants = st.none() | instants
# One write: a column the rollups read, set to a value, on one or several complaints.
writes = st.one_of(
    st.tuples(st.just("status"), st.sampled_from(
        ["new", "acknowledged", "escalated", "awaiting_customer", "resolved", "closed",
         "deadlock", "adr_referred"])),
    st.tuples(st.just("tier"), st.integers(0, 2)),
    st.tuples(st.just("channel"), st.sampled_from(["email", "phone", "web", "letter"])),
    st.tuples(st.just("category"), st.sampled_from(["billing", "service", "sales"])),
    st.tuples(st.just("department"), st.sampled_from(["", "billing", "technical"])),
    st.tuples(st.just("nation"), st.sampled_from(NATIONS)),
    st.tuples(st.just("customer_request"), st.sampled_from(["", "code", "deadlock"])),
    st.tuples(st.just("assigned_to"), st.sampled_from([None, "a", "b"])),
    st.tuples(st.just("code_version"), st.sampled_from(["infinity-group-2016",
                                                        "sovision-it-2016"])),
    st.tuples(st.just("root_cause"), st.sampled_from([None, "Billing error", "Other"])),
    st.tuples(st.sampled_from(["received_at", "effective_receipt_at"]), instants),
    st.tuples(st.sampled_from(["acknowledge_by", "respond_by", "resolve_by", "acknowledged_at",
                               "first_response_at", "resolved_at"]), maybe_instants),
    st.tuples(st.just("summary"), st.just("A column no rollup reads")),
)  # fmt: skip
# A fold between two writes (what beat or a manager's dashboard may do at any moment).
FOLD = ("fold", None)
plans = st.lists(
    st.tuples(st.sets(st.integers(0, 5), min_size=1, max_size=3), writes | st.just(FOLD)),
    min_size=1,
    max_size=12,
) | st.lists(st.tuples(st.sets(st.integers(0, 5), min_size=1), writes), max_size=3)


def resolve_value(name: str, value, staff: dict) -> object:
    if name == "assigned_to":
        return None if value is None else staff[value]
    if name == "code_version":
        return CodeVersion.objects.get(code__slug=value, number=1)
    if name == "root_cause":
        return None if value is None else RootCause.objects.get(name=value)
    return value


@pytest.fixture
def complaints(db, manager):
    staff = {
        "a": UserFactory(username="rollup-a", groups=["agent"], is_staff=True),
        "b": UserFactory(username="rollup-b", groups=["agent"], is_staff=True),
    }
    made = []
    for n, (channel, nation) in enumerate(
        [("email", "ENG"), ("phone", "SCT"), ("web", "ENG"), ("letter", "WLS"), ("email", "NIR"),
         ("phone", "ENG")]
    ):  # fmt: skip
        made.append(
            ComplaintFactory(
                customer=CustomerFactory(nation=nation),
                channel=channel,
                now=at(10 * n, 2),
                received_at=at(10 * n, 2),
            ).pk
        )
    return made, staff


def apply(plan, ids: list[int], staff: dict) -> None:
    for targets, (name, value) in plan:
        if (name, value) == FOLD:
            rollups_fold()
            continue
        chosen = [ids[i] for i in targets]
        columns = {name: resolve_value(name, value, staff)}
        if name == "received_at":  # the table's check: received is never before first made
            columns["first_made_at"] = value
        Complaint.objects.filter(pk__in=chosen).update(**columns)


@SLOW
@given(plan=plans)
def test_the_rollups_equal_a_rebuild_after_any_mix_of_writes(complaints, manager, plan):
    ids, staff = complaints
    with transaction.atomic():
        apply(plan, ids, staff)
        running = rollup_rows()
        assert running == rebuilt_rows()
        transaction.set_rollback(True)


@SLOW
@given(
    plan=plans,
    filters=st.fixed_dictionaries(
        {},
        optional={
            "channel": st.sampled_from(["email", "phone"]),
            "nation": st.sampled_from(["ENG", "SCT"]),
            "tier": st.integers(0, 1),
            "category": st.just("billing"),
            "assignee": st.sampled_from(["none", "a"]),
        },
    ),
    # Now: a few hours either side of one complaint's clock (clocks due today before and
    # after now are where the rollup and the complaints share the work), or any instant.
    near=st.tuples(
        st.integers(0, 5),
        st.sampled_from(["acknowledge_by", "respond_by", "resolve_by"]),
        st.integers(-6, 6),
    ),
    anywhere=instants,
)
def test_every_figure_from_the_rollups_equals_the_figure_from_the_complaints(
    complaints, manager, plan, filters, near, anywhere
):
    ids, staff = complaints
    if filters.get("assignee") == "a":
        filters["assignee"] = staff["a"].pk
    with transaction.atomic():
        apply(plan, ids, staff)
        index, clock, hours = near
        due = Complaint.objects.values_list(clock, flat=True).get(pk=ids[index])
        now = anywhere if due is None else due + datetime.timedelta(hours=hours)
        chosen = replace(RANGE, **filters)
        assert dashboard_figures(user=manager, filters=chosen, now=now) == figures_from_complaints(
            chosen, now
        )
        transaction.set_rollback(True)


def test_an_insert_and_a_delete_are_counted_and_uncounted(complaints, manager):
    ids, _ = complaints
    row = Complaint.objects.filter(pk=ids[0]).values().get()
    row.pop("id")
    copy = Complaint.objects.bulk_create([Complaint(**{**row, "reference": "RD-COPY-0001"})])[0]
    day = row["received_at"].astimezone(LONDON).date()
    rollups_fold()
    before = ReportReceived.objects.filter(day=day, channel=row["channel"], total=False)
    before = before.values_list("n", flat=True)
    assert sum(before) == 2
    assert rollup_rows() == rebuilt_rows()
    with connection.cursor() as cursor:  # the timeline forbids deleting a logged complaint
        cursor.execute("DELETE FROM complaints_complaint WHERE id = %s", [copy.pk])
    rollups_fold()
    after = ReportReceived.objects.filter(day=day, channel=row["channel"], total=True)
    assert sum(after.values_list("n", flat=True)) == 1
    assert rollup_rows() == rebuilt_rows()


def test_an_update_of_a_column_no_rollup_reads_writes_no_rollup_row(complaints, manager):
    ids, _ = complaints
    rollups_fold()
    before = {m.__name__: list(m.objects.order_by("id").values()) for m in ROLLUPS}
    Complaint.objects.filter(pk__in=ids).update(summary="Changed", row_version=7)
    assert not ReportPending.objects.exists()
    assert {m.__name__: list(m.objects.order_by("id").values()) for m in ROLLUPS} == before


def test_a_write_is_pending_until_a_fold_counts_it_once(complaints, manager):
    ids, _ = complaints
    rollups_fold()
    tables = {m.__name__: list(m.objects.order_by("id").values()) for m in ROLLUPS}
    # When one complaint is escalated
    Complaint.objects.filter(pk=ids[0]).update(status="escalated", tier=1)
    # Then the rollups are untouched and the change waits: the row before and after
    assert {m.__name__: list(m.objects.order_by("id").values()) for m in ROLLUPS} == tables
    assert sorted(ReportPending.objects.values_list("sign", "status", "tier")) == [
        (-1, "new", 0),
        (1, "escalated", 1),
    ]
    # and a fold counts it, once: a second finds nothing
    assert rollups_fold() == 2
    assert rollups_fold() == 0
    assert not ReportPending.objects.exists()
    assert ReportOpen.objects.get(status="escalated", total=True, tier=1).n == 1
    assert rollup_rows() == rebuilt_rows()


def test_a_fold_with_a_limit_counts_the_oldest_changes_first(complaints, manager):
    ids, _ = complaints
    rollups_fold()
    Complaint.objects.filter(pk__in=ids).update(tier=1)  # 6 complaints: 12 pending rows
    oldest = list(ReportPending.objects.order_by("id").values_list("id", flat=True))
    assert len(oldest) == 12
    assert rollups_fold(limit=5) == 5
    assert list(ReportPending.objects.order_by("id").values_list("id", flat=True)) == oldest[5:]
    assert rollups_fold(limit=100) == 7
    assert rollup_rows() == rebuilt_rows()


def test_a_rebuild_discards_the_pending_changes_it_has_counted(complaints, manager):
    ids, _ = complaints
    Complaint.objects.filter(pk__in=ids).update(status="resolved", resolved_at=at(120, 3))
    assert ReportPending.objects.exists()
    rebuilt = rebuilt_rows()
    assert not ReportPending.objects.exists()
    assert rollup_rows() == rebuilt


def test_a_backlog_bigger_than_a_page_should_fold_is_left_to_beat_and_said(
    complaints, manager, monkeypatch, client
):
    ids, _ = complaints
    rollups_fold()
    monkeypatch.setattr(reports, "DASHBOARD_FOLD_MAX", 4)
    Complaint.objects.filter(pk__in=ids).update(tier=2)  # 12 pending changes
    figures = dashboard_figures(user=manager, filters=RANGE, now=NOW)
    assert figures.uncounted == 8
    assert ReportPending.objects.count() == 8
    client.force_login(manager)
    page = client.get("/staff/dashboard/").content.decode()
    assert "Figures are catching up" in page and "4 recent changes to complaints are" in page
    # and the next reads fold on until all are counted, then say nothing
    assert dashboard_figures(user=manager, filters=RANGE, now=NOW).uncounted == 0
    assert "catching up" not in client.get("/staff/dashboard/").content.decode()
    assert not ReportPending.objects.exists()


def test_the_dashboard_counts_what_is_pending_before_it_reads(complaints, manager):
    ids, _ = complaints
    rollups_fold()
    Complaint.objects.filter(pk__in=ids[:2]).update(status="escalated", tier=1)
    figures = dashboard_figures(user=manager, filters=RANGE, now=NOW)
    assert not ReportPending.objects.exists()
    assert figures == figures_from_complaints(RANGE, NOW)


def _sql_working_days(version: CodeVersion, nation: str, a: datetime.date, b: datetime.date):
    with connection.cursor() as cursor:
        cursor.execute("SELECT redress_working_days(%s, %s, %s, %s)", [version.pk, nation, a, b])
        return cursor.fetchone()[0]


days = st.dates(datetime.date(2024, 1, 1), datetime.date(2028, 12, 31))


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    a=days,
    span=st.integers(-40, 400),
    nation=st.sampled_from(NATIONS),
    slug=st.sampled_from(["infinity-group-2016", "sovision-it-2016", "ofcom-2026"]),
)
def test_working_days_in_sql_equal_the_pure_calendar(db, a, span, nation, slug):
    version = CodeVersion.objects.get(code__slug=slug, number=1)
    b = a + datetime.timedelta(days=span)
    rules = code_rules(version)
    calendar = WorkingCalendar(
        office_hours=rules.office_hours, nation=nation, closure_days=rules.closure_days
    )
    lo, hi = min(a, b), max(a, b)
    count = sum(
        calendar.is_working_day(lo + datetime.timedelta(days=k))
        for k in range(1, (hi - lo).days + 1)
    )
    assert _sql_working_days(version, nation, a, b) == (count if b >= a else -count)


def test_working_days_in_sql_skip_a_versions_closure_days_and_its_weekdays(db):
    version = CodeVersion.objects.get(code__slug="sovision-it-2016", number=1)
    # Monday 7 to Monday 14 December 2026: 5 working days after the 7th, less a closure day.
    ClosureDay.objects.create(version=version, date=datetime.date(2026, 12, 9))
    assert (
        _sql_working_days(version, "ENG", datetime.date(2026, 12, 7), datetime.date(2026, 12, 14))
        == 4
    )
    CodeVersion.objects.filter(pk=version.pk).update(office_weekdays=[0, 1, 2, 3, 4, 5])
    code_rules_cache_clear()
    assert (
        _sql_working_days(version, "ENG", datetime.date(2026, 12, 7), datetime.date(2026, 12, 14))
        == 5
    )


def test_the_bank_holiday_table_agrees_with_the_calendar_package(db):
    # A `holidays` upgrade that moves a holiday fails here: refill the table in a migration.
    for nation in NATIONS:
        stored = set(ReportBankHoliday.objects.filter(nation=nation).values_list("day", flat=True))
        assert stored == set(holidays.UnitedKingdom(subdiv=nation, years=range(2000, 2061)))


@pytest.mark.django_db
def test_a_session_that_defers_the_rollups_is_not_counted_until_a_rebuild():
    # Migration 0020: what bench/seed.py does before a bulk load it rebuilds after.
    ComplaintFactory()
    before = rollup_rows()
    with connection.cursor() as cursor:
        cursor.execute("SET redress.report_rollups = 'deferred'")
        try:
            ComplaintFactory()
            assert rollup_rows() == before
        finally:
            cursor.execute("RESET redress.report_rollups")
    assert rebuilt_rows() != before  # the rebuild counts it
    ComplaintFactory()
    assert rollup_rows() == rebuilt_rows()  # and after RESET the triggers count again

"""Every dashboard figure against a hand-built data set whose answers are worked out by hand.

Two code versions (infinity-group-2016 and sovision-it-2016), customers in England and
Scotland, and resolutions across the 2026 Christmas bank holidays: Friday 25 December, Monday
28 December (Boxing Day's substitute), Friday 1 January and, in Scotland only, Monday 4 January
(2 January's substitute). "Now" is Friday 8 January 2027 12:00; the range is 1 November 2026 to
8 January 2027.
"""

from __future__ import annotations

import datetime

import pytest

from complaints.models import Complaint, Letter, RootCause, Status
from complaints.selectors.report_filters import ReportFilters
from complaints.selectors.report_rows import figure_rows
from complaints.selectors.reports import dashboard_figures
from escalation.calendar import LONDON
from escalation.models import CodeVersion
from tests.factories import ComplaintFactory, CustomerFactory

NOW = datetime.datetime(2027, 1, 8, 12, 0, tzinfo=LONDON)
RANGE = ReportFilters(start=datetime.date(2026, 11, 1), end=datetime.date(2027, 1, 8))


def at(y, m, d, h=10, minute=0):
    return datetime.datetime(y, m, d, h, minute, tzinfo=LONDON)


def make(code: str, channel: str, nation: str, received, **columns) -> Complaint:
    version = CodeVersion.objects.get(code__slug=code, number=1)
    complaint = ComplaintFactory(
        customer=CustomerFactory(nation=nation), channel=channel, now=received,
        received_at=received, code_version=version, category=columns.pop("category", "billing"),
    )  # fmt: skip
    if columns:
        Complaint.objects.filter(pk=complaint.pk).update(**columns)
    return Complaint.objects.get(pk=complaint.pk)


def resolved(when, **more):
    return {"status": Status.RESOLVED, "resolved_at": when, "next_due_at": None, **more}


@pytest.fixture
def data(db, manager):
    billing = RootCause.objects.get(name="Billing error")
    other = RootCause.objects.get(name="Other")
    # A: soVision email (England) 21 Dec, resolved 29 Dec: 22, 23, 24 Dec and 29 Dec = 4
    # working days (25 and 28 Dec are bank holidays). Responded 22 Dec, by 23 Dec 17:00: on time.
    a = make(
        "sovision-it-2016",
        "email",
        "ENG",
        at(2026, 12, 21),
        **resolved(
            at(2026, 12, 29, 11),
            root_cause=billing,
            first_response_at=at(2026, 12, 22),
            acknowledged_at=at(2026, 12, 21, 11),
        ),
    )
    # B: Infinity email (Scotland) 31 Dec, resolved 5 Jan: 1 and 4 Jan are Scottish holidays,
    # so 1 working day. Respond-by 11 Jan 17:30 is after the range: not counted.
    b = make(
        "infinity-group-2016",
        "email",
        "SCT",
        at(2026, 12, 31),
        **resolved(at(2027, 1, 5), first_response_at=at(2027, 1, 5)),
    )
    # C: soVision web 2 Nov, resolved the same day: 0 working days; responded on time.
    c = make(
        "sovision-it-2016",
        "web",
        "ENG",
        at(2026, 11, 2),
        category="service",
        **resolved(
            at(2026, 11, 2, 15),
            root_cause=other,
            root_cause_detail="Courier",
            first_response_at=at(2026, 11, 2, 15),
            acknowledged_at=at(2026, 11, 2, 11),
        ),
    )
    # D: soVision email 2 Nov, resolved 16 Nov: 10 working days; responded 5 Nov after the
    # respond-by of 4 Nov 17:00 (late); acknowledged 3 Nov 16:00, by 3 Nov 17:00 (on time).
    d = make(
        "sovision-it-2016",
        "email",
        "ENG",
        at(2026, 11, 2),
        **resolved(
            at(2026, 11, 16),
            root_cause=billing,
            first_response_at=at(2026, 11, 5),
            acknowledged_at=at(2026, 11, 3, 16),
        ),
    )
    # E: Infinity phone 2 Nov, escalated to tier 1, never answered: respond-by 9 Nov passed.
    e = make(
        "infinity-group-2016", "phone", "ENG", at(2026, 11, 2), tier=1, status=Status.ESCALATED
    )
    # F: auto-closed; G: referred to ADR after a deadlock letter; H: about the code, due today.
    f = make(
        "sovision-it-2016",
        "email",
        "ENG",
        at(2026, 11, 9),
        status=Status.CLOSED,
        next_due_at=None,
        acknowledged_at=at(2026, 11, 9, 11),
        first_response_at=at(2026, 11, 10),
    )
    g = make(
        "sovision-it-2016",
        "letter",
        "ENG",
        at(2026, 11, 10),
        status=Status.ADR_REFERRED,
        next_due_at=None,
        first_response_at=at(2026, 11, 11),
    )
    h = make(
        "sovision-it-2016",
        "web",
        "ENG",
        at(2027, 1, 7),
        tier=1,
        status=Status.ESCALATED,
        customer_request="code",
        next_due_at=at(2027, 1, 8, 14),
        acknowledged_at=at(2027, 1, 7, 11),
        first_response_at=at(2027, 1, 7, 12),
    )
    # Before the range: counts for "open now" only if open (it is not).
    make("sovision-it-2016", "email", "ENG", at(2026, 10, 1), **resolved(at(2026, 10, 2)))
    Letter.objects.create(
        complaint=g, kind="deadlock", state="ready", dated=datetime.date(2026, 12, 1), body="x"
    )
    Letter.objects.create(
        complaint=g, kind="adr", state="ready", dated=datetime.date(2027, 1, 6), body="x"
    )
    Letter.objects.create(
        complaint=f, kind="adr", state="pending", dated=datetime.date(2027, 1, 6), body="x"
    )
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, "g": g, "h": h}  # fmt: skip


def figures(manager, **filters):
    from dataclasses import replace

    return dashboard_figures(user=manager, filters=replace(RANGE, **filters), now=NOW)


def test_open_now_by_status_and_tier(data, manager):
    f = figures(manager)
    assert f.open_by_status == [("escalated", "Escalated (formal)", 2)]
    assert f.open_by_tier == [(1, 2)]


def test_breached_now_due_today_and_this_week(data, manager):
    f = figures(manager)
    assert (f.breached, f.due_today, f.due_this_week) == (1, 1, 1)


def test_received_per_week_by_channel(data, manager):
    f = figures(manager)
    assert f.weekly_by_channel == [
        (datetime.date(2026, 11, 2), "email", 1),
        (datetime.date(2026, 11, 2), "phone", 1),
        (datetime.date(2026, 11, 2), "web", 1),
        (datetime.date(2026, 11, 9), "email", 1),
        (datetime.date(2026, 11, 9), "letter", 1),
        (datetime.date(2026, 12, 21), "email", 1),
        (datetime.date(2026, 12, 28), "email", 1),
        (datetime.date(2027, 1, 4), "web", 1),
    ]


def test_received_per_week_by_category(data, manager):
    weeks = {(w, c): n for w, c, n in figures(manager).weekly_by_category}
    assert weeks[(datetime.date(2026, 11, 2), "billing")] == 2
    assert weeks[(datetime.date(2026, 11, 2), "service")] == 1


def test_share_of_respond_by_met_on_time_per_month(data, manager):
    shares = {s.month: (s.met, s.decided) for s in figures(manager).clocks_met["respond_by"]}
    # November: C (due 4 Nov) on time, D late, E (Infinity phone, due 9 Nov) never answered,
    # F (due 11 Nov) and G (soVision letter, 2 wd: due 12 Nov) on time: 3 of 5. December: A.
    # B and H fall due on 11 January, after the range: left out.
    assert shares == {datetime.date(2026, 11, 1): (3, 5), datetime.date(2026, 12, 1): (1, 1)}


def test_share_of_acknowledge_by_met_on_time(data, manager):
    shares = {s.month: (s.met, s.decided) for s in figures(manager).clocks_met["acknowledge_by"]}
    # soVision email/web acknowledge within 1 wd. Nov: C, D on time, F on time; Dec: A;
    # Jan: H (due 8 Jan 17:00, met 7 Jan).
    assert shares == {
        datetime.date(2026, 11, 1): (3, 3),
        datetime.date(2026, 12, 1): (1, 1),
        datetime.date(2027, 1, 1): (1, 1),
    }


def test_median_and_90th_percentile_working_days_to_resolve(data, manager):
    f = figures(manager)
    # A 4, B 1, C 0, D 10: median 2.5; p90 = 4 + 0.7 × (10 − 4) = 8.2.
    assert (f.resolved, f.resolve_median, f.resolve_p90) == (4, 2.5, 8.2)


def test_scottish_holidays_count_for_a_scottish_customer(data, manager):
    f = figures(manager, nation="SCT")
    assert (f.resolved, f.resolve_median) == (1, 1.0)


def test_code_version_filter_keeps_only_its_complaints(data, manager):
    version = CodeVersion.objects.get(code__slug="infinity-group-2016")
    f = figures(manager, code_version=version.pk)
    assert (f.received, f.escalated, f.resolved, f.resolve_median) == (2, 1, 1, 1.0)


def test_escalation_rate_auto_closed_adr_and_code_complaints(data, manager):
    f = figures(manager)
    assert (f.received, f.escalated, f.escalation_rate) == (8, 2, 25.0)
    assert (f.auto_closed, f.adr_referred, f.code_complaints) == (1, 1, 1)


def test_letters_sent_count_only_ready_letters_in_the_range(data, manager):
    assert figures(manager).letters == {"deadlock": 1, "adr": 1}


def test_root_causes_ranked_and_by_month(data, manager):
    f = figures(manager)
    assert f.root_causes == [("Billing error", 2), ("Other", 1)]
    assert f.root_cause_trend == [
        (datetime.date(2026, 11, 1), "Billing error", 1),
        (datetime.date(2026, 11, 1), "Other", 1),
        (datetime.date(2026, 12, 1), "Billing error", 1),
    ]


def test_the_figures_csv_rows_carry_every_figure(data, manager):
    rows = list(figure_rows(figures(manager)))
    assert ("resolve_working_days", "median", "", "2.5") in rows
    assert ("clock_met_percent", "respond_by", "2026-11-01", "60.0") in rows
    assert ("received_by_channel", "phone", "2026-11-02", "1") in rows


def test_the_figures_take_a_fixed_number_of_queries(data, manager, django_assert_max_num_queries):
    # role, open now (2), weekly (2), clocks (3), versions and their calendars (4), working
    # days, totals, letters, root causes (2): the same however many complaints there are.
    with django_assert_max_num_queries(18):
        figures(manager)


def test_an_agent_gets_no_figures(data, agent):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        dashboard_figures(user=agent, filters=RANGE, now=NOW)

"""bench_seed: bench data must be right, not just plentiful (its speed is measured in bench/).

Given a fixed seed and `now`, 300 complaints in three batches (so the build-while-copying
pipeline and a short last batch both run).
"""

from __future__ import annotations

import dataclasses
import datetime
import itertools
import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import F, Q

from bench import seed as seed_module
from bench.seed import _References, bench_seed
from bench.seed_clocks import ClockMemo
from bench.seed_copy import TRIGGER_FILLED
from complaints.models import (
    OPEN_STATUSES,
    Complaint,
    Customer,
    ReportPending,
    ReportReceived,
    TimelineEvent,
)
from complaints.services import complaint_next_due
from escalation.calendar import local_date
from escalation.choices import CLOCK_NAMES
from escalation.clocks import ClockInputs, compute_clocks
from escalation.models import CodeVersion
from escalation.selectors import code_rules, code_version_in_force
from escalation.sweeps import complaints_adr_period_sweep, complaints_auto_close_sweep
from tests.complaints.selectors.rollups import rebuilt_rows, received_counted, rollup_rows
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
SIZE = 300
REFERENCE = re.compile(r"^RD-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")  # Crockford


@pytest.fixture
def seeded():
    return bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)


def test_seeds_exactly_the_number_of_complaints_asked_for(seeded):
    assert seeded.created == SIZE
    assert Complaint.objects.count() == SIZE


def test_references_are_unique_and_shaped_like_reference_generate(seeded):
    references = list(Complaint.objects.values_list("reference", flat=True))
    assert len(set(references)) == SIZE
    assert all(REFERENCE.match(r) for r in references)


def test_every_clock_is_what_compute_clocks_gives_under_the_version_in_force(seeded):
    rules = {v.pk: code_rules(v) for v in CodeVersion.objects.all()}
    for c in Complaint.objects.select_related("customer", "code_version__code"):
        assert c.code_version == code_version_in_force(at=c.first_made_at, code=c.code_version.code)
        clocks = compute_clocks(
            rules[c.code_version_id],
            ClockInputs(
                channel=c.channel,
                received=c.received_at,
                first_made=c.first_made_at,
                nation=c.customer.nation,
                category=c.category,
                employees=c.customer.adr_employees,
                letter_date=c.letter_date,
                responded=c.responded_at,
                resolution_actioned=c.resolution_actioned_at,
                letter_reason=c.letter_reason or "deadlock",
                escalated=c.escalated_at,
                adr_letter_asked=c.adr_letter_asked_at,
            ),
        )
        assert (c.nation, c.adr_employees) == (c.customer.nation, c.customer.adr_employees)
        assert c.effective_receipt_at == clocks.effective_receipt
        assert {name: getattr(c, name) for name in CLOCK_NAMES} == clocks.as_dict()
        assert (c.adr_eligible, c.adr_ineligible_reason) == (
            clocks.adr_eligible,
            clocks.adr_ineligible_reason,
        )
        assert c.clock_reasons == dict(clocks.reasons)


def test_clocks_assembled_from_the_memo_equal_compute_clocks():
    # Given rows that share their receipt, ADR, auto-close and eligibility inputs in new ways
    version = code_version_in_force(at=NOW)
    memo = ClockMemo({version.pk: code_rules(version)})
    memo.CHECK_EVERY = 10**9  # compare every row here, not the seeder's spot checks
    hour = datetime.timedelta(hours=1)
    instants = [NOW - 50 * hour, NOW - 30 * hour, NOW - 8 * hour]  # includes out-of-hours
    for channel, received, responded, employees, category in itertools.product(
        ("phone", "email"), instants, (None, NOW - 2 * hour), (None, 10, 9), ("pricing", "billing")
    ):
        inputs = ClockInputs(
            channel=channel,
            received=received,
            first_made=received - 24 * hour,
            nation="SCT",
            category=category,
            employees=employees,
            responded=responded,
        )
        # When the memo answers; then it matches a fresh computation
        assert memo.clocks(version.pk, inputs) == compute_clocks(memo.rules[version.pk], inputs)
    assert memo.assembled > 0


def test_statuses_channels_and_nations_are_mixed(seeded):
    for name in ("status", "channel", "category", "tier"):
        assert Complaint.objects.values(name).distinct().count() > 1, name
    assert Customer.objects.values("nation").distinct().count() > 1
    assert Complaint.objects.filter(status__in=["resolved", "closed"]).exists()
    assert Complaint.objects.filter(status__in=["new", "acknowledged", "investigating"]).exists()


def test_every_complaint_has_its_logged_and_clock_events(seeded):
    events = TimelineEvent.objects.all()
    logged = events.filter(kind="logged", visibility="customer")
    assert logged.values("complaint").distinct().count() == SIZE == logged.count()
    assert events.filter(kind="clock_change", summary__startswith="Clocks set").count() == SIZE
    not_new = Complaint.objects.exclude(status="new").count()
    closed = Complaint.objects.filter(status="closed").count()
    # Staff moved each complaint on; the auto-close sweep then closed some of them.
    assert events.filter(kind="status_change").count() == not_new + closed


def test_next_due_is_what_the_queues_compute(seeded):
    for c in Complaint.objects.all():
        assert (c.next_due_at, c.next_due_clock) == complaint_next_due(c), c.reference
    assert Complaint.objects.filter(next_due_at__isnull=False).exists()


def test_resolved_and_closed_complaints_carry_their_lifecycle_times(seeded):
    resolved = Complaint.objects.filter(status="resolved")
    closed = Complaint.objects.filter(status="closed")
    assert not resolved.filter(Q(resolved_at=None) | ~Q(closed_at=None)).exists()
    # Only the auto-close sweep closes, at or after auto_close_at.
    assert not closed.filter(Q(closed_at=None) | Q(closed_at__lt=F("auto_close_at"))).exists()
    assert not Complaint.objects.exclude(status="new").filter(acknowledged_at=None).exists()


def test_the_adr_period_sweep_has_nothing_left_to_do(seeded):
    overdue = Complaint.objects.filter(
        status__in=OPEN_STATUSES,
        adr_eligible_from__lte=local_date(NOW),
        adr_period_reached_at__isnull=True,
    )
    assert not overdue.exists()
    assert complaints_adr_period_sweep(now=NOW) == 0


def test_the_auto_close_sweep_has_nothing_left_to_do(seeded):
    assert Complaint.objects.filter(status="closed").exists()
    assert complaints_auto_close_sweep(now=NOW) == 0


def test_auto_closed_complaints_carry_the_event_the_sweep_writes(seeded):
    # Given a complaint the real sweep closes
    closed = Complaint.objects.filter(status="closed").first()
    waiting = ComplaintFactory()
    Complaint.objects.filter(pk=waiting.pk).update(status="awaiting_customer", auto_close_at=NOW)
    complaints_auto_close_sweep(now=NOW)
    swept = TimelineEvent.objects.get(complaint=waiting, data__action="auto_close")
    # Then the seeded complaint's closing event reads the same, at its closing time
    seeded_event = TimelineEvent.objects.get(complaint=closed, data__action="auto_close")
    assert (seeded_event.summary, seeded_event.data) == (swept.summary, swept.data)
    assert seeded_event.occurred_at == closed.closed_at >= closed.auto_close_at
    assert seeded_event.dedupe_key == f"auto_close:{closed.auto_close_at.isoformat()}"
    assert closed.resolved_at == closed.closed_at


def test_open_complaints_whose_adr_period_passed_today_are_marked_too():
    # Given `now` 20 minutes after midnight, when some ADR periods began
    just_after_midnight = datetime.datetime(2026, 11, 3, 0, 20, tzinfo=datetime.UTC)
    bench_seed(complaints=4000, now=just_after_midnight, seed=3, batch=2000)
    today = Complaint.objects.filter(
        adr_eligible_from=local_date(just_after_midnight), status__in=OPEN_STATUSES
    )
    assert today.exists()
    # Then none is left for the sweep, and none is marked later than now
    assert complaints_adr_period_sweep(now=just_after_midnight) == 0
    assert not today.filter(adr_period_reached_at__gt=just_after_midnight).exists()


def test_customers_are_about_one_per_three_complaints_and_each_has_one(seeded):
    assert Customer.objects.count() == 100  # 40 + 40 + 20 for batches of 120, 120, 60
    assert not Customer.objects.filter(complaints__isnull=True).exists()


def test_complaints_are_assigned_to_bench_staff_in_their_role_groups(seeded):
    agents = Group.objects.get(name="agent").user_set.filter(username__startswith="bench-")
    managers = Group.objects.get(name="manager").user_set.filter(username__startswith="bench-")
    assert (agents.count(), managers.count()) == (20, 5)
    staff = set(agents.values_list("pk", flat=True)) | set(managers.values_list("pk", flat=True))
    assigned = set(
        Complaint.objects.exclude(assigned_to=None).values_list("assigned_to", flat=True)
    )
    assert assigned and assigned <= staff


def test_reseeding_to_the_same_size_adds_nothing(seeded):
    counts = (Customer.objects.count(), TimelineEvent.objects.count())
    again = bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)
    assert again.created == 0
    assert Complaint.objects.count() == SIZE
    assert (Customer.objects.count(), TimelineEvent.objects.count()) == counts


def test_seeding_a_larger_size_tops_up_with_fresh_references(seeded):
    again = bench_seed(complaints=SIZE + 50, now=NOW, seed=7, batch=120)
    assert again.created == 50
    references = Complaint.objects.values_list("reference", flat=True)
    assert len(set(references)) == SIZE + 50


def test_a_seed_that_doubles_the_complaints_rebuilds_the_rollups_once_instead_of_the_triggers(
    seeded,
):
    assert seeded.rollups_seconds is not None
    assert any("rebuilt once at the end" in line for line in seeded.lines())
    assert received_counted() == SIZE  # every seeded complaint is counted
    assert rollup_rows() == rebuilt_rows()


def test_a_small_top_up_keeps_the_triggers_and_the_rollups_stay_exact(seeded):
    again = bench_seed(complaints=SIZE + 50, now=NOW, seed=7, batch=120)
    assert again.rollups_seconds is None
    assert not ReportPending.objects.exists()  # the top-up's pending changes were counted
    assert received_counted() == SIZE + 50
    assert rollup_rows() == rebuilt_rows()


def test_the_triggers_do_not_count_a_deferred_seed_s_copies(monkeypatch):
    rebuild = seed_module._rollups_rebuild
    seen = []

    def checked(say):
        # what the triggers counted or left pending: nothing
        seen.append((ReportReceived.objects.count(), ReportPending.objects.count()))
        return rebuild(say)

    monkeypatch.setattr(seed_module, "_rollups_rebuild", checked)
    report = bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)
    assert seen == [(0, 0)]
    assert received_counted() == report.created


def test_a_seed_whose_batch_fails_counts_the_batches_it_committed_and_reports_the_failure(
    second_write_fails,
):
    with pytest.raises(RuntimeError, match="disk full"):
        bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('redress.report_rollups', true)")
        assert cursor.fetchone()[0] in (None, "")
    assert Complaint.objects.count() == 120
    assert rollup_rows() == rebuilt_rows()


def test_a_small_top_up_rebuilds_rollups_an_interrupted_seed_left_short(seeded):
    with connection.cursor() as cursor:  # as a seed killed before its rebuild leaves them
        cursor.execute("DELETE FROM complaints_report_received")
    again = bench_seed(complaints=SIZE + 50, now=NOW, seed=7, batch=120)
    assert again.rollups_seconds is not None
    assert received_counted() == SIZE + 50
    assert rollup_rows() == rebuilt_rows()


def test_a_seed_to_the_size_there_rebuilds_rollups_a_killed_rebuild_left_short(seeded):
    with connection.cursor() as cursor:  # as a seed killed in its rebuild leaves them
        cursor.execute("DELETE FROM complaints_report_received")
    again = bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)
    assert again.created == 0 and again.rollups_seconds is not None
    assert rollup_rows() == rebuilt_rows()


def test_after_a_deferred_seed_this_connection_s_writes_are_counted_again(seeded):
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('redress.report_rollups', true)")
        assert cursor.fetchone()[0] in (None, "")
    ComplaintFactory()
    assert rollup_rows() == rebuilt_rows()


def test_a_reference_another_writer_holds_is_not_reused():
    # Given the web form already gave out the reference the seeder would pick first
    taken = _References("7", start=1).take(1)[0]
    Complaint.objects.filter(pk=ComplaintFactory().pk).update(reference=taken)
    # When the seeder tops up from there
    bench_seed(complaints=1 + 120, now=NOW, seed=7, batch=120)
    # Then every reference is still unique and well formed
    references = list(Complaint.objects.values_list("reference", flat=True))
    assert len(set(references)) == len(references) == 121
    assert all(REFERENCE.match(r) for r in references)


def test_references_of_different_positions_never_coincide():
    references = _References("7", start=0)
    bodies = {references._body(n) for n in range(50_000)}
    assert len(bodies) == 50_000


def test_an_escalated_row_whose_groups_were_all_seen_still_gets_its_formal_clock():
    # Given a memo that has seen every group of a row that was never escalated
    version = code_version_in_force(at=NOW)
    memo = ClockMemo({version.pk: code_rules(version)})
    memo.CHECK_EVERY = 10**9
    hour = datetime.timedelta(hours=1)
    plain = ClockInputs(channel="email", received=NOW - 300 * hour, first_made=NOW - 300 * hour)
    memo.clocks(version.pk, plain)
    # When the same row arrives escalated (inputs the groups do not hold)
    escalated = dataclasses.replace(plain, escalated=NOW - 100 * hour)
    clocks = memo.clocks(version.pk, escalated)
    # Then it is computed in full, formal response clock included
    assert clocks == compute_clocks(memo.rules[version.pk], escalated)
    assert clocks.formal_respond_by is not None
    assert memo.assembled == 0


def test_the_clock_memo_forgets_when_full_and_stays_exact():
    version = code_version_in_force(at=NOW)
    memo = ClockMemo({version.pk: code_rules(version)})
    memo.MAX_ENTRIES, memo.CHECK_EVERY = 3, 1
    for hours in range(1, 40):
        inputs = ClockInputs(
            channel="email",
            received=NOW - datetime.timedelta(hours=hours % 9),
            first_made=NOW - datetime.timedelta(days=hours % 4),
            nation="ENG",
            category="billing",
            employees=None,
        )
        assert memo.clocks(version.pk, inputs) == compute_clocks(memo.rules[version.pk], inputs)
        assert max(len(memo.receipt), len(memo.adr), len(memo.close)) <= 3


def test_every_table_the_triggers_fill_while_seeding_is_vacuumed_with_the_copied_ones(seeded):
    # The seeder's VACUUM names them: each must be a real table, and the search's filled
    with connection.cursor() as cursor:
        for table in TRIGGER_FILLED:
            cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
            assert cursor.fetchone()[0], table
        cursor.execute("SELECT count(*) FROM complaints_customernameword")
        assert cursor.fetchone()[0] >= Customer.objects.count()


def test_the_report_gives_each_process_s_peak_memory(seeded):
    assert seeded.peak_rss_main > 0 and seeded.peak_rss_builders > 0
    assert any("peak memory" in line for line in seeded.lines())


def test_reminder_and_breach_instants_are_what_every_write_computes(seeded):
    """The beat jobs find complaints only by reminder_due_at / breach_due_at: seeded rows
    carry what complaint_enforcement_refresh would have set."""
    from complaints.staff_clocks import complaint_enforcement_refresh

    checked = 0
    for complaint in Complaint.objects.select_related("code_version"):
        expected = (complaint.reminder_due_at, complaint.breach_due_at)
        complaint_enforcement_refresh(complaint)
        assert (complaint.reminder_due_at, complaint.breach_due_at) == expected, complaint.pk
        checked += expected[1] is not None
    assert checked, "some seeded complaints have a clock still to enforce"

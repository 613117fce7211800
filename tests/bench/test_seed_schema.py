"""A big seed copies without the foreign keys and secondary indexes and restores them after
(bench/seed_schema.py): every one comes back as it was, whatever stops the seed."""

from __future__ import annotations

import datetime
import threading
import time

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from bench import seed_schema
from bench.seed import bench_seed
from bench.seed_copy import SEEDED_TABLES, CopyWriter
from bench.seed_schema import LEDGER, schema_drop, schema_dropped, schema_restore
from complaints.models import Complaint
from tests.complaints.selectors.rollups import rebuilt_rows, rollup_rows
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=datetime.UTC)
SIZE = 300


def _indexes() -> dict[str, tuple]:
    """Every index and foreign key of the seeded tables: name -> what it is. An index: table,
    method, columns, operator classes, options, uniqueness, whether it has expressions or a
    predicate. A foreign key: table, definition, validated, deferrable, deferred. Not the text of
    its definition: PostgreSQL spells an expression it parsed back from pg_get_indexdef
    differently (`= ANY (ARRAY[('new'::varchar)::text, ...])` for `= ANY ((ARRAY['new'::varchar,
    ...])::text[])`), as after any pg_dump and restore; that the spelling means the same is
    checked below by a second round trip and by the planner's choice."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname, t.relname, a.amname, x.indkey::text, x.indclass::text,"
            " x.indoption::text, x.indisunique, x.indexprs IS NOT NULL, x.indpred IS NOT NULL"
            " FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid"
            " JOIN pg_class t ON t.oid = x.indrelid JOIN pg_am a ON a.oid = i.relam"
            " WHERE t.relname = ANY(%s)",
            [list(SEEDED_TABLES)],
        )
        indexes = {row[0]: row[1:] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT c.conname, t.relname, pg_get_constraintdef(c.oid), c.convalidated,"
            " c.condeferrable, c.condeferred FROM pg_constraint c"
            " JOIN pg_class t ON t.oid = c.conrelid WHERE t.relname = ANY(%s) AND c.contype = 'f'",
            [list(SEEDED_TABLES)],
        )
        return indexes | {row[0]: row[1:] for row in cursor.fetchall()}


def _definitions() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)",
            [list(SEEDED_TABLES)],
        )
        return dict(cursor.fetchall())


def _unique() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = ANY(%s) AND x.indisunique",
            [list(SEEDED_TABLES)],
        )
        return {row[0] for row in cursor.fetchall()}


@pytest.fixture
def copies_see(monkeypatch):
    """The indexes present at each batch's COPY."""
    seen: list[dict[str, tuple]] = []
    write = CopyWriter.write

    def recording(self, payload):
        seen.append(_indexes())
        return write(self, payload)

    monkeypatch.setattr(CopyWriter, "write", recording)
    return seen


def test_a_seed_that_doubles_the_complaints_copies_with_only_the_unique_indexes(copies_see):
    before, unique = _indexes(), _unique()
    report = bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)
    assert {"complaints_complaint_reference_key", "timeline_event_dedupe"} <= unique
    assert copies_see and all(set(seen) == unique for seen in copies_see)  # no key, no index
    assert report.keys_dropped == 7
    assert report.keys_dropped + report.indexes_dropped == len(before) - len(unique)
    assert report.indexes_dropped > 20
    assert any("7 foreign keys and" in line for line in report.lines())


def test_every_dropped_key_and_index_is_restored_as_it_was_and_struck_off_the_ledger():
    before = _indexes()
    bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)
    assert _indexes() == before
    assert schema_dropped() == []
    with connection.cursor() as cursor:  # built whole, usable by the planner
        cursor.execute(
            "SELECT bool_and(x.indisvalid AND x.indisready) FROM pg_index x "
            "JOIN pg_class t ON t.oid = x.indrelid WHERE t.relname = ANY(%s)",
            [list(SEEDED_TABLES)],
        )
        assert cursor.fetchone()[0]


def test_a_rebuilt_definition_means_what_it_meant():
    bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)
    once = _definitions()
    schema_drop(SEEDED_TABLES)
    schema_restore()
    assert _definitions() == once  # PostgreSQL's spelling is a fixed point after one trip
    # and a queue's read still proves the partial index's predicate (status IN the open ones)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM complaints_complaint WHERE department = 'billing' AND status"
            " IN ('new', 'acknowledged', 'investigating', 'awaiting_customer', 'escalated',"
            " 'final_response') ORDER BY next_due_at, id LIMIT 50"
        )
        assert "complaint_queue_team_idx" in "".join(row[0] for row in cursor.fetchall())


def test_a_small_top_up_keeps_every_key_and_index(copies_see):
    bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)
    before = _indexes()
    copies_see.clear()
    again = bench_seed(complaints=SIZE + 50, now=NOW, seed=7, batch=120)
    assert again.keys_dropped == again.indexes_dropped == 0
    assert copies_see and all(seen == before for seen in copies_see)


def test_a_seed_whose_batch_fails_restores_the_schema_and_reports_the_failure(
    second_write_fails,
):
    before = _indexes()
    with pytest.raises(RuntimeError, match="disk full"):
        bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)
    assert _indexes() == before
    assert schema_dropped() == []
    assert rollup_rows() == rebuilt_rows()


def test_an_interrupted_seed_leaves_its_schema_on_the_ledger_and_the_next_seed_restores_it(
    monkeypatch,
):
    before, unique = _indexes(), _unique()
    write = CopyWriter.write

    def interrupted(self, payload):
        raise KeyboardInterrupt

    monkeypatch.setattr(CopyWriter, "write", interrupted)
    with pytest.raises(KeyboardInterrupt):
        bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)
    assert set(_indexes()) == unique  # as Ctrl-C (or a kill) leaves the database
    assert {name for _, name, _, _ in schema_dropped()} == set(before) - unique

    monkeypatch.setattr(CopyWriter, "write", write)
    lines: list[str] = []
    bench_seed(complaints=0, progress=lines.append)  # adds nothing: only the start's restore
    assert _indexes() == before
    assert schema_dropped() == []
    assert any("restoring 7 foreign keys" in line for line in lines)


def test_a_restored_foreign_key_is_validated_deferred_and_enforced():
    bench_seed(complaints=SIZE, now=NOW, seed=7, batch=120)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(convalidated AND condeferrable AND condeferred), count(*)"
            " FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [list(SEEDED_TABLES)],
        )
        assert cursor.fetchone() == (True, 7)
        with pytest.raises(IntegrityError), transaction.atomic():  # it refuses, as before
            cursor.execute(
                "UPDATE complaints_complaint SET customer_id = -1"
                " WHERE id = (SELECT min(id) FROM complaints_complaint)"
            )
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_a_foreign_key_the_rows_break_is_raised_after_the_rest_and_stays_on_the_ledger():
    key = "complaints_complaint_customer_id_299bf0f5_fk_complaint"
    complaint = ComplaintFactory()
    before = _indexes()
    assert key in {name for _, name, _, _ in schema_drop(["complaints_complaint"])}
    Complaint.objects.filter(pk=complaint.pk).update(customer_id=-1)  # nothing refuses it now
    rebuilt = []
    with pytest.raises(IntegrityError, match="customer_id"):
        schema_restore(alongside=lambda: rebuilt.append(1))
    assert [name for _, name, _, _ in schema_dropped()] == [key]  # the rest were restored
    after = _indexes()
    assert set(after) == set(before)  # the key is back, enforced for new rows, but
    assert after[key] != before[key] and after[key][2] is False  # not validated
    assert rebuilt == [1]  # and the rollups' rebuild still ran


def test_a_build_that_fails_keeps_its_ledger_entry_for_the_next_run():
    schema_drop(["complaints_customer"])
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {LEDGER} SET definition = 'CREATE INDEX broken ON no_such_table (x)' "
            "WHERE name = 'customer_postcode_idx'"
        )
    with pytest.raises(DatabaseError):
        schema_restore()
    assert "customer_postcode_idx" in {name for _, name, _, _ in schema_dropped()}


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_outside_a_transaction_two_connections_restore_keys_then_indexes_beside_the_rebuild(
    monkeypatch,
):
    before = _indexes()
    done: list[tuple[str, str, int]] = []  # (kind, thread, backend pid), in order
    building = threading.Event()  # an index build has started on the other connection
    restore = seed_schema._restore

    def recording(kind, name, table, definition):
        if kind == seed_schema.INDEX and threading.current_thread().name != "MainThread":
            building.set()
        restore(kind, name, table, definition)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            done.append((kind, threading.current_thread().name, cursor.fetchone()[0]))

    def rebuild() -> None:  # stands in for the rollups' rebuild: it must overlap a build
        assert building.wait(30), "no index was built beside the rebuild"

    monkeypatch.setattr(seed_schema, "_restore", recording)
    try:
        assert schema_drop(SEEDED_TABLES)
        schema_restore(alongside=rebuild)
        kinds = [kind for kind, _, _ in done]
        assert kinds == sorted(kinds, key=lambda kind: kind != seed_schema.FOREIGN_KEY)
        for kind in (seed_schema.FOREIGN_KEY, seed_schema.INDEX):  # two connections a phase
            assert len({pid for k, _, pid in done if k == kind}) <= seed_schema.BUILDERS
        assert len({pid for k, _, pid in done if k == seed_schema.INDEX}) == seed_schema.BUILDERS
        assert _indexes() == before
        assert schema_dropped() == []
    finally:
        monkeypatch.undo()
        schema_restore()  # never leave the test database without its indexes


def test_ctrl_c_beside_the_builds_stops_the_other_connection_too(monkeypatch):
    started = threading.Event()
    restored: list[str] = []

    def slow(kind, name, table, definition):
        started.set()
        time.sleep(0.05)
        restored.append(name)

    def interrupted() -> None:
        started.wait(10)
        raise KeyboardInterrupt

    monkeypatch.setattr(seed_schema, "_restore", slow)
    entries = [(seed_schema.INDEX, f"index_{n}", "t", "") for n in range(200)]
    with pytest.raises(KeyboardInterrupt):
        seed_schema._run(entries, interrupted)
    assert 0 < len(restored) < 20  # it stopped after the entry it was on, not after all 200

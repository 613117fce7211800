"""Writers and folds of the dashboard's rollups side by side, on real connections (migration 0021).

A new complaint used to add 1 to the same rollup rows as every other new complaint, in its own
transaction, so a second submission waited for the first's COMMIT. Now it appends a pending row,
so two writers never wait for each other there; and two folds at once count each change once.
"""

from __future__ import annotations

import threading

import pytest

from complaints.models import Complaint, ReportPending
from complaints.rollups import rollups_fold
from tests.complaints.selectors.rollups import rebuilt_rows, rollup_rows
from tests.factories import ComplaintFactory
from tests.faults.stack import own_connection, wait_for

# serialized_rollback: the codes of practice the migrations put there are restored after.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def insert_copy(cursor, of: int, reference: str) -> None:
    """A new complaint like `of` in every column the rollups read (same day, same filters)."""
    columns = [f.column for f in Complaint._meta.concrete_fields if f.column != "id"]
    chosen = ", ".join("%s" if c == "reference" else c for c in columns)
    cursor.execute(
        f"INSERT INTO complaints_complaint ({', '.join(columns)}) "  # noqa: S608
        f"SELECT {chosen} FROM complaints_complaint WHERE id = %s",
        [reference, of],
    )


def blocked_by(watch, pid: int, *, by: int) -> bool:
    """Whether backend `pid` waits on a lock backend `by` holds (`watch`: in autocommit)."""
    with watch.cursor() as cursor:
        cursor.execute("SELECT %s = ANY (pg_blocking_pids(%s))", [by, pid])
        return cursor.fetchone()[0]


def test_two_writers_of_new_complaints_do_not_wait_for_each_other(use_code):
    use_code("infinity-group-2016")
    # Given a complaint, and two connections each adding one exactly like it
    first = ComplaintFactory().pk
    rollups_fold()
    a, b = own_connection(), own_connection()
    try:
        with a.cursor() as cursor_a, b.cursor() as cursor_b:
            # When the first has inserted and not committed yet
            insert_copy(cursor_a, first, "RD-ROLL-000A")
            # Then the second's insert and commit do not wait for it
            cursor_b.execute("SET lock_timeout = '2s'")
            insert_copy(cursor_b, first, "RD-ROLL-000B")
            b.commit()
            a.commit()
    finally:
        a.close()
        b.close()
    # and once folded, both are counted exactly as a rebuild counts them
    assert rollups_fold() == 2
    assert rollup_rows() == rebuilt_rows()


def test_two_folds_at_once_count_each_change_once(use_code):
    use_code("infinity-group-2016")
    # Given changes waiting to be counted
    ids = [ComplaintFactory().pk for _ in range(3)]
    rollups_fold()
    Complaint.objects.filter(pk__in=ids).update(status="escalated", tier=1)
    assert ReportPending.objects.count() == 6
    # When one fold has counted them but not committed, and a second fold starts
    holder, other = own_connection(), own_connection()
    watch = own_connection(autocommit=True)
    second: list[int] = []
    try:
        with holder.cursor() as cursor:
            cursor.execute("SELECT complaints_report_fold(NULL)")
            assert cursor.fetchone()[0] == 6

            def fold_again() -> None:
                with other.cursor() as c:
                    c.execute("SELECT complaints_report_fold(NULL)")
                    second.append(c.fetchone()[0])
                other.commit()

            worker = threading.Thread(target=fold_again)
            worker.start()
            # Then the second waits for the first's rows (PostgreSQL says whom it waits on)
            waiter, holding = other.get_backend_pid(), holder.get_backend_pid()
            wait_for(lambda: blocked_by(watch, waiter, by=holding), timeout=10, every=0.02,
                     what="the second fold to wait for the first")  # fmt: skip
            holder.commit()
            worker.join(10)
    finally:
        holder.close()
        other.close()
        watch.close()
    # and finds them gone once the first commits: each change counted once
    assert second == [0]
    assert not ReportPending.objects.exists()
    assert rollup_rows() == rebuilt_rows()

"""The seeded tables' secondary indexes, dropped for a big seed and built again at its end.

COPY into a table keeps every index on it up to date row by row: at 1,000,000 complaints that is
26 indexes on the complaints alone, two of them trigram GIN indexes, and PostgreSQL spends more
time there than on the rows. Building an index once from the finished table (one sort) is far
cheaper. So a seed that at least doubles the complaints (`bench_seed`, the same rule as the
rollups' deferral) drops the indexes nothing needs while it copies and builds them again after.

What stays: primary keys and unique indexes. The foreign keys' checks, the name-word triggers'
`ON CONFLICT` and the seeder's own reference check (`_References._existing`) need them, and a
unique index is a rule about the data, not only a way to read it.

Crash safety: the definitions (`pg_get_indexdef`) are written to `LEDGER` in the transaction that
drops the indexes, so a seed killed before its rebuild (Ctrl-C, a lost connection, a killed
process) leaves them written down; `indexes_restore` at the start of the next seed or benchmark
run builds whatever the ledger still lists, and removes each entry as its index commits.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from django.db import connection, transaction

LEDGER = "bench_seed_dropped_index"

# Memory per index build: a 1M-row btree sorts in memory with this; the trigram GIN index uses
# it as its build buffer. Two builds at once (one per core) take twice this at most.
MAINTENANCE_WORK_MEM = "256MB"
BUILDERS = 2  # connections building at once: the cores of the machine the figures are for

Progress = Callable[[str], None]


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def indexes_drop(tables: Iterable[str]) -> list[str]:
    """Drop the secondary indexes of `tables`, recording each definition in `LEDGER` in the same
    transaction; returns the names dropped."""
    tables = list(tables)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {LEDGER} ("
            " name text PRIMARY KEY, table_name text NOT NULL, definition text NOT NULL)"
        )
        cursor.execute(
            """
            SELECT i.relname, t.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = to_regnamespace(current_schema())
              AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY t.relname, i.relname
            """,
            [tables],
        )
        found = cursor.fetchall()
        for name, table, definition in found:
            cursor.execute(
                f"INSERT INTO {LEDGER} (name, table_name, definition) VALUES (%s, %s, %s)"
                " ON CONFLICT (name) DO NOTHING",
                [name, table, definition],
            )
            cursor.execute(f"DROP INDEX {_quote(name)}")
    return [name for name, _, _ in found]


def indexes_dropped() -> list[tuple[str, str]]:
    """(name, definition) of every index the ledger lists as dropped and not yet rebuilt,
    largest table first and GIN first within it (the longest builds start first)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [LEDGER])
        if not cursor.fetchone()[0]:
            return []
        cursor.execute(
            f"""
            SELECT d.name, d.definition FROM {LEDGER} d
            LEFT JOIN pg_class t ON t.oid = to_regclass(d.table_name)
            ORDER BY coalesce(t.relpages, 0) DESC, d.definition LIKE %s DESC, d.name
            """,
            ["% USING gin %"],
        )
        return cursor.fetchall()


def _build(name: str, definition: str) -> None:
    """Build one index from the ledger and strike it off, in one transaction: a build killed
    half-way leaves nothing behind but its ledger entry."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
        # One process per build: BUILDERS connections already keep the cores busy.
        cursor.execute("SET LOCAL max_parallel_maintenance_workers = 0")
        cursor.execute("SELECT to_regclass(%s) IS NULL", [name])
        if cursor.fetchone()[0]:
            cursor.execute(definition)
        cursor.execute(f"DELETE FROM {LEDGER} WHERE name = %s", [name])


def indexes_restore(
    say: Progress | None = None, *, alongside: Callable[[], object] | None = None
) -> float:
    """Build every index the ledger lists; returns the seconds it took.

    `BUILDERS` connections build at once. `alongside`, if given, runs on this thread's own
    connection meanwhile (the rollups' rebuild, one core's work), and this thread joins the
    builders when it is done. Inside a transaction (a test) everything runs here, in turn,
    since other connections cannot see its tables.
    """
    say = say or (lambda line: None)
    began = time.perf_counter()
    pending = indexes_dropped()
    if pending:
        say(f"bench_seed: building {len(pending)} indexes dropped for the copy")
    if connection.in_atomic_block or not pending:
        if alongside is not None:
            alongside()
        if pending and connection.in_atomic_block:
            # CREATE INDEX refuses a table with foreign-key checks still deferred in this
            # transaction: run them now (Django's foreign keys are all initially deferred).
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for name, definition in pending:
                    _build(name, definition)
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return time.perf_counter() - began

    lock = threading.Lock()
    failures: list[BaseException] = []

    def drain() -> None:
        while not failures:
            with lock:
                if not pending:
                    return
                name, definition = pending.pop(0)
            try:
                _build(name, definition)
            except BaseException as error:  # noqa: BLE001 - handed to the caller below
                failures.append(error)

    def worker() -> None:
        try:
            drain()
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=worker, name=f"bench-index-{n}", daemon=True)
        for n in range(BUILDERS - (alongside is not None))
    ]
    for thread in threads:
        thread.start()
    try:
        if alongside is not None:
            alongside()
        drain()
    finally:
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]
    return time.perf_counter() - began

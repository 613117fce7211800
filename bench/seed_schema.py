"""The seeded tables' foreign keys and secondary indexes: dropped for a big seed, restored after.

What pg_dump and pg_restore do, and for the same reason. COPY keeps every index on a table up to
date row by row (26 on the complaints alone, two of them trigram GIN indexes) and checks every
foreign key row by row at commit (seven, about five checks per complaint with its events);
PostgreSQL spent more time on those than on the rows. Building an index once from the finished
table is one sort, and validating a foreign key once is one join. So a seed that at least
doubles the complaints (`bench_seed`, the same rule as the rollups' deferral) drops them while
it copies and restores them after: the foreign keys first (validated on `BUILDERS` connections;
validation reads the primary keys, which stay), then the indexes, beside the rollups' rebuild.

What stays: primary keys, unique indexes and CHECK constraints. The name-word triggers'
`ON CONFLICT` and the seeder's own reference check (`_References._existing`) need the unique
indexes, and a CHECK costs next to nothing. A foreign key comes back exactly as it was
(`pg_get_constraintdef`, with its name, DEFERRABLE INITIALLY DEFERRED), and validated: a row
that referred to nothing would stop the restore with PostgreSQL's error naming the constraint.

Crash safety: the definitions are written to `LEDGER` in the transaction that drops them, so a
seed killed before its end (Ctrl-C, a lost connection, a killed process) leaves them written
down; `schema_restore` at the start of the next seed or benchmark run restores whatever the
ledger still lists, and strikes each entry off in the transaction that restores it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable

from django.db import connection, transaction

LEDGER = "bench_seed_dropped"
FOREIGN_KEY, INDEX = "foreign key", "index"

# Memory per index build: a 1M-row btree sorts in memory with this; the trigram GIN index uses
# it as its build buffer. Two builds at once (one per core) take twice this at most.
MAINTENANCE_WORK_MEM = "256MB"
BUILDERS = 2  # connections restoring at once: the cores of the machine the figures are for

Progress = Callable[[str], None]
Entry = tuple[str, str, str, str]  # (kind, name, table, definition)


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def schema_drop(tables: Iterable[str]) -> list[Entry]:
    """Drop the foreign keys and secondary indexes of `tables`, recording each definition in
    `LEDGER` in the same transaction; returns what was dropped."""
    tables = list(tables)
    inside = connection.in_atomic_block  # a test's transaction, with checks still deferred
    with transaction.atomic(), connection.cursor() as cursor:
        if inside:  # ALTER TABLE and DROP INDEX refuse a table with checks pending: run them
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {LEDGER} (kind text NOT NULL, name text PRIMARY KEY,"
            " table_name text NOT NULL, definition text NOT NULL)"
        )
        cursor.execute(
            """
            SELECT %s, c.conname, t.relname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = to_regnamespace(current_schema())
              AND c.contype = 'f'
            UNION ALL
            SELECT %s, i.relname, t.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = to_regnamespace(current_schema())
              AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY 1, 3, 2
            """,
            [FOREIGN_KEY, tables, INDEX, tables],
        )
        found: list[Entry] = cursor.fetchall()
        for kind, name, table, definition in found:
            cursor.execute(
                f"INSERT INTO {LEDGER} (kind, name, table_name, definition)"
                " VALUES (%s, %s, %s, %s) ON CONFLICT (name) DO NOTHING",
                [kind, name, table, definition],
            )
            if kind == FOREIGN_KEY:
                cursor.execute(f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}")
            else:
                cursor.execute(f"DROP INDEX {_quote(name)}")
        if inside:
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    return found


def schema_dropped() -> list[Entry]:
    """Every entry the ledger lists as dropped and not yet restored: foreign keys first, then
    indexes, largest table first and GIN first within it (the longest builds start first)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [LEDGER])
        if not cursor.fetchone()[0]:
            return []
        cursor.execute(
            f"""
            SELECT d.kind, d.name, d.table_name, d.definition FROM {LEDGER} d
            LEFT JOIN pg_class t ON t.oid = to_regclass(d.table_name)
            ORDER BY d.kind = %s DESC, coalesce(t.relpages, 0) DESC,
                     d.definition LIKE %s DESC, d.name
            """,
            [FOREIGN_KEY, "% USING gin %"],
        )
        return cursor.fetchall()


def _restore(kind: str, name: str, table: str, definition: str) -> None:
    """Restore one entry and strike it off, in one transaction: one killed half-way leaves
    nothing behind but its ledger entry."""
    with transaction.atomic(), connection.cursor() as cursor:
        if kind == FOREIGN_KEY:
            cursor.execute(
                "SELECT NOT EXISTS (SELECT 1 FROM pg_constraint"
                " WHERE conname = %s AND conrelid = to_regclass(%s))",
                [name, table],
            )
            if cursor.fetchone()[0]:
                # NOT VALID, then VALIDATE: the long part (one join over the table) holds only a
                # SHARE UPDATE EXCLUSIVE lock, so the other connection's validations go on.
                cursor.execute(
                    f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
                    " NOT VALID"
                )
                cursor.execute(f"ALTER TABLE {_quote(table)} VALIDATE CONSTRAINT {_quote(name)}")
        else:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            # One process per build: BUILDERS connections already keep the cores busy.
            cursor.execute("SET LOCAL max_parallel_maintenance_workers = 0")
            cursor.execute("SELECT to_regclass(%s) IS NULL", [name])
            if cursor.fetchone()[0]:
                cursor.execute(definition)
        cursor.execute(f"DELETE FROM {LEDGER} WHERE name = %s", [name])


def _run(entries: list[Entry], alongside: Callable[[], object] | None) -> None:
    """Restore `entries` on `BUILDERS` connections at once; `alongside`, if given, runs on this
    thread's connection meanwhile, and this thread joins the others when it is done."""
    lock = threading.Lock()
    failures: list[BaseException] = []

    def drain() -> None:
        while not failures:
            with lock:
                if not entries:
                    return
                entry = entries.pop(0)
            try:
                _restore(*entry)
            except BaseException as error:  # noqa: BLE001 - handed to the caller below
                failures.append(error)

    def worker() -> None:
        try:
            drain()
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=worker, name=f"bench-restore-{n}", daemon=True)
        for n in range(min(BUILDERS - (alongside is not None), len(entries)))
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


def schema_restore(
    say: Progress | None = None, *, alongside: Callable[[], object] | None = None
) -> float:
    """Restore every foreign key and index the ledger lists; returns the seconds it took.

    The foreign keys are validated first, then the indexes built, `BUILDERS` at once, with
    `alongside` (the rollups' rebuild, one core's work) on this thread's connection beside the
    index builds. Inside a transaction (a test) everything runs here, in turn, since other
    connections cannot see its tables.
    """
    say = say or (lambda line: None)
    began = time.perf_counter()
    pending = schema_dropped()
    keys = [entry for entry in pending if entry[0] == FOREIGN_KEY]
    indexes = [entry for entry in pending if entry[0] == INDEX]
    if pending:
        say(
            f"bench_seed: restoring {len(keys)} foreign keys and {len(indexes)} indexes "
            "dropped for the copy"
        )
    if connection.in_atomic_block:
        if alongside is not None:
            alongside()
        if pending:
            with connection.cursor() as cursor:
                # ALTER TABLE and CREATE INDEX refuse a table with foreign-key checks still
                # deferred in this transaction: run them now (Django's are initially deferred).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                for entry in pending:
                    _restore(*entry)
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        return time.perf_counter() - began
    if keys:
        _run(keys, None)
    if indexes or alongside is not None:
        _run(indexes, alongside)
    return time.perf_counter() - began

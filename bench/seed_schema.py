"""The seeded tables' foreign keys and secondary indexes: dropped for a big seed, restored after.

pg_restore loads a dump the same way, and for the same reason: rows first, indexes and keys
after. COPY keeps every index on a table up to date row by row (26 on the complaints alone, two
of them trigram GIN indexes) and checks every foreign key row by row at commit (seven, about
five checks per complaint with its events); PostgreSQL spent more time on those than on the
rows. Building an index once from the finished table is one sort, and validating a foreign key
once is one join. So a seed that at least doubles the complaints (`bench_seed`, the same rule
as the rollups' deferral) drops them while it copies and restores them after: the foreign keys
first (validated on `BUILDERS` connections; validation reads the primary keys, which stay),
then the indexes, beside the rollups' rebuild, whose lock admits index builds but not
validations. (pg_restore builds the indexes first; here either order costs the same.)

What stays: primary keys, unique indexes and CHECK constraints. The name-word triggers'
`ON CONFLICT` and the seeder's own reference check (`_References._existing`) need the unique
indexes, and a CHECK costs next to nothing. A foreign key comes back exactly as it was
(`pg_get_constraintdef`, with its name, DEFERRABLE INITIALLY DEFERRED), and validated: a row
that refers to nothing is reported, with PostgreSQL's error naming the key, once the rest is
restored.

Crash safety: the definitions are written to `LEDGER` in the transaction that drops them, so a
seed killed before its end (Ctrl-C, a lost connection, a killed process) leaves them written
down; `schema_restore` at the start of the next seed or benchmark run restores whatever the
ledger still lists, and strikes each entry off in the transaction that finishes it.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable, Iterator

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


@contextlib.contextmanager
def _checks_run_first(cursor) -> Iterator[None]:
    """Inside a test's transaction, ALTER TABLE, DROP INDEX and CREATE INDEX refuse a table
    with foreign-key checks still deferred: run them first, and defer again after (Django's
    foreign keys are all initially deferred). Outside one, every batch has committed."""
    if not connection.in_atomic_block:
        yield
        return
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    try:
        yield
    finally:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def schema_drop(tables: Iterable[str]) -> list[Entry]:
    """Drop the foreign keys and secondary indexes of `tables`, recording each definition in
    `LEDGER` in the same transaction; returns what was dropped."""
    tables = list(tables)
    with connection.cursor() as cursor, _checks_run_first(cursor), transaction.atomic():
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {LEDGER} (kind text NOT NULL, name text NOT NULL,"
            " table_name text NOT NULL, definition text NOT NULL,"
            " PRIMARY KEY (kind, table_name, name))"
        )
        cursor.execute("SELECT current_schema(), current_setting('search_path')")
        schema, search_path = cursor.fetchone()
        # As pg_dump reads them: with only pg_catalog on the path, the definitions name every
        # table, operator class and function with its schema, so they mean the same thing
        # whatever path the restoring connection has.
        cursor.execute("SET LOCAL search_path = pg_catalog")
        cursor.execute(
            """
            SELECT %s, c.conname, t.relname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = to_regnamespace(quote_ident(%s))
              AND c.contype = 'f'
            UNION ALL
            SELECT %s, i.relname, t.relname, pg_get_indexdef(x.indexrelid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND t.relnamespace = to_regnamespace(quote_ident(%s))
              AND NOT x.indisunique AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
            ORDER BY 1, 3, 2
            """,
            [FOREIGN_KEY, tables, schema, INDEX, tables, schema],
        )
        found: list[Entry] = cursor.fetchall()
        cursor.execute("SELECT set_config('search_path', %s, true)", [search_path])
        for kind, name, table, definition in found:
            # No ON CONFLICT: an entry already there means something is wrong; fail, drop nothing.
            cursor.execute(
                f"INSERT INTO {LEDGER} (kind, name, table_name, definition)"
                " VALUES (%s, %s, %s, %s)",
                [kind, name, table, definition],
            )
            if kind == FOREIGN_KEY:
                cursor.execute(f"ALTER TABLE {_quote(table)} DROP CONSTRAINT {_quote(name)}")
            else:
                cursor.execute(f"DROP INDEX {_quote(name)}")
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
            LEFT JOIN pg_class t ON t.oid = to_regclass(quote_ident(d.table_name))
            ORDER BY d.kind = %s DESC, coalesce(t.relpages, 0) DESC,
                     d.definition LIKE %s DESC, d.name
            """,
            [FOREIGN_KEY, "% USING gin %"],
        )
        return cursor.fetchall()


def _strike(cursor, kind: str, name: str, table: str) -> None:
    cursor.execute(
        f"DELETE FROM {LEDGER} WHERE kind = %s AND name = %s AND table_name = %s",
        [kind, name, table],
    )


def _key_add(kind: str, name: str, table: str, definition: str) -> None:
    """Put a foreign key back unvalidated (`NOT VALID`: no scan, a moment's lock on both
    tables). Committed on its own, so the validations after it hold only the weaker lock
    VALIDATE takes, and a seed killed in between finds the key there and validates it."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT NOT EXISTS (SELECT 1 FROM pg_constraint"
            " WHERE conname = %s AND conrelid = to_regclass(quote_ident(%s)))",
            [name, table],
        )
        if cursor.fetchone()[0]:
            cursor.execute(
                f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition} NOT VALID"
            )


def _restore(kind: str, name: str, table: str, definition: str) -> None:
    """Finish one entry and strike it off, in one transaction: one killed half-way leaves
    nothing behind but its ledger entry. A foreign key (added by `_key_add`) is validated: one
    join over its table, under SHARE UPDATE EXCLUSIVE, so validations of different tables run
    at once; an index is built."""
    with transaction.atomic(), connection.cursor() as cursor:
        if kind == FOREIGN_KEY:
            # Validating a valid key does nothing, so a restore that was cut short is safe.
            cursor.execute(f"ALTER TABLE {_quote(table)} VALIDATE CONSTRAINT {_quote(name)}")
        else:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_WORK_MEM}'")
            # One process per build: BUILDERS connections already keep the cores busy.
            cursor.execute("SET LOCAL max_parallel_maintenance_workers = 0")
            cursor.execute("SELECT to_regclass(quote_ident(%s)) IS NULL", [name])
            if cursor.fetchone()[0]:
                cursor.execute(definition)
        _strike(cursor, kind, name, table)


def _run(entries: list[Entry], alongside: Callable[[], object] | None) -> None:
    """Restore `entries` on `BUILDERS` connections at once: this thread's and `BUILDERS - 1`
    others. `alongside`, if given, runs on this thread's connection first (beside the others'
    work), and this thread then joins them. An entry that fails leaves the others to go on;
    Ctrl-C (or any BaseException) anywhere stops every connection after the entry it is on.
    The first failure is raised here."""
    lock = threading.Lock()
    failures: list[BaseException] = []
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set():
            with lock:
                if not entries:
                    return
                entry = entries.pop(0)
            try:
                _restore(*entry)
            except Exception as error:  # noqa: BLE001 - raised by the caller, after the rest
                failures.append(error)
            except BaseException as error:  # noqa: BLE001 - Ctrl-C: all of them stop
                failures.append(error)
                stop.set()

    def worker() -> None:
        try:
            drain()
        finally:
            connection.close()  # this thread's own connection

    threads = [
        threading.Thread(target=worker, name=f"bench-restore-{n}", daemon=True)
        for n in range(min(BUILDERS - 1, len(entries)))
    ]
    for thread in threads:
        thread.start()
    try:
        if alongside is not None:
            alongside()
        drain()
    except BaseException:  # Ctrl-C in the rebuild, say: the others stop too
        stop.set()
        raise
    finally:
        for thread in threads:
            thread.join()
    if failures:
        raise failures[0]


def schema_restore(
    say: Progress | None = None, *, alongside: Callable[[], object] | None = None
) -> float:
    """Restore every foreign key and index the ledger lists; returns the seconds it took.

    The foreign keys first: added unvalidated, then validated on `BUILDERS` connections. Then
    the indexes, built on `BUILDERS` connections, with `alongside` (the rollups' rebuild, one
    core's work) on this thread's connection beside them; the rebuild's SHARE lock on the
    complaints admits index builds but not validations. A key the rows break does not stop the
    rest: the indexes are built and the rebuild runs, then its error is raised; the key stays
    on the ledger, in place but not validated (it holds for new rows), until a restore after
    the rows are mended validates it. Inside a transaction (a test) everything runs on this
    connection, in turn, since other connections cannot see its tables.
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
    failed: BaseException | None = None
    if connection.in_atomic_block:
        if alongside is not None:
            alongside()
        if pending:
            with connection.cursor() as cursor, _checks_run_first(cursor):
                for entry in pending:
                    try:
                        if entry[0] == FOREIGN_KEY:
                            _key_add(*entry)
                        _restore(*entry)
                    except Exception as error:  # noqa: BLE001 - raised after the rest
                        failed = failed or error
    else:
        try:
            for entry in keys:
                _key_add(*entry)
            _run(keys, None)
        except Exception as error:  # noqa: BLE001 - raised after the indexes and the rebuild
            failed = error
        if indexes or alongside is not None:
            _run(indexes, alongside)
    if failed is not None:
        raise failed
    return time.perf_counter() - began

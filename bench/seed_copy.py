"""Writing a batch: each table's rows spelt in COPY's text format, spooled to a file, copied.

Part of the seeder (bench/seed.py): the builders spool, the seeding process copies.
"""

from __future__ import annotations

import datetime
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models, transaction

from bench.seed_build import Builder, Rows
from complaints.models import (
    Complaint,
    Customer,
    TimelineEvent,
)
from complaints.models.reports import ReportDimensions

# Tables the database fills while the seeder copies (the queue search's name words, migration
# 0016, which have no model, by trigger; every manager's desk rollup, 0017-0018, by trigger or by
# the rebuild after a deferred seed): vacuumed with the copied ones, or the search reads the heap
# for each of a common surname's customers until autovacuum comes by.
TRIGGER_FILLED = (
    "complaints_nameword",
    "complaints_customernameword",
    "complaints_report_pending",  # a top-up's pending changes, folded (deleted) at its end
) + tuple(rollup._meta.db_table for rollup in ReportDimensions.__subclasses__())


# Tables whose foreign keys and secondary indexes a big seed drops and restores at its end
# (seed_schema.py): the three it copies into, and the name words' trigger fills one row per word
# of every name.
SEEDED_TABLES = (
    Customer._meta.db_table,
    Complaint._meta.db_table,
    TimelineEvent._meta.db_table,
    "complaints_customernameword",
)


_TSV_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _tsv_text(value: str) -> str:
    # Almost every value is plain (addresses carry newlines): test before translating.
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_TSV_ESCAPES)
    return value


def _tsv_json(value: Any) -> str:
    text = json.dumps(value)  # escapes control characters itself: only backslashes need doubling
    return text.replace("\\", "\\\\") if "\\" in text else text


# Instants repeat (the 5-minute grid) and a datetime caches its hash: a dict is ~10x faster
# than isoformat(). One cache for every date and time column (a date never equals a datetime),
# forgotten when full: about 30 MB.
_SPELT: dict[datetime.date, str] = {}
SPELT_MAX = 200_000


def _tsv_instant(value: datetime.date, get: Callable = _SPELT.get) -> str:
    text = get(value)
    if text is None:
        if len(_SPELT) >= SPELT_MAX:
            _SPELT.clear()
        text = _SPELT[value] = value.isoformat()
    return text


def _tsv_format(f: models.Field) -> Callable[[Any], str]:
    """How one column's value is spelt in COPY's text format (None is handled by the caller)."""
    if isinstance(f, models.JSONField):
        return _tsv_json
    if isinstance(f, models.BooleanField):
        return {True: "t", False: "f"}.__getitem__
    if isinstance(f, models.DateField):  # DateTimeField too
        return _tsv_instant
    if isinstance(f, models.CharField | models.TextField):
        return _tsv_text
    return str


class _Table:
    """One model's COPY statement; columns the seeder does not fill get the field's default."""

    def __init__(self, model: type[models.Model], *, with_id: bool) -> None:
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.model = model
        self.name = model._meta.db_table
        self.columns = [(f.attname, _tsv_format(f), f.get_default()) for f in fields]
        quote = connection.ops.quote_name
        names = ", ".join(quote(f.column) for f in fields)
        self.copy_sql = f"COPY {quote(self.name)} ({names}) FROM STDIN"

    def tsv(self, rows: list[dict[str, Any]]) -> bytes:
        columns = self.columns
        lines = [
            "\t".join(["\\N" if (v := row.get(a, d)) is None else f(v) for a, f, d in columns])
            for row in rows
        ]
        if not lines:
            return b""
        lines.append("")
        return "\n".join(lines).encode()


# (table, the TSV file of its rows, row count) per table, in COPY order.
Payload = list[tuple[str, str, int]]


@dataclass
class TableLoad:
    rows: int = 0
    seconds: float = 0.0
    bytes: int | None = None  # pg_total_relation_size after the load

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


class CopyWriter:
    """PostgreSQL: ids reserved from the tables' sequences, then one COPY per table per batch."""

    def __init__(self) -> None:
        # Nothing refers to timeline events, so their ids are left to the table's sequence.
        self.tables = [
            _Table(Customer, with_id=True),
            _Table(Complaint, with_id=True),
            _Table(TimelineEvent, with_id=False),
        ]
        self.loads = {t.name: TableLoad() for t in self.tables}

    def reserve(self, model: type[models.Model], n: int) -> list[int]:
        # nextval() is safe beside other writers, unlike jumping the sequence with setval().
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, n],
            )
            return [row[0] for row in cursor.fetchall()]

    def spool(self, builder: Builder, job: tuple, directory: str) -> Payload:
        """Build one batch into a TSV file per table under `directory`, a chunk at a time, so
        neither the builder nor this process ever holds a whole batch."""
        customers_table, complaints_table, events_table = self.tables
        stem = os.path.join(directory, f"batch-{job[0]}")
        paths = [f"{stem}.{t.name}.tsv" for t in self.tables]
        counts = [0, 0, 0]
        with open(paths[1], "wb") as complaints_file, open(paths[2], "wb") as events_file:

            def emit(complaints: Rows, events: Rows) -> None:
                complaints_file.write(complaints_table.tsv(complaints))
                events_file.write(events_table.tsv(events))
                counts[1] += len(complaints)
                counts[2] += len(events)

            customers = builder.build(*job, emit=emit)
        with open(paths[0], "wb") as customers_file:
            customers_file.write(customers_table.tsv(customers))
        counts[0] = len(customers)
        return [(t.name, path, n) for t, path, n in zip(self.tables, paths, counts, strict=True)]

    def write(self, payload: Payload) -> None:
        tables = {t.name: t for t in self.tables}
        with transaction.atomic(), connection.cursor() as cursor:
            # Losing the last batches in a crash is fine for bench data; waiting on fsync is not.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
            # Customers first, though the foreign keys (a top-up's: a big seed drops them) are only
            # checked at commit (deferred).
            for name, path, n in payload:
                began = time.perf_counter()
                with open(path, "rb") as data:
                    cursor.copy_expert(tables[name].copy_sql, data, 1 << 20)
                os.unlink(path)
                load = self.loads[name]
                load.rows += n
                load.seconds += time.perf_counter() - began

    def finish(self) -> float:
        began = time.perf_counter()
        tables = ", ".join([t.name for t in self.tables] + list(TRIGGER_FILLED))
        with connection.cursor() as cursor:
            if connection.in_atomic_block:  # a test: VACUUM cannot run in a transaction
                cursor.execute(f"ANALYZE {tables}")
            else:
                # VACUUM too: it sets the visibility map, without which index-only scans visit
                # the heap for every row (a queue page 18 ms instead of 0.7 ms at 1M rows)
                # until autovacuum gets round to it, in the middle of someone's benchmark.
                cursor.execute(f"VACUUM (ANALYZE) {tables}")
            for t in self.tables:
                cursor.execute("SELECT pg_total_relation_size(%s)", [t.name])
                self.loads[t.name].bytes = cursor.fetchone()[0]
        return time.perf_counter() - began

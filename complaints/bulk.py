"""Many rows in one INSERT … SELECT FROM unnest(arrays): the sweeps' batches travel as a handful
of array parameters, so thousands of rows cost one statement and little Python (Django's
bulk_create spends more Python per row than PostgreSQL spends inserting it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection


def rows_insert(
    table: str,
    columns: Sequence[tuple[str, str]],
    rows: Sequence[Sequence[Any]],
    *,
    skip_conflicts: bool = False,
) -> None:
    """Insert `rows` (tuples in `columns` order) into `table`; columns are (name, SQL type)."""
    if not rows:
        return
    names = ", ".join(name for name, _ in columns)
    arrays = ", ".join(f"%s::{sql_type}[]" for _, sql_type in columns)
    conflict = " ON CONFLICT DO NOTHING" if skip_conflicts else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays}){conflict}",
            [list(values) for values in zip(*rows, strict=True)],
        )

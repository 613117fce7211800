"""The dashboard's rollups brought up to date: the changes the triggers appended are counted.

Every write to a complaint appends what the rollups read, before and after, to
`complaints_report_pending` (migration 0021) instead of updating the rollups in its own
transaction. `rollups_fold()` adds those rows to the rollups and deletes them, in one SQL call
(`complaints_report_fold`); two folds at once never count a row twice. The dashboard folds
before it reads (up to 50,000 changes: a bigger backlog is beat's, and the page says how many
it does not include yet), so its figures are exact as of that moment; beat folds every minute
(`rollups` in the enforcement jobs) so the table stays a few thousand rows at most. A dashboard
GET therefore writes.
"""

from __future__ import annotations

import datetime

from django.db import connection


def rollups_fold(*, limit: int | None = None) -> int:
    """Count up to `limit` pending changes (oldest first; None: all) into the rollups; how many
    were counted. Inside a caller's transaction the counted rows' locks last until it ends."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT complaints_report_fold(%s)", [limit])
        (folded,) = cursor.fetchone()
    return folded


def rollups_pending() -> int:
    """How many changes are waiting to be counted."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM complaints_report_pending")
        (waiting,) = cursor.fetchone()
    return waiting


def rollups_fold_sweep(*, now: datetime.datetime, batch: int) -> int:
    """The beat job: one batch of pending changes counted (`now` is not needed: a change is
    counted whenever it is folded)."""
    return rollups_fold(limit=batch)

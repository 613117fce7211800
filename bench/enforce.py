"""The enforcement jobs at the seeded size: a nothing-due run of every job, then 10,000 due
clocks processed end to end (rows updated, breach events and audit entries written, alerts and
staff emails queued), with SQL queries per batch and peak memory.

Run through bench/run.py (`--only enforce`); `--enforce-databases a,b` measures each named
database on the same server in turn (e.g. a 100,000 and a 1,000,000 copy) and prints the
ratio of the last to the first, so the growth shows. It WRITES to the database it measures:
give it a copy, never a shared bench database.
"""

from __future__ import annotations

import datetime
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

DUE = 10_000


def _rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _use_database(name: str) -> None:
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = name


def _queue_without_sending() -> None:
    """Dispatch to the in-memory broker instead of delivering in-process (the test settings
    run tasks eagerly): the bench measures queuing messages, not sending them."""
    from django.conf import settings

    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False


def _make_due(now: datetime.datetime, count: int) -> int:
    """Move `count` open, unanswered complaints' respond-by into the past (one UPDATE)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """
            UPDATE complaints_complaint SET respond_by = %s, breach_due_at = %s, enforced = '{}',
                reminder_due_at = NULL
            WHERE id IN (
                SELECT id FROM complaints_complaint
                WHERE status IN ('new', 'acknowledged', 'investigating', 'escalated')
                  AND first_response_at IS NULL
                ORDER BY id LIMIT %s
            )
            """,
            [now - datetime.timedelta(minutes=1), now - datetime.timedelta(minutes=1), count],
        )
        return cursor.rowcount


def _as_the_jobs_left_it(now: datetime.datetime) -> dict[str, int]:
    """Mark what the seeder leaves behind as the jobs would have left it, set-based.

    The seeder (bench/seed.py, not this issue's) spreads complaints over 18 months but leaves
    every refer-by date that has passed unrecorded and every complaint closed over a year ago
    unanonymised (467,000 and 200,000 at 1,000,000): draining those is a one-off migration of
    old data, not what beat does each interval. Recording them in one UPDATE each gives the
    state beat would have kept; the measured runs then start from it.
    """
    from django.db import connection

    from escalation.calendar import local_date

    done = {}
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE complaints_complaint SET refer_by_passed_at = %s "
            "WHERE adr_refer_by < %s AND refer_by_passed_at IS NULL",
            [now, local_date(now)],
        )
        done["refer_by"] = cursor.rowcount
        cursor.execute(
            "UPDATE complaints_complaint c SET anonymised_at = %s FROM escalation_codeversion v "
            "WHERE v.id = c.code_version_id AND c.status = 'closed' AND c.anonymised_at IS NULL "
            "AND c.closed_at <= %s - make_interval(months => v.retention_months_after_closure)",
            [now, now],
        )
        done["retention"] = cursor.rowcount
    return done


def _measure_one(figure: Callable[..., Any], label: str) -> tuple[list[Any], dict[str, float]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from complaints.models import Complaint
    from complaints.workflows.enforcement.clock_jobs import complaints_breach_sweep
    from complaints.workflows.enforcement.jobs import JOBS, enforce

    now = timezone.now()
    size = Complaint.objects.count()
    open_count = Complaint.objects.filter(status__in=["new", "acknowledged", "investigating",
                                                      "awaiting_customer", "escalated",
                                                      "final_response"]).count()  # fmt: skip
    premarked = _as_the_jobs_left_it(now)
    began = time.perf_counter()
    backlog = enforce(now=now)
    backlog_s = time.perf_counter() - began
    # Draining a backlog leaves dead index entries in the jobs' partial indexes (each row left
    # the index's condition); in production autovacuum clears them, here we do it now.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE complaints_complaint")

    runs, acted = [], 0
    for _ in range(7):
        began = time.perf_counter()
        counts = enforce(now=now)
        runs.append((time.perf_counter() - began) * 1000)
        acted += sum(counts.values())
    idle_ms = statistics.median(runs)

    made = _make_due(now, DUE)
    rss_before = _rss_mib()
    batch = JOBS["breaches"].batch
    with CaptureQueriesContext(connection) as first:
        done_first = complaints_breach_sweep(now=now, batch=batch)
    # Count the rest's queries without keeping their SQL (a batch's INSERT is megabytes).
    statements = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        statements[0] += 1
        return execute(sql, params, many, context)

    began = time.perf_counter()
    with connection.execute_wrapper(count):
        rest_counts = enforce(now=now, jobs=["breaches"])
    seconds = time.perf_counter() - began
    done = done_first + rest_counts["breaches"]
    batches = max(1, -(-rest_counts["breaches"] // batch))
    # The first batch timed separately for its queries; the rate covers all of them.
    rate_seconds = seconds * done / max(rest_counts["breaches"], 1)
    rss_after = _rss_mib()
    figures = [
        figure(f"{label} complaints", size, "rows"),
        figure(f"{label} open", open_count, "rows"),
        figure(
            f"{label} seeded backlog marked", sum(premarked.values()), "rows (refer-by, retention)"
        ),
        figure(f"{label} first run (backlog)", backlog_s * 1000, "ms"),
        figure(f"{label} backlog events", sum(backlog.values()), "events"),
        figure(f"{label} nothing due, all jobs", idle_ms, "ms (median of 7)"),
        figure(f"{label} acted on in those runs", acted, "(0 = nothing was due)"),
        figure(f"{label} due clocks made", made, "clocks"),
        figure(f"{label} due clocks processed", done, "clocks"),
        figure(f"{label} clocks per second", done / rate_seconds, "clocks/s"),
        figure(f"{label} queries, first batch", len(first.captured_queries), "queries"),
        figure(f"{label} queries per batch", statements[0] / batches, "queries"),
        figure(f"{label} peak RSS before", rss_before, "MiB"),
        figure(f"{label} peak RSS after", rss_after, "MiB"),
    ]
    return figures, {"idle_ms": idle_ms, "rate": done / rate_seconds}


def enforcement_bench(figure: Callable[..., Any], databases: list[str]) -> list[Any]:
    from django.core.management import call_command
    from django.db import connection

    _queue_without_sending()
    names = databases or [connection.settings_dict["NAME"]]
    figures: list[Any] = []
    measured = []
    for name in names:
        _use_database(name)
        call_command("migrate", interactive=False, verbosity=0)
        found, summary = _measure_one(figure, name)
        figures += found
        measured.append(summary)
        for line in found:
            print(line, flush=True)
    if len(measured) > 1:
        first, last = measured[0], measured[-1]
        figures.append(
            figure("nothing-due ratio last/first", last["idle_ms"] / first["idle_ms"], "x")
        )
        figures.append(figure("clocks/s ratio last/first", last["rate"] / first["rate"], "x"))
    return figures

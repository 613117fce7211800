"""The registry of beat jobs and the loop that drains each one.

Every job is a sweep `(now=, batch=) -> int` (what it did in that batch; 0 = nothing was due).
A beat run drains its job: batches in a loop until nothing is due or the time budget is spent
(then the task re-enqueues itself), so a backlog of thousands clears in one run instead of
500 per interval. `enforce` runs every job (or the named ones) once as of an instant: the
operator command, the simulator and the benchmark all call it.
"""

from __future__ import annotations

import datetime
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings

from complaints.rollups import rollups_fold_sweep
from complaints.workflows.enforcement.clock_jobs import (
    complaints_breach_sweep,
    complaints_remind_sweep,
)
from complaints.workflows.enforcement.refer_by import complaints_refer_by_sweep
from complaints.workflows.enforcement.retention import complaints_retention_sweep
from complaints.workflows.letters import letters_render_stale
from escalation.sweeps import complaints_adr_period_sweep, complaints_auto_close_sweep
from notifications.tasks import outbox_requeue_due


@dataclass(frozen=True)
class Job:
    name: str
    sweep: Callable[..., int]
    what: str
    batch: int = 500
    # False: one batch per run. letters_render_stale leaves its claims for the worker to
    # render after commit, so a second batch in the same run would claim them again.
    drains: bool = True
    # True: the sweep takes `only=` (complaint ids), so the simulator can run it on one.
    scoped: bool = True


# In the order `enforce` runs them: a breach is recorded before a reminder could be due at the
# same instant, and the ADR period is reached before its letters are looked at.
JOBS: dict[str, Job] = {
    job.name: job
    for job in (
        Job("breaches", complaints_breach_sweep, "record staff clocks passed unmet; alert"),
        Job("reminders", complaints_remind_sweep, "remind before each staff clock"),
        Job("auto_close", complaints_auto_close_sweep, "close after customer silence"),
        Job("adr_period", complaints_adr_period_sweep, "ADR period reached; ADR letters"),
        Job("refer_by", complaints_refer_by_sweep, "record the ombudsman window closing"),
        Job("retention", complaints_retention_sweep, "anonymise after the retention period"),
        Job(
            "letters",
            letters_render_stale,
            "render letters left unrendered",
            drains=False,
            scoped=False,
        ),
        Job("outbox", outbox_requeue_due, "re-send emails the broker never took", scoped=False),
        Job(
            "rollups",
            rollups_fold_sweep,
            "count new changes into the dashboard's rollups",
            batch=10_000,
            scoped=False,
        ),
    )
}


class UnknownJob(ValueError):
    pass


def job_names_check(names: Iterable[str]) -> list[str]:
    names = list(names)
    unknown = [n for n in names if n not in JOBS]
    if unknown:
        raise UnknownJob(f"Unknown job {', '.join(unknown)}; the jobs are: {', '.join(JOBS)}.")
    return names


def job_drain(
    name: str,
    *,
    now: datetime.datetime,
    budget_seconds: float | None = None,
    only: Sequence[int] | None = None,
) -> tuple[int, bool]:
    """Run one job's batches until nothing is due; (total done, True if it drained).

    With a budget, it stops after the batch that spends it and returns False: the caller
    re-enqueues (beat) rather than holding a worker for minutes.
    """
    job = JOBS[name]
    started = time.monotonic()
    total = 0
    while True:
        done = job.sweep(now=now, batch=job.batch, **({} if only is None else {"only": only}))
        total += done
        if done == 0 or not job.drains:
            return total, True
        if budget_seconds is not None and time.monotonic() - started >= budget_seconds:
            return total, False


def enforce(
    *,
    now: datetime.datetime,
    jobs: Iterable[str] | None = None,
    only: Sequence[int] | None = None,
) -> dict[str, int]:
    """Every job (or the named ones) drained once as of `now`: {job: how many}.

    `only` restricts the jobs to those complaints (the simulator); the delivery plumbing
    (letters, outbox) is not about one complaint's clocks and is left out then.
    """
    names = job_names_check(jobs) if jobs is not None else list(JOBS)
    return {
        name: job_drain(name, now=now, only=only)[0]
        for name in JOBS
        if name in names and (only is None or JOBS[name].scoped)
    }


def job_budget_seconds() -> float:
    return float(getattr(settings, "REDRESS_ENFORCE_BUDGET_SECONDS", 50.0))

"""Thin beat tasks over the enforcement framework (complaints.workflows.enforcement.jobs).

`enforce_job(name)` drains one job within a time budget and re-enqueues itself if the budget
ran out, so a backlog clears in one beat interval. The older task names stay: beat schedules
and queued messages may still carry them.
"""

from celery import shared_task
from django.utils import timezone

from complaints.workflows.enforcement.jobs import job_budget_seconds, job_drain


@shared_task(ignore_result=True)
def enforce_job(name: str) -> int:
    done, drained = job_drain(name, now=timezone.now(), budget_seconds=job_budget_seconds())
    if not drained:
        enforce_job.delay(name)
    return done


@shared_task(ignore_result=True)
def auto_close_sweep() -> int:
    return enforce_job("auto_close")


@shared_task(ignore_result=True)
def adr_period_sweep() -> int:
    return enforce_job("adr_period")

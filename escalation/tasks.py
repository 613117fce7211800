"""Thin beat tasks over escalation.sweeps; the rules take `now` and live there."""

from celery import shared_task
from django.utils import timezone

from escalation.sweeps import complaints_adr_period_sweep, complaints_auto_close_sweep


@shared_task(ignore_result=True)
def auto_close_sweep() -> int:
    return complaints_auto_close_sweep(now=timezone.now())


@shared_task(ignore_result=True)
def adr_period_sweep() -> int:
    return complaints_adr_period_sweep(now=timezone.now())

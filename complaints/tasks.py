"""Thin Celery tasks over complaints.letters; the work and its rules live there."""

from celery import shared_task
from django.utils import timezone

from complaints.letters import letter_render, letters_render_stale


@shared_task(ignore_result=True)
def letter_render_task(letter_id: int) -> str:
    return "ready" if letter_render(letter_id) is not None else "skipped"


@shared_task(ignore_result=True)
def letters_render_stale_task() -> int:
    return letters_render_stale(now=timezone.now())

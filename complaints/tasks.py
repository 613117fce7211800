"""The complaints app's Celery tasks, where `autodiscover_tasks` looks for them.

The letter and IMAP-poll tasks are declared in complaints.workflows.letters beside the work they run (issuing enqueues
a render, so the task cannot live in a module that imports the letters back).
"""

import datetime

from celery import shared_task
from django.utils import timezone

from complaints.guards import guards_prune
from complaints.workflows.email_imap import email_imap_poll_task
from complaints.workflows.letters import letter_render_task, letters_render_stale_task
from complaints.workflows.spool import spool_replay
from complaints.workflows.submissions import FORM_TOKEN_TTL

__all__ = [
    "email_imap_poll_task",
    "guards_prune_task",
    "letter_render_task",
    "letters_render_stale_task",
    "spool_replay_task",
]


@shared_task(ignore_result=True)
def guards_prune_task() -> int:
    """Beat: forget ended rate-limit windows and day-old form tokens."""
    return guards_prune(now=timezone.now(), token_ttl=datetime.timedelta(seconds=FORM_TOKEN_TTL))


@shared_task(ignore_result=True)
def spool_replay_task() -> int:
    """Beat: log the web submissions spooled while the database was down."""
    return spool_replay(now=timezone.now())

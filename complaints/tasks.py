"""The complaints app's Celery tasks, where `autodiscover_tasks` looks for them.

The letter and IMAP-poll tasks are declared in complaints.workflows.letters beside the work they run (issuing enqueues
a render, so the task cannot live in a module that imports the letters back).
"""

from complaints.workflows.email_imap import email_imap_poll_task
from complaints.workflows.letters import letter_render_task, letters_render_stale_task

__all__ = ["email_imap_poll_task", "letter_render_task", "letters_render_stale_task"]

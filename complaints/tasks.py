"""The complaints app's Celery tasks, where `autodiscover_tasks` looks for them.

The letter tasks are declared in complaints.workflows.letters beside the work they run (issuing enqueues
a render, so the task cannot live in a module that imports the letters back).
"""

from complaints.workflows.letters import letter_render_task, letters_render_stale_task

__all__ = ["letter_render_task", "letters_render_stale_task"]

"""Two beats at once on PostgreSQL: one event, one alert and one email line per due clock."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.db import connection

from complaints.models import StaffAlert, TimelineEvent
from complaints.workflows.enforcement.jobs import enforce
from escalation.calendar import LONDON
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("job", "instant", "kind"),
    [
        ("breaches", at(2026, 11, 9, 17, 30), TimelineEvent.Kind.BREACH),
        ("reminders", at(2026, 11, 6, 17, 30), TimelineEvent.Kind.REMINDER),
    ],
)
def test_two_sweeps_at_once_record_each_due_clock_once(log_complaint, agent, job, instant, kind):
    complaints = [log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent) for _ in range(20)]
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def beat() -> None:
        try:
            start.wait()
            enforce(now=instant, jobs=[job])
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)

    assert errors == []
    assert TimelineEvent.objects.filter(kind=kind).count() == len(complaints)
    assert StaffAlert.objects.filter(user=agent).count() == len(complaints)
    # Each person gets one email per sweep batch listing its alerts: every clock in exactly one.
    emailed = [
        a["reference"]
        for context in OutboxMessage.objects.filter(
            template="staff_alert", recipient=agent.email
        ).values_list("context", flat=True)
        for a in context["alerts"]
    ]
    assert sorted(emailed) == sorted(c.reference for c in complaints)

"""A real Celery worker SIGKILLed in the middle of a beat sweep (issue 14, item 16).

1,500 complaints have staff clocks passed unmet, so the breach job has three batches of work
(500 a batch, each one transaction): a timeline event and an audit entry per clock, an alert
per person, and one digest email per person per batch. A worker (solo pool, so the task runs
in the process killed) on this test's database and a Redis of the test's own (port 18142)
starts the job; once the first batch has committed (the test polls the database) the worker
is SIGKILLed: at once (between the commit and the hand-over of its emails to the broker), or
0.4 s later (inside a later batch's transaction). A fresh worker then runs the job again and delivers the emails. Every due clock
must be recorded exactly once (no duplicate event, audit entry, alert or email line; none
missed), and every email sent once (the outbox sweep, pick-up timeout shortened to 1 s,
sends any the killed worker committed but never handed to the broker). Bounded: about 20-30 s each; every process is stopped in `finally`.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter

import pytest
from django.db.models import Count
from django.utils import timezone

from complaints.models import AuditEntry, Complaint, StaffAlert, TimelineEvent
from complaints.staff_clocks import ENFORCEMENT_FIELDS, clocks_waiting
from complaints.workflows.enforcement.jobs import JOBS
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, CustomerFactory
from tests.faults.stack import OwnRedis, Worker, task_send, wait_for, worker_env

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
REDIS_PORT = 18142
COMPLAINTS = 1500
BATCH = JOBS["breaches"].batch
BREACH = TimelineEvent.Kind.BREACH


def complaints_breached(*, count: int, received: datetime.datetime, **kwargs) -> list[int]:
    """`count` complaints like one logged through the service at `received`, their staff
    clocks passed; copied in one INSERT (the breach job reads only the complaint's columns)."""
    model = ComplaintFactory(customer=CustomerFactory(email=""), received_at=received,
                             now=received, **kwargs)  # fmt: skip
    fields = {f.attname: getattr(model, f.attname) for f in Complaint._meta.concrete_fields}
    fields.pop("id")
    copies = [Complaint(**{**fields, "reference": f"RD-KILL-{n:05d}"}) for n in range(1, count)]
    Complaint.objects.bulk_create(copies, batch_size=500)
    return [model.pk, *(c.pk for c in copies)]


def due_clocks(now: datetime.datetime) -> set[tuple[int, str]]:
    """Every (complaint, clock) the breach job has to record as of `now`."""
    return {
        (row["pk"], clock.name)
        for row in Complaint.objects.values(*ENFORCEMENT_FIELDS).iterator()
        for clock, due in clocks_waiting(row)
        if due <= now
    }


@pytest.mark.parametrize(
    "kill_delay",
    [0.0, 0.4],
    ids=["killed-as-the-first-batch-commits", "killed-inside-a-later-batch"],
)
def test_a_worker_killed_mid_sweep_leaves_every_breach_recorded_exactly_once(
    tmp_path, use_code, agent, manager, kill_delay
):
    # Given 1,500 Infinity email complaints owned by the agent, received three weeks ago
    use_code("infinity-group-2016")
    received = timezone.now() - datetime.timedelta(days=21)
    ids = complaints_breached(count=COMPLAINTS, received=received, assigned_to=agent)
    expected = due_clocks(timezone.now())
    assert len(ids) == COMPLAINTS and {pk for pk, _ in expected} == set(ids)
    events = TimelineEvent.objects.filter(kind=BREACH)
    broker = OwnRedis(REDIS_PORT)
    env = worker_env(
        broker.url,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        REDRESS_OUTBOX_PICKUP_SECONDS="1",
    )
    workers: list[Worker] = []
    try:
        first = Worker(env, tmp_path / "first.log", pool="solo")
        workers.append(first)
        # When the breach job runs and the worker is SIGKILLed once its first batch committed
        task_send(broker.url, "escalation.tasks.enforce_job", "breaches")
        wait_for(events.exists, timeout=40, every=0.02,
                 what=f"the first batch; worker log:\n{first.text()[-3000:]}")  # fmt: skip
        time.sleep(kill_delay)
        first.kill()
        done_at_kill = events.count()
        assert 0 < done_at_kill < len(expected), "the kill must land mid-sweep"
        # what was recorded is whole batches: a killed batch's transaction left nothing
        per_batch = BATCH * len(expected) // COMPLAINTS
        assert done_at_kill % per_batch == 0, (done_at_kill, per_batch)

        # and a fresh worker runs the job again (and delivers every email)
        fresh = Worker(env, tmp_path / "fresh.log", pool="solo")
        workers.append(fresh)
        task_send(broker.url, "escalation.tasks.enforce_job", "breaches")
        wait_for(lambda: events.count() >= len(expected)
                 and not Complaint.objects.filter(breach_due_at__lte=timezone.now()).exists(),
                 timeout=60, what=f"the second run; log:\n{fresh.text()[-3000:]}")  # fmt: skip
        # The killed run's first-batch emails may never have reached the broker (the kill can
        # land between the commit and the hand-over): the outbox sweep sends what is left.
        emails = OutboxMessage.objects.filter(template="staff_alert")
        wait_for(
            lambda: not emails.filter(next_attempt_at__gt=timezone.now())
            .exclude(state=OutboxMessage.State.SENT)
            .exists(),
            timeout=10,
            what="the pick-up timeout",
        )
        task_send(broker.url, "escalation.tasks.enforce_job", "outbox")
        wait_for(
            lambda: not emails.exclude(state=OutboxMessage.State.SENT).exists(),
            timeout=30,
            what=f"every alert email; log:\n{fresh.text()[-3000:]}",
        )
    finally:
        for worker in workers:
            worker.stop()
        broker.stop()

    # Then every due clock has exactly one breach event and one audit entry
    recorded = list(events.values_list("complaint_id", "data__clock"))
    assert Counter(recorded) == Counter(expected), "a breach was missed or recorded twice"
    audits = list(AuditEntry.objects.filter(action="breach")
                  .values_list("object_id", "changes__clock"))  # fmt: skip
    assert Counter(audits) == Counter(expected)
    # and each of the agent and the manager one alert per due clock
    for person in (agent, manager):
        alerts = list(StaffAlert.objects.filter(user=person).values_list("complaint_id", "clock"))
        assert Counter(alerts) == Counter(expected)
    # and every alert in exactly one email line per person, every email sent
    references = dict(Complaint.objects.values_list("reference", "pk"))
    for person in (agent, manager):
        lines = [
            (references[a["reference"]], a["clock"])
            for context in emails.filter(recipient=person.email).values_list("context", flat=True)
            for a in context["alerts"]
        ]
        assert Counter(lines) == Counter(expected)
    assert emails.values("recipient").annotate(n=Count("pk")).count() == 2
    assert len(list((tmp_path / "mail").glob("*.log"))) == emails.count()

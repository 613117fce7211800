"""A real Celery worker SIGKILLed in the middle of a beat sweep (issue 14, item 16).

A worker (solo pool, so the task runs in the process killed) on this test's database, with a
Redis of the test's own (port 18142) as its broker, starts a job over 1,500 due complaints:
three batches of 500, each one transaction. Once the first batch has committed (the test polls
the database) the worker is SIGKILLed, either at once (between the commit and the hand-over of
its emails to the broker) or inside a later batch's transaction: the test takes a SHARE lock
on the table the job records its progress in, waits until the worker's next batch is blocked
writing to it, and kills it there (a fixed delay was a race: a fast machine finished all three
batches in 0.4 s). A fresh worker then runs the job again. Every item must be processed exactly
once: none missed, nothing twice.

- The breach job: a timeline event and an audit entry per clock passed unmet, an alert per
  person, one digest email per person per batch (each alert in exactly one, each email sent:
  the outbox sweep, pick-up timeout shortened to 1 s, sends those the killed worker committed
  but never handed to the broker).
- The ADR-period job (a version where a manager approves each ADR letter): the "ADR period
  reached" event, the letter waiting for approval and its event, the manager's letter clock.

Bounded: about 10-25 s each; every process is stopped at teardown (tests/faults/conftest.py).
"""

from __future__ import annotations

import contextlib
import datetime
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db.models import Count, QuerySet
from django.utils import timezone

from complaints.models import AuditEntry, Complaint, Letter, StaffAlert, TimelineEvent
from complaints.staff_clocks import ENFORCEMENT_FIELDS, clocks_waiting
from complaints.workflows.enforcement.jobs import JOBS
from escalation.models import CodeVersion
from escalation.selectors import code_rules_cache_clear
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, CustomerFactory
from tests.faults.stack import (
    OwnRedis,
    Worker,
    own_connection,
    task_send,
    wait_for,
    worker_env,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
REDIS_PORT = 18142
COMPLAINTS = 1500
BATCH = JOBS["breaches"].batch
BREACH = TimelineEvent.Kind.BREACH


def complaints_copied(*, count: int, received: datetime.datetime, **kwargs) -> list[int]:
    """`count` complaints like one logged through the service at `received`, copied in bulk
    INSERTs (the jobs read only the complaint's own columns)."""
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


@contextlib.contextmanager
def progress_writes_blocked(progress: QuerySet) -> Iterator[Callable[[], bool]]:
    """Hold a SHARE lock on `progress`'s table from a connection of our own (reads go on,
    inserts wait), yielding a check: is a backend waiting for a lock on that table, i.e. the
    worker's next batch stopped inside its transaction? Asked from a second connection in
    autocommit. Released on leaving."""
    table = progress.model._meta.db_table
    own = own_connection()
    watch = own_connection(autocommit=True)
    try:
        with own.cursor() as cursor, watch.cursor() as looking:
            cursor.execute(f'LOCK TABLE "{table}" IN SHARE MODE')  # BEGINs: psycopg2's default

            def worker_blocked() -> bool:
                looking.execute(
                    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE NOT granted "
                    "AND relation = %s::regclass)",
                    [table],
                )
                return looking.fetchone()[0]

            yield worker_blocked
    finally:
        own.rollback()
        own.close()
        watch.close()


def emails_written(folder: Path) -> int:
    """How many messages Django's file backend wrote into `folder`. Not the number of files:
    a file is named by the second and the backend's id(), so two connections opened in the
    same second at a reused address append to one file. Each message ends with 79 dashes."""
    separator = b"-" * 79
    return sum(
        line.rstrip(b"\r\n") == separator
        for path in folder.glob("*.log")
        for line in path.read_bytes().splitlines()
    )


def kill_mid_job_then_rerun(
    env: dict[str, str], broker_url: str, folder: Path, started: Callable, *, job: str,
    progress: QuerySet, total: int, per_batch: int, inside_later_batch: bool,
    finished: Callable[[], bool],
) -> Worker:  # fmt: skip
    """Run `job` on a real worker, SIGKILL it once `progress` shows a committed batch (or, with
    `inside_later_batch`, once a later batch is blocked inside its transaction), check the
    kill landed mid-sweep on a batch boundary, then run the job again on a fresh worker until
    `finished()` and `progress` reaches `total`. The fresh worker is left running (`started`
    stops it at teardown)."""
    first = started(Worker(env, folder / "first.log", pool="solo"))
    task_send(broker_url, "escalation.tasks.enforce_job", job)
    wait_for(progress.exists, timeout=40, every=0.01,
             what="the first batch", log=first.text)  # fmt: skip
    if inside_later_batch:
        with progress_writes_blocked(progress) as worker_blocked:
            wait_for(worker_blocked, timeout=20, every=0.01,
                     what="a later batch to wait on the lock", log=first.text)  # fmt: skip
            first.kill()
    else:
        first.kill()
    done_at_kill = progress.count()
    assert 0 < done_at_kill < total, "the kill must land mid-sweep"
    # what was recorded is whole batches: a killed batch's transaction left nothing
    assert done_at_kill % per_batch == 0, (done_at_kill, per_batch)
    fresh = started(Worker(env, folder / "fresh.log", pool="solo"))
    task_send(broker_url, "escalation.tasks.enforce_job", job)
    wait_for(lambda: progress.count() >= total and finished(), timeout=60,
             what="the second run", log=fresh.text)  # fmt: skip
    return fresh


@pytest.mark.parametrize(
    "inside_later_batch",
    [False, True],
    ids=["killed-as-the-first-batch-commits", "killed-inside-a-later-batch"],
)
def test_a_worker_killed_mid_sweep_leaves_every_breach_recorded_exactly_once(
    tmp_path, started, use_code, agent, manager, inside_later_batch
):
    # Given 1,500 Infinity email complaints owned by the agent, received three weeks ago
    use_code("infinity-group-2016")
    received = timezone.now() - datetime.timedelta(days=21)
    ids = complaints_copied(count=COMPLAINTS, received=received, assigned_to=agent)
    expected = due_clocks(timezone.now())
    assert len(ids) == COMPLAINTS and {pk for pk, _ in expected} == set(ids)
    events = TimelineEvent.objects.filter(kind=BREACH)
    broker = started(OwnRedis(REDIS_PORT))
    env = worker_env(
        broker.url,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(tmp_path / "mail"),
        REDRESS_OUTBOX_PICKUP_SECONDS="1",
    )
    # When the breach job runs and the worker is SIGKILLed mid-sweep, then runs again
    fresh = kill_mid_job_then_rerun(
        env, broker.url, tmp_path, started, job="breaches", progress=events,
        total=len(expected), per_batch=BATCH * len(expected) // COMPLAINTS,
        inside_later_batch=inside_later_batch,
        finished=lambda: not Complaint.objects.filter(breach_due_at__lte=timezone.now())
        .exists(),
    )  # fmt: skip
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
        what="every alert email",
        log=fresh.text,
    )
    fresh.stop()

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
    assert emails_written(tmp_path / "mail") == emails.count()


def test_a_worker_killed_mid_adr_period_sweep_leaves_every_letter_and_event_exactly_once(
    tmp_path, started, use_code
):
    # Given 1,500 soVision complaints whose ADR period passed, under a version where a manager
    # approves each ADR letter (the sweep then writes the letter rows itself, none rendered)
    use_code("sovision-it-2016")
    CodeVersion.objects.filter(code__slug="sovision-it-2016").update(adr_letter_needs_approval=True)
    code_rules_cache_clear()
    received = timezone.now() - datetime.timedelta(weeks=9)
    ids = complaints_copied(count=COMPLAINTS, received=received)
    assert Complaint.objects.filter(adr_eligible=True, adr_period_reached_at=None,
                                    adr_eligible_from__lte=timezone.now().date()).count() == (
        COMPLAINTS
    )  # fmt: skip
    outbox_before = OutboxMessage.objects.count()
    reached = TimelineEvent.objects.filter(dedupe_key="adr_period_reached")
    broker = started(OwnRedis(REDIS_PORT))
    env = worker_env(
        broker.url, DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
    )
    # When the ADR-period job is SIGKILLed inside a later batch, then runs again
    fresh = kill_mid_job_then_rerun(
        env, broker.url, tmp_path, started, job="adr_period", progress=reached,
        total=COMPLAINTS, per_batch=JOBS["adr_period"].batch, inside_later_batch=True,
        finished=lambda: not Complaint.objects.filter(adr_period_reached_at=None).exists(),
    )  # fmt: skip
    fresh.stop()

    # Then each complaint reached its ADR period once, with one letter waiting for approval
    once = Counter(ids)
    assert Counter(reached.values_list("complaint_id", flat=True)) == once
    queued = TimelineEvent.objects.filter(dedupe_key="adr_period_letter_queued")
    assert Counter(queued.values_list("complaint_id", flat=True)) == once
    letters = Letter.objects.filter(kind=Letter.Kind.ADR, reason="adr_period")
    assert Counter(letters.values_list("complaint_id", flat=True)) == once
    assert set(letters.values_list("state", flat=True)) == {Letter.State.AWAITING_APPROVAL}
    # and its manager's clock for the letter is set; no email was written twice (none at all)
    assert not Complaint.objects.filter(adr_letter_due_by=None).exists()
    assert OutboxMessage.objects.count() == outbox_before

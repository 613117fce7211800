"""A real Celery worker SIGKILLed after the mail server accepted a message (issue 14, items 14
and 16).

The worker (prefork, one child) runs on this test's database with a Redis of the test's own
(port 18141) as its broker and sends through an SMTP server of the test's own (port 18140).
That server answers 250 to DATA, records the Message-ID, then holds its reply to QUIT, so the
test knows the message was accepted while the task is still running. The test SIGKILLs the
pool child that holds the SMTP connection, starts a fresh worker, and has it run the outbox
sweep (claim timeout shortened to 1 s): the re-send must carry the same Message-ID, the row is
sent once in the database's view, and both attempts are recorded, the first as not confirmed.
Bounded: about 10-25 s; every process is stopped at teardown (tests/faults/conftest.py).
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from complaints.models import TimelineEvent
from notifications.delivery import message_id
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, CustomerFactory, OutboxMessageFactory
from tests.faults.stack import (
    OwnRedis,
    SmtpServer,
    Worker,
    connection_owner,
    process_gone,
    task_send,
    wait_for,
    worker_env,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
SMTP_PORT = 18140
REDIS_PORT = 18141
State = OutboxMessage.State


def test_a_worker_killed_after_smtp_accepted_resends_once_with_the_same_message_id(
    tmp_path, started
):
    # Given an email about a complaint, written to the outbox and not yet handed to a worker
    complaint = ComplaintFactory(customer=CustomerFactory(email=""))
    row = OutboxMessageFactory(complaint=complaint, recipient="carys@example.com")
    broker = started(OwnRedis(REDIS_PORT))
    smtp = started(SmtpServer(SMTP_PORT))
    env = worker_env(
        broker.url,
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(SMTP_PORT),
        REDRESS_OUTBOX_CLAIM_SECONDS="1",
    )
    first = started(Worker(env, tmp_path / "first.log"))
    task_send(broker.url, "notifications.tasks.outbox_deliver", row.pk)

    # When SMTP has accepted the message and the worker is stuck waiting for QUIT's reply
    assert smtp.state.accepted.wait(30), first.text()[-3000:]
    row.refresh_from_db()
    assert (row.state, row.attempts) == (State.SENDING, 1)
    children = first.children()
    holder = connection_owner(smtp.state.received[0].client_port, SMTP_PORT,
                              [first.pid, *children])  # fmt: skip
    assert holder in children, (holder, first.pid, children)
    # the pool child running the task is SIGKILLed; then the whole worker goes
    os.kill(holder, signal.SIGKILL)
    wait_for(lambda: process_gone(holder), timeout=10, what="the killed child to end")
    first.kill()
    row.refresh_from_db()
    assert (row.state, row.attempts, row.sent_at) == (State.SENDING, 1, None)

    # and a fresh worker runs the outbox sweep once the claim has timed out
    fresh = started(Worker(env, tmp_path / "fresh.log"))
    claim_ends = row.next_attempt_at.timestamp()
    wait_for(lambda: time.time() > claim_ends, timeout=5, what="the claim to time out")
    task_send(broker.url, "escalation.tasks.enforce_job", "outbox")
    wait_for(
        lambda: OutboxMessage.objects.filter(pk=row.pk, state=State.SENT).exists(),
        timeout=30, what="the re-send", log=fresh.text,
    )  # fmt: skip
    fresh.stop()

    # Then the receiver got two copies of one email: the same Message-ID, the row's own
    row.refresh_from_db()
    ids = [r.message_id for r in smtp.state.received]
    assert ids == [message_id(row)] * 2
    assert all(r.recipients == ["<carys@example.com>"] for r in smtp.state.received)
    # and the database says: sent once, after two attempts, the first not confirmed
    assert (row.state, row.attempts, row.last_error) == (State.SENT, 2, "")
    assert row.sent_at is not None
    states = list(
        TimelineEvent.objects.filter(complaint=complaint, kind=TimelineEvent.Kind.NOTIFICATION,
                                     data__outbox_id=row.pk)
        .order_by("pk").values_list("data__state", "data__attempts")
    )  # fmt: skip
    assert states == [("unconfirmed", 1), ("sent", 2)]
    summary = TimelineEvent.objects.get(complaint=complaint, data__state="unconfirmed").summary
    assert "not confirmed (attempt 1)" in summary

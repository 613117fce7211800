"""A worker killed after the mail server accepted a message: the re-send carries the same
Message-ID (so receivers deduplicate it) and the row counts both attempts (issue 14, item 14)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from complaints.models import TimelineEvent
from notifications import tasks
from notifications.delivery import message_claim, message_id, message_render
from notifications.models import OutboxMessage
from notifications.tasks import outbox_deliver, outbox_requeue_stale
from tests.factories import ComplaintFactory, CustomerFactory, OutboxMessageFactory

pytestmark = pytest.mark.django_db
State = OutboxMessage.State


def test_every_render_of_a_row_has_the_same_message_id():
    message = OutboxMessageFactory()
    first, second = message_render(message), message_render(message)
    assert first.message()["Message-ID"] == second.message()["Message-ID"] == message_id(message)


def test_two_rows_have_different_message_ids():
    assert message_id(OutboxMessageFactory()) != message_id(OutboxMessageFactory())


def test_a_sent_email_carries_the_rows_message_id(mailoutbox):
    message = OutboxMessageFactory()
    assert outbox_deliver(message.pk) == "sent"
    assert mailoutbox[0].message()["Message-ID"] == message_id(message)


def test_a_worker_killed_after_smtp_accepted_leaves_one_attempt_and_resends_the_same_email(
    mailoutbox, django_capture_on_commit_callbacks
):
    # Given a worker that claimed a row and handed it to SMTP, then died before recording it
    message = OutboxMessageFactory()
    claimed = message_claim(message.pk)
    message_render(claimed).send()
    claimed.refresh_from_db()
    assert (claimed.state, claimed.attempts) == (State.SENDING, 1)
    # When the sweep finds it stuck past its claim and sends it again
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_requeue_stale() == 1
    # Then both emails are the same message to the receiver, and the row says two attempts
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.SENT, 2)
    ids = {m.message()["Message-ID"] for m in mailoutbox}
    assert len(mailoutbox) == 2
    assert ids == {message_id(message)}


def test_the_claim_lasts_the_configured_seconds(settings):
    settings.REDRESS_OUTBOX_CLAIM_SECONDS = 7
    message = OutboxMessageFactory()
    before = timezone.now()
    claimed = message_claim(message.pk)
    assert claimed.next_attempt_at - before >= datetime.timedelta(seconds=7)
    assert claimed.next_attempt_at - before < datetime.timedelta(seconds=9)


def test_a_send_the_sweep_took_back_is_recorded_as_not_confirmed_on_the_timeline(
    django_capture_on_commit_callbacks, mailoutbox
):
    # Given a row about a complaint whose worker died mid-send
    complaint = ComplaintFactory(customer=CustomerFactory(email=""))
    message = OutboxMessageFactory(complaint=complaint)
    message_claim(message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    # When the sweep takes it back (the broker is down, so nothing sends it yet)
    with django_capture_on_commit_callbacks(execute=False):
        assert outbox_requeue_stale() == 1
    # Then the row says attempt 1 was not confirmed, and so does the complaint's timeline
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.QUEUED, 1)
    assert message.last_error.startswith("Attempt 1 not confirmed")
    event = TimelineEvent.objects.get(complaint=complaint, data__state="unconfirmed")
    assert event.data == {"outbox_id": message.pk, "state": "unconfirmed", "attempts": 1}
    assert "not confirmed (attempt 1)" in event.summary
    assert mailoutbox == []


def test_a_send_that_finishes_after_the_sweep_took_the_row_back_is_recorded_once(
    monkeypatch, mailoutbox
):
    # Given a slow mail server: while it takes the message, the sweep takes the row back
    complaint = ComplaintFactory(customer=CustomerFactory(email=""))
    message = OutboxMessageFactory(complaint=complaint)

    def render_then_lose_the_claim(row: OutboxMessage):
        email = message_render(row)
        send = email.send

        def slow_send(*args, **kwargs):
            OutboxMessage.objects.filter(pk=row.pk).update(state=State.QUEUED)
            return send(*args, **kwargs)

        email.send = slow_send
        return email

    monkeypatch.setattr(tasks, "message_render", render_then_lose_the_claim)
    # When that send finishes, and then the sweep's re-send comes
    assert outbox_deliver(message.pk) == "sent"
    monkeypatch.undo()
    assert outbox_deliver(message.pk) == "skipped"
    # Then the email went once, the row is sent, and "sent" is on the timeline once
    message.refresh_from_db()
    assert (message.state, message.attempts, len(mailoutbox)) == (State.SENT, 1, 1)
    assert TimelineEvent.objects.filter(complaint=complaint, data__state="sent").count() == 1

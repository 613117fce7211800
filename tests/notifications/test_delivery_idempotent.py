"""A worker killed after the mail server accepted a message: the re-send carries the same
Message-ID (so receivers deduplicate it) and the row counts both attempts (issue 14, item 14)."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from notifications.delivery import message_claim, message_id, message_render
from notifications.models import OutboxMessage
from notifications.tasks import outbox_deliver, outbox_requeue_stale
from tests.factories import OutboxMessageFactory

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

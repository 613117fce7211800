"""The outbox: a row written in the business transaction, delivered after commit, retried,
and swept up if the broker never got it. Delivery is compare-and-set, so never doubled."""

from __future__ import annotations

import datetime
import smtplib

import pytest
import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from kombu.exceptions import OperationalError

from complaints.models import Complaint, TimelineEvent
from notifications.delivery import MAX_ATTEMPTS, message_claim
from notifications.models import OutboxMessage
from notifications.services import notification_enqueue
from notifications.tasks import outbox_deliver, outbox_requeue_stale
from tests.factories import ComplaintFactory, OutboxMessageFactory

pytestmark = pytest.mark.django_db

State = OutboxMessage.State


class BrokenBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("smtp.example.com closed the connection")


@pytest.fixture
def smtp_down(settings):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenBackend"


@pytest.fixture
def broker_down(monkeypatch):
    """`outbox_deliver.delay` raises, as when Redis is unreachable at commit."""

    def refuse(self, *args, **kwargs):
        raise OperationalError("Error 111 connecting to redis:6379. Connection refused.")

    # each Celery task has its own class, so this patches outbox_deliver alone
    monkeypatch.setattr(type(outbox_deliver._get_current_object()), "delay", refuse)


@pytest.fixture
def complaint(customer, now, django_capture_on_commit_callbacks) -> Complaint:
    """A logged complaint whose acknowledgement was never dispatched (callbacks discarded)."""
    with django_capture_on_commit_callbacks(execute=False):
        return ComplaintFactory(customer=customer, now=now)


@pytest.fixture
def message(complaint) -> OutboxMessage:
    return OutboxMessage.objects.get(complaint=complaint)


def notification_events(complaint: Complaint, state: str):
    return complaint.events.filter(kind=TimelineEvent.Kind.NOTIFICATION, data__state=state)


def make_due(message: OutboxMessage, **fields) -> None:
    OutboxMessage.objects.filter(pk=message.pk).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=1), **fields
    )


# --- enqueueing ----------------------------------------------------------------------------------


def test_enqueue_is_idempotent_on_the_key(complaint, django_capture_on_commit_callbacks):
    # Given the acknowledgement already queued for this complaint
    key = f"complaint:{complaint.reference}:acknowledgement"
    existing = OutboxMessage.objects.get(idempotency_key=key)
    # When the same key is enqueued again
    with django_capture_on_commit_callbacks() as callbacks:
        again = notification_enqueue(
            recipient="someone-else@example.com",
            template="complaint_acknowledgement",
            context={},
            idempotency_key=key,
            complaint=complaint,
        )
    # Then the first row is returned untouched and nothing new is dispatched or recorded
    assert again.pk == existing.pk
    assert again.recipient == "carys@example.com"
    assert OutboxMessage.objects.filter(idempotency_key=key).count() == 1
    assert callbacks == []
    assert notification_events(complaint, "queued").count() == 1


def test_enqueue_records_a_queued_event_on_the_timeline(complaint, message):
    event = notification_events(complaint, "queued").get()
    assert event.data["outbox_id"] == message.pk
    assert "carys@example.com" in event.summary


def test_nothing_is_dispatched_before_commit(
    customer, now, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        complaint = ComplaintFactory(customer=customer, now=now)
        assert mailoutbox == []
    message = OutboxMessage.objects.get(complaint=complaint)
    assert (message.state, message.attempts) == (State.QUEUED, 0)
    assert len(callbacks) == 1
    assert mailoutbox == []


# --- delivery ----------------------------------------------------------------------------------


def test_delivery_sends_plain_text_with_an_html_alternative(message, complaint, mailoutbox):
    outbox_deliver(message.pk)
    (email,) = mailoutbox
    assert email.to == ["carys@example.com"]
    assert complaint.reference in email.subject
    assert complaint.reference in email.body
    (html, mimetype) = email.alternatives[0]
    assert mimetype == "text/html"
    assert f"<strong>{complaint.reference}</strong>" in html


def test_delivered_email_states_the_respond_by_deadline_in_london_time(message, mailoutbox):
    outbox_deliver(message.pk)
    # soVision email received Mon 2 Nov 10:00 → respond by Wed 4 Nov 17:00 (GMT)
    assert "We will respond by Wednesday 4 November 2026 at 5pm." in mailoutbox[0].body


def test_plain_text_is_not_html_escaped_but_html_is(
    now, django_capture_on_commit_callbacks, mailoutbox
):
    from tests.factories import CustomerFactory

    customer = CustomerFactory(name="Seán O'Brien", email="sean@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        ComplaintFactory(customer=customer, now=now, summary="Phone & broadband <both> down")
    (email,) = mailoutbox
    assert "Dear Seán O'Brien," in email.body
    assert "Phone & broadband <both> down" in email.body
    html = email.alternatives[0][0]
    assert "O&#x27;Brien" in html
    assert "Phone &amp; broadband &lt;both&gt; down" in html


def test_delivery_marks_the_row_sent(message, mailoutbox):
    assert outbox_deliver(message.pk) == "sent"
    message.refresh_from_db()
    assert message.state == State.SENT
    assert message.attempts == 1
    assert message.sent_at is not None
    assert message.next_attempt_at is None
    assert message.last_error == ""


def test_delivery_records_a_sent_event_on_the_timeline(message, complaint, mailoutbox):
    outbox_deliver(message.pk)
    event = notification_events(complaint, "sent").get()
    assert event.data == {"outbox_id": message.pk, "state": "sent", "attempts": 1}


def test_delivering_an_already_sent_row_does_nothing(message, complaint, mailoutbox):
    outbox_deliver(message.pk)
    assert outbox_deliver(message.pk) == "skipped"
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.attempts == 1
    assert notification_events(complaint, "sent").count() == 1


def test_only_one_worker_can_claim_a_row(message):
    assert message_claim(message.pk) is not None
    assert message_claim(message.pk) is None
    message.refresh_from_db()
    assert message.state == State.SENDING


def test_attachment_outside_the_media_root_is_never_sent(mailoutbox, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "secret.txt").write_text("not for customers")
    message = OutboxMessageFactory(attachments=[{"path": "../secret.txt", "filename": "x.txt"}])
    assert outbox_deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert "outside the media root" in message.last_error
    assert mailoutbox == []


# --- failures and retries ------------------------------------------------------------------------


def test_failed_send_goes_back_to_the_queue_with_a_backoff(message, smtp_down):
    before = timezone.now()
    assert outbox_deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert message.state == State.QUEUED
    assert message.attempts == 1
    assert "SMTPServerDisconnected" in message.last_error
    assert "smtp.example.com closed the connection" in message.last_error
    assert message.next_attempt_at > before
    assert message.sent_at is None


def test_failed_send_is_noted_on_the_timeline(message, complaint, smtp_down):
    outbox_deliver(message.pk)
    event = notification_events(complaint, "retry").get()
    assert event.data["attempts"] == 1


def test_failure_via_a_monkeypatched_send_is_retried_too(message, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    def fail(self, fail_silently=False):
        raise ConnectionRefusedError("mail relay refused")

    monkeypatch.setattr(EmailMultiAlternatives, "send", fail)
    assert outbox_deliver(message.pk) == "retry"
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.QUEUED, 1)
    assert "mail relay refused" in message.last_error


def test_backoff_grows_between_attempts(message, smtp_down):
    outbox_deliver(message.pk)
    message.refresh_from_db()
    first_wait = message.next_attempt_at - message.updated_at
    outbox_deliver(message.pk)
    message.refresh_from_db()
    second_wait = message.next_attempt_at - message.updated_at
    assert second_wait > first_wait


def test_row_fails_for_good_after_max_attempts(message, complaint, smtp_down, mailoutbox):
    results = [outbox_deliver(message.pk) for _ in range(MAX_ATTEMPTS)]
    assert results == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    message.refresh_from_db()
    assert message.state == State.FAILED
    assert message.attempts == MAX_ATTEMPTS
    assert message.next_attempt_at is None
    failed = notification_events(complaint, "failed").get()
    assert "failed" in failed.summary
    assert notification_events(complaint, "retry").count() == MAX_ATTEMPTS - 1


def test_failed_row_is_not_retried(message, smtp_down, settings, mailoutbox):
    for _ in range(MAX_ATTEMPTS):
        outbox_deliver(message.pk)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert outbox_deliver(message.pk) == "skipped"
    assert outbox_requeue_stale() == 0
    assert mailoutbox == []


# --- the re-queue sweep --------------------------------------------------------------------------


def test_sweep_delivers_a_row_the_broker_never_received(
    message, complaint, django_capture_on_commit_callbacks, mailoutbox
):
    # Given a queued row whose dispatch was lost and whose next attempt is due
    make_due(message)
    # When the sweep runs
    with django_capture_on_commit_callbacks(execute=True):
        picked = outbox_requeue_stale()
    # Then it is delivered once
    assert picked == 1
    assert len(mailoutbox) == 1
    message.refresh_from_db()
    assert message.state == State.SENT
    assert notification_events(complaint, "sent").count() == 1


def test_second_sweep_does_nothing(message, django_capture_on_commit_callbacks, mailoutbox):
    make_due(message)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_requeue_stale()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert outbox_requeue_stale() == 0
    assert callbacks == []
    assert len(mailoutbox) == 1


def test_sweep_leaves_rows_not_yet_due(message, django_capture_on_commit_callbacks, mailoutbox):
    # a freshly queued row is due two minutes after enqueueing, not before
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_requeue_stale() == 0
    assert mailoutbox == []
    message.refresh_from_db()
    assert message.state == State.QUEUED


def test_sweep_resets_a_row_stuck_mid_send_and_delivers_it(
    message, django_capture_on_commit_callbacks, mailoutbox
):
    # Given a worker that claimed the row and died: "sending" past its claim window
    make_due(message, state=State.SENDING)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_requeue_stale() == 1
    message.refresh_from_db()
    assert message.state == State.SENT
    assert len(mailoutbox) == 1


def test_sweep_resets_a_stuck_row_to_queued_before_dispatch(
    message, django_capture_on_commit_callbacks
):
    make_due(message, state=State.SENDING)
    with django_capture_on_commit_callbacks(execute=False):
        outbox_requeue_stale()
    message.refresh_from_db()
    assert message.state == State.QUEUED
    assert message.next_attempt_at > timezone.now()


def test_sweep_retries_a_row_whose_backoff_has_passed(
    message, smtp_down, settings, django_capture_on_commit_callbacks, mailoutbox
):
    outbox_deliver(message.pk)  # attempt 1 fails
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_due(message)
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox_requeue_stale() == 1
    message.refresh_from_db()
    assert (message.state, message.attempts) == (State.SENT, 2)
    assert message.last_error == ""


# --- broker down at commit -----------------------------------------------------------------------


def test_broker_down_at_commit_does_not_break_the_business_transaction(
    customer, now, broker_down, django_capture_on_commit_callbacks, mailoutbox, caplog
):
    # When a complaint is logged while the broker is unreachable
    with django_capture_on_commit_callbacks(execute=True):
        complaint = ComplaintFactory(customer=customer, now=now)
    # Then the complaint stands, the email waits in the outbox, and the miss is logged
    assert Complaint.objects.filter(pk=complaint.pk).exists()
    message = OutboxMessage.objects.get(complaint=complaint)
    assert (message.state, message.attempts) == (State.QUEUED, 0)
    assert mailoutbox == []
    assert "re-queue sweep" in caplog.text


def test_sweep_sends_what_the_broker_missed_once_it_is_due(
    customer, now, monkeypatch, django_capture_on_commit_callbacks, mailoutbox
):
    # Given the broker was down when the complaint was logged
    task_class = type(outbox_deliver._get_current_object())
    original_delay = task_class.delay

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(task_class, "delay", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        complaint = ComplaintFactory(customer=customer, now=now)
    # and it is back three minutes later, when the sweep runs
    monkeypatch.setattr(task_class, "delay", original_delay)
    with (
        time_machine.travel(timezone.now() + datetime.timedelta(minutes=3), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert outbox_requeue_stale() == 1
    # Then the acknowledgement goes out
    assert [m.subject for m in mailoutbox] == [f"We have your complaint {complaint.reference}"]


def test_sweep_survives_a_broker_outage_and_leaves_rows_for_the_next_run(
    monkeypatch, django_capture_on_commit_callbacks
):
    # Given two rows whose dispatch was lost, and a broker that refuses every message
    from notifications.models import OutboxMessage
    from notifications.tasks import outbox_deliver, outbox_requeue_stale
    from tests.factories import OutboxMessageFactory

    rows = [OutboxMessageFactory(), OutboxMessageFactory()]
    OutboxMessage.objects.filter(pk__in=[r.pk for r in rows]).update(
        next_attempt_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    def refuse(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr(type(outbox_deliver._get_current_object()), "delay", refuse)

    # When the sweep runs and its on-commit dispatches hit the dead broker
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        picked = outbox_requeue_stale()

    # Then every row was tried, none raised, and all stay queued for a later sweep
    assert picked == 2
    assert len(callbacks) == 2
    assert set(OutboxMessage.objects.values_list("state", flat=True)) == {"queued"}

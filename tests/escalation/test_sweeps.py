"""Beat sweeps: auto-close after silence and the ADR-period point. Idempotent and set-based."""

from __future__ import annotations

import datetime

import pytest

from complaints.models import AuditEntry, Complaint, Letter, Status, TimelineEvent
from escalation.sweeps import complaints_adr_period_sweep, complaints_auto_close_sweep
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db


def _awaiting(auto_close_at: datetime.datetime) -> Complaint:
    complaint = ComplaintFactory()
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Status.AWAITING_CUSTOMER, auto_close_at=auto_close_at
    )
    return Complaint.objects.get(pk=complaint.pk)


def test_auto_close_closes_complaints_whose_customer_stayed_silent(now):
    # Given one complaint past its auto-close time and one not yet due
    due = _awaiting(now - datetime.timedelta(minutes=1))
    later = _awaiting(now + datetime.timedelta(days=1))

    # When the sweep runs
    closed = complaints_auto_close_sweep(now=now)

    # Then only the due one is closed, with a customer-visible event and an audit entry
    assert closed == 1
    due.refresh_from_db()
    later.refresh_from_db()
    assert due.status == Status.CLOSED and due.closed_at == now and due.resolved_at == now
    assert later.status == Status.AWAITING_CUSTOMER
    event = due.events.get(kind=TimelineEvent.Kind.STATUS_CHANGE, data__action="auto_close")
    assert event.visibility == TimelineEvent.Visibility.CUSTOMER
    assert AuditEntry.objects.filter(object_id=due.pk, action="auto_close").count() == 1


def test_auto_close_leaves_the_adr_clock_running(now):
    due = _awaiting(now - datetime.timedelta(minutes=1))
    before = (due.adr_eligible_from, due.adr_refer_by)

    complaints_auto_close_sweep(now=now)

    due.refresh_from_db()
    assert (due.adr_eligible_from, due.adr_refer_by) == before


def test_auto_close_twice_changes_nothing_the_second_time(now):
    due = _awaiting(now - datetime.timedelta(minutes=1))
    complaints_auto_close_sweep(now=now)
    version = Complaint.objects.get(pk=due.pk).row_version

    assert complaints_auto_close_sweep(now=now) == 0
    assert Complaint.objects.get(pk=due.pk).row_version == version
    assert due.events.filter(data__action="auto_close").count() == 1


def test_auto_close_ignores_a_complaint_the_customer_answered(now):
    # A reply moves the complaint out of awaiting_customer: the clock stops.
    answered = _awaiting(now - datetime.timedelta(minutes=1))
    Complaint.objects.filter(pk=answered.pk).update(status=Status.INVESTIGATING)

    assert complaints_auto_close_sweep(now=now) == 0


def test_auto_close_query_count_does_not_grow_with_the_batch(now, django_assert_max_num_queries):
    for _ in range(3):
        _awaiting(now - datetime.timedelta(minutes=1))
    with django_assert_max_num_queries(8) as small:
        complaints_auto_close_sweep(now=now)
    for _ in range(12):
        _awaiting(now - datetime.timedelta(minutes=1))
    with django_assert_max_num_queries(len(small.captured_queries)):
        complaints_auto_close_sweep(now=now)


def _past_adr_period(now: datetime.datetime, **customer) -> Complaint:
    complaint = ComplaintFactory(**customer)
    Complaint.objects.filter(pk=complaint.pk).update(
        adr_eligible_from=now.date() - datetime.timedelta(days=1)
    )
    return Complaint.objects.get(pk=complaint.pk)


def test_adr_period_sweep_tells_the_customer_once(now):
    complaint = _past_adr_period(now)

    assert complaints_adr_period_sweep(now=now) == 1
    assert complaints_adr_period_sweep(now=now) == 0

    complaint.refresh_from_db()
    assert complaint.adr_period_reached_at == now
    events = complaint.events.filter(dedupe_key="adr_period_reached")
    assert events.count() == 1
    assert "may now refer" in events.get().summary


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_adr_period_sweep_sends_the_adr_letter_unprompted_under_ofcom_2026(
    now, use_code, django_capture_on_commit_callbacks, mailoutbox, media
):
    # Given a complaint governed by ofcom-2026 whose 6-week period has passed
    use_code("ofcom-2026")
    complaint = _past_adr_period(now)
    assert complaint.code_version.code.slug == "ofcom-2026"

    # When the sweep runs (and the letter is rendered after its commit)
    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=now)

    # Then the ADR letter starts the 12-month refer-by clock
    complaint.refresh_from_db()
    assert complaint.letter_date == now.date()
    assert complaint.adr_refer_by == datetime.date(2027, 11, 2)
    assert complaint.events.filter(dedupe_key="adr_period_letter").exists()
    # and is kept as a PDF, emailed to the customer as an attachment
    letter = Letter.objects.get(complaint=complaint, kind=Letter.Kind.ADR)
    assert (letter.state, letter.dated) == (Letter.State.READY, now.date())
    assert letter.context["refer_by"] == "2027-11-02"
    message = OutboxMessage.objects.get(template="letter_sent", complaint=complaint)
    assert message.state == OutboxMessage.State.SENT
    (email,) = [m for m in mailoutbox if "Communications Ombudsman" in m.subject]
    (attachment,) = email.attachments
    assert attachment[0] == f"{complaint.reference}-adr-letter-2026-11-02.pdf"
    assert attachment[2] == "application/pdf"
    # and the sweep no longer sends an email of its own
    assert not OutboxMessage.objects.filter(template="adr_period_letter").exists()


def test_adr_period_sweep_prepares_a_letter_to_post_when_there_is_no_email(
    now, use_code, media, django_capture_on_commit_callbacks
):
    use_code("ofcom-2026")
    complaint = _past_adr_period(now, customer=CustomerFactory(email=""))

    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=now)

    letter = Letter.objects.get(complaint=complaint)
    assert letter.state == Letter.State.READY
    complaint.refresh_from_db()
    assert complaint.letter_date == now.date()
    assert complaint.events.filter(dedupe_key=f"letter:{letter.pk}:post").exists()
    assert not OutboxMessage.objects.filter(complaint=complaint, template="letter_sent").exists()


def test_adr_period_sweep_writes_each_letter_once(
    now, use_code, django_capture_on_commit_callbacks, media
):
    use_code("ofcom-2026")
    complaint = _past_adr_period(now)
    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=now)
    Complaint.objects.filter(pk=complaint.pk).update(adr_period_reached_at=None)

    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=now)

    assert Letter.objects.filter(complaint=complaint).count() == 1
    assert OutboxMessage.objects.filter(template="letter_sent", complaint=complaint).count() == 1


def test_adr_period_sweep_query_count_does_not_grow_with_the_letters(
    now, use_code, django_assert_max_num_queries
):
    use_code("ofcom-2026")
    for _ in range(2):
        _past_adr_period(now)
    with django_assert_max_num_queries(20) as small:
        complaints_adr_period_sweep(now=now)
    for _ in range(8):
        _past_adr_period(now)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert complaints_adr_period_sweep(now=now) == 8


def test_adr_period_sweep_writes_the_adr_letter_under_sovision_whose_seed_is_silent(
    now, current_code
):
    """soVision: "You need to allow us up to eight weeks to resolve a complaint after it was
    first made before you seek alternative resolution." — nothing about a letter at 8 weeks, so
    Ofcom's rule applies: the ADR letter is sent unprompted."""
    complaint = _past_adr_period(now)

    complaints_adr_period_sweep(now=now)

    letter = Letter.objects.get(complaint=complaint)
    assert (letter.kind, letter.reason) == (Letter.Kind.ADR, "adr_period")
    complaint.refresh_from_db()
    assert (complaint.letter_date, complaint.letter_reason) == (now.date(), "adr_period")


def test_adr_period_sweep_skips_closed_complaints(now):
    complaint = _past_adr_period(now)
    Complaint.objects.filter(pk=complaint.pk).update(status=Status.RESOLVED)

    assert complaints_adr_period_sweep(now=now) == 0

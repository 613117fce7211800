"""The timeline is evidence: PostgreSQL refuses to rewrite it (migration complaints/0003).

Each refused statement runs inside its own `transaction.atomic()` (a savepoint), so the test's
own transaction survives the database error.
"""

from __future__ import annotations

import pytest
from django.db import ProgrammingError, connection, transaction

from complaints.models import TimelineEvent
from complaints.timeline import timeline_record
from tests.factories import ComplaintFactory, TimelineEventFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(customer, now) -> TimelineEvent:
    complaint = ComplaintFactory(customer=customer, now=now)
    return TimelineEventFactory(complaint=complaint, summary="Called the customer back")


def test_update_of_a_timeline_event_is_refused(event):
    # insufficient_privilege (SQLSTATE 42501) reaches Django as ProgrammingError via psycopg2
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        TimelineEvent.objects.filter(pk=event.pk).update(summary="Never called")
    event.refresh_from_db()
    assert event.summary == "Called the customer back"


def test_saving_a_changed_timeline_event_is_refused(event):
    event.summary = "Never called"
    with pytest.raises(ProgrammingError, match="UPDATE refused"), transaction.atomic():
        event.save()
    assert TimelineEvent.objects.get(pk=event.pk).summary == "Called the customer back"


def test_delete_of_a_timeline_event_is_refused(event):
    with pytest.raises(ProgrammingError, match="DELETE refused"), transaction.atomic():
        TimelineEvent.objects.filter(pk=event.pk).delete()
    assert TimelineEvent.objects.filter(pk=event.pk).exists()


def test_sanctioned_rewrite_may_update_within_its_transaction(event):
    # Anonymisation opts in per transaction
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL redress.timeline_rewrite = 'on'")
        TimelineEvent.objects.filter(pk=event.pk).update(summary="[anonymised]")
    event.refresh_from_db()
    assert event.summary == "[anonymised]"


def test_appending_events_is_allowed(event):
    second = TimelineEventFactory(complaint=event.complaint, summary="Sent a letter")
    assert second.pk is not None
    assert event.complaint.events.filter(kind=TimelineEvent.Kind.NOTE).count() == 2


def test_same_dedupe_key_records_once(event, now):
    complaint = event.complaint
    first = timeline_record(
        complaint=complaint, kind="note", summary="Sweep ran", occurred_at=now, dedupe_key="sweep:1"
    )
    second = timeline_record(
        complaint=complaint, kind="note", summary="Sweep ran", occurred_at=now, dedupe_key="sweep:1"
    )
    assert first is not None
    assert second is None
    assert complaint.events.filter(dedupe_key="sweep:1").count() == 1


def test_same_dedupe_key_on_another_complaint_is_recorded(event, now, other_customer):
    other = ComplaintFactory(customer=other_customer, now=now)
    for complaint in (event.complaint, other):
        timeline_record(
            complaint=complaint, kind="note", summary="Sweep", occurred_at=now, dedupe_key="sweep:1"
        )
    assert TimelineEvent.objects.filter(dedupe_key="sweep:1").count() == 2


def test_events_without_a_dedupe_key_are_all_recorded(event, now):
    for _ in range(2):
        timeline_record(complaint=event.complaint, kind="note", summary="Chased", occurred_at=now)
    assert event.complaint.events.filter(summary="Chased").count() == 2


def test_duplicate_dedupe_key_leaves_the_surrounding_transaction_usable(event, now):
    timeline_record(
        complaint=event.complaint, kind="note", summary="x", occurred_at=now, dedupe_key="k"
    )
    timeline_record(
        complaint=event.complaint, kind="note", summary="x", occurred_at=now, dedupe_key="k"
    )
    # a later write in the same transaction still works
    assert TimelineEventFactory(complaint=event.complaint, summary="after").pk is not None

"""records_batched: a block's timeline events and audit entries go in one INSERT per table."""

from __future__ import annotations

import pytest
from django.utils import timezone

from complaints.models import AuditEntry, TimelineEvent
from complaints.timeline import audit_record, records_batched, timeline_record
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def record(complaint, summary: str) -> None:
    timeline_record(
        complaint=complaint,
        kind=TimelineEvent.Kind.NOTE,
        summary=summary,
        occurred_at=complaint.received_at,
    )


def test_events_and_entries_are_written_in_one_insert_each(django_assert_num_queries):
    complaint = ComplaintFactory()
    before = TimelineEvent.objects.count()
    with django_assert_num_queries(2), records_batched():
        record(complaint, "one")
        record(complaint, "two")
        audit_record(by=None, now=timezone.now(), obj=complaint, action="noted", changes={})
        audit_record(by=None, now=timezone.now(), obj=complaint, action="noted", changes={})
    assert TimelineEvent.objects.count() == before + 2
    summaries = TimelineEvent.objects.order_by("-id").values_list("summary", flat=True)[:2]
    assert list(summaries) == ["two", "one"]  # written in the order recorded
    assert AuditEntry.objects.filter(action="noted").count() == 2


def test_a_nested_block_is_written_with_the_outer_one(django_assert_num_queries):
    complaint = ComplaintFactory()
    with records_batched():
        with records_batched():
            record(complaint, "inner")
        assert not TimelineEvent.objects.filter(summary="inner").exists()
    assert TimelineEvent.objects.filter(summary="inner").exists()


def test_a_block_that_raises_writes_nothing_it_recorded():
    complaint = ComplaintFactory()
    with records_batched():
        record(complaint, "kept")
        with pytest.raises(ValueError), records_batched():
            record(complaint, "dropped")
            raise ValueError
    assert TimelineEvent.objects.filter(summary="kept").exists()
    assert not TimelineEvent.objects.filter(summary="dropped").exists()

"""complaint_clocks_apply: recompute a complaint's clocks, or deliberately move it to another
version, and leave an audit trail of exactly what changed."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from complaints.models import Complaint, TimelineEvent
from complaints.services import complaint_clocks_apply
from escalation.calendar import LONDON
from escalation.models import ChannelWindow, CodeVersion
from escalation.services import code_version_draft, code_version_publish
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def complaint(customer, now) -> Complaint:
    """A soVision email complaint logged Monday 2 Nov 2026 10:00."""
    return ComplaintFactory(customer=customer, now=now)


@pytest.fixture
def later(now) -> datetime.datetime:
    return now + datetime.timedelta(days=2)


@pytest.fixture
def sovision_v2(now) -> CodeVersion:
    """A published soVision v2 (3-day email window) from Tue 3 Nov 2026."""
    v1 = CodeVersion.objects.get(code__slug="sovision-it-2016", number=1)
    draft = code_version_draft(source=v1, by=None)
    ChannelWindow.objects.filter(version=draft, channel="email").update(respond_working_days=3)
    return code_version_publish(version=draft, effective_from=london(2026, 11, 3, 0, 0), now=now)


def clock_events(complaint: Complaint):
    return complaint.events.filter(kind=TimelineEvent.Kind.CLOCK_CHANGE).order_by("id")


def test_response_recorded_starts_the_auto_close_clock(complaint, later, manager):
    # Given we responded on Wednesday 4 Nov at 12:00
    Complaint.objects.filter(pk=complaint.pk).update(responded_at=london(2026, 11, 4, 12, 0))
    # When the clocks are applied
    changes = complaint_clocks_apply(complaint=complaint, now=later, by=manager, reason="Responded")
    # Then auto-close is 10 soVision working days later: Wed 18 Nov at 17:00
    expected = datetime.datetime(2026, 11, 18, 17, 0, tzinfo=UTC)
    assert changes == {"auto_close_at": (None, expected)}
    complaint.refresh_from_db()
    assert complaint.auto_close_at == expected
    assert "auto_close_at" in complaint.clock_reasons


def test_clock_change_is_recorded_with_before_and_after(complaint, later, manager):
    Complaint.objects.filter(pk=complaint.pk).update(responded_at=london(2026, 11, 4, 12, 0))
    complaint_clocks_apply(complaint=complaint, now=later, by=manager, reason="Responded")
    event = clock_events(complaint).last()
    assert event.data == {"auto_close_at": [None, "2026-11-18T17:00:00+00:00"]}
    assert event.author == manager
    assert event.body == "Responded"
    assert event.occurred_at == later
    assert "auto_close_at" in event.summary


def test_deadlock_letter_moves_the_refer_by_date(complaint, later, manager):
    # Given 9 months from first made (2 Aug 2027) until we write
    assert complaint.adr_refer_by == datetime.date(2027, 8, 2)
    Complaint.objects.filter(pk=complaint.pk).update(letter_date=datetime.date(2026, 12, 31))
    changes = complaint_clocks_apply(complaint=complaint, now=later, by=manager, reason="Deadlock")
    # Then 6 months after the letter, clamped: 31 Dec + 6 months → 30 June 2027
    assert changes == {"adr_refer_by": (datetime.date(2027, 8, 2), datetime.date(2027, 6, 30))}


def test_no_change_records_no_event(complaint, later, manager):
    events_before = complaint.events.count()
    changes = complaint_clocks_apply(complaint=complaint, now=later, by=manager, reason="Check")
    assert changes == {}
    assert complaint.events.count() == events_before


def test_apply_bumps_the_row_version(complaint, later, manager):
    complaint_clocks_apply(complaint=complaint, now=later, by=manager, reason="Check")
    complaint.refresh_from_db()
    assert complaint.row_version == 2


def test_reapplying_another_version_requires_a_reason(complaint, later, manager, sovision_v2):
    with pytest.raises(ValidationError, match="Say why"):
        complaint_clocks_apply(
            complaint=complaint, now=later, by=manager, reason="  ", version=sovision_v2
        )
    complaint.refresh_from_db()
    assert complaint.code_version.number == 1


def test_reapplying_another_version_moves_the_complaint_and_records_it(
    complaint, later, manager, sovision_v2
):
    v1_pk = complaint.code_version_id
    changes = complaint_clocks_apply(
        complaint=complaint,
        now=later,
        by=manager,
        reason="Customer agreed to the new timescales",
        version=sovision_v2,
    )
    complaint.refresh_from_db()
    assert complaint.code_version == sovision_v2
    # 3 working days from Monday 2 Nov → Thursday 5 Nov (was Wednesday 4 Nov)
    assert changes == {
        "respond_by": (
            datetime.datetime(2026, 11, 4, 17, 0, tzinfo=UTC),
            datetime.datetime(2026, 11, 5, 17, 0, tzinfo=UTC),
        )
    }
    move, clocks = clock_events(complaint)[1:]  # [0] is the creation's "clocks set"
    assert move.data == {"from_version": v1_pk, "to_version": sovision_v2.pk}
    assert move.body == "Customer agreed to the new timescales"
    assert move.author == manager
    assert "sovision-it-2016 v1" in move.summary and "sovision-it-2016 v2" in move.summary
    assert clocks.data["respond_by"] == ["2026-11-04T17:00:00+00:00", "2026-11-05T17:00:00+00:00"]


def test_reapplying_a_draft_version_is_refused(complaint, later, manager):
    v1 = complaint.code_version
    draft = code_version_draft(source=v1, by=None)
    events_before = complaint.events.count()
    with pytest.raises(ValidationError, match="published"):
        complaint_clocks_apply(
            complaint=complaint, now=later, by=manager, reason="Try the draft", version=draft
        )
    complaint.refresh_from_db()
    assert complaint.code_version == v1
    assert complaint.events.count() == events_before


def test_reapplying_the_same_version_needs_no_reason_and_records_no_move(complaint, later, manager):
    events_before = complaint.events.count()
    changes = complaint_clocks_apply(
        complaint=complaint, now=later, by=manager, reason="", version=complaint.code_version
    )
    assert changes == {}
    assert complaint.events.count() == events_before

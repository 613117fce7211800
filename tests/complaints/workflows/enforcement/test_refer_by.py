"""Refer-by passing: recorded once, customer-visible, from local midnight after the date; the
follow page then stops offering the ombudsman as a next step."""

from __future__ import annotations

import datetime

import pytest

from complaints.models import AuditEntry, Complaint, TimelineEvent
from complaints.selectors.follow import follow_page
from complaints.workflows.enforcement.jobs import enforce
from escalation.calendar import LONDON

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def with_refer_by(log_complaint):
    """An Infinity email first made 2 Nov 2026, no letter: refer by 2 Aug 2027 (9 months)."""
    complaint = log_complaint(at(2026, 11, 2, 10, 0))
    assert complaint.adr_refer_by == datetime.date(2027, 8, 2)
    return complaint


def test_nothing_is_recorded_on_the_last_day(with_refer_by):
    assert enforce(now=at(2027, 8, 2, 23, 59), jobs=["refer_by"]) == {"refer_by": 0}


def test_the_window_closing_is_recorded_from_midnight_after_in_london(with_refer_by):
    # 00:00 BST on 3 Aug is 23:00Z on 2 Aug: the London date decides.
    counts = enforce(now=at(2027, 8, 3, 0, 0), jobs=["refer_by"])

    assert counts == {"refer_by": 1}
    event = with_refer_by.events.get(kind=TimelineEvent.Kind.REFER_BY)
    assert event.visibility == TimelineEvent.Visibility.CUSTOMER
    assert "ended on 02 Aug 2027" in event.summary
    assert AuditEntry.objects.filter(object_id=with_refer_by.pk, action="refer_by_passed").exists()


def test_running_again_records_nothing_more(with_refer_by):
    enforce(now=at(2027, 8, 3, 0, 0), jobs=["refer_by"])

    assert enforce(now=at(2027, 8, 4, 0, 0), jobs=["refer_by"]) == {"refer_by": 0}
    assert with_refer_by.events.filter(kind=TimelineEvent.Kind.REFER_BY).count() == 1


def test_the_follow_page_stops_offering_the_ombudsman(with_refer_by):
    enforce(now=at(2027, 8, 3, 0, 0), jobs=["refer_by"])
    complaint = Complaint.objects.get(pk=with_refer_by.pk)

    page = follow_page(complaint=complaint, now=at(2027, 8, 3, 9, 0))

    assert page.adr.window_closed
    assert not page.adr.can_go_now
    assert "has ended" in page.adr.when

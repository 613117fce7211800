"""`manage.py demo_seed` (`make run`): demo data built relative to the day it first runs.

On any day, the demo shows complaints under each shipped code at every stage, with clocks
ahead of today, some falling due today (on a working day) and some breached, and it never
emails a customer a promise dated before the day it is sent.
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core.management import call_command

from complaints.models import Complaint, Status
from escalation.calendar import LONDON
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

DAYS = [
    pytest.param(datetime.datetime(2026, 12, 1, 11, 0, tzinfo=LONDON), True, id="tuesday"),
    pytest.param(datetime.datetime(2027, 4, 5, 8, 30, tzinfo=LONDON), True, id="monday-early"),
    pytest.param(datetime.datetime(2027, 3, 29, 15, 0, tzinfo=LONDON), False, id="easter-monday"),
    pytest.param(datetime.datetime(2026, 12, 29, 16, 0, tzinfo=LONDON), True, id="after-christmas"),
]


def seed(now: datetime.datetime) -> list[Complaint]:
    with time_machine.travel(now, tick=False):
        call_command("demo_seed", stdout=open("/dev/null", "w"))
    return list(Complaint.objects.select_related("code_version__code"))


@pytest.mark.parametrize("now, working_day", DAYS)
def test_every_shipped_code_governs_demo_complaints_at_several_stages(now, working_day):
    complaints = seed(now)
    by_code: dict[str, set[str]] = {}
    for c in complaints:
        by_code.setdefault(c.code_version.code.slug, set()).add(c.status)
    assert set(by_code) == {"infinity-group-2016", "sovision-it-2016", "ofcom-2026"}
    assert {Status.NEW, Status.ACKNOWLEDGED, Status.ESCALATED} <= by_code["infinity-group-2016"]
    assert {Status.AWAITING_CUSTOMER, Status.RESOLVED} <= by_code["sovision-it-2016"]
    assert Status.DEADLOCK in by_code["infinity-group-2016"]


@pytest.mark.parametrize("now, working_day", DAYS)
def test_demo_clocks_lie_ahead_fall_due_today_or_are_breached_relative_to_the_day(now, working_day):
    complaints = seed(now)
    due = [c.next_due_at for c in complaints if c.next_due_at is not None]
    today = now.date()
    ahead = [d for d in due if d.astimezone(LONDON).date() > today]
    due_today = [d for d in due if d > now and d.astimezone(LONDON).date() == today]
    breached = [d for d in due if d <= now]
    assert len(ahead) >= 2
    assert len(breached) >= 2
    if working_day:
        assert len(due_today) >= 2
    # Nothing was made in the future.
    assert all(c.received_at <= now and c.first_made_at <= now for c in complaints)


@pytest.mark.parametrize("now, working_day", DAYS)
def test_demo_emails_promise_no_date_already_past(now, working_day):
    seed(now)
    messages = list(OutboxMessage.objects.all())
    assert messages, "today's demo complaints email their acknowledgement"
    for message in messages:
        text = str(message.context)
        for found in re.findall(r"\d{4}-\d{2}-\d{2}", text):
            assert datetime.date.fromisoformat(found) >= now.date(), (message.template, found)


def test_running_the_demo_again_adds_nothing():
    now = datetime.datetime(2026, 12, 1, 11, 0, tzinfo=LONDON)
    first = len(seed(now))
    assert len(seed(now + datetime.timedelta(days=3))) == first


def test_banner_names_the_address_the_site_is_served_on(settings, capsys):
    settings.REDRESS_BASE_URL = "http://127.0.0.1:8101"
    call_command("demo_seed")
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8101/" in out and ":8000" not in out

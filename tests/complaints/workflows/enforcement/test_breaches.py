"""Breaches: a staff clock passing unmet is recorded once (timeline, audit), its owner and the
managers are alerted once, and the complaint escalates only where the code version says so."""

from __future__ import annotations

import datetime

import pytest

from complaints.lifecycle import Status
from complaints.models import AuditEntry, Complaint, StaffAlert, TimelineEvent
from complaints.selectors.alerts import complaint_breaches
from complaints.workflows.actions import complaint_acknowledge, complaint_send_update
from complaints.workflows.enforcement.jobs import enforce
from escalation.calendar import LONDON
from escalation.models import CodeVersion
from escalation.selectors import code_rules_cache_clear
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def test_an_infinity_email_breaches_at_closing_time_on_the_fifth_working_day(
    log_complaint, agent, manager
):
    # Given an Infinity email received Monday 2 Nov 10:00 (respond by Mon 9 Nov 17:30)
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)

    # When beat runs a second before closing time, then at it
    assert enforce(now=at(2026, 11, 9, 17, 29, 59), jobs=["breaches"]) == {"breaches": 0}
    assert enforce(now=at(2026, 11, 9, 17, 30), jobs=["breaches"]) == {"breaches": 1}

    # Then the breach is on the timeline and in the audit trail, and both people are alerted
    event = complaint.events.get(kind=TimelineEvent.Kind.BREACH)
    assert event.data["clock"] == "respond_by"
    assert event.occurred_at == at(2026, 11, 9, 17, 30)
    assert AuditEntry.objects.filter(object_id=complaint.pk, action="breach").count() == 1
    alerted = set(StaffAlert.objects.filter(kind="breach").values_list("user_id", flat=True))
    assert alerted == {agent.pk, manager.pk}
    assert OutboxMessage.objects.filter(template="staff_alert").count() == 2


def test_a_breach_is_recorded_once_however_often_beat_runs(log_complaint, agent):
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    enforce(now=at(2026, 11, 9, 17, 30), jobs=["breaches"])

    again = enforce(now=at(2026, 11, 10, 9, 0), jobs=["breaches"])

    assert again == {"breaches": 0}
    assert complaint_breaches([complaint.pk]).count() == 1
    assert StaffAlert.objects.filter(user=agent).count() == 1


def test_a_clock_met_in_time_is_not_breached(log_complaint, agent):
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    complaint_send_update(complaint_id=complaint.pk, by=agent, now=at(2026, 11, 9, 17, 0),
                          expected_version=None, body="Here is our answer", method="email")  # fmt: skip

    assert enforce(now=at(2026, 11, 9, 17, 30), jobs=["breaches"]) == {"breaches": 0}
    complaint.refresh_from_db()
    assert complaint.breach_due_at is None


def test_each_sovision_clock_breaches_on_its_own(log_complaint, agent):
    # Given a soVision letter (respond within 2 wd, resolve within 10 wd), acknowledged
    complaint = log_complaint(at(2026, 11, 2, 10, 0), code="sovision-it-2016", channel="letter",
                              assigned_to=agent)  # fmt: skip
    complaint_acknowledge(complaint_id=complaint.pk, by=agent, now=at(2026, 11, 2, 11, 0),
                          expected_version=None)  # fmt: skip

    # When beat runs after both clocks passed
    counts = enforce(now=at(2026, 11, 17, 9, 0), jobs=["breaches"])

    # Then respond_by and resolve_by are each recorded once
    clocks = sorted(e.data["clock"] for e in complaint_breaches([complaint.pk]))
    assert counts == {"breaches": 2}
    assert clocks == ["resolve_by", "respond_by"]


def test_a_breach_escalates_where_the_code_version_says_so(log_complaint, agent):
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    CodeVersion.objects.filter(pk=complaint.code_version_id).update(escalate_on_breach=True)
    code_rules_cache_clear()

    enforce(now=at(2026, 11, 9, 17, 30), jobs=["breaches"])

    complaint = Complaint.objects.get(pk=complaint.pk)
    assert complaint.status == Status.ESCALATED
    assert complaint.tier == 1
    assert complaint.events.filter(kind=TimelineEvent.Kind.ESCALATION).count() == 1


def test_the_presets_do_not_escalate_on_breach(log_complaint, agent):
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)

    enforce(now=at(2026, 11, 9, 17, 30), jobs=["breaches"])

    assert not CodeVersion.objects.filter(escalate_on_breach=True).exists()
    assert Complaint.objects.get(pk=complaint.pk).tier == 0


def test_a_breach_then_the_reminder_job_sends_no_late_reminder(log_complaint, agent):
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)

    counts = enforce(now=at(2026, 11, 10, 9, 0))

    assert counts["breaches"] == 1
    assert counts["reminders"] == 0
    assert not complaint.events.filter(kind=TimelineEvent.Kind.REMINDER).exists()


def test_the_complaint_page_shows_the_recorded_breach(log_complaint, agent, client):
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    enforce(now=at(2026, 11, 9, 17, 30), jobs=["breaches"])
    client.force_login(agent)

    page = client.get(f"/staff/complaints/{complaint.reference}/")

    assert "Breached: respond by" in page.content.decode()


@pytest.mark.parametrize(
    ("nation", "breached_at"),
    [
        # Received Friday 28 Aug 2026: Monday 31 Aug is a bank holiday except in Scotland.
        ("ENG", at(2026, 9, 7, 17, 30)),
        ("WLS", at(2026, 9, 7, 17, 30)),
        ("NIR", at(2026, 9, 7, 17, 30)),
        ("SCT", at(2026, 9, 4, 17, 30)),
    ],
)
def test_the_breach_follows_the_bank_holidays_of_the_complaints_nation(
    log_complaint, agent, nation, breached_at
):
    complaint = log_complaint(at(2026, 8, 28, 10, 0), nation=nation, assigned_to=agent)

    assert enforce(now=breached_at - datetime.timedelta(seconds=1), jobs=["breaches"]) == {
        "breaches": 0
    }
    assert enforce(now=breached_at, jobs=["breaches"]) == {"breaches": 1}
    assert complaint.events.get(kind=TimelineEvent.Kind.BREACH).occurred_at == breached_at


def test_the_breach_is_at_closing_time_in_gmt_after_the_clocks_go_back(log_complaint, agent):
    # Received Monday 19 Oct 2026 (BST); due Monday 26 Oct 17:30, which is GMT: 17:30Z.
    complaint = log_complaint(at(2026, 10, 19, 10, 0), assigned_to=agent)

    assert enforce(now=datetime.datetime(2026, 10, 26, 16, 30, tzinfo=datetime.UTC),
                   jobs=["breaches"]) == {"breaches": 0}  # fmt: skip
    assert enforce(now=datetime.datetime(2026, 10, 26, 17, 30, tzinfo=datetime.UTC),
                   jobs=["breaches"]) == {"breaches": 1}  # fmt: skip
    assert complaint.respond_by == at(2026, 10, 26, 17, 30)


def test_the_breach_is_at_closing_time_in_bst_after_the_clocks_go_forward(log_complaint, agent):
    # Received Monday 23 March 2026 (GMT); due Monday 30 March 17:30 BST = 16:30Z.
    log_complaint(at(2026, 3, 23, 10, 0), assigned_to=agent)

    assert enforce(now=datetime.datetime(2026, 3, 30, 16, 29, tzinfo=datetime.UTC),
                   jobs=["breaches"]) == {"breaches": 0}  # fmt: skip
    assert enforce(now=datetime.datetime(2026, 3, 30, 16, 30, tzinfo=datetime.UTC),
                   jobs=["breaches"]) == {"breaches": 1}  # fmt: skip


def test_a_complaint_under_an_older_version_keeps_that_versions_clock(log_complaint, agent,
                                                                       admin_staff):  # fmt: skip
    from escalation.services import code_version_draft, code_version_publish

    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    draft = code_version_draft(source=complaint.code_version, by=admin_staff)
    draft.channel_windows.filter(channel="email").update(respond_working_days=2)
    code_version_publish(version=draft, effective_from=at(2026, 11, 2, 12, 0),
                         now=at(2026, 11, 2, 11, 0))  # fmt: skip
    newer = log_complaint(at(2026, 11, 2, 13, 0), assigned_to=agent)

    counts = enforce(now=at(2026, 11, 4, 17, 30), jobs=["breaches"])

    assert counts == {"breaches": 1}
    assert complaint_breaches().get().complaint_id == newer.pk

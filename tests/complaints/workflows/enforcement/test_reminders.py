"""Reminders before each staff clock: one working day before by default, in the complaint's
nation's calendar, to the owner or else the team's managers, once."""

from __future__ import annotations

import datetime

import pytest

from complaints.models import StaffAlert, TimelineEvent
from complaints.services import complaint_clocks_apply
from complaints.staff_clocks import reminder_at
from complaints.workflows.actions import complaint_send_update
from complaints.workflows.enforcement.jobs import enforce
from escalation.calendar import LONDON
from escalation.models import CodeVersion
from escalation.selectors import code_rules, code_rules_cache_clear
from escalation.services import code_version_draft, code_version_publish
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def _reminders(complaint):
    return complaint.events.filter(kind=TimelineEvent.Kind.REMINDER)


def test_the_owner_is_reminded_one_working_day_before_respond_by_across_a_weekend(
    log_complaint, agent
):
    # Given an Infinity email received Monday 2 Nov 10:00: respond by Monday 9 Nov 17:30
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    assert complaint.respond_by == at(2026, 11, 9, 17, 30)

    # When beat runs just before and then at Friday 6 Nov 17:30 (the working day before)
    before = enforce(now=at(2026, 11, 6, 17, 29), jobs=["reminders"])
    on_time = enforce(now=at(2026, 11, 6, 17, 30), jobs=["reminders"])

    # Then one reminder, at Friday closing time, to the assignee, in-app and by email
    assert before == {"reminders": 0}
    assert on_time == {"reminders": 1}
    event = _reminders(complaint).get()
    assert event.data["clock"] == "respond_by"
    alert = StaffAlert.objects.get(user=agent)
    assert (alert.kind, alert.clock, alert.complaint_id) == ("reminder", "respond_by", complaint.pk)
    assert OutboxMessage.objects.filter(recipient=agent.email, template="staff_alert").count() == 1


def test_a_second_run_reminds_nobody_again(log_complaint, agent):
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    enforce(now=at(2026, 11, 6, 17, 30), jobs=["reminders"])

    assert enforce(now=at(2026, 11, 7, 9, 0), jobs=["reminders"]) == {"reminders": 0}
    assert _reminders(complaint).count() == 1
    assert StaffAlert.objects.filter(user=agent).count() == 1


def test_an_unassigned_complaint_reminds_the_managers(log_complaint, manager, agent):
    complaint = log_complaint(at(2026, 11, 2, 10, 0))

    enforce(now=at(2026, 11, 6, 17, 30), jobs=["reminders"])

    assert list(StaffAlert.objects.values_list("user__username", flat=True)) == ["manager"]
    assert _reminders(complaint).get().data["to"] == [manager.pk]


def test_a_clock_already_met_is_not_reminded(log_complaint, agent):
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    complaint_send_update(complaint_id=complaint.pk, by=agent, now=at(2026, 11, 3, 11, 0),
                          expected_version=None, body="Looking into it", method="email")  # fmt: skip

    assert enforce(now=at(2026, 11, 6, 17, 30), jobs=["reminders"]) == {"reminders": 0}


@pytest.mark.parametrize(
    ("nation", "due", "reminded"),
    [
        # Summer bank holiday: Monday 31 Aug in England, Wales and Northern Ireland; Scotland's
        # was 3 Aug, so there 31 Aug is a working day.
        ("ENG", at(2026, 9, 1, 17, 30), at(2026, 8, 28, 17, 30)),
        ("WLS", at(2026, 9, 1, 17, 30), at(2026, 8, 28, 17, 30)),
        ("NIR", at(2026, 9, 1, 17, 30), at(2026, 8, 28, 17, 30)),
        ("SCT", at(2026, 9, 1, 17, 30), at(2026, 8, 31, 17, 30)),
        # St Andrew's Day (Scotland), Monday 30 Nov 2026.
        ("SCT", at(2026, 12, 1, 17, 30), at(2026, 11, 27, 17, 30)),
        ("ENG", at(2026, 12, 1, 17, 30), at(2026, 11, 30, 17, 30)),
        # St Patrick's Day (Northern Ireland), Tuesday 17 March 2026.
        ("NIR", at(2026, 3, 18, 17, 30), at(2026, 3, 16, 17, 30)),
        ("WLS", at(2026, 3, 18, 17, 30), at(2026, 3, 17, 17, 30)),
    ],
)
def test_the_reminder_skips_the_bank_holidays_of_the_complaints_nation(nation, due, reminded):
    rules = code_rules(CodeVersion.objects.get(code__slug="infinity-group-2016"))

    assert reminder_at(rules, nation, due) == reminded


@pytest.mark.parametrize(
    ("due", "reminded", "utc_hour"),
    [
        # Clocks go back on Sunday 25 Oct 2026: due 17:30 GMT, reminded 17:30 BST (16:30Z).
        (at(2026, 10, 26, 17, 30), at(2026, 10, 23, 17, 30), 16),
        # Clocks go forward on Sunday 29 Mar 2026: due 17:30 BST, reminded 17:30 GMT (17:30Z).
        (at(2026, 3, 30, 17, 30), at(2026, 3, 27, 17, 30), 17),
    ],
)
def test_the_reminder_keeps_the_wall_time_across_a_dst_change(due, reminded, utc_hour):
    rules = code_rules(CodeVersion.objects.get(code__slug="infinity-group-2016"))

    got = reminder_at(rules, "ENG", due)

    assert got == reminded
    assert got.astimezone(datetime.UTC).hour == utc_hour


def test_a_version_with_two_days_notice_reminds_earlier_once_re_applied(log_complaint, agent,
                                                                        admin_staff):  # fmt: skip
    # Given a complaint under Infinity v1 and a new version that reminds two working days ahead
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    v1 = complaint.code_version
    draft = code_version_draft(source=v1, by=admin_staff)
    draft.reminder_working_days_before = 2
    draft.save()
    v2 = code_version_publish(
        version=draft, effective_from=at(2026, 11, 2, 12, 0), now=at(2026, 11, 2, 11, 0)
    )

    # When staff deliberately re-apply v2 to the complaint
    complaint_clocks_apply(complaint=complaint, now=at(2026, 11, 3, 9, 0), by=admin_staff,
                           reason="Moved to v2", version=v2)  # fmt: skip

    # Then its reminder moves to Thursday 5 Nov 17:30 and beat sends it then
    complaint.refresh_from_db()
    assert complaint.reminder_due_at == at(2026, 11, 5, 17, 30)
    assert enforce(now=at(2026, 11, 5, 17, 30), jobs=["reminders"]) == {"reminders": 1}


def test_a_version_without_reminders_sends_none(log_complaint, agent):
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    CodeVersion.objects.filter(pk=complaint.code_version_id).update(
        reminder_working_days_before=None
    )
    code_rules_cache_clear()
    complaint_clocks_apply(complaint=complaint, now=at(2026, 11, 3, 9, 0), by=None, reason="")

    complaint.refresh_from_db()
    assert complaint.reminder_due_at is None
    assert enforce(now=at(2026, 11, 6, 17, 30), jobs=["reminders"]) == {"reminders": 0}

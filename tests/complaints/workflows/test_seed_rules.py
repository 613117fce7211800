"""soVision rules that were wrong (issue 10, items 4-6): the resolution objective, a reply by
any channel stopping auto-close, and formal complaints keeping a named owner with their own
response clock. A soVision email complaint logged Monday 2 November 2026 at 10:00."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from complaints.models import Complaint, Status
from complaints.selectors.clocks import clock_rows
from complaints.selectors.follow import promises
from complaints.workflows import actions
from escalation.calendar import LONDON
from escalation.models import EscalationTier
from escalation.sweeps import complaints_auto_close_sweep
from tests.factories import ComplaintFactory, UserFactory

pytestmark = pytest.mark.django_db


def at(day: int, hour: int = 11, month: int = 11) -> datetime.datetime:
    return datetime.datetime(2026, month, day, hour, 0, tzinfo=LONDON)


@pytest.fixture
def complaint(customer, agent, now) -> Complaint:
    return ComplaintFactory(customer=customer, now=now, assigned_to=agent)


def test_the_resolution_objective_is_met_when_a_resolution_is_provided_not_at_closure(
    complaint, agent
):
    """soVision: "Our objective is to provide a resolution for all complaints within 10 working
    days." — proposed on day 1, remedied on day 2, auto-closed on day 12: met, not met late."""
    actions.complaint_propose_resolution(complaint_id=complaint.pk, by=agent, now=at(3),
                                         expected_version=None, body="A new router.")  # fmt: skip
    actions.complaint_confirm_remedied(complaint_id=complaint.pk, by=agent, now=at(4),
                                       expected_version=None, body="Router sent.")  # fmt: skip
    assert complaints_auto_close_sweep(now=at(19)) == 1
    done = Complaint.objects.get(pk=complaint.pk)
    assert done.status == Status.CLOSED
    assert done.resolution_provided_at == at(3)
    (row,) = [r for r in clock_rows(done, at(19)) if r.name == "resolve_by"]
    assert (row.state, row.state_label) == ("met", "Met")
    (promise,) = [p for p in promises(done, at(19)) if p.name == "resolve_by"]
    assert promise.state == "kept"


def test_a_reply_by_phone_stops_the_auto_close_clock_like_a_web_reply(complaint, agent):
    """soVision: "Unless we hear from you within 10 working days of our response to you … we
    will assume that the complaint has been resolved" — hearing by phone counts."""
    actions.complaint_propose_resolution(complaint_id=complaint.pk, by=agent, now=at(3),
                                         expected_version=None, body="A new router.")  # fmt: skip
    done = actions.complaint_customer_replied(
        complaint_id=complaint.pk, by=agent, now=at(10), expected_version=None, method="phone",
        body="The router has not arrived.",
    )  # fmt: skip
    assert done.status == Status.INVESTIGATING
    event = done.events.get(data__reply=True)
    assert (event.summary, event.body) == (
        "The customer replied by phone",
        "The router has not arrived.",
    )
    assert complaints_auto_close_sweep(now=at(30)) == 0


def test_a_reply_needs_what_they_said_and_how(complaint, agent):
    with pytest.raises(ValidationError) as exc:
        actions.complaint_customer_replied(complaint_id=complaint.pk, by=agent, now=at(10),
                                           expected_version=None, method="fax", body="Hi")  # fmt: skip
    assert "method" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.complaint_customer_replied(complaint_id=complaint.pk, by=agent, now=at(10),
                                           expected_version=None, method="phone", body=" ")  # fmt: skip
    assert Complaint.objects.get(pk=complaint.pk).row_version == complaint.row_version


def test_escalating_assigns_the_person_the_manager_chose_from_the_tiers_group(complaint, manager):
    """soVision: "a senior manager will be appointed to review your case. They will … report
    directly back to you" """
    senior = UserFactory(username="td", first_name="Tariq", groups=["manager"])
    done = actions.complaint_escalate(complaint_id=complaint.pk, by=manager, now=at(3),
                                      expected_version=None, reason="Unhappy",
                                      assignee_id=senior.pk)  # fmt: skip
    assert done.assigned_to == senior


def test_escalating_assigns_the_tiers_default_owner(complaint, manager):
    secretary = UserFactory(username="cs", first_name="Cleo", groups=["manager"])
    EscalationTier.objects.filter(version=complaint.code_version, level=1).update(
        default_assignee=secretary
    )
    done = actions.complaint_escalate(complaint_id=complaint.pk, by=manager, now=at(3),
                                      expected_version=None, reason="Unhappy")  # fmt: skip
    assert done.assigned_to == secretary


def test_escalating_to_someone_outside_the_tiers_group_is_refused(complaint, manager, agent):
    with pytest.raises(ValidationError) as exc:
        actions.complaint_escalate(complaint_id=complaint.pk, by=manager, now=at(3),
                                   expected_version=None, reason="Unhappy",
                                   assignee_id=agent.pk)  # fmt: skip
    assert "assignee" in exc.value.message_dict
    assert Complaint.objects.get(pk=complaint.pk).tier == 0


def test_the_formal_stage_has_its_own_response_clock_met_by_the_final_position(complaint, manager):
    """soVision: "Whatever is proposed at this stage will be our final proposition" — the
    formal review answers within 10 working days of the escalation (the seed is silent)."""
    done = actions.complaint_escalate(complaint_id=complaint.pk, by=manager, now=at(3),
                                      expected_version=None, reason="Unhappy")  # fmt: skip
    due = datetime.datetime(2026, 11, 17, 17, 0, tzinfo=LONDON)
    assert done.formal_respond_by == due
    assert "formal_respond_by" in {r.name for r in clock_rows(done, at(3)) if r.value}
    final = actions.complaint_propose_resolution(
        complaint_id=complaint.pk, by=manager, now=at(10), expected_version=None,
        body="Our final position.",
    )  # fmt: skip
    assert final.final_position_at == at(10)
    (row,) = [r for r in clock_rows(final, at(10)) if r.name == "formal_respond_by"]
    assert row.state_label == "Met"

"""Who may act at which tier is part of the tier's definition; the lifecycle enforces it."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from complaints.lifecycle import Action, TransitionRefused, allowed_actions, next_status
from complaints.models import Complaint, Status
from complaints.workflows import actions
from escalation.calendar import LONDON
from escalation.models import EscalationTier
from tests.factories import ComplaintFactory

LATER = datetime.datetime(2026, 11, 3, 10, tzinfo=LONDON)
MANAGERS = frozenset({"manager"})


def test_the_lifecycle_refuses_an_agent_a_decision_at_a_deciding_tier():
    with pytest.raises(TransitionRefused, match="At Managing Director only the manager group"):
        next_status(Action.PROPOSE_RESOLUTION, Status.ESCALATED, roles={"agent"},
                    deciders=MANAGERS, tier_title="Managing Director")  # fmt: skip


def test_the_lifecycle_lets_an_agent_escalate_or_note_at_a_deciding_tier():
    offered = allowed_actions(Status.ESCALATED, roles={"agent"}, deciders=MANAGERS)
    assert Action.RECORD_FINDINGS in offered
    assert not {Action.PROPOSE_RESOLUTION, Action.MARK_RESOLVED, Action.CONFIRM_REMEDIED} & set(
        offered
    )


def test_a_tier_that_does_not_restrict_lets_agents_decide():
    assert Action.PROPOSE_RESOLUTION in allowed_actions(Status.ESCALATED, roles={"agent"})


def test_the_shipped_director_and_formal_tiers_keep_their_decisions(db):
    tiers = EscalationTier.objects.filter(version__code__slug="infinity-group-2016")
    assert {(t.level, t.decisions_by_group_only) for t in tiers} == {
        (0, False), (1, True), (2, True),
    }  # fmt: skip


@pytest.fixture
def at_director(customer, now, use_code, agent):
    use_code("infinity-group-2016")
    complaint = ComplaintFactory(customer=customer, now=now)
    actions.complaint_escalate(complaint_id=complaint.pk, by=agent, now=now,
                               expected_version=None, reason="Wants the director")  # fmt: skip
    return Complaint.objects.get(pk=complaint.pk)


def test_an_agent_cannot_mark_resolved_at_the_director_tier(at_director, agent):
    with pytest.raises(TransitionRefused, match="only the manager group"):
        actions.complaint_mark_resolved(complaint_id=at_director.pk, by=agent, now=LATER,
                                        expected_version=None)  # fmt: skip
    assert Complaint.objects.get(pk=at_director.pk).status == Status.ESCALATED


def test_a_manager_can_propose_at_the_director_tier(at_director, manager):
    done = actions.complaint_propose_resolution(complaint_id=at_director.pk, by=manager, now=LATER,
                                                expected_version=None, body="Refund")  # fmt: skip
    assert done.status == Status.FINAL_RESPONSE


def test_the_page_offers_an_agent_no_decision_at_the_director_tier(client, agent, at_director):
    client.force_login(agent)
    html = client.get(reverse("staff:complaint", args=[at_director.reference])).content.decode()
    assert 'id="action-propose_resolution"' not in html
    assert 'id="action-record_findings"' in html
    assert "Only the manager group proposes, takes the final position or resolves" in html


def test_posting_a_decision_as_an_agent_is_refused_with_403(client, agent, at_director):
    client.force_login(agent)
    url = reverse("staff:act", args=[at_director.reference, "propose_resolution"])
    response = client.post(url, {"propose_resolution-row_version": at_director.row_version,
                                 "propose_resolution-body": "Refund"})  # fmt: skip
    assert response.status_code == 403
    assert "only the manager group" in response.content.decode()
    assert Complaint.objects.get(pk=at_director.pk).status == Status.ESCALATED

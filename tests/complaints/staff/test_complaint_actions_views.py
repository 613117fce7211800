"""Staff actions posted from the complaint page (POST /staff/complaints/<ref>/act/<action>/).

Success: 303 back to the page with a message. Refused by the lifecycle: 409; by role: 403;
invalid input: 400 with an error summary and everything typed kept; stale page: 409 with the
complaint as it is now and the person's typed text kept under the new version.
"""

from __future__ import annotations

import datetime
import html as htmllib
import re

import pytest
import time_machine
from django.urls import reverse

from complaints.models import AuditEntry, Complaint, RootCause, Status, TimelineEvent
from complaints.staff.forms.actions import LondonDateTimeField
from complaints.workflows import actions
from escalation.calendar import LONDON
from tests.factories import ComplaintFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = TimelineEvent.Kind


def london(month: int, day: int, hour: int, minute: int = 0, year: int = 2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def working_hours():
    """Staff act on Tuesday 3 November 2026 at 12:00, the day after the complaint was logged."""
    with time_machine.travel(london(11, 3, 12), tick=False):
        yield


@pytest.fixture
def complaint(customer, now) -> Complaint:
    return ComplaintFactory(customer=customer, now=now)


def act_url(complaint: Complaint, action: str) -> str:
    return reverse("staff:act", args=[complaint.reference, action])


def fresh(complaint: Complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def post(client, complaint, action, version=None, **fields):
    version = fresh(complaint).row_version if version is None else version
    data = {f"{action}-row_version": version, **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(act_url(complaint, action), data)


def page_text(response) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def state(complaint: Complaint) -> tuple:
    """Everything an action could change, to prove nothing did."""
    current = fresh(complaint)
    return (
        current.row_version,
        current.status,
        current.tier,
        current.assigned_to_id,
        current.events.count(),
        AuditEntry.objects.filter(object_type="complaint", object_id=complaint.pk).count(),
    )


# --- who may post --------------------------------------------------------------------------


def test_anonymous_post_is_sent_to_sign_in(client, complaint):
    before = state(complaint)
    response = post(client, complaint, "acknowledge")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert state(complaint) == before


def test_customer_account_cannot_act(client, complaint):
    person = UserFactory(username="carys")
    CustomerFactory(name="Carys", portal_user=person)
    client.force_login(person)
    before = state(complaint)
    assert post(client, complaint, "acknowledge").status_code == 403
    assert state(complaint) == before


def test_actions_are_post_only(client, agent, complaint):
    client.force_login(agent)
    assert client.get(act_url(complaint, "acknowledge")).status_code == 405


def test_unknown_reference_is_not_found(client, agent):
    client.force_login(agent)
    url = reverse("staff:act", args=["RD-NOPE-NOPE", "acknowledge"])
    assert client.post(url, {"acknowledge-row_version": 1}).status_code == 404


# --- every action through the view ---------------------------------------------------------


def _resolved(complaint, agent):
    actions.complaint_mark_resolved(complaint_id=complaint.pk, by=agent, now=london(11, 3, 9),
                                    expected_version=None)  # fmt: skip


def _deadlocked(complaint, manager):
    actions.complaint_issue_deadlock(complaint_id=complaint.pk, by=manager,
                                     now=london(11, 3, 9), expected_version=None,
                                     body="Final")  # fmt: skip


CASES = [
    # (action, persona, arrange, fields, then: complaint → bool, success message)
    ("acknowledge", "agent", None, {},
     lambda c: c.status == Status.ACKNOWLEDGED and c.acknowledged_at is not None,
     "Complaint acknowledged."),
    ("send_update", "agent", None,
     {"body": "Engineer booked", "method": "phone", "next_update_by": "2026-11-06T12:00"},
     lambda c: c.promised_by == london(11, 6, 12) and c.first_response_at is not None,
     "Update recorded."),
    ("record_findings", "agent", None, {"kind": "technical_report", "body": "Cabinet fault"},
     lambda c: c.events.filter(kind=Kind.TECHNICAL_REPORT, body="Cabinet fault").exists(),
     "Recorded on the timeline."),
    ("propose_resolution", "agent", None, {"body": "£20 credit"},
     lambda c: c.status == Status.AWAITING_CUSTOMER and c.auto_close_at is not None,
     "Proposed resolution recorded."),
    ("confirm_remedied", "agent", None, {"body": "Router replaced"},
     lambda c: c.resolution_actioned_at is not None, "Remedy recorded."),
    ("mark_resolved", "agent", None, {"body": "", "root_cause": "__root_cause__"},
     lambda c: c.status == Status.RESOLVED, "Complaint marked resolved."),
    ("reopen", "agent", _resolved, {"reason": "Fault is back"},
     lambda c: c.status == Status.INVESTIGATING, "Complaint reopened."),
    ("escalate", "agent", None, {"reason": "Wants a manager"},
     lambda c: c.status == Status.ESCALATED and c.tier == 1 and c.register_reference,
     "Complaint escalated."),
    ("assign", "agent", None, {"assignee": "__other_agent__"},
     lambda c: c.assigned_to.username == "other_agent", "Assignment changed."),
    ("issue_deadlock", "manager", None, {"body": "Our final position"},
     lambda c: c.status == Status.DEADLOCK and c.letter_date == datetime.date(2026, 11, 3),
     "Deadlock letter issued."),
    ("record_adr_referral", "manager", _deadlocked, {"body": "OS ref 42"},
     lambda c: c.status == Status.ADR_REFERRED, "ADR referral recorded."),
]  # fmt: skip


@pytest.mark.parametrize(
    ("action", "persona", "arrange", "fields", "then", "message"), CASES, ids=[c[0] for c in CASES]
)
def test_action_succeeds_and_redirects_back_with_a_message(
    client, complaint, request, other_agent, action, persona, arrange, fields, then, message
):
    user = request.getfixturevalue(persona)
    if arrange:
        arrange(complaint, user)
    stand_ins = {
        "__other_agent__": other_agent.pk,
        "__root_cause__": RootCause.objects.get(name="Billing error").pk,
    }
    fields = {k: stand_ins.get(v, v) for k, v in fields.items()}
    version = fresh(complaint).row_version
    client.force_login(user)
    response = post(client, complaint, action, **fields)
    assert response.status_code == 303
    assert response["Location"] == reverse("staff:complaint", args=[complaint.reference])
    done = fresh(complaint)
    assert then(done)
    assert done.row_version == version + 1
    audit = AuditEntry.objects.filter(object_type="complaint", object_id=complaint.pk).last()
    assert (audit.action, audit.actor, audit.at) == (action, user, london(11, 3, 12))
    page = client.get(response["Location"])
    assert message in page_text(page)


def test_the_action_is_timed_now_and_authored_by_the_person(client, agent, complaint):
    client.force_login(agent)
    post(client, complaint, "record_findings", kind="note", body="Called the customer")
    note = fresh(complaint).events.get(kind=Kind.NOTE)
    assert (note.author, note.occurred_at) == (agent, london(11, 3, 12))


def test_update_promise_is_read_as_uk_time_in_summer(client, agent, complaint):
    client.force_login(agent)
    post(client, complaint, "send_update", body="b", method="email",
         next_update_by="2027-06-01T12:00")  # fmt: skip
    # 12:00 BST is 11:00 UTC
    assert fresh(complaint).promised_by == datetime.datetime(2027, 6, 1, 11, 0, tzinfo=datetime.UTC)


def test_unassigning_through_the_form(client, agent, complaint):
    actions.complaint_assign(complaint_id=complaint.pk, by=agent, now=london(11, 3, 9),
                             expected_version=None, assignee_id=agent.pk)  # fmt: skip
    client.force_login(agent)
    assert post(client, complaint, "assign", assignee="").status_code == 303
    assert fresh(complaint).assigned_to is None


# --- refusals ------------------------------------------------------------------------------


def test_unknown_action_is_refused_and_changes_nothing(client, agent, complaint):
    client.force_login(agent)
    before = state(complaint)
    response = post(client, complaint, "delete_everything")
    assert response.status_code == 404
    assert "There is no action called “delete_everything”." in page_text(response)
    assert state(complaint) == before


def test_action_not_allowed_in_this_status_is_refused_with_409(client, agent, complaint):
    actions.complaint_acknowledge(complaint_id=complaint.pk, by=agent, now=london(11, 3, 9),
                                  expected_version=None)  # fmt: skip
    client.force_login(agent)
    before = state(complaint)
    response = post(client, complaint, "acknowledge")
    assert response.status_code == 409
    text = page_text(response)
    assert "That was not done" in text
    assert "A complaint that is acknowledged cannot be acknowledged." in text
    assert 'role="alert"' in response.content.decode()
    assert state(complaint) == before


def test_reopening_an_open_complaint_is_refused_with_409(client, agent, complaint):
    client.force_login(agent)
    before = state(complaint)
    response = post(client, complaint, "reopen", reason="Why not")
    assert response.status_code == 409
    assert "A complaint that is new cannot be reopened." in page_text(response)
    assert state(complaint) == before


def test_agent_asking_for_a_deadlock_letter_is_refused_with_403(client, agent, complaint):
    client.force_login(agent)
    before = state(complaint)
    response = post(client, complaint, "issue_deadlock", body="We cannot do more.")
    assert response.status_code == 403
    text = page_text(response)
    assert "Your role cannot issue deadlock letter." in text
    # What they typed is shown back, not lost
    assert "We cannot do more." in text
    assert state(complaint) == before


def test_closing_for_silence_by_hand_is_refused_with_403(client, manager, complaint):
    client.force_login(manager)
    before = state(complaint)
    response = post(client, complaint, "auto_close")
    assert response.status_code == 403
    assert state(complaint) == before


def test_escalating_past_the_top_tier_is_refused_with_409(client, agent, complaint):
    actions.complaint_escalate(complaint_id=complaint.pk, by=agent, now=london(11, 3, 9),
                               expected_version=None, reason="First")  # fmt: skip
    client.force_login(agent)
    before = state(complaint)
    response = post(client, complaint, "escalate", reason="Again")
    assert response.status_code == 409
    assert "already at the highest tier" in page_text(response)
    assert state(complaint) == before


# --- validation ----------------------------------------------------------------------------


def test_empty_update_shows_an_error_summary_and_keeps_what_was_typed(client, agent, complaint):
    client.force_login(agent)
    before = state(complaint)
    response = post(client, complaint, "send_update", body="   ", method="letter",
                    next_update_by="2026-11-09T10:30")  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    summary = re.search(r'<div class="error-summary" role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert summary, "error summary missing"
    assert 'tabindex="-1" id="error-summary"' in html
    assert html.index('id="error-summary"') < html.index("<h1>")
    assert '<a href="#id_send_update-body">Write what you told the customer.</a>' in summary[1]
    # the field says so too, and is tied to its message
    assert 'id="id_send_update-body_error"' in html
    assert re.search(r'<textarea[^>]*aria-invalid="true"[^>]*id="id_send_update-body"', html)
    # everything typed is still there
    assert '<option value="letter" selected>Letter</option>' in html
    assert 'value="2026-11-09T10:30"' in html
    assert state(complaint) == before


def test_service_validation_lands_on_its_field(client, agent, complaint):
    # A promise in the past is refused by the service, not the form
    client.force_login(agent)
    response = post(client, complaint, "send_update", body="Told them Monday",
                    method="phone", next_update_by="2026-11-02T09:00")  # fmt: skip
    assert response.status_code == 400
    html = response.content.decode()
    assert '<a href="#id_send_update-next_update_by">' in html
    assert "The next update must be promised for later." in html
    assert "Told them Monday</textarea>" in html


def test_empty_escalation_reason_is_an_error_on_the_reason(client, agent, complaint):
    client.force_login(agent)
    response = post(client, complaint, "escalate", reason="")
    assert response.status_code == 400
    assert '<a href="#id_escalate-reason">Write why the complaint is escalated.</a>' in (
        response.content.decode()
    )


def test_assigning_the_same_person_again_is_an_error_on_the_choice(client, agent, complaint):
    actions.complaint_assign(complaint_id=complaint.pk, by=agent, now=london(11, 3, 9),
                             expected_version=None, assignee_id=agent.pk)  # fmt: skip
    client.force_login(agent)
    before = state(complaint)
    response = post(client, complaint, "assign", assignee=agent.pk)
    assert response.status_code == 400
    assert '<a href="#id_assign-assignee">The complaint is already assigned that way.</a>' in (
        response.content.decode()
    )
    assert state(complaint) == before


def test_missing_row_version_asks_to_reload(client, agent, complaint):
    client.force_login(agent)
    before = state(complaint)
    response = client.post(act_url(complaint, "acknowledge"), {})
    assert response.status_code == 400
    assert "This page is out of date: reload the complaint and try again." in page_text(response)
    assert '<a href="#action-acknowledge">' in response.content.decode()
    assert state(complaint) == before


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2027-06-01T12:00", datetime.datetime(2027, 6, 1, 11, 0, tzinfo=datetime.UTC)),
        ("2026-12-01T12:00", datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)),
        ("", None),
    ],
)
def test_promise_time_is_uk_local_time(typed, expected):
    assert LondonDateTimeField(required=False).clean(typed) == expected


@pytest.mark.parametrize("typed", ["2027-03-28T01:30", "2027-10-31T01:30", "tomorrow"])
def test_promise_time_that_is_skipped_repeated_or_nonsense_is_refused(typed):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        LondonDateTimeField(required=False).clean(typed)


# --- two people at once --------------------------------------------------------------------


def test_second_save_from_a_stale_page_is_a_conflict_that_loses_nothing(
    client, agent, other_agent, complaint
):
    # Given A (other_agent) and B (agent) both loaded the page at the same version
    seen = fresh(complaint).row_version
    a = client.__class__()
    a.force_login(other_agent)
    client.force_login(agent)
    # When A sends an update
    response = a.post(act_url(complaint, "send_update"), {
        "send_update-row_version": seen, "send_update-body": "Engineer booked for Friday",
        "send_update-method": "phone",
    })  # fmt: skip
    assert response.status_code == 303
    after_a = state(complaint)
    # And B then records findings from the page they loaded earlier
    typed = "Cabinet 14 fault; Openreach ticket 998877."
    response = post(client, complaint, "record_findings", version=seen, kind="technical_report",
                    body=typed)  # fmt: skip
    # Then B is told clearly, nothing of B's is saved, and B's text is still in B's form
    assert response.status_code == 409
    html = response.content.decode()
    text = page_text(response)
    assert "Someone else changed this complaint" in text
    assert "Olu Tester changed this complaint while you were working on it" in text
    assert state(complaint) == after_a
    assert not fresh(complaint).events.filter(kind=Kind.TECHNICAL_REPORT).exists()
    assert re.search(rf">\s*{re.escape(typed)}</textarea>", html)
    assert '<option value="technical_report" selected>' in html
    # and the page shows the complaint as it is now, with A's update
    assert "Update sent by phone" in text
    assert "Engineer booked for Friday" in text
    # and B's form now carries the new version, so resubmitting it works
    new_version = fresh(complaint).row_version
    assert new_version == seen + 1
    assert f'name="record_findings-row_version" value="{new_version}"' in html
    resubmit = post(client, complaint, "record_findings", version=new_version,
                    kind="technical_report", body=typed)  # fmt: skip
    assert resubmit.status_code == 303
    report = fresh(complaint).events.get(kind=Kind.TECHNICAL_REPORT)
    assert (report.body, report.author) == (typed, agent)


def test_stale_page_whose_action_is_gone_shows_the_typed_text(client, agent, manager, complaint):
    # Given B loaded the page, then a manager issued a deadlock letter
    seen = fresh(complaint).row_version
    actions.complaint_issue_deadlock(complaint_id=complaint.pk, by=manager, now=london(11, 3, 11),
                                     expected_version=seen, body="Final")  # fmt: skip
    client.force_login(agent)
    before = state(complaint)
    # When B proposes a resolution from the old page
    response = post(client, complaint, "propose_resolution", version=seen, body="£30 credit")
    # Then it is refused (the complaint has moved on) and B's words are shown back
    assert response.status_code == 409
    text = page_text(response)
    assert "A complaint that is deadlock letter sent cannot be given a proposed resolution." in text
    assert "£30 credit" in text
    assert state(complaint) == before

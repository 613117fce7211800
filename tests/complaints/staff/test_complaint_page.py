"""The staff complaint page (GET /staff/complaints/<reference>/) and attachment downloads.

The page is looked at "now" = a fixed instant (time-machine at the edge): by default Tuesday
3 November 2026 at 12:00, the day after the complaint was logged.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Attachment, Complaint, TimelineEvent
from complaints.workflows import actions
from escalation.calendar import LONDON
from tests.factories import ComplaintFactory, CustomerFactory, TimelineEventFactory, UserFactory

pytestmark = pytest.mark.django_db


def london(month: int, day: int, hour: int, minute: int = 0, year: int = 2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def looked_at():
    with time_machine.travel(london(11, 3, 12), tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def complaint(customer, now) -> Complaint:
    return ComplaintFactory(customer=customer, now=now, summary="Broadband drops every evening")


def page_url(complaint: Complaint) -> str:
    return reverse("staff:complaint", args=[complaint.reference])


def get_page(client, user, complaint):
    client.force_login(user)
    response = client.get(page_url(complaint))
    assert response.status_code == 200
    return response.content.decode()


def text_of(html: str) -> str:
    """The page's text with tags dropped and whitespace collapsed, for phrase assertions."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def attach(complaint, event=None, name="scan.pdf", content=b"%PDF-1.4 test",
           content_type="application/pdf") -> Attachment:  # fmt: skip
    return Attachment.objects.create(
        complaint=complaint,
        event=event,
        file=ContentFile(content, name="upload"),
        original_name=name,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


class Structure(HTMLParser):
    """What the accessibility checks need: headings, ids, labels, controls, forms."""

    def __init__(self) -> None:
        super().__init__()
        self.headings: list[int] = []
        self.ids: list[str] = []
        self.label_for: set[str] = set()
        self.controls: list[dict[str, str]] = []
        self.forms: list[dict[str, str]] = []
        self.landmarks: list[str] = []
        self._form: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if "id" in a:
            self.ids.append(a["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag in ("main", "nav", "header"):
            self.landmarks.append(tag)
        if tag == "label" and a.get("for"):
            self.label_for.add(a["for"])
        if tag == "form":
            self._form = {**a, "buttons": 0, "hidden": {}}
            self.forms.append(self._form)
        if tag == "button" and self._form is not None:
            self._form["buttons"] += 1
        if tag in ("input", "select", "textarea"):
            if a.get("type") == "hidden":
                if self._form is not None:
                    self._form["hidden"][a.get("name", "")] = a.get("value", "")
            elif a.get("type") not in ("submit",):
                self.controls.append(a)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def structure(html: str) -> Structure:
    parsed = Structure()
    parsed.feed(html)
    return parsed


def action_forms(html: str) -> dict[str, dict]:
    """{action name: form attrs} of the forms posting to staff:act."""
    out = {}
    for form in structure(html).forms:
        match = re.search(r"/act/([a-z_]+)/$", form.get("action", ""))
        if match:
            out[match.group(1)] = form
    return out


# --- who may see it ------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client, complaint):
    response = client.get(page_url(complaint))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]


def test_customer_account_is_forbidden(client, complaint):
    person = UserFactory(username="carys")
    CustomerFactory(name="Carys", portal_user=person)
    client.force_login(person)
    assert client.get(page_url(complaint)).status_code == 403


def test_unknown_reference_is_not_found(client, agent, complaint):
    client.force_login(agent)
    response = client.get(reverse("staff:complaint", args=["RD-NOPE-NOPE"]))
    assert response.status_code == 404


@pytest.mark.parametrize("persona", ["agent", "manager", "admin_staff"])
def test_every_staff_role_sees_the_page(client, complaint, persona, request):
    html = get_page(client, request.getfixturevalue(persona), complaint)
    assert complaint.reference in html


# --- what it shows -------------------------------------------------------------------------


def test_header_shows_reference_status_tier_and_assignee(client, agent, complaint):
    actions.complaint_assign(complaint_id=complaint.pk, by=agent, now=london(11, 2, 11),
                             expected_version=None, assignee_id=agent.pk)  # fmt: skip
    html = get_page(client, agent, complaint)
    text = text_of(html)
    assert f"<h1>Complaint {complaint.reference}</h1>" in html
    assert '<span class="badge status">New</span>' in html
    assert "Tier Technical support / Accounts" in text
    assert "Assigned to Alex Tester" in text
    assert "Broadband drops every evening" in text
    assert "register reference" not in text


def test_formal_complaint_shows_its_tier_and_register_reference(client, agent, complaint):
    done = actions.complaint_escalate(complaint_id=complaint.pk, by=agent, now=london(11, 3, 9),
                                      expected_version=None, reason="Unhappy")  # fmt: skip
    text = text_of(get_page(client, agent, complaint))
    assert "Escalated (formal)" in text
    assert "Formal review: Technical Director or Company Secretary (formal complaint)" in text
    assert f"Complaints register reference {done.register_reference}" in text


def test_customer_details_and_support_needs_stand_out(client, agent, now):
    customer = CustomerFactory(
        name="Dai Evans", email="dai@example.com", phone="029 2018 0000",
        address="1 High Street\nCardiff", postcode="CF10 1AA", nation="WLS",
        preferred_contact="letter", vulnerability_flags=["hearing", "bereavement"],
        vulnerability_notes="Uses text relay.\nRecently bereaved: be gentle.",
    )  # fmt: skip
    complaint = ComplaintFactory(customer=customer, now=now)
    html = get_page(client, agent, complaint)
    text = text_of(html)
    assert "Support needs: read before contacting Dai Evans" in text
    assert "<li>Hearing impairment</li>" in html and "<li>Bereavement</li>" in html
    assert "Uses text relay.<br>Recently bereaved: be gentle." in html
    assert '<a href="mailto:dai@example.com">dai@example.com</a>' in html
    assert '<a href="tel:02920180000">029 2018 0000</a>' in html
    assert "1 High Street<br>Cardiff<br>CF10 1AA" in html
    assert "Preferred contact Letter" in text
    assert "Nation Wales" in text
    assert "Type Consumer" in text


def test_business_customer_shows_head_count_and_why_adr_is_closed(client, agent, now):
    firm = CustomerFactory(business=True, name="Bristol Widgets Ltd", employee_count=25)
    complaint = ComplaintFactory(customer=firm, now=now)
    text = text_of(get_page(client, agent, complaint))
    assert "Type Business (25 employees)" in text
    assert "Not eligible for ADR." in text
    assert "fewer than 10 employees; this customer has 25" in text


def test_adr_eligibility_names_the_scheme_and_window(client, agent, complaint):
    text = text_of(get_page(client, agent, complaint))
    assert (
        "Eligible: the customer may refer the complaint to Ombudsman Services: Communications "
        "from Monday 28 December 2026 until Monday 2 August 2027."
    ) in text


def test_governing_version_links_to_its_admin_page(client, agent, complaint):
    html = get_page(client, agent, complaint)
    url = reverse("admin:escalation_codeversion_change", args=[complaint.code_version_id])
    assert f'<a href="{url}">sovision-it-2016 v1</a>' in html


def test_every_clock_is_shown_with_its_value_and_rule(client, agent, complaint):
    html = get_page(client, agent, complaint)
    text = text_of(html)
    assert "Acknowledge by (acknowledge_by) Tuesday 3 November 2026 at 5pm" in text
    assert "Respond by (respond_by) Wednesday 4 November 2026 at 5pm" in text
    assert "Resolve by (resolve_by) Monday 16 November 2026 at 5pm" in text
    assert "ADR eligible from (adr_eligible_from) Monday 28 December 2026" in text
    assert "Refer to ADR by (adr_refer_by) Monday 2 August 2027" in text
    assert "Auto-close at (auto_close_at) No such clock yet" in text
    for name in ("acknowledge_by", "respond_by", "resolve_by", "adr_eligible_from", "adr_refer_by"):
        assert complaint.clock_reasons[name] in text
    assert "Next due: Acknowledge by , Tuesday 3 November 2026 at 5pm" in text


def test_a_clock_the_code_does_not_have_says_so(client, agent, customer, now, use_code):
    use_code("infinity-group-2016")
    complaint = ComplaintFactory(customer=customer, now=now)
    text = text_of(get_page(client, agent, complaint))
    assert "Resolve by (resolve_by) No such clock " in text
    assert "Acknowledge by (acknowledge_by) No such clock " in text
    assert "Respond by (respond_by) Monday 9 November 2026 at 5:30pm" in text


def clock_state(html: str, name: str) -> str:
    row = re.search(rf'<tr id="clock-{name}">(.*?)</tr>', html, re.S).group(1)
    cells = re.findall(r"<td>(.*?)</td>", row, re.S)
    return text_of(cells[1]).strip()


def test_clocks_say_met_pending_or_breached(client, agent, complaint):
    # Given it was acknowledged Monday at 11:00 and it is now Thursday 5 November at 09:00
    actions.complaint_acknowledge(complaint_id=complaint.pk, by=agent, now=london(11, 2, 11),
                                  expected_version=None)  # fmt: skip
    with time_machine.travel(london(11, 5, 9), tick=False):
        html = get_page(client, agent, complaint)
    assert clock_state(html, "acknowledge_by") == "Met Monday 2 November 2026 at 11am"
    assert clock_state(html, "respond_by") == "Breached"
    assert clock_state(html, "resolve_by") == "Pending"
    assert clock_state(html, "adr_eligible_from") == "Not yet"
    assert clock_state(html, "adr_refer_by") == "Open"
    assert clock_state(html, "auto_close_at") == ""
    # The state is written in words, never colour alone
    assert '<span class="badge breached">Breached</span>' in html


def test_clocks_met_late_and_auto_close_running(client, agent, complaint):
    actions.complaint_propose_resolution(complaint_id=complaint.pk, by=agent,
                                         now=london(11, 5, 10), expected_version=None,
                                         body="Credit")  # fmt: skip
    with time_machine.travel(london(11, 6, 9), tick=False):
        html = get_page(client, agent, complaint)
    assert clock_state(html, "respond_by") == "Met late Thursday 5 November 2026 at 10am"
    assert clock_state(html, "auto_close_at") == "Pending"
    assert "Closed as resolved 10 working days after our response" in html


def test_promised_contact_and_what_was_agreed(client, agent, complaint):
    Complaint.objects.filter(pk=complaint.pk).update(
        agreed_next_step="Engineer visit, then call back.", agreed_contact_method="phone"
    )
    actions.complaint_send_update(complaint_id=complaint.pk, by=agent, now=london(11, 3, 11),
                                  expected_version=None, body="Booked", method="phone",
                                  next_update_by=london(11, 6, 12))  # fmt: skip
    text = text_of(get_page(client, agent, complaint))
    assert "Next step Engineer visit, then call back." in text
    assert "Contact method Phone" in text
    assert "Promised contact by Friday 6 November 2026 at 12pm" in text
    assert "Missed" not in text


def test_a_missed_promise_is_marked_in_words(client, agent, complaint):
    actions.complaint_send_update(complaint_id=complaint.pk, by=agent, now=london(11, 3, 11),
                                  expected_version=None, body="Booked", method="phone",
                                  next_update_by=london(11, 3, 11, 30))  # fmt: skip
    text = text_of(get_page(client, agent, complaint))
    assert "Promised contact by Tuesday 3 November 2026 at 11:30am Missed" in text


# --- timeline ------------------------------------------------------------------------------


def test_timeline_in_order_with_kind_author_visibility_and_body(client, agent, manager, complaint):
    actions.complaint_record_findings(complaint_id=complaint.pk, by=agent, now=london(11, 2, 15),
                                      expected_version=None, kind="technical_report",
                                      body="Line test: fault at cabinet.\nSent to Openreach.")  # fmt: skip
    actions.complaint_send_update(complaint_id=complaint.pk, by=manager, now=london(11, 3, 9),
                                  expected_version=None, body="Engineer booked.",
                                  method="email")  # fmt: skip
    html = get_page(client, agent, complaint)
    timeline = html[html.index('id="timeline-heading"') : html.index('id="actions-heading"')]
    items = re.findall(r'<li class="(internal|customer)" id="event-\d+">(.*?)</li>', timeline, re.S)
    summaries = [re.search(r"<h3>(.*?)</h3>", body).group(1) for _, body in items]
    assert summaries[:2] == [
        f"Complaint logged (email) under {complaint.code_version}",
        "Clocks set from the code of practice",
    ]
    assert summaries.index("Technical report recorded") < summaries.index("Update sent by email")
    report = text_of(next(body for _, body in items if "Technical report recorded" in body))
    assert "Monday 2 November 2026 at 3pm · Technical report · Alex Tester · Internal" in report
    update = text_of(next(body for _, body in items if "Update sent by email" in body))
    assert "Update to the customer · Morgan Tester · Customer-visible" in update
    assert "<p>Line test: fault at cabinet.<br>Sent to Openreach.</p>" in timeline


def test_timeline_offers_attachments_as_downloads(client, agent, complaint):
    letter = TimelineEventFactory(complaint=complaint, kind=TimelineEvent.Kind.LETTER,
                                  summary="Letter from customer", occurred_at=london(11, 2, 12))  # fmt: skip
    scan = attach(complaint, event=letter, name="letter-scan.pdf")
    loose = attach(complaint, name="photo.jpg", content_type="image/jpeg")
    html = get_page(client, agent, complaint)
    for attachment in (scan, loose):
        url = reverse("staff:attachment", args=[complaint.reference, attachment.pk])
        assert f'<a href="{url}">Download {attachment.original_name}</a>' in html
    event_html = re.search(rf'id="event-{letter.pk}">(.*?)</li>\s*</ul>', html, re.S).group(1)
    assert "letter-scan.pdf" in event_html


# --- actions offered -----------------------------------------------------------------------


def test_agent_is_offered_exactly_the_allowed_actions(client, agent, complaint):
    offered = action_forms(get_page(client, agent, complaint))
    assert list(offered) == [
        "acknowledge", "send_update", "record_findings", "propose_resolution",
        "confirm_remedied", "mark_resolved", "escalate", "assign", "customer_replied",
    ]  # fmt: skip


def test_manager_is_also_offered_the_deadlock_letter(client, manager, complaint):
    offered = action_forms(get_page(client, manager, complaint))
    assert "issue_deadlock" in offered and "record_adr_referral" in offered


def test_resolved_complaint_offers_only_reopen(client, agent, complaint):
    actions.complaint_mark_resolved(complaint_id=complaint.pk, by=agent, now=london(11, 3, 9),
                                    expected_version=None)  # fmt: skip
    assert list(action_forms(get_page(client, agent, complaint))) == ["reopen"]


def test_each_action_form_carries_the_current_row_version(client, agent, complaint):
    actions.complaint_acknowledge(complaint_id=complaint.pk, by=agent, now=london(11, 2, 11),
                                  expected_version=None)  # fmt: skip
    version = Complaint.objects.get(pk=complaint.pk).row_version
    for name, form in action_forms(get_page(client, agent, complaint)).items():
        assert form["method"] == "post"
        assert form["hidden"][f"{name}-row_version"] == str(version)
        assert form["hidden"]["csrfmiddlewaretoken"]
        assert form["buttons"] == 1  # a real submit button: reachable by keyboard


def test_every_offered_action_is_linked_from_the_top_of_the_page(client, agent, complaint):
    html = get_page(client, agent, complaint)
    nav = re.search(r'<nav class="action-links" aria-label="[^"]+">(.*?)</nav>', html, re.S)[1]
    assert re.findall(r'href="#action-([a-z_]+)"', nav) == list(action_forms(html))
    assert html.index('class="action-links"') < html.index('id="customer-heading"')


def test_escalate_names_the_next_tier(client, agent, customer, now, use_code):
    use_code("infinity-group-2016")
    complaint = ComplaintFactory(customer=customer, now=now)
    html = get_page(client, agent, complaint)
    assert "<h3>Escalate to Operations Director</h3>" in html


def test_escalate_is_not_offered_at_the_top_tier(client, agent, manager, complaint):
    actions.complaint_escalate(complaint_id=complaint.pk, by=agent, now=london(11, 3, 9),
                               expected_version=None, reason="Unhappy")  # fmt: skip
    offered = action_forms(get_page(client, manager, complaint))
    assert "escalate" not in offered
    assert "propose_resolution" in offered


def test_update_form_defaults_to_the_agreed_contact_method(client, agent, complaint):
    Complaint.objects.filter(pk=complaint.pk).update(agreed_contact_method="letter")
    html = get_page(client, agent, complaint)
    assert '<option value="letter" selected>Letter</option>' in html


# --- accessibility -------------------------------------------------------------------------


def test_page_structure_is_accessible(client, manager, complaint):
    attach(complaint)
    html = get_page(client, manager, complaint)
    page = structure(html)
    # one h1 first, and no heading skips a level
    assert page.headings[0] == 1 and page.headings.count(1) == 1
    for previous, current in zip(page.headings, page.headings[1:], strict=False):
        assert current <= previous + 1, page.headings
    # landmarks
    assert {"main", "nav", "header"} <= set(page.landmarks)
    # ids are unique; every visible control has a label
    duplicates = {i for i in page.ids if page.ids.count(i) > 1}
    assert not duplicates
    unlabelled = [c for c in page.controls if c.get("id") not in page.label_for]
    assert not unlabelled
    assert len(page.controls) > 5


def test_query_count_does_not_grow_with_the_timeline(
    client, agent, customer, now, django_assert_max_num_queries
):
    def complaint_with(events: int) -> Complaint:
        complaint = ComplaintFactory(customer=customer, now=now)
        for n in range(events):
            author = agent if n % 2 else None
            event = TimelineEventFactory(complaint=complaint, author=author,
                                         occurred_at=london(11, 2, 12) + datetime.timedelta(minutes=n))  # fmt: skip
            if n % 3 == 0:
                attach(complaint, event=event, name=f"doc-{n}.pdf")
        return complaint

    short, long = complaint_with(3), complaint_with(30)
    client.force_login(agent)
    counts = []
    for complaint in (short, long):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page_url(complaint))
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    with django_assert_max_num_queries(counts[0]):
        client.get(page_url(long))
    # session, user, roles, complaint+customer+assignee+version, tiers, events+authors,
    # attachments, permissions (x2: the admin link), letters, the alert bell's unread count,
    # root causes (the resolve form), assignable staff (x2: the assign form and the escalate
    # form's "who takes it over")
    assert counts[0] <= 14


# --- attachment download -------------------------------------------------------------------


def download_url(complaint, attachment) -> str:
    return reverse("staff:attachment", args=[complaint.reference, attachment.pk])


def test_staff_download_the_attachment_as_stored(client, agent, complaint):
    scan = attach(complaint, name="Bill (Nov).pdf", content=b"%PDF-1.4 bill")
    client.force_login(agent)
    response = client.get(download_url(complaint, scan))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 bill"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Bill (Nov).pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"


def test_html_attachment_is_never_rendered_inline(client, agent, complaint):
    page = attach(complaint, name="evil.html", content=b"<script>alert(1)</script>",
                  content_type="text/html")  # fmt: skip
    client.force_login(agent)
    response = client.get(download_url(complaint, page))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def test_attachment_of_another_complaint_is_not_found(client, agent, complaint, other_customer):
    other = ComplaintFactory(customer=other_customer)
    theirs = attach(other)
    client.force_login(agent)
    assert client.get(download_url(complaint, theirs)).status_code == 404


def test_missing_attachment_is_not_found(client, agent, complaint):
    client.force_login(agent)
    url = reverse("staff:attachment", args=[complaint.reference, 999999])
    assert client.get(url).status_code == 404


def test_attachment_whose_file_is_gone_is_not_found(client, agent, complaint):
    scan = attach(complaint)
    scan.file.storage.delete(scan.file.name)
    client.force_login(agent)
    assert client.get(download_url(complaint, scan)).status_code == 404


def test_customer_account_cannot_download_staff_attachments(client, complaint):
    scan = attach(complaint)
    person = UserFactory(username="carys")
    CustomerFactory(name="Carys", portal_user=person)
    client.force_login(person)
    assert client.get(download_url(complaint, scan)).status_code == 403


def test_anonymous_download_is_sent_to_sign_in(client, complaint):
    scan = attach(complaint)
    response = client.get(download_url(complaint, scan))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_clock_rules_read_as_english(client, agent, complaint):
    text = text_of(get_page(client, agent, complaint))
    assert "Acknowledge a complaint made by email within 1 working day" in text
    assert " a email " not in text

"""The customer's follow page (by signed link and in the portal), its actions, the portal list
and the "email me a new link" form.

The complaint is a soVision (the current code) email complaint logged Monday 2 November 2026
at 10:00 by Carys: acknowledge by Tue 3 Nov 17:00, respond by Wed 4 Nov 17:00, resolve by
Mon 16 Nov 17:00, ADR from Mon 28 Dec 2026, refer by Mon 2 Aug 2027. Unless a test travels,
the customer looks on Tuesday 3 November 2026 at 12:00.
"""

from __future__ import annotations

import datetime
import html as htmllib
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from complaints.models import Complaint, Letter, Status, TimelineEvent
from complaints.tokens import follow_token_make
from complaints.workflows import actions
from complaints.workflows.customer_actions import customer_request_deadlock
from complaints.workflows.intake import attachments_store
from escalation.calendar import LONDON
from notifications.delivery import message_render
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, TimelineEventFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = TimelineEvent.Kind


def london(month: int, day: int, hour: int, minute: int = 0, year: int = 2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def looking_on_tuesday():
    with time_machine.travel(london(11, 3, 12), tick=False):
        yield


@pytest.fixture(autouse=True)
def isolated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()  # the new-link rate limit counts in the cache
    yield
    cache.clear()


@pytest.fixture
def complaint(customer, agent, now) -> Complaint:
    return ComplaintFactory(customer=customer, now=now, assigned_to=agent, summary="Broadband down")


@pytest.fixture
def portal_user(customer):
    user = UserFactory(username="carys")
    customer.portal_user = user
    customer.save(update_fields=["portal_user"])
    return user


def follow_url(complaint: Complaint) -> str:
    return reverse("complaints:follow", args=[complaint.reference, follow_token_make(complaint)])


def act_url(complaint: Complaint, action: str) -> str:
    token = follow_token_make(complaint)
    return reverse("complaints:follow_act", args=[complaint.reference, token, action])


def text(response) -> str:
    body = response.content.decode()
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)))


def fresh(complaint: Complaint) -> Complaint:
    return Complaint.objects.get(pk=complaint.pk)


def proposed(complaint: Complaint, by) -> Complaint:
    return actions.complaint_propose_resolution(
        complaint_id=complaint.pk, by=by, now=london(11, 3, 11), expected_version=None,
        body="We will credit £10 and replace the router.",
    )  # fmt: skip


class Forms(HTMLParser):
    """The action forms on a page: {action name: {"fields": [...], "enctype": ...}}."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict] = {}
        self._current: dict | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            match = re.search(r"/act/([a-z_]+)/$", a.get("action") or "")
            self._current = {"fields": [], **a} if match else None
            if match:
                self.forms[match.group(1)] = self._current
        elif tag in ("input", "textarea") and self._current is not None:
            if a.get("type") != "hidden":
                self._current["fields"].append(a.get("name"))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def offered(response) -> dict[str, dict]:
    parser = Forms()
    parser.feed(response.content.decode())
    return parser.forms


# --- what the page shows -------------------------------------------------------------------


def test_the_page_shows_the_complaint_and_its_status_in_plain_words(client, complaint):
    response = client.get(follow_url(complaint))
    assert response.status_code == 200
    page = text(response)
    assert f"Your complaint {complaint.reference}" in page
    assert "Broadband down" in page
    assert "Status: Received" in page
    assert "We have received your complaint and will look at it soon." in page


def test_an_escalated_complaint_names_the_tier_and_register_reference(client, complaint, agent):
    actions.complaint_escalate(complaint_id=complaint.pk, by=agent, now=london(11, 3, 11),
                               expected_version=None, reason="Customer asked")  # fmt: skip
    page = text(client.get(follow_url(complaint)))
    assert (
        "Your complaint has been escalated to Formal review: Technical Director or Company "
        "Secretary as a formal complaint. Your complaints register reference is "
        f"CR-2026-{complaint.pk:07d}."
    ) in page


def test_promises_say_what_we_said_and_that_it_is_not_yet_due(client, complaint):
    page = text(client.get(follow_url(complaint)))
    assert (
        "We said we would acknowledge your complaint by Tuesday 3 November 2026 at 5pm. Not yet due"
    ) in page
    assert "We said we would respond by Wednesday 4 November 2026 at 5pm. Not yet due" in page
    assert "We aim to provide a resolution by Monday 16 November 2026 at 5pm." in page


def test_a_kept_promise_says_when_we_kept_it(client, complaint, agent):
    actions.complaint_send_update(complaint_id=complaint.pk, by=agent, now=london(11, 3, 11),
                                  expected_version=None, body="We are on it.",
                                  method="email")  # fmt: skip
    page = text(client.get(follow_url(complaint)))
    assert (
        "We said we would respond by Wednesday 4 November 2026 at 5pm. Kept "
        "We responded on Tuesday 3 November 2026 at 11am."
    ) in page


def test_a_missed_promise_says_so_and_apologises(client, complaint):
    with time_machine.travel(london(11, 5, 9), tick=False):
        page = text(client.get(follow_url(complaint)))
    assert (
        "We said we would respond by Wednesday 4 November 2026 at 5pm. Missed "
        "We have not done this yet, and we are late. We are sorry."
    ) in page


def test_a_late_response_says_it_was_late(client, complaint, agent):
    actions.complaint_send_update(complaint_id=complaint.pk, by=agent, now=london(11, 5, 9),
                                  expected_version=None, body="Sorry for the wait.",
                                  method="email")  # fmt: skip
    with time_machine.travel(london(11, 5, 10), tick=False):
        page = text(client.get(follow_url(complaint)))
    assert (
        "Late We responded on Thursday 5 November 2026 at 9am, later than we said. We are sorry."
    ) in page


def test_a_contact_we_agreed_on_the_phone_is_a_promise_with_its_method(client, customer, agent):
    from complaints.workflows.intake import IdentityCheck, Outcome, complaint_log_contact

    complaint = complaint_log_contact(
        customer=customer, channel="phone", category="fault_repair", summary="No dial tone",
        by=agent, now=london(11, 3, 10),
        identity=IdentityCheck(asked=frozenset({"full_name", "postcode"}),
                               passed=frozenset({"full_name", "postcode"})),
        outcome=Outcome(agreed_next_step="Engineer to test the line.",
                        agreed_contact_method="phone", promised_by=london(11, 4, 12)),
    )  # fmt: skip
    page = text(client.get(follow_url(complaint)))
    assert (
        "We agreed to contact you by phone by Wednesday 4 November 2026 at 12pm. What we agreed: "
        "Engineer to test the line. Not yet due"
    ) in page
    assert "Identity" not in page


def test_the_timeline_shows_what_the_customer_may_see(client, complaint, agent):
    actions.complaint_send_update(complaint_id=complaint.pk, by=agent, now=london(11, 3, 11),
                                  expected_version=None, body="An engineer visits Friday.",
                                  method="email")  # fmt: skip
    page = text(client.get(follow_url(complaint)))
    assert "We received your complaint" in page
    assert "Update sent by email" in page
    assert "An engineer visits Friday." in page
    assert "Status: Acknowledged" in page  # in the customer's words, not "New → Acknowledged"


def test_the_timeline_never_shows_internal_events(client, complaint, agent):
    TimelineEventFactory(complaint=complaint, summary="Note", body="Customer is PINEAPPLE",
                         author=agent)  # fmt: skip
    actions.complaint_record_findings(complaint_id=complaint.pk, by=agent, now=london(11, 3, 11),
                                      expected_version=None, body="Line fault MANGO")  # fmt: skip
    # Defence in depth: identity checks never reach the customer, even if marked visible.
    TimelineEventFactory(complaint=complaint, kind=Kind.IDENTITY_CHECK, summary="Identity KIWI",
                         visibility=TimelineEvent.Visibility.CUSTOMER)  # fmt: skip
    page = text(client.get(follow_url(complaint)))
    for secret in ("PINEAPPLE", "MANGO", "KIWI", "Clocks set", "Email queued", "Alex"):
        assert secret not in page


def test_letters_ready_are_links_and_pending_ones_are_being_prepared(client, complaint):
    ready = Letter.objects.create(complaint=complaint, kind="deadlock", state="ready",
                                  dated=datetime.date(2026, 11, 3), body="Final")  # fmt: skip
    Letter.objects.create(complaint=complaint, kind="adr", state="pending",
                          dated=datetime.date(2026, 11, 4), body="ADR")  # fmt: skip
    token = follow_token_make(complaint)
    response = client.get(reverse("complaints:follow", args=[complaint.reference, token]))
    href = reverse("complaints:letter_by_token", args=[complaint.reference, token, ready.pk])
    assert f'href="{href}"' in response.content.decode()
    page = text(response)
    assert "Deadlock letter dated Tuesday 3 November 2026 (PDF)" in page
    assert "ADR letter dated Wednesday 4 November 2026: being prepared." in page


def test_the_files_the_customer_sent_are_listed_but_not_ours(client, complaint, agent):
    client.post(act_url(complaint, "customer_add_information"), {
        "customer_add_information-body": "Here is my bill",
        "customer_add_information-attachments": [
            SimpleUploadedFile("bill-october.pdf", b"%PDF-1.4 bill", "application/pdf"),
        ],
    })  # fmt: skip
    staff_note = TimelineEventFactory(complaint=complaint, summary="Engineer report", author=agent)
    attachments_store(complaint=complaint, by=agent, event=staff_note, uploads=[
        SimpleUploadedFile("engineer-report.pdf", b"%PDF-1.4 internal", "application/pdf"),
    ])  # fmt: skip
    page = text(client.get(follow_url(complaint)))
    assert "Files you sent us" in page
    assert "bill-october.pdf" in page
    assert "engineer-report.pdf" not in page


def test_adr_says_when_and_by_when_with_the_schemes_details(client, complaint):
    response = client.get(follow_url(complaint))
    page = text(response)
    assert (
        "You can take your complaint to Ombudsman Services: Communications from Monday "
        "28 December 2026, if we have not resolved it by then."
    ) in page
    assert "straight away" not in page
    assert "You must contact them by Monday 2 August 2027." in page
    assert "PO Box 730 Warrington WA4 6WU" in page
    assert "0330 440 1614" in page
    assert 'href="mailto:enquiries@os-communications.org"' in response.content.decode()
    assert "http://www.ombudsman-services.org/communications.html" in page


def test_adr_from_today_once_the_period_has_passed(client, complaint):
    with time_machine.travel(london(12, 29, 9), tick=False):
        page = text(client.get(follow_url(complaint)))
    assert "You can take your complaint to Ombudsman Services: Communications from today." in page


def test_adr_for_a_business_too_large_says_why_not(client, business_customer, now):
    complaint = ComplaintFactory(customer=business_customer, now=now)
    page = text(client.get(follow_url(complaint)))
    assert "The ombudsman (Ombudsman Services: Communications) cannot look at this complaint." in (
        page
    )
    assert (
        "The ombudsman only deals with consumers and businesses with fewer than 10 employees, "
        "and you told us your business has 25."
    ) in page
    assert "You must contact them" not in page


def test_adr_deadline_before_our_letter_under_ofcom_rules(client, use_code, customer, now):
    use_code("ofcom-2026")
    complaint = ComplaintFactory(customer=customer, now=now)
    page = text(client.get(follow_url(complaint)))
    assert "You have 12 months from the date of our ADR letter to contact them." in page
    assert "Communications Ombudsman" in page


# --- which actions are offered -------------------------------------------------------------


def test_a_new_complaint_offers_information_escalation_deadlock_and_code(client, complaint):
    forms = offered(client.get(follow_url(complaint)))
    assert list(forms) == [
        "customer_add_information",
        "customer_request_escalation",
        "customer_request_deadlock",
        "customer_complain_about_code",
    ]
    assert forms["customer_add_information"]["enctype"] == "multipart/form-data"
    assert forms["customer_add_information"]["fields"] == [
        "customer_add_information-body", "customer_add_information-attachments",
    ]  # fmt: skip


def test_our_proposal_offers_accept_and_reject_explaining_the_formal_review(
    client, complaint, agent
):
    proposed(complaint, agent)
    response = client.get(follow_url(complaint))
    assert {"customer_accept", "customer_reject"} <= set(offered(response))
    page = text(response)
    assert "What we proposed: We will credit £10 and replace the router." in page
    assert "a senior manager will review it" in page


def test_a_resolved_complaint_offers_only_a_complaint_about_the_code(client, complaint, agent):
    proposed(complaint, agent)
    client.post(act_url(complaint, "customer_accept"), {"customer_accept-body": ""})
    assert list(offered(client.get(follow_url(complaint)))) == ["customer_complain_about_code"]


def test_escalation_is_not_offered_at_the_top_tier(client, complaint, agent):
    actions.complaint_escalate(complaint_id=complaint.pk, by=agent, now=london(11, 3, 11),
                               expected_version=None, reason="Asked")  # fmt: skip
    assert "customer_request_escalation" not in offered(client.get(follow_url(complaint)))


def test_a_deadlock_letter_asked_for_is_not_offered_again(client, complaint):
    customer_request_deadlock(complaint_id=complaint.pk, now=london(11, 3, 11))
    response = client.get(follow_url(complaint))
    assert "customer_request_deadlock" not in offered(response)
    assert "You asked for a deadlock letter on Tuesday 3 November 2026 at 11am." in text(response)


# --- posting actions -----------------------------------------------------------------------


def test_adding_information_redirects_back_with_a_confirmation(client, complaint):
    response = client.post(
        act_url(complaint, "customer_add_information"),
        {"customer_add_information-body": "The light is red."},
    )
    assert response.status_code == 303
    assert response["Location"] == follow_url(complaint)
    page = text(client.get(response["Location"]))
    assert "Thank you: we have added this to your complaint" in page
    assert "You added information The light is red." in page


def test_files_are_added_through_the_form(client, complaint):
    response = client.post(act_url(complaint, "customer_add_information"), {
        "customer_add_information-body": "",
        "customer_add_information-attachments": [
            SimpleUploadedFile("a.pdf", b"%PDF-1.4 a", "application/pdf"),
            SimpleUploadedFile("b.png", b"\x89PNG\r\n\x1a\nrest", "image/png"),
        ],
    })  # fmt: skip
    assert response.status_code == 303
    assert sorted(complaint.attachments.values_list("original_name", "content_type")) == [
        ("a.pdf", "application/pdf"), ("b.png", "image/png"),
    ]  # fmt: skip


def test_an_empty_form_is_a_400_with_an_error_summary_linked_to_the_field(client, complaint):
    response = client.post(act_url(complaint, "customer_add_information"), {})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="error-summary"' in body
    assert (
        '<a href="#id_customer_add_information-body">Write what you would like to add, or choose '
        "a file.</a>"
    ) in body
    assert 'aria-describedby="id_customer_add_information-body_error' in body
    assert fresh(complaint).events.filter(kind=Kind.NOTE).count() == 0


def test_six_files_are_refused_and_what_was_typed_is_kept(client, complaint):
    files = [SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.4", "application/pdf") for n in range(6)]
    response = client.post(act_url(complaint, "customer_add_information"), {
        "customer_add_information-body": "Six scans of my bills",
        "customer_add_information-attachments": files,
    })  # fmt: skip
    assert response.status_code == 400
    page = text(response)
    assert "Choose at most 5 files at a time." in page
    assert "Six scans of my bills</textarea>" in response.content.decode()
    assert complaint.attachments.count() == 0


def test_a_file_refused_by_its_content_is_shown_on_the_file_field(client, complaint):
    response = client.post(act_url(complaint, "customer_add_information"), {
        "customer_add_information-body": "See attached",
        "customer_add_information-attachments": [SimpleUploadedFile("x.pdf", b"MZ\x90\x00")],
    })  # fmt: skip
    assert response.status_code == 400
    assert '<a href="#id_customer_add_information-attachments">x.pdf: only PDF' in (
        response.content.decode()
    )


def test_rejecting_without_a_reason_is_a_400(client, complaint, agent):
    proposed(complaint, agent)
    response = client.post(act_url(complaint, "customer_reject"), {"customer_reject-body": " "})
    assert response.status_code == 400
    assert "Tell us why our proposed resolution does not put things right." in text(response)
    assert fresh(complaint).status == Status.AWAITING_CUSTOMER


def test_rejecting_makes_it_formal_and_confirms(client, complaint, agent):
    proposed(complaint, agent)
    response = client.post(act_url(complaint, "customer_reject"),
                           {"customer_reject-body": "Not enough."})  # fmt: skip
    assert response.status_code == 303
    current = fresh(complaint)
    assert (current.status, current.tier) == (Status.ESCALATED, 1)
    page = text(client.get(response["Location"]))
    assert "We have recorded that you rejected our proposed resolution" in page
    assert f"Your complaints register reference is {current.register_reference}" in page


def test_accepting_resolves_it(client, complaint, agent):
    proposed(complaint, agent)
    response = client.post(act_url(complaint, "customer_accept"), {"customer_accept-body": ""})
    assert response.status_code == 303
    assert fresh(complaint).status == Status.RESOLVED


def test_an_action_the_status_does_not_allow_is_a_409_with_the_reason(client, complaint):
    response = client.post(act_url(complaint, "customer_accept"),
                           {"customer_accept-body": "I accept"})  # fmt: skip
    assert response.status_code == 409
    page = text(response)
    assert "That was not done" in page
    assert "A complaint that is new cannot be accepted." in page
    assert "What you typed (accept our proposed resolution): not sent I accept" in page
    assert fresh(complaint).status == Status.NEW


def test_asking_for_a_deadlock_letter_twice_is_a_409(client, complaint):
    first = client.post(act_url(complaint, "customer_request_deadlock"), {})
    assert first.status_code == 303
    again = client.post(act_url(complaint, "customer_request_deadlock"), {})
    assert again.status_code == 409
    assert "You have already asked for a deadlock letter" in text(again)


def test_escalation_at_the_top_tier_is_a_409(client, complaint, agent):
    actions.complaint_escalate(complaint_id=complaint.pk, by=agent, now=london(11, 3, 11),
                               expected_version=None, reason="Asked")  # fmt: skip
    response = client.post(act_url(complaint, "customer_request_escalation"),
                           {"customer_request_escalation-body": "Higher!"})  # fmt: skip
    assert response.status_code == 409
    assert "already with our most senior team" in text(response)


def test_a_code_complaint_gives_its_reference_and_its_own_follow_link(client, complaint, manager):
    response = client.post(act_url(complaint, "customer_complain_about_code"),
                           {"customer_complain_about_code-body": "You broke your code."})  # fmt: skip
    assert response.status_code == 303
    new = Complaint.objects.exclude(pk=complaint.pk).get()
    landing = client.get(response["Location"])
    page = text(landing)
    assert (
        "we have started a new complaint about our code of practice. Its reference is "
        f"{new.reference}"
    ) in page
    link = re.search(rf'href="(/follow/{new.reference}/[^"]+/)"', landing.content.decode())
    assert link is not None
    new_page = client.get(htmllib.unescape(link.group(1)))
    assert new_page.status_code == 200
    assert f"Your complaint {new.reference}" in text(new_page)


# --- the portal ----------------------------------------------------------------------------


def test_the_portal_page_shows_the_complaint_with_portal_links(client, complaint, portal_user):
    letter = Letter.objects.create(complaint=complaint, kind="deadlock", state="ready",
                                   dated=datetime.date(2026, 11, 3), body="Final")  # fmt: skip
    client.force_login(portal_user)
    response = client.get(reverse("complaints:my_complaint", args=[complaint.reference]))
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("complaints:my_letter", args=[complaint.reference, letter.pk]) in body
    assert reverse("complaints:my_complaint_act",
                   args=[complaint.reference, "customer_add_information"]) in body  # fmt: skip
    assert "/follow/" not in body.split("<main", 1)[1]


def test_a_portal_action_is_recorded_as_the_signed_in_customer(client, complaint, portal_user):
    client.force_login(portal_user)
    url = reverse("complaints:my_complaint_act", args=[complaint.reference,
                                                      "customer_add_information"])  # fmt: skip
    response = client.post(url, {"customer_add_information-body": "From my account"})
    assert response.status_code == 303
    assert response["Location"] == reverse("complaints:my_complaint", args=[complaint.reference])
    event = complaint.events.get(kind=Kind.NOTE)
    assert event.author == portal_user


def test_my_complaints_lists_the_customers_complaints_with_the_next_promise(
    client, complaint, portal_user, customer, now, other_customer
):
    second = ComplaintFactory(customer=customer, now=now, summary="Wrong bill")
    ComplaintFactory(customer=other_customer, now=now, summary="Someone else's")
    client.force_login(portal_user)
    response = client.get(reverse("complaints:my_complaints"))
    assert response.status_code == 200
    page = text(response)
    assert complaint.reference in page and second.reference in page
    assert "Someone else's" not in page
    assert "We will acknowledge your complaint by Tuesday 3 November 2026 at 5pm" in page
    assert "Received" in page


def test_my_complaints_asks_an_anonymous_visitor_to_sign_in(client):
    response = client.get(reverse("complaints:my_complaints"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_my_complaints_explains_itself_to_staff(client, agent):
    client.force_login(agent)
    response = client.get(reverse("complaints:my_complaints"))
    assert response.status_code == 200
    assert "You are signed in with a staff account" in text(response)


def test_my_complaints_explains_an_account_without_complaints(client):
    client.force_login(UserFactory(username="nobody"))
    page = text(client.get(reverse("complaints:my_complaints")))
    assert "Your account is not linked to any complaints yet." in page


def test_customers_land_on_their_complaints_after_signing_in(client, portal_user, password):
    response = client.post(reverse("login"), {"username": "carys", "password": password})
    assert client.get(response["Location"])["Location"] == reverse("complaints:my_complaints")


def test_staff_still_land_on_their_queue_after_signing_in(client, agent):
    client.force_login(agent)
    landing = client.get(reverse("complaints:after_login"))
    assert landing["Location"] == reverse("staff:queue", args=["mine"])


def test_people_without_complaints_land_on_the_home_page(client):
    client.force_login(UserFactory(username="nobody"))
    landing = client.get(reverse("complaints:after_login"))
    assert landing["Location"] == reverse("complaints:home")


# --- constant queries ----------------------------------------------------------------------


def test_the_page_runs_the_same_queries_however_long_the_history(
    client, complaint, customer, now, django_assert_max_num_queries, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as short:
        assert client.get(follow_url(complaint)).status_code == 200
    queries = len(short)  # now: later requests reset the connection's query log
    for n in range(25):
        TimelineEventFactory(complaint=complaint, summary=f"Update {n}",
                             visibility=TimelineEvent.Visibility.CUSTOMER)  # fmt: skip
        Letter.objects.create(complaint=complaint, kind="adr", state="ready",
                              dated=datetime.date(2026, 11, 1) + datetime.timedelta(days=n),
                              body="x")  # fmt: skip
    client.post(act_url(complaint, "customer_add_information"), {
        "customer_add_information-attachments": [
            SimpleUploadedFile(f"{n}.pdf", b"%PDF-1.4", "application/pdf") for n in range(5)
        ],
    })  # fmt: skip
    with django_assert_num_queries(queries):
        assert client.get(follow_url(complaint)).status_code == 200
    with django_assert_max_num_queries(6):
        client.get(follow_url(complaint))


# --- a fresh link --------------------------------------------------------------------------


def new_link(client, reference, email):
    return client.post(reverse("complaints:new_link"), {"reference": reference, "email": email})


def links_queued() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(template="follow_link").order_by("id"))


def test_the_new_link_form_is_offered(client):
    response = client.get(reverse("complaints:new_link") + "?reference=RD-ABCD-1234")
    assert response.status_code == 200
    assert 'value="RD-ABCD-1234"' in response.content.decode()
    assert '<label for="id_email">Email address</label>' in response.content.decode()


def test_a_matching_reference_and_email_queue_a_new_link(client, complaint):
    response = new_link(client, complaint.reference, "carys@example.com")
    assert response.status_code == 200
    assert "If the reference and email match a complaint, we have emailed a new link." in text(
        response
    )
    (message,) = links_queued()
    assert (message.recipient, message.complaint_id) == ("carys@example.com", complaint.pk)
    url = message.context["follow_url"]
    assert url.startswith(f"http://testserver/follow/{complaint.reference}/")
    assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_the_new_link_email_carries_the_link_and_how_long_it_works(client, complaint):
    new_link(client, complaint.reference, "carys@example.com")
    email = message_render(links_queued()[0])
    assert email.subject == f"Your new link to complaint {complaint.reference}"
    assert links_queued()[0].context["follow_url"] in email.body
    assert "The link works for 30 days." in email.body
    assert links_queued()[0].context["follow_url"] in email.alternatives[0][0]


def test_the_email_is_matched_without_regard_to_case_and_sent_to_the_address_we_hold(
    client, complaint
):
    new_link(client, f"  {complaint.reference.lower()} ", "CARYS@Example.COM")
    assert [m.recipient for m in links_queued()] == ["carys@example.com"]


def test_asking_again_within_a_minute_sends_one_email(client, complaint):
    new_link(client, complaint.reference, "carys@example.com")
    new_link(client, complaint.reference, "carys@example.com")
    assert len(links_queued()) == 1
    with time_machine.travel(london(11, 3, 12, 2), tick=False):
        new_link(client, complaint.reference, "carys@example.com")
    assert len(links_queued()) == 2


def test_an_invalid_form_is_a_400_with_an_error_summary(client):
    response = client.post(reverse("complaints:new_link"), {"reference": "", "email": "nope"})
    assert response.status_code == 400
    body = response.content.decode()
    assert '<a href="#id_reference">Enter your complaint reference.</a>' in body
    assert '<a href="#id_email">Enter an email address like name@example.com.</a>' in body
    assert 'value="nope"' in body


def test_the_rate_limit_can_be_switched_off(client, complaint, settings):
    settings.REDRESS_NEW_LINK_LIMIT = "off"
    for minute in range(12):
        with time_machine.travel(london(11, 3, 12, minute), tick=False):
            new_link(client, complaint.reference, "carys@example.com")
    assert len(links_queued()) == 12

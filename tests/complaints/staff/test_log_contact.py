"""The staff "log a contact" page: find the customer, check their identity, log the complaint.

Time is frozen at Monday 2 November 2026 10:00 London (the view reads the clock once, at the
edge); every rule below it takes that `now`.
"""

from __future__ import annotations

import datetime
import hashlib
import re

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import (
    Attachment,
    AuditEntry,
    Complaint,
    Customer,
    Status,
    TimelineEvent,
)
from complaints.workflows.intake import MAX_ATTACHMENT_BYTES
from escalation.calendar import LONDON
from notifications.models import OutboxMessage
from tests.factories import NOW, ComplaintFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
# The start of a real Windows executable: "MZ", the DOS header, then the stub's machine code.
EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8\x00\x00\x00"
    + b"\x00" * 44
    + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run"
)


@pytest.fixture(autouse=True)
def frozen_now():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def caller(db) -> Customer:
    return CustomerFactory(
        name="Carys Jones",
        email="carys@example.com",
        phone="0117 496 0000",
        account_reference="ACC-778899",
        address="1 Avon Mill Lane\nKeynsham",
        postcode="BS31 2UG",
        vulnerability_flags=["hearing"],
    )


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent)
    return client


def log_url(channel: str = "phone") -> str:
    return reverse("staff:log", args=[channel])


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def verify(client, customer: Customer, channel: str = "phone", **data):
    payload = {
        "step": "identity",
        "customer": customer.pk,
        "asked": ["full_name", "postcode"],
        "passed": ["full_name", "postcode"],
        **data,
    }
    return client.post(log_url(channel), payload)


def call(customer: Customer, **data) -> dict:
    """A phone complaint as the form posts it, not resolved unless `outcome` says so."""
    return {
        "step": "complaint",
        "customer": customer.pk,
        "category": "fault_repair",
        "department": "technical",
        "summary": "Broadband drops every evening",
        "details": "Drops at 7pm most days since the router swap.",
        "first_made_at": "2026-11-02T09:55",
        "outcome": "not_resolved",
        "agreed_next_step": "Engineer to test the line and call back with the result.",
        "agreed_contact_method": "phone",
        "promised_by": "2026-11-04T16:00",
        **data,
    }


def letter(customer: Customer, **data) -> dict:
    return {
        "step": "complaint",
        "customer": customer.pk,
        "category": "billing",
        "department": "accounts",
        "summary": "Charged twice for October",
        "details": "Letter says both direct debits were taken.",
        "first_made_at": "2026-11-02T09:00",
        "received_at": "2026-11-02T09:30",
        **data,
    }


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Complaint, TimelineEvent, Attachment, OutboxMessage, AuditEntry, Customer)
    }


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def error_summary(response) -> str:
    html = response.content.decode()
    match = re.search(r'<div class="error-summary"[^>]*>.*?</div>', html, re.S)
    assert match, "no error summary on the page"
    summary = match.group(0)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    return summary


# --- Who may use it ----------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(log_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_customer_user_is_refused(client):
    client.force_login(UserFactory(username="carys"))
    assert client.get(log_url()).status_code == 403
    assert client.post(log_url(), {"step": "identity"}).status_code == 403


@pytest.mark.parametrize("persona", ["agent", "manager", "admin_staff"])
@pytest.mark.parametrize("channel", ["phone", "letter", "email", "in_person"])
def test_staff_can_open_the_page_for_every_channel(client, request, persona, channel):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(log_url(channel))
    assert response.status_code == 200
    assert b"Find the customer" in response.content


@pytest.mark.parametrize("channel", ["web", "fax", "PHONE"])
def test_unknown_channel_is_not_found(agent_client, channel):
    assert agent_client.get(log_url(channel)).status_code == 404


def test_unknown_customer_is_not_found(agent_client):
    assert agent_client.get(log_url(), {"customer": "999999"}).status_code == 404
    assert agent_client.get(log_url(), {"customer": "abc"}).status_code == 404


# --- Step 1: find the customer -----------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "carys",  # part of the name, any case
        "acc-778899",  # account reference, any case
        "+44 (0)117 496-0000",  # the phone, however it is written
        "CARYS@example.com",  # email, any case
        "bs312ug",  # postcode without the space
    ],
)
def test_search_finds_the_customer_by_each_key(agent_client, caller, query):
    CustomerFactory(name="Oscar Smith", email="oscar@example.com", phone="020 7946 0999")
    response = agent_client.get(log_url(), {"find": query})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Carys Jones" in html
    assert f'name="customer" value="{caller.pk}"' in html
    assert "Oscar Smith" not in html


def test_search_results_show_only_the_name_and_a_masked_postcode(agent_client, caller):
    ComplaintFactory(customer=caller, summary="Slow broadband on Tuesdays")
    html = agent_client.get(log_url(), {"find": "Carys"}).content.decode()
    assert "BS31 ***" in html
    for secret in ("carys@example.com", "496 0000", "ACC-778899", "2UG", "Avon Mill", "Tuesdays"):
        assert secret not in html


def test_search_that_finds_nobody_offers_a_new_customer_named_as_searched(agent_client, caller):
    html = agent_client.get(log_url(), {"find": "Dafydd Evans"}).content.decode()
    assert "No customer found" in html
    assert '<details id="new-customer" open>' in html
    assert 'value="Dafydd Evans"' in html


# --- Step 2: the identity check ----------------------------------------------------------


def test_nothing_about_the_account_is_shown_before_the_identity_check(agent_client, caller):
    complaint = ComplaintFactory(customer=caller, summary="Slow broadband on Tuesdays")
    html = agent_client.get(log_url(), {"customer": caller.pk}).content.decode()
    assert "Carys Jones" in html
    assert "Security questions" in html
    for secret in (
        "carys@example.com",
        "496 0000",
        "ACC-778899",
        "BS31",
        "Avon Mill",
        "Hearing",
        complaint.reference,
        "Tuesdays",
    ):
        assert secret not in html, secret


def test_failed_question_without_override_is_refused(agent_client, caller):
    response = verify(agent_client, caller, asked=["full_name", "postcode", "last_payment"])
    assert response.status_code == 400
    assert "failed a security question" in error_summary(response)
    html = agent_client.get(log_url(), {"customer": caller.pk}).content.decode()
    assert "carys@example.com" not in html


def test_too_few_questions_are_refused(agent_client, caller):
    response = verify(agent_client, caller, asked=["full_name"], passed=["full_name"])
    assert response.status_code == 400
    assert "at least 2" in error_summary(response)
    assert 'href="#id_asked_0"' in error_summary(response)


def test_override_without_a_reason_is_refused(agent_client, caller):
    response = verify(agent_client, caller, asked=[], passed=[], override="on")
    assert response.status_code == 400
    assert 'href="#id_override_reason"' in error_summary(response)


def test_override_with_a_reason_is_accepted(agent_client, caller):
    response = verify(
        agent_client,
        caller,
        asked=["last_payment"],
        passed=[],
        override="on",
        override_reason="Power of attorney on file for her son",
    )
    assert response.status_code == 303
    assert response["Location"] == f"{log_url()}?customer={caller.pk}"
    html = agent_client.get(response["Location"]).content.decode()
    assert "carys@example.com" in html
    assert "Power of attorney on file for her son" in html


def test_passed_check_shows_the_account_and_its_open_complaints(agent_client, caller):
    open_one = ComplaintFactory(customer=caller, summary="Slow broadband on Tuesdays")
    verify(agent_client, caller)
    html = agent_client.get(log_url(), {"customer": caller.pk}).content.decode()
    for detail in ("carys@example.com", "0117 496 0000", "ACC-778899", "BS31 2UG", "Hearing"):
        assert detail in html
    assert reverse("staff:complaint", args=[open_one.reference]) in html
    assert "Identity verified" in html


def test_a_letter_is_matched_by_default_with_a_reason_the_agent_can_edit(agent_client, caller):
    html = agent_client.get(log_url("letter"), {"customer": caller.pk}).content.decode()
    assert "Matched to the account by the details in the letter" in html
    assert re.search(r'name="override"[^>]*checked', html)
    assert "carys@example.com" not in html


def test_identity_check_expires_after_thirty_minutes(agent_client, caller):
    verify(agent_client, caller)
    with time_machine.travel(NOW + datetime.timedelta(minutes=31), tick=False):
        html = agent_client.get(log_url(), {"customer": caller.pk}).content.decode()
    assert "carys@example.com" not in html
    assert "Security questions" in html


# --- Step 3: logging the complaint -------------------------------------------------------


def test_step_three_runs_the_same_queries_however_many_complaints_the_customer_has(
    agent_client, caller
):
    verify(agent_client, caller)
    ComplaintFactory(customer=caller)
    with CaptureQueriesContext(connection) as one:
        agent_client.get(log_url(), {"customer": caller.pk})
    for _ in range(5):
        ComplaintFactory(customer=caller)
    with CaptureQueriesContext(connection) as six:
        html = agent_client.get(log_url(), {"customer": caller.pk}).content.decode()
    assert html.count("/staff/complaints/RD-") == 6
    assert len(six) == len(one)


def test_step_three_previews_the_code_that_will_govern_it(agent_client, caller):
    verify(agent_client, caller, channel="letter")
    html = agent_client.get(log_url("letter"), {"customer": caller.pk}).content.decode()
    assert "sovision-it-2016 v1" in html
    assert "We investigate and respond within 2 working days." in html
    assert "Wednesday 4 November 2026 at 5pm" in html


def test_call_resolved_on_the_call_is_closed_at_first_contact(agent_client, agent, caller):
    # Given a verified caller
    verify(agent_client, caller)
    # When the agent logs a call resolved there and then
    response = agent_client.post(
        log_url(),
        call(caller, outcome="resolved", resolution_summary="Reset the router remotely."),
    )
    # Then it is resolved at first contact, with the identity check and resolution on record
    complaint = Complaint.objects.get(customer=caller)
    assert response.status_code == 303
    assert response["Location"] == reverse("staff:complaint", args=[complaint.reference])
    assert complaint.status == Status.RESOLVED
    assert complaint.resolved_at_first_contact
    assert complaint.resolution_summary == "Reset the router remotely."
    assert complaint.channel == "phone"
    kinds = set(complaint.events.values_list("kind", flat=True))
    assert {TimelineEvent.Kind.IDENTITY_CHECK, TimelineEvent.Kind.RESOLUTION} <= kinds
    assert not OutboxMessage.objects.filter(complaint=complaint).exists()
    assert any(complaint.reference in m and "resolved" in m for m in flash(response))


def test_call_not_resolved_records_what_was_agreed_and_emails_the_customer(
    agent_client, agent, caller
):
    verify(agent_client, caller)
    response = agent_client.post(log_url(), call(caller))
    complaint = Complaint.objects.get(customer=caller)
    assert response.status_code == 303
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.assigned_to == agent
    assert complaint.agreed_contact_method == "phone"
    assert complaint.agreed_next_step.startswith("Engineer to test the line")
    assert complaint.promised_by == london(2026, 11, 4, 16, 0)
    assert complaint.first_made_at == london(2026, 11, 2, 9, 55)
    assert complaint.department == "technical"
    outbox = OutboxMessage.objects.get(complaint=complaint)
    assert outbox.recipient == "carys@example.com"
    assert outbox.context["agreed_next_step"] == complaint.agreed_next_step
    # The clocks appear immediately, in the message that takes the agent to the complaint.
    message = " ".join(flash(response))
    assert complaint.reference in message
    assert "resolve by Monday 16 November 2026 at 5pm" in message
    assert "you promised the customer Wednesday 4 November 2026 at 4pm" in message


def test_call_not_resolved_needs_the_agreed_step_method_and_timescale(agent_client, caller):
    verify(agent_client, caller)
    before = row_counts()
    response = agent_client.post(
        log_url(),
        call(caller, agreed_next_step="", agreed_contact_method="", promised_by=""),
    )
    assert response.status_code == 400
    summary = error_summary(response)
    for anchor in ("#id_agreed_next_step", "#id_agreed_contact_method_0", "#id_promised_by"):
        assert anchor in summary
    assert row_counts() == before


def test_timescale_in_the_past_is_refused(agent_client, caller):
    verify(agent_client, caller)
    before = row_counts()
    response = agent_client.post(log_url(), call(caller, promised_by="2026-11-02T09:00"))
    assert response.status_code == 400
    assert "must be in the future" in error_summary(response)
    assert row_counts() == before


@pytest.mark.parametrize(
    ("slug", "respond_by"),
    [
        ("infinity-group-2016", datetime.datetime(2026, 11, 16, 17, 30, tzinfo=UTC)),
        ("sovision-it-2016", datetime.datetime(2026, 11, 4, 17, 0, tzinfo=UTC)),
    ],
)
def test_letter_with_a_pdf_is_logged_with_the_letter_window(
    agent_client, caller, use_code, slug, respond_by
):
    # Given the provider runs `slug` and a letter matched to the customer
    use_code(slug)
    verify(agent_client, caller, channel="letter")
    scan = SimpleUploadedFile("letter.pdf", PDF, content_type="application/octet-stream")
    # When the agent logs it with the scan attached
    response = agent_client.post(log_url("letter"), letter(caller, attachments=[scan]))
    # Then the scan is kept with its hash and real type, and the letter window applies
    complaint = Complaint.objects.get(customer=caller)
    assert response.status_code == 303
    attachment = complaint.attachments.get()
    assert attachment.original_name == "letter.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(PDF)
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert complaint.channel == "letter"
    assert complaint.received_at == london(2026, 11, 2, 9, 30)
    assert complaint.code_version.code.slug == slug
    assert complaint.respond_by == respond_by
    assert complaint.status == Status.NEW


def test_email_logged_without_a_recorded_check_is_matched_by_its_details(agent_client, caller):
    response = agent_client.post(log_url("email"), letter(caller))
    complaint = Complaint.objects.get(customer=caller)
    assert response.status_code == 303
    check = complaint.events.get(kind=TimelineEvent.Kind.IDENTITY_CHECK)
    assert check.data["override_reason"] == "Matched to the account by the details in the email"


def test_executable_renamed_pdf_is_refused_and_nothing_is_written(agent_client, caller):
    verify(agent_client, caller, channel="letter")
    before = row_counts()
    fake = SimpleUploadedFile("invoice.pdf", EXE, content_type="application/pdf")
    response = agent_client.post(log_url("letter"), letter(caller, attachments=[fake]))
    assert response.status_code == 400
    summary = error_summary(response)
    assert "invoice.pdf: only PDF" in summary
    assert 'href="#id_attachments"' in summary
    assert "choose the attachments again" in summary
    assert row_counts() == before
    # Everything typed is kept.
    html = response.content.decode()
    assert 'value="Charged twice for October"' in html
    assert "Letter says both direct debits were taken." in html
    assert 'value="2026-11-02T09:30"' in html


def test_attachment_over_ten_megabytes_is_refused(agent_client, caller):
    verify(agent_client, caller, channel="letter")
    before = row_counts()
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES)
    response = agent_client.post(log_url("letter"), letter(caller, attachments=[big]))
    assert response.status_code == 400
    assert "scan.pdf is larger than 10 MB" in error_summary(response)
    assert row_counts() == before


def test_good_files_must_be_chosen_again_when_another_field_is_wrong(agent_client, caller):
    verify(agent_client, caller, channel="letter")
    scan = SimpleUploadedFile("letter.pdf", PDF)
    response = agent_client.post(log_url("letter"), letter(caller, summary="", attachments=[scan]))
    assert response.status_code == 400
    summary = error_summary(response)
    assert 'href="#id_summary"' in summary
    assert "You had chosen letter.pdf" in summary


def test_future_first_made_is_refused_and_everything_typed_is_kept(agent_client, caller):
    verify(agent_client, caller)
    before = row_counts()
    response = agent_client.post(log_url(), call(caller, first_made_at="2026-11-02T11:00"))
    assert response.status_code == 400
    # (The wording of the message is the service's: see test_intake_service.)
    assert 'href="#id_first_made_at"' in error_summary(response)
    assert row_counts() == before
    html = response.content.decode()
    assert 'value="Broadband drops every evening"' in html
    assert "Engineer to test the line and call back with the result." in html
    assert 'value="2026-11-04T16:00"' in html
    assert re.search(r'value="not_resolved"[^>]*checked', html)


def test_letter_first_made_after_it_was_received_is_refused(agent_client, caller):
    verify(agent_client, caller, channel="letter")
    before = row_counts()
    response = agent_client.post(
        log_url("letter"), letter(caller, first_made_at="2026-11-02T09:45")
    )
    assert response.status_code == 400
    assert 'href="#id_first_made_at"' in error_summary(response)
    assert row_counts() == before


def test_missing_fields_are_each_listed_in_the_error_summary(agent_client, caller):
    verify(agent_client, caller)
    before = row_counts()
    response = agent_client.post(
        log_url(), call(caller, category="", summary="", first_made_at="", outcome="")
    )
    assert response.status_code == 400
    summary = error_summary(response)
    for anchor in ("#id_category", "#id_summary", "#id_first_made_at", "#id_outcome_0"):
        assert f'href="{anchor}"' in summary
    assert row_counts() == before
    assert response.content.decode().count("<title>Error: ") == 1


def test_overlong_summary_is_refused_with_the_services_advice(agent_client, caller):
    verify(agent_client, caller)
    response = agent_client.post(log_url(), call(caller, summary="x" * 201))
    assert response.status_code == 400
    assert "put the rest in the details" in error_summary(response)
    assert not Complaint.objects.exists()


def test_expired_check_is_asked_again_inside_the_form_keeping_what_was_typed(agent_client, caller):
    # Given a check recorded 31 minutes before the agent submits the call
    verify(agent_client, caller)
    later = NOW + datetime.timedelta(minutes=31)
    with time_machine.travel(later, tick=False):
        response = agent_client.post(log_url(), call(caller, promised_by="2026-11-04T16:00"))
        # Then nothing is logged, the account stays hidden and the questions are asked again
        assert response.status_code == 400
        html = response.content.decode()
        assert not Complaint.objects.exists()
        assert "carys@example.com" not in html
        assert 'name="identity_inline"' in html
        assert 'value="Broadband drops every evening"' in html
        # When the agent records the check in the same form
        response = agent_client.post(
            log_url(),
            call(
                caller,
                identity_inline="1",
                asked=["full_name", "account_reference"],
                passed=["full_name", "account_reference"],
            ),
        )
    # Then the complaint is logged with that check
    assert response.status_code == 303
    check = Complaint.objects.get().events.get(kind=TimelineEvent.Kind.IDENTITY_CHECK)
    assert check.data["passed"] == ["account_reference", "full_name"]


def test_in_person_complaint_is_logged_like_a_call(agent_client, agent, caller):
    verify(agent_client, caller, channel="in_person")
    page = agent_client.get(log_url("in_person"), {"customer": caller.pk}).content.decode()
    response = agent_client.post(
        log_url("in_person"),
        call(caller, outcome="resolved", resolution_summary="Replaced the faulty router."),
    )
    complaint = Complaint.objects.get(customer=caller)
    assert "Resolved there and then" in page
    assert response.status_code == 303
    assert complaint.channel == "in_person"
    assert complaint.resolved_at_first_contact


# --- New customers -----------------------------------------------------------------------


def new_customer(**data) -> dict:
    return {
        "step": "new_customer",
        "new-name": "Dafydd Evans",
        "new-kind": "consumer",
        "new-email": "dafydd@example.com",
        "new-phone": "029 2018 0000",
        "new-address": "2 Heol y Dwr\nCardiff",
        "new-postcode": "cf10 1aa",
        "new-nation": "WLS",
        "new-preferred_contact": "email",
        "new-account_reference": "ACC-100200",
        "new-vulnerability_flags": ["sight", "language"],
        "new-vulnerability_notes": "Prefers large print; Welsh speaker.",
        **data,
    }


def test_new_customer_is_created_and_selected_with_the_check_satisfied(agent_client, agent):
    response = agent_client.post(log_url(), new_customer())
    created = Customer.objects.get(name="Dafydd Evans")
    assert response.status_code == 303
    assert response["Location"] == f"{log_url()}?customer={created.pk}"
    assert created.postcode == "CF10 1AA"
    assert created.nation == "WLS"
    assert created.vulnerability_flags == ["sight", "language"]
    assert AuditEntry.objects.filter(
        object_type="customer", object_id=created.pk, action="created", actor=agent
    ).exists()
    html = agent_client.get(response["Location"]).content.decode()
    assert "dafydd@example.com" in html
    assert "New customer created on this contact" in html


def test_complaint_for_a_new_customer_records_the_check_as_an_override(agent_client):
    response = agent_client.post(log_url(), new_customer())
    created = Customer.objects.get(name="Dafydd Evans")
    agent_client.post(log_url(), call(created))
    check = Complaint.objects.get(customer=created).events.get(
        kind=TimelineEvent.Kind.IDENTITY_CHECK
    )
    assert response.status_code == 303
    assert check.data["override_reason"] == "New customer created on this contact"


def test_business_without_employee_count_is_refused(agent_client):
    before = row_counts()
    response = agent_client.post(log_url(), new_customer(**{"new-kind": "business"}))
    assert response.status_code == 400
    assert 'href="#id_new-employee_count"' in error_summary(response)
    assert 'value="Dafydd Evans"' in response.content.decode()
    assert row_counts() == before


def test_preferred_email_needs_an_email_address(agent_client):
    response = agent_client.post(log_url(), new_customer(**{"new-email": ""}))
    assert response.status_code == 400
    assert 'href="#id_new-email"' in error_summary(response)
    assert not Customer.objects.filter(name="Dafydd Evans").exists()

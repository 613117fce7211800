"""The public complaint form (/complain/) and its thanks page, through the views.

Every POST is kept as a WebSubmission first; these tests check what a customer sees and what
exists afterwards for each way a POST can end.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from complaints.models import Attachment, Complaint, Customer, WebSubmission
from complaints.tokens import follow_token_read
from notifications.models import OutboxMessage
from tests.factories import NOW, CustomerFactory

URL = reverse("complaints:complain")
THANKS = reverse("complaints:thanks")
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
HTML = b"<!doctype html><html><body><script>alert(1)</script></body></html>"


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def at_now(db):
    """Monday 2 November 2026 10:00 London: inside office hours on a working day."""
    with time_machine.travel(NOW, tick=False):
        yield NOW


def answers(**overrides: Any) -> dict[str, Any]:
    """A complete, valid form as a customer would send it; override=None leaves a field out."""
    data: dict[str, Any] = {
        "form_token": uuid.uuid4().hex,
        "website": "",
        "name": "Carys Jones",
        "email": "carys@example.com",
        "phone": "",
        "address": "",
        "postcode": "BS31 2UG",
        "account_reference": "ACC000123",
        "kind": "consumer",
        "employee_count": "",
        "nation": "",
        "category": "fault_repair",
        "details": "My broadband drops every evening\nIt started on 1 October 2026.",
        "remedy": "Fix the line and refund October's charge.",
        "preferred_contact": "email",
        "vulnerability_notes": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def counts() -> dict[str, int]:
    return {
        "customers": Customer.objects.count(),
        "complaints": Complaint.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "attachments": Attachment.objects.count(),
    }


NOTHING = {"customers": 0, "complaints": 0, "outbox": 0, "attachments": 0}


def error_summary(response) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', response.content.decode(), re.S)
    assert match, "no error summary on the page"
    return match.group(0)


# -- the page -------------------------------------------------------------------------------------


def test_form_page_offers_every_question_with_autocomplete_and_a_fresh_token(client, db):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for name, autocomplete in [
        ("name", "name"),
        ("email", "email"),
        ("phone", "tel"),
        ("address", "street-address"),
        ("postcode", "postal-code"),
    ]:
        assert re.search(rf'<[^>]*name="{name}"[^>]*autocomplete="{autocomplete}"', html) or (
            re.search(rf'<[^>]*autocomplete="{autocomplete}"[^>]*name="{name}"', html)
        ), name
    assert re.search(r'name="form_token" value="[0-9a-f]{32}"', html)
    assert 'enctype="multipart/form-data"' in html
    assert reverse("complaints:code_of_practice") in html
    assert "<legend>What is your complaint about?</legend>" in html
    assert "Error:" not in html.split("</title>")[0]


def test_each_visit_gets_its_own_form_token(client, db):
    first = re.search(r'name="form_token" value="(\w+)"', client.get(URL).content.decode())
    second = re.search(r'name="form_token" value="(\w+)"', client.get(URL).content.decode())
    assert first[1] != second[1]


def test_home_page_links_to_the_form_and_the_code(client, db):
    html = client.get(reverse("complaints:home")).content.decode()
    assert f'href="{URL}"' in html
    assert "Make a complaint" in html
    assert f'href="{reverse("complaints:code_of_practice")}"' in html


# -- a complaint that is logged --------------------------------------------------------------------


def test_a_valid_complaint_is_logged_once_with_its_customer_outbox_row_and_submission(
    client, at_now
):
    response = client.post(URL, answers())

    assert response.status_code == 303
    assert response["Location"] == THANKS
    assert counts() == {"customers": 1, "complaints": 1, "outbox": 1, "attachments": 0}
    complaint = Complaint.objects.get()
    assert complaint.channel == "web"
    assert complaint.category == "fault_repair"
    assert complaint.summary == "My broadband drops every evening"
    assert "It started on 1 October 2026." in complaint.details
    assert "What would put it right:\nFix the line and refund October's charge." in (
        complaint.details
    )
    assert complaint.customer.name == "Carys Jones"
    assert complaint.customer.account_reference == "ACC000123"
    assert complaint.customer.preferred_contact == "email"
    submission = WebSubmission.objects.get()
    assert submission.state == WebSubmission.State.ACCEPTED
    assert submission.complaint == complaint
    assert submission.email == "carys@example.com"


def test_the_web_does_not_merge_into_an_existing_customer_with_the_same_email(client, at_now):
    existing = CustomerFactory(name="Carys Jones", email="carys@example.com")
    client.post(URL, answers())
    complaint = Complaint.objects.get()
    assert complaint.customer != existing
    assert Customer.objects.filter(email="carys@example.com").count() == 2


def test_thanks_page_shows_the_reference_and_the_date_we_will_reply_by(client, at_now):
    response = client.post(URL, answers(), follow=True)

    complaint = Complaint.objects.get()
    html = response.content.decode()
    assert response.status_code == 200
    assert complaint.reference in html
    # soVision, web form: answered as an email, within 2 working days
    assert "We will reply to you by <strong>Wednesday 4 November 2026 at 5pm</strong>" in html
    assert "acknowledged, then answered within 2 working days" in html
    assert "is on its way to <strong>carys@example.com</strong>" in html
    assert "Monday 28 December 2026" in html  # the ADR date: 8 weeks after first made
    follow = re.search(r'href="(/follow/[^"]+)"', html)[1]
    reference, token = follow.strip("/").split("/")[1:3]
    assert follow_token_read(token, reference=reference) == complaint


def test_thanks_page_when_the_code_has_no_window_says_as_soon_as_we_can(client, at_now, use_code):
    use_code("ofcom-2026")
    html = client.post(URL, answers(), follow=True).content.decode()
    assert "We will respond as soon as we can and keep you updated." in html
    # Ofcom's rules: 6 weeks after first made
    assert "Monday 14 December 2026" in html


def test_thanks_page_is_not_shown_to_a_browser_that_did_not_send_the_complaint(client, at_now):
    client.post(URL, answers())
    reference = Complaint.objects.get().reference

    stranger = Client()
    response = stranger.get(THANKS)

    assert response.status_code == 404
    assert reference not in response.content.decode()
    assert "This page is not available" in response.content.decode()


def test_thanks_page_without_a_submission_in_the_session_is_not_found(client, db):
    assert client.get(THANKS).status_code == 404


def test_acknowledgement_email_carries_reference_date_and_a_working_follow_link(
    client, at_now, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, answers())

    complaint = Complaint.objects.get()
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["carys@example.com"]
    assert complaint.reference in email.subject
    assert "We will respond by Wednesday 4 November 2026 at 5pm." in email.body
    link = re.search(r"http://testserver(/follow/\S+)", email.body)[1]
    reference, token = link.strip("/").split("/")[1:3]
    assert reference == complaint.reference
    assert follow_token_read(token, reference=reference) == complaint
    html = email.alternatives[0][0]
    assert f'href="http://testserver{link}"' in html


def test_a_complaint_with_only_a_phone_number_sends_no_email(client, at_now):
    response = client.post(URL, answers(email="", phone="0117 496 0000", preferred_contact="phone"))
    assert response.status_code == 303
    assert counts()["outbox"] == 0
    assert Complaint.objects.get().customer.phone == "0117 496 0000"


def test_business_complaint_records_the_head_count(client, at_now):
    client.post(URL, answers(kind="business", employee_count="4"))
    complaint = Complaint.objects.get()
    assert complaint.customer.kind == "business"
    assert complaint.customer.employee_count == 4
    assert complaint.adr_employees == 4


def test_support_needs_are_recorded_on_the_customer(client, at_now):
    client.post(
        URL,
        answers(vulnerability_flags=["hearing", "bereavement"], vulnerability_notes="Text only"),
    )
    customer = Complaint.objects.get().customer
    assert customer.vulnerability_flags == ["hearing", "bereavement"]
    assert customer.vulnerability_notes == "Text only"


def test_a_long_first_line_becomes_a_summary_of_at_most_200_characters(client, at_now):
    long_line = "word " * 100
    client.post(URL, answers(details=long_line))
    complaint = Complaint.objects.get()
    assert len(complaint.summary) <= 200
    assert complaint.summary.endswith("…")
    assert long_line.strip() in complaint.details


def test_the_submit_path_takes_a_bounded_number_of_queries_whatever_is_attached(
    client, at_now, django_assert_max_num_queries
):
    # write-ahead, lock, customer, complaint + clocks + timeline, outbox row, files, session
    files = [upload(f"page{i}.pdf", PDF) for i in range(5)]
    with django_assert_max_num_queries(50):
        response = client.post(URL, answers(attachments=files))
    assert response.status_code == 303
    assert Attachment.objects.count() == 5


# -- UK nation from the postcode -----------------------------------------------------------------


@pytest.mark.parametrize(
    "postcode,nation",
    [("EH1 1YZ", "SCT"), ("BT1 5GS", "NIR"), ("CF10 1EP", "WLS"), ("BS31 2UG", "ENG")],
)
def test_nation_defaults_from_the_postcode(client, at_now, postcode, nation):
    client.post(URL, answers(postcode=postcode, nation=""))
    complaint = Complaint.objects.get()
    assert complaint.customer.nation == nation
    assert complaint.nation == nation


def test_a_nation_the_customer_chose_wins_over_the_postcode(client, at_now):
    client.post(URL, answers(postcode="EH1 1YZ", nation="ENG"))
    assert Complaint.objects.get().nation == "ENG"


def test_a_border_postcode_without_a_nation_is_asked_about(client, at_now):
    response = client.post(URL, answers(postcode="TD15 1AB", nation=""))
    assert response.status_code == 200
    assert "TD15 1AB is near a border" in error_summary(response)
    assert 'href="#id_nation"' in error_summary(response)
    assert counts() == NOTHING


def test_a_border_postcode_with_a_nation_chosen_is_logged(client, at_now):
    client.post(URL, answers(postcode="TD15 1AB", nation="SCT"))
    assert Complaint.objects.get().nation == "SCT"


def test_no_postcode_and_no_nation_asks_for_the_nation_and_says_why(client, at_now):
    response = client.post(URL, answers(postcode="", nation=""))
    summary = error_summary(response)
    assert "Choose which part of the UK you live in, or enter your postcode" in summary
    assert "bank holidays" in summary
    assert counts() == NOTHING


def test_a_postcode_that_is_not_one_is_refused(client, at_now):
    response = client.post(URL, answers(postcode="NOT A CODE"))
    assert "Enter a full UK postcode" in error_summary(response)
    assert counts() == NOTHING


# -- validation: what is refused, and what is kept -------------------------------------------------


def test_an_invalid_form_keeps_what_was_typed_and_is_kept_as_a_submission(client, at_now):
    data = answers(
        remedy="",
        address="1 High Street\nKeynsham",
        vulnerability_flags=["sight"],
        category="billing",
        preferred_contact="letter",
    )
    response = client.post(URL, data)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.split("</title>")[0].split("<title>")[1].startswith("Error: ")
    assert 'role="alert"' in html and 'tabindex="-1"' in html and "autofocus" in html
    assert 'href="#id_remedy"' in error_summary(response)
    assert 'value="Carys Jones"' in html
    assert "My broadband drops every evening\nIt started on 1 October 2026.</textarea>" in html
    assert "1 High Street\nKeynsham</textarea>" in html
    assert re.search(r'value="sight"[^>]*checked', html)
    assert re.search(r'value="billing"[^>]*checked', html)
    assert re.search(r'value="letter"[^>]*checked', html)
    assert f'value="{data["form_token"]}"' in html
    assert counts() == NOTHING
    submission = WebSubmission.objects.get()
    assert submission.state == WebSubmission.State.RECEIVED
    assert submission.payload["details"] == data["details"]
    assert submission.payload["vulnerability_flags"] == ["sight"]
    assert "csrfmiddlewaretoken" not in submission.payload
    assert submission.note.startswith("Invalid: remedy")


def test_errors_are_announced_with_their_fields(client, at_now):
    response = client.post(URL, answers(name="", category=None))
    html = response.content.decode()
    assert re.search(r'<input[^>]*aria-describedby="id_name_helptext id_name_error"', html)
    assert re.search(r'<input[^>]*aria-invalid="true"[^>]*name="name"', html) or re.search(
        r'name="name"[^>]*aria-invalid="true"', html
    )
    assert 'id="id_name_error"' in html
    # radios: the fieldset carries the error, the summary links to the first option
    assert re.search(r'<fieldset aria-describedby="id_category_error">', html)
    assert 'href="#id_category_0"' in error_summary(response)
    assert 'id="id_category_0"' in html


@pytest.mark.parametrize(
    "overrides,field,message",
    [
        ({"name": ""}, "name", "Enter your full name."),
        ({"details": ""}, "details", "Tell us what went wrong."),
        ({"remedy": ""}, "remedy", "Tell us what would put it right."),
        ({"category": None}, "category_0", "Choose what your complaint is about."),
        (
            {"email": "", "phone": "", "preferred_contact": "letter", "address": "1 High St"},
            "email",
            "Enter an email address or a phone number",
        ),
        (
            {"email": "", "phone": "0117 496 0000", "preferred_contact": "email"},
            "preferred_contact_0",
            "You chose email: enter your email address",
        ),
        (
            {"preferred_contact": "phone"},
            "preferred_contact_0",
            "You chose phone: enter your phone number",
        ),
        (
            {"preferred_contact": "letter", "address": ""},
            "preferred_contact_0",
            "You chose letter: enter your postal address",
        ),
        (
            {"kind": "business", "employee_count": ""},
            "employee_count",
            "Enter how many people your business employs",
        ),
        (
            {"kind": "business", "employee_count": "-1"},
            "employee_count",
            "The number of employees cannot be less than 0.",
        ),
        ({"email": "not-an-email"}, "email", "Enter an email address like name@example.com."),
        ({"phone": "call me maybe"}, "phone", "Enter a phone number"),
    ],
)
def test_each_rule_refuses_the_form_and_logs_nothing(client, at_now, overrides, field, message):
    response = client.post(URL, answers(**overrides))

    assert response.status_code == 200
    summary = error_summary(response)
    assert f'href="#id_{field}"' in summary
    assert message in summary
    assert counts() == NOTHING
    assert WebSubmission.objects.get().state == WebSubmission.State.RECEIVED


def test_a_consumer_with_a_stray_head_count_is_logged_as_a_consumer(client, at_now):
    client.post(URL, answers(kind="consumer", employee_count="12"))
    customer = Complaint.objects.get().customer
    assert customer.kind == "consumer"
    assert customer.employee_count is None


# -- attachments ------------------------------------------------------------------------------------


def test_attachments_are_stored_outside_the_web_root_with_their_names(client, at_now, media):
    response = client.post(
        URL, answers(attachments=[upload("bill.pdf", PDF), upload("router.png", PNG)])
    )
    assert response.status_code == 303
    complaint = Complaint.objects.get()
    stored = list(complaint.attachments.order_by("original_name"))
    assert [(a.original_name, a.content_type) for a in stored] == [
        ("bill.pdf", "application/pdf"),
        ("router.png", "image/png"),
    ]
    for attachment in stored:
        assert attachment.file.path.startswith(str(media))
        assert "bill" not in attachment.file.name and "router" not in attachment.file.name
    assert all(a.event is not None for a in stored)


def test_a_web_page_named_pdf_is_refused_by_its_content(client, at_now):
    response = client.post(URL, answers(attachments=[upload("statement.pdf", HTML)]))
    assert response.status_code == 200
    summary = error_summary(response)
    assert 'href="#id_attachments"' in summary
    assert "statement.pdf is not a PDF: what is inside does not match its name." in summary
    assert counts() == NOTHING


def test_a_web_page_named_as_text_is_refused(client, at_now):
    response = client.post(URL, answers(attachments=[upload("notes.txt", HTML)]))
    assert "notes.txt: we cannot take web pages or scripts." in error_summary(response)
    assert counts() == NOTHING


def test_a_plain_text_note_is_taken(client, at_now):
    response = client.post(URL, answers(attachments=[upload("notes.txt", b"Called twice.\n")]))
    assert response.status_code == 303
    assert Attachment.objects.get().content_type == "text/plain"


def test_a_program_named_pdf_is_refused(client, at_now):
    exe = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 40
    response = client.post(URL, answers(attachments=[upload("statement.pdf", exe)]))
    assert response.status_code == 200
    summary = error_summary(response)
    assert 'href="#id_attachments"' in summary
    assert "statement.pdf: only PDF, PNG, JPEG" in summary
    assert counts() == NOTHING


def test_a_file_over_10_mb_is_refused_and_not_read(client, at_now):
    big = upload("scan.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    response = client.post(URL, answers(attachments=[big]))
    assert response.status_code == 200
    assert "scan.pdf is larger than 10 MB." in error_summary(response)
    assert counts() == NOTHING
    assert WebSubmission.objects.get().files == [{"name": "scan.pdf", "skipped": "too_big"}]


def test_more_than_five_files_are_refused(client, at_now):
    files = [upload(f"page{i}.pdf", PDF) for i in range(6)]
    response = client.post(URL, answers(attachments=files))
    assert response.status_code == 200
    assert "Choose no more than 5 files." in error_summary(response)
    assert counts() == NOTHING


def test_when_the_form_comes_back_it_says_to_choose_the_files_again(client, at_now):
    response = client.post(URL, answers(name="", attachments=[upload("bill.pdf", PDF)]))
    html = response.content.decode()
    assert "choose your files again" in html
    assert 'href="#id_attachments"' in html


# -- abuse ------------------------------------------------------------------------------------------


def test_a_filled_honeypot_is_kept_as_spam_and_answered_neutrally(client, at_now):
    response = client.post(URL, answers(website="http://spam.example"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "We have received your message and will be in touch." in html
    assert "RD-" not in html and "honeypot" not in html.lower()
    assert counts() == NOTHING
    submission = WebSubmission.objects.get()
    assert submission.state == WebSubmission.State.SPAM
    assert submission.payload["website"] == "http://spam.example"


def test_over_the_per_ip_limit_the_complaint_is_held_not_lost(client, at_now, settings):
    settings.REDRESS_SUBMIT_LIMIT_PER_IP = "2/h"
    for n in range(2):
        assert client.post(URL, answers(email=f"person{n}@example.com")).status_code == 303

    response = client.post(
        URL, answers(email="third@example.com", attachments=[upload("bill.pdf", PDF)])
    )

    html = response.content.decode()
    assert response.status_code == 429
    assert "We have kept your complaint" in html
    assert "within one working day" in html
    assert "0117 986 4026" in html  # soVision's number, from the current code version
    held = WebSubmission.objects.get(state=WebSubmission.State.HELD)
    assert f"web submission {held.pk}" in html
    assert held.payload["email"] == "third@example.com"
    assert held.files[0]["name"] == "bill.pdf" and held.files[0]["path"]
    assert Complaint.objects.count() == 2


def test_the_per_ip_limit_counts_each_sender_separately(client, at_now, settings):
    settings.REDRESS_SUBMIT_LIMIT_PER_IP = "1/h"
    assert client.post(URL, answers(), REMOTE_ADDR="192.0.2.1").status_code == 303
    assert (
        client.post(URL, answers(email="b@example.com"), REMOTE_ADDR="192.0.2.2").status_code == 303
    )
    assert (
        client.post(URL, answers(email="c@example.com"), REMOTE_ADDR="192.0.2.1").status_code == 429
    )


def test_over_the_per_email_limit_from_anywhere_the_complaint_is_held(client, at_now, settings):
    settings.REDRESS_SUBMIT_LIMIT_PER_EMAIL = "1/h"
    assert client.post(URL, answers(), REMOTE_ADDR="192.0.2.1").status_code == 303

    response = client.post(URL, answers(email="Carys@Example.com"), REMOTE_ADDR="192.0.2.9")

    assert response.status_code == 429
    assert Complaint.objects.count() == 1
    held = WebSubmission.objects.get(state=WebSubmission.State.HELD)
    assert "email" in held.note


def test_an_invalid_form_does_not_use_up_the_limit(client, at_now, settings):
    settings.REDRESS_SUBMIT_LIMIT_PER_IP = "1/h"
    client.post(URL, answers(name=""))
    assert client.post(URL, answers()).status_code == 303


def test_the_same_form_sent_twice_logs_one_complaint_and_shows_the_same_thanks(client, at_now):
    data = answers()
    first = client.post(URL, data)
    second = client.post(URL, data)

    assert first.status_code == second.status_code == 303
    assert Complaint.objects.count() == 1
    complaint = Complaint.objects.get()
    assert complaint.reference in client.get(THANKS).content.decode()
    duplicate = WebSubmission.objects.exclude(state=WebSubmission.State.ACCEPTED).get()
    assert duplicate.state == WebSubmission.State.RECEIVED
    assert "Sent twice" in duplicate.note


def test_a_form_token_replayed_by_someone_else_logs_their_own_complaint(client, at_now):
    data = answers()
    client.post(URL, data, REMOTE_ADDR="192.0.2.1")
    other = Client()
    other.post(URL, {**data, "name": "Someone Else"}, REMOTE_ADDR="192.0.2.50")
    assert Complaint.objects.count() == 2
    assert "Carys Jones" not in other.get(THANKS).content.decode()


def test_an_expired_csrf_cookie_shows_the_form_again_with_everything_kept(at_now):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post(URL, answers())

    html = response.content.decode()
    assert response.status_code == 403
    assert "For your security we could not accept the form this time." in html
    assert 'value="Carys Jones"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert counts() == NOTHING
    assert "CSRF" in WebSubmission.objects.get().note


def test_a_body_too_large_to_read_is_answered_and_recorded(client, at_now, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(URL, answers(details="x" * 5000))
    assert response.status_code == 413
    assert "too large for us to read" in response.content.decode()
    assert WebSubmission.objects.get().note.startswith("unreadable:")
    assert counts() == NOTHING


# -- when logging fails ------------------------------------------------------------------------------


def test_a_failure_while_logging_keeps_the_submission_and_writes_nothing_else(
    client, at_now, monkeypatch, caplog
):
    def broken(**kwargs):
        raise RuntimeError("database hiccup")

    monkeypatch.setattr("complaints.workflows.submissions.complaint_create", broken)

    response = client.post(URL, answers(attachments=[upload("bill.pdf", PDF)]))

    html = response.content.decode()
    assert response.status_code == 503
    assert "We have kept your complaint" in html
    submission = WebSubmission.objects.get()
    assert f"web submission {submission.pk}" in html
    assert submission.state == WebSubmission.State.FAILED
    assert "RuntimeError: database hiccup" in submission.note
    assert submission.files[0]["path"]
    assert counts() == NOTHING  # the customer created before the failure was rolled back
    assert any("could not be logged" in r.message for r in caplog.records)


def test_sending_a_failed_form_again_does_not_log_it_twice(client, at_now, monkeypatch):
    data = answers()
    monkeypatch.setattr(
        "complaints.workflows.submissions.complaint_create",
        lambda **kwargs: (_ for _ in ()).throw(RuntimeError("boom")),
    )
    client.post(URL, data)
    monkeypatch.undo()

    response = client.post(URL, data)

    assert response.status_code == 503
    assert Complaint.objects.count() == 0
    assert WebSubmission.objects.filter(state=WebSubmission.State.FAILED).count() == 1


def test_an_invalid_choice_with_a_nul_in_a_multipart_post_is_shown_again_not_a_500(client, at_now):
    # The error message quotes the bad value; the submission's note keeps it without the NUL.
    response = client.post(URL, answers(preferred_contact="\x82\x00a"))

    assert response.status_code == 200
    assert error_summary(response)
    assert counts() == NOTHING
    submission = WebSubmission.objects.get()
    assert submission.state == WebSubmission.State.RECEIVED
    assert "\x00" not in submission.note
    assert submission.note.startswith("Invalid: preferred_contact:")

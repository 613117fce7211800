"""complaints.workflows.intake: the identity check, attachment sniffing and complaint_log_contact."""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.models import (
    Attachment,
    AuditEntry,
    Complaint,
    Customer,
    Status,
    TimelineEvent,
)
from complaints.workflows.intake import (
    MAX_ATTACHMENT_BYTES,
    IdentityCheck,
    Outcome,
    attachment_sniff,
    complaint_log_contact,
)
from escalation.calendar import LONDON
from notifications.models import OutboxMessage
from tests.factories import docx_bytes

UTC = datetime.UTC
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20
EML = b"Return-Path: <carys@example.com>\nFrom: carys@example.com\nSubject: My bill\n\nHello"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 40
VERIFIED = IdentityCheck(
    asked=frozenset({"full_name", "postcode"}), passed=frozenset({"full_name", "postcode"})
)
NOT_RESOLVED = dict(
    agreed_next_step="Engineer to test the line.",
    agreed_contact_method="phone",
)


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Complaint, TimelineEvent, Attachment, OutboxMessage, AuditEntry, Customer)
    }


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def log(customer: Customer, by, now: datetime.datetime, **kwargs) -> Complaint:
    arguments = {
        "customer": customer,
        "channel": "phone",
        "category": "fault_repair",
        "summary": "Broadband drops every evening",
        "by": by,
        "now": now,
        "identity": VERIFIED,
        "outcome": Outcome(**NOT_RESOLVED, promised_by=now + datetime.timedelta(days=2)),
        **kwargs,
    }
    return complaint_log_contact(**arguments)


# --- IdentityCheck -----------------------------------------------------------------------


def test_two_passed_questions_verify_the_caller():
    assert VERIFIED.verified and VERIFIED.satisfied


def test_one_passed_question_is_not_enough():
    check = IdentityCheck(asked=frozenset({"full_name"}), passed=frozenset({"full_name"}))
    assert not check.satisfied


def test_a_failed_question_unverifies_however_many_passed():
    check = IdentityCheck(
        asked=frozenset({"full_name", "postcode", "last_payment"}),
        passed=frozenset({"full_name", "postcode"}),
    )
    assert not check.verified and not check.satisfied


def test_override_with_a_reason_satisfies_a_failed_check():
    check = IdentityCheck(
        asked=frozenset({"postcode"}), override_reason="Letter on headed paper from the account"
    )
    assert check.satisfied and not check.verified
    assert check.describe() == (
        "Identity check overridden (1 question(s) failed): Letter on headed paper from the account"
    )


def test_blank_override_reason_does_not_satisfy():
    assert not IdentityCheck(override_reason="   ").satisfied


def test_passed_without_being_asked_is_refused():
    with pytest.raises(ValidationError):
        IdentityCheck(passed=frozenset({"postcode"}))


def test_unknown_question_is_refused():
    with pytest.raises(ValidationError):
        IdentityCheck(asked=frozenset({"mothers_maiden_name"}))


# --- attachment_sniff --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("scan.bin", PDF, "application/pdf"),
        ("photo.pdf", PNG, "image/png"),
        ("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        ("letter.tif", b"II*\x00\x08\x00\x00\x00", "image/tiff"),
        ("message.eml", EML, "message/rfc822"),
        ("notes.txt", "Customer rang about £12.50".encode(), "text/plain"),
        (
            "reply.docx",
            docx_bytes(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
    ],
)
def test_type_comes_from_the_files_own_bytes(name, content, expected):
    assert attachment_sniff(upload(name, content)) == expected


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", EXE),
        ("archive.pdf", b"PK\x03\x04\x14\x00" + b"\xff" * 10),
    ],
)
def test_other_files_are_refused_whatever_their_name(name, content):
    with pytest.raises(ValidationError) as excinfo:
        attachment_sniff(upload(name, content))
    assert name in excinfo.value.messages[0]


def test_file_of_exactly_ten_megabytes_is_accepted():
    content = PDF + b"0" * (MAX_ATTACHMENT_BYTES - len(PDF))
    assert attachment_sniff(upload("scan.pdf", content)) == "application/pdf"


def test_file_over_ten_megabytes_is_refused():
    with pytest.raises(ValidationError, match="larger than 10 MB"):
        attachment_sniff(upload("scan.pdf", PDF + b"0" * MAX_ATTACHMENT_BYTES))


def test_text_with_a_multibyte_character_across_the_sniffed_prefix_is_accepted():
    head = b"From: carys@example.com\nSubject: Refund\n\n"
    content = head + b"a" * (2047 - len(head)) + "£5 refund please".encode()
    assert attachment_sniff(upload("message.eml", content)) == "message/rfc822"


def test_binary_with_nul_bytes_is_not_taken_for_text():
    with pytest.raises(ValidationError):
        attachment_sniff(upload("invoice.pdf", b"MZ" + b"\x00" * 200))


# --- complaint_log_contact ---------------------------------------------------------------


@pytest.mark.django_db
def test_call_resolved_at_first_contact_closes_it_without_an_acknowledgement(customer, agent, now):
    complaint = log(
        customer,
        agent,
        now,
        outcome=Outcome(resolved=True, resolution_summary="Reset the router remotely."),
    )
    assert complaint.status == Status.RESOLVED
    assert complaint.resolved_at_first_contact
    assert complaint.resolved_at == complaint.acknowledged_at == now
    assert complaint.assigned_to is None
    assert complaint.next_due_at is None
    assert not OutboxMessage.objects.filter(complaint=complaint).exists()
    kinds = list(complaint.events.values_list("kind", flat=True))
    assert TimelineEvent.Kind.IDENTITY_CHECK in kinds
    assert TimelineEvent.Kind.RESOLUTION in kinds


@pytest.mark.django_db
def test_call_not_resolved_is_acknowledged_assigned_and_emailed(customer, agent, now):
    promised = london(2026, 11, 4, 16, 0)
    complaint = log(customer, agent, now, outcome=Outcome(**NOT_RESOLVED, promised_by=promised))
    assert complaint.status == Status.ACKNOWLEDGED
    assert complaint.assigned_to == agent
    assert complaint.acknowledged_at == now
    assert complaint.promised_by == promised
    assert complaint.next_due_at == promised
    assert complaint.next_due_clock == "promised_by"
    outbox = OutboxMessage.objects.get(complaint=complaint)
    assert outbox.context["agreed_next_step"] == "Engineer to test the line."
    assert outbox.context["agreed_contact_method"] == "Phone"


@pytest.mark.django_db
def test_identity_check_is_recorded_on_the_timeline(customer, agent, now):
    complaint = log(customer, agent, now)
    event = complaint.events.get(kind=TimelineEvent.Kind.IDENTITY_CHECK)
    assert event.summary == "Identity verified: Full name, Postcode of the account address"
    assert event.data == {
        "asked": ["full_name", "postcode"],
        "passed": ["full_name", "postcode"],
        "override_reason": "",
    }
    assert event.author == agent


@pytest.mark.django_db
def test_call_without_a_satisfied_identity_check_is_refused(customer, agent, now):
    before = row_counts()
    failed = IdentityCheck(asked=frozenset({"postcode"}))
    with pytest.raises(ValidationError) as excinfo:
        log(customer, agent, now, identity=failed)
    assert "identity" in excinfo.value.message_dict
    assert row_counts() == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("outcome", "field"),
    [
        (Outcome(resolved=True, resolution_summary="  "), "resolution_summary"),
        (Outcome(agreed_contact_method="phone"), "agreed_next_step"),
        (
            Outcome(agreed_next_step="Call back", agreed_contact_method="pigeon"),
            "agreed_contact_method",
        ),
        (Outcome(agreed_next_step="Call back", agreed_contact_method="phone"), "promised_by"),
    ],
)
def test_incomplete_outcome_is_refused(customer, agent, now, outcome, field):
    before = row_counts()
    with pytest.raises(ValidationError) as excinfo:
        log(customer, agent, now, outcome=outcome)
    assert field in excinfo.value.message_dict
    assert row_counts() == before


@pytest.mark.django_db
def test_timescale_in_the_past_is_refused(customer, agent, now):
    with pytest.raises(ValidationError) as excinfo:
        log(customer, agent, now, outcome=Outcome(**NOT_RESOLVED, promised_by=now))
    assert "promised_by" in excinfo.value.message_dict


@pytest.mark.django_db
def test_letter_attachment_is_stored_with_its_hash_and_sniffed_type(customer, agent, now):
    complaint = log(
        customer,
        agent,
        now,
        channel="letter",
        identity=IdentityCheck(override_reason="Matched by the letter"),
        outcome=Outcome(),
        received_at=london(2026, 11, 2, 9, 30),
        uploads=[upload("scan.pdf", PDF)],
    )
    attachment = complaint.attachments.get()
    assert attachment.content_type == "application/pdf"
    assert attachment.sha256 == hashlib.sha256(PDF).hexdigest()
    assert attachment.size == len(PDF)
    assert attachment.event.kind == TimelineEvent.Kind.LETTER
    assert attachment.uploaded_by == agent
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    assert complaint.status == Status.NEW
    assert complaint.respond_by == datetime.datetime(2026, 11, 4, 17, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_letter_under_infinity_has_ten_working_days(customer, agent, now, use_code):
    use_code("infinity-group-2016")
    complaint = log(
        customer,
        agent,
        now,
        channel="letter",
        identity=IdentityCheck(override_reason="Matched by the letter"),
        outcome=Outcome(),
        uploads=[upload("scan.pdf", PDF)],
    )
    assert complaint.respond_by == datetime.datetime(2026, 11, 16, 17, 30, tzinfo=UTC)


@pytest.mark.django_db
def test_bad_attachment_refuses_the_whole_complaint(customer, agent, now):
    before = row_counts()
    with pytest.raises(ValidationError) as excinfo:
        log(
            customer,
            agent,
            now,
            channel="letter",
            identity=IdentityCheck(override_reason="Matched by the letter"),
            outcome=Outcome(),
            uploads=[upload("scan.pdf", PDF), upload("invoice.pdf", EXE)],
        )
    assert "attachments" in excinfo.value.message_dict
    assert row_counts() == before


@pytest.mark.django_db
def test_future_first_made_is_refused(customer, agent, now):
    before = row_counts()
    with pytest.raises(ValidationError) as excinfo:
        log(customer, agent, now, first_made_at=now + datetime.timedelta(hours=1))
    assert "first_made_at" in excinfo.value.message_dict
    assert row_counts() == before


@pytest.mark.django_db
def test_future_first_made_says_it_is_in_the_future(customer, agent, now):
    with pytest.raises(ValidationError) as excinfo:
        log(customer, agent, now, first_made_at=now + datetime.timedelta(hours=1))
    assert excinfo.value.message_dict["first_made_at"] == [
        "A complaint cannot have been first made in the future."
    ]


@pytest.mark.django_db
def test_letter_logged_without_a_check_is_not_described_as_overridden(customer, agent, now):
    complaint = log(
        customer, agent, now, channel="letter", identity=IdentityCheck(), outcome=Outcome()
    )
    event = complaint.events.get(kind=TimelineEvent.Kind.IDENTITY_CHECK)
    assert "overridden" not in event.summary


@pytest.mark.django_db
def test_promise_beyond_the_codes_call_back_window_is_refused(customer, agent, now, use_code):
    use_code("infinity-group-2016")
    with pytest.raises(ValidationError) as excinfo:
        log(
            customer,
            agent,
            now,
            outcome=Outcome(**NOT_RESOLVED, promised_by=london(2026, 11, 20, 12, 0)),
        )
    assert "promised_by" in excinfo.value.message_dict

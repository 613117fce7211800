"""Email in: each .eml fixture is a real message; `ingest_email` reads one on stdin."""

from __future__ import annotations

import datetime
import io
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from complaints.models import Complaint, InboundEmail, TimelineEvent
from complaints.workflows.email_intake import (
    email_ingest,
    email_triage_confirm,
    email_triage_discard,
)
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db
EMAILS = Path(__file__).with_name("emails")
State = InboundEmail.State
# Monday 2 November 2026, 10:20 GMT: a working day, shortly after the fixtures arrived.
NOW = datetime.datetime(2026, 11, 2, 10, 20, tzinfo=datetime.UTC)


def ingest(name: str, now: datetime.datetime = NOW) -> InboundEmail:
    return email_ingest(raw=(EMAILS / name).read_bytes(), now=now)


def test_a_plain_email_becomes_a_new_complaint_awaiting_triage():
    inbound = ingest("plain.eml")
    assert inbound.state == State.TRIAGE
    complaint = inbound.complaint
    assert complaint.channel == "email"
    assert complaint.summary == "Broadband down for a week"
    assert "dropped every evening" in complaint.details


def test_the_complaint_is_received_when_the_message_arrived():
    complaint = ingest("plain.eml").complaint
    assert complaint.received_at == datetime.datetime(2026, 11, 2, 10, 5, 12, tzinfo=datetime.UTC)


def test_effective_receipt_follows_the_codes_office_hours():
    raw = (EMAILS / "plain.eml").read_bytes().replace(b"10:05:12 +0000", b"19:30:00 +0000")
    late = datetime.datetime(2026, 11, 2, 19, 40, tzinfo=datetime.UTC)
    complaint = email_ingest(raw=raw, now=late).complaint
    assert complaint.effective_receipt_at == datetime.datetime(
        2026, 11, 3, 9, 0, tzinfo=datetime.UTC
    )


def test_the_customer_is_matched_by_address():
    known = CustomerFactory(name="Dana Price", email="dana@example.com")
    assert ingest("plain.eml").complaint.customer == known


def test_an_unknown_sender_becomes_a_new_customer_named_from_the_header():
    customer = ingest("plain.eml").complaint.customer
    assert (customer.name, customer.email) == ("Dana Price", "dana@example.com")


def test_identity_is_recorded_as_not_verified():
    complaint = ingest("plain.eml").complaint
    check = complaint.events.get(kind=TimelineEvent.Kind.IDENTITY_CHECK)
    assert check.summary.startswith("Identity not verified")


def test_the_acknowledgement_goes_out_as_for_the_web_form():
    complaint = ingest("plain.eml").complaint
    ack = OutboxMessage.objects.get(template="complaint_acknowledgement")
    assert ack.recipient == "dana@example.com"
    assert ack.context["reference"] == complaint.reference


def test_an_html_only_email_is_read_as_text_without_its_markup():
    complaint = ingest("html_only.eml").complaint
    assert "charged £49.99 instead of £29.99" in complaint.details
    assert "alert" not in complaint.details and "color" not in complaint.details


def test_attachments_are_kept_and_unsupported_ones_noted():
    inbound = ingest("multipart_attachments.eml")
    names = sorted(a.original_name for a in inbound.complaint.attachments.all())
    assert names == ["bill-october.pdf", "router.png"]
    assert "setup.exe" in inbound.note
    assert "router lights are red" in inbound.complaint.details


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("iso_8859_1.eml", "factur\u00e9e \u00a310"),
        ("windows_1252.eml", "\u201cno extra charges\u201d"),
    ],
)
def test_non_utf8_charsets_are_decoded(name, words):
    complaint = ingest(name).complaint
    assert words in complaint.details


def test_an_iso_8859_1_sender_name_and_subject_are_decoded():
    complaint = ingest("iso_8859_1.eml").complaint
    assert complaint.customer.name == "Ren\u00e9e Dubois"
    assert complaint.summary == "Facture \u00e0 \u00a310"


@pytest.fixture
def awaiting_dana():
    dana = CustomerFactory(name="Dana Price", email="dana@example.com")
    complaint = ComplaintFactory(customer=dana)
    Complaint.objects.filter(pk=complaint.pk).update(
        reference="RD-7Q2M-4KXP",
        status="awaiting_customer",
        auto_close_at=NOW + datetime.timedelta(days=14),
    )
    complaint.refresh_from_db()
    return complaint


def test_a_reply_quoting_our_acknowledgement_lands_on_that_complaint(awaiting_dana):
    inbound = ingest("reply_to_acknowledgement.eml")
    assert inbound.state == State.REPLY
    assert inbound.complaint == awaiting_dana
    assert awaiting_dana.events.filter(body__contains="went down again").exists()
    assert Complaint.objects.count() == 1


def test_a_reply_stops_auto_close(awaiting_dana):
    ingest("reply_to_acknowledgement.eml")
    awaiting_dana.refresh_from_db()
    assert awaiting_dana.status == "investigating"
    assert awaiting_dana.auto_close_at is None


def test_a_reply_keeps_its_attachments(awaiting_dana):
    ingest("reply_to_acknowledgement.eml")
    assert [a.original_name for a in awaiting_dana.attachments.all()] == ["speedtest.png"]


def test_a_reply_alerts_the_owner(awaiting_dana, agent):
    Complaint.objects.filter(pk=awaiting_dana.pk).update(assigned_to=agent)
    ingest("reply_to_acknowledgement.eml")
    alert = OutboxMessage.objects.get(template="staff_customer_action")
    assert alert.recipient == agent.email


def test_a_reference_from_another_address_is_not_a_reply(awaiting_dana):
    raw = (
        (EMAILS / "reply_to_acknowledgement.eml")
        .read_bytes()
        .replace(b"DANA@example.com", b"mallory@example.net")
    )
    inbound = email_ingest(raw=raw, now=NOW)
    assert inbound.state == State.TRIAGE
    assert inbound.complaint != awaiting_dana
    awaiting_dana.refresh_from_db()
    assert awaiting_dana.status == "awaiting_customer"


@pytest.mark.parametrize("name", ["bounce.eml", "auto_reply.eml"])
def test_bounces_and_auto_replies_never_create_complaints_or_acknowledgements(name, awaiting_dana):
    outbox_before = OutboxMessage.objects.count()
    inbound = ingest(name)
    assert inbound.state == State.IGNORED
    assert Complaint.objects.count() == 1
    assert OutboxMessage.objects.count() == outbox_before
    awaiting_dana.refresh_from_db()
    assert awaiting_dana.status == "awaiting_customer"  # an auto-reply is not the customer


def test_the_same_message_id_twice_is_processed_once():
    first = ingest("plain.eml")
    second = ingest("duplicate.eml")
    assert second.state == State.DUPLICATE
    assert Complaint.objects.count() == 1
    assert OutboxMessage.objects.filter(template="complaint_acknowledgement").count() == 1
    assert str(first.pk) in second.note


def test_every_message_is_stored_exactly_as_received():
    inbound = ingest("multipart_attachments.eml")
    assert bytes(inbound.raw) == (EMAILS / "multipart_attachments.eml").read_bytes()


def test_a_message_that_cannot_be_parsed_is_kept_for_an_admin():
    inbound = ingest("not_an_email.eml")
    assert inbound.state == State.FAILED
    assert bytes(inbound.raw).startswith(b"this is not an email")
    assert not Complaint.objects.exists()


def test_a_crash_while_processing_keeps_the_message(monkeypatch):
    from complaints.workflows import email_intake

    def boom(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(email_intake, "_new_complaint", boom)
    inbound = ingest("plain.eml")
    assert inbound.state == State.FAILED
    assert "database went away" in inbound.note
    assert InboundEmail.objects.filter(pk=inbound.pk).exists()


def test_triage_confirm_takes_it_off_the_queue(agent):
    inbound = ingest("plain.eml")
    done = email_triage_confirm(inbound_id=inbound.pk, by=agent, now=NOW)
    assert done.state == State.CONFIRMED
    assert done.triaged_by == agent


def test_triage_discard_closes_the_complaint_and_keeps_the_message(agent):
    inbound = ingest("plain.eml")
    done = email_triage_discard(inbound_id=inbound.pk, by=agent, now=NOW, reason="Spam")
    assert done.state == State.DISCARDED
    assert bytes(done.raw) == (EMAILS / "plain.eml").read_bytes()
    done.complaint.refresh_from_db()
    assert done.complaint.status == "closed"
    assert done.complaint.events.filter(summary__startswith="Discarded", author=agent).exists()


def test_triage_discard_needs_a_reason(agent):
    inbound = ingest("plain.eml")
    with pytest.raises(Exception, match="why"):
        email_triage_discard(inbound_id=inbound.pk, by=agent, now=NOW, reason=" ")
    inbound.refresh_from_db()
    assert inbound.state == State.TRIAGE


def test_an_admin_cannot_triage(admin_staff):
    inbound = ingest("plain.eml")
    with pytest.raises(Exception, match="agents and managers"):
        email_triage_confirm(inbound_id=inbound.pk, by=admin_staff, now=NOW)


def test_the_command_reads_one_message_on_standard_input(monkeypatch):
    raw = (EMAILS / "plain.eml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw)))
    out = io.StringIO()
    call_command("ingest_email", stdout=out)
    inbound = InboundEmail.objects.get()
    assert out.getvalue().startswith(f"triage {inbound.complaint.reference}")

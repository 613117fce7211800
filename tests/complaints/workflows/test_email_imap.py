"""The IMAP poller against a real IMAP server (Dovecot) started by the test."""

from __future__ import annotations

import datetime
import imaplib
import shutil
from pathlib import Path

import pytest

from complaints.models import Complaint, InboundEmail
from complaints.workflows.email_imap import email_imap_poll, mailbox_parse
from tests.complaints.workflows.dovecot import PASSWORD, USER, dovecot_server

EMAILS = Path(__file__).with_name("emails")
pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("dovecot") is None and not Path("/usr/sbin/dovecot").exists(),
        reason="dovecot-imapd is not installed (scripts/system-deps installs it)",
    ),
]


@pytest.fixture(scope="module")
def imap_server():
    with dovecot_server() as server:
        yield server


def _deliver(server, *names: str) -> None:
    conn = imaplib.IMAP4("127.0.0.1", server.port)
    conn.login(USER, PASSWORD)
    for name in names:
        conn.append("INBOX", None, None, (EMAILS / name).read_bytes())
    conn.logout()


def _count(server, folder: str) -> int:
    conn = imaplib.IMAP4("127.0.0.1", server.port)
    conn.login(USER, PASSWORD)
    status, data = conn.select(f'"{folder}"')
    conn.logout()
    return int(data[0]) if status == "OK" else 0


@pytest.fixture
def empty_mailbox(imap_server):
    conn = imaplib.IMAP4("127.0.0.1", imap_server.port)
    conn.login(USER, PASSWORD)
    for folder in ("INBOX", "Processed"):
        status, data = conn.select(f'"{folder}"')
        if status == "OK" and int(data[0]):
            conn.store("1:*", "+FLAGS", r"(\Deleted)")
            conn.expunge()
    conn.logout()
    return imap_server


def test_the_poller_takes_in_each_message_and_moves_it_to_the_done_folder(empty_mailbox):
    _deliver(empty_mailbox, "plain.eml", "html_only.eml", "auto_reply.eml")
    report = email_imap_poll(url=empty_mailbox.url, done_folder="Processed")
    assert report.taken_in == 3
    assert report.states == {"triage": 2, "ignored": 1}
    assert Complaint.objects.count() == 2
    assert _count(empty_mailbox, "INBOX") == 0
    assert _count(empty_mailbox, "Processed") == 3


def test_a_message_left_in_the_inbox_is_not_processed_twice(empty_mailbox):
    _deliver(empty_mailbox, "plain.eml")
    email_imap_poll(url=empty_mailbox.url, done_folder="Processed")
    _deliver(empty_mailbox, "duplicate.eml")  # e.g. the move failed and it came back
    report = email_imap_poll(url=empty_mailbox.url, done_folder="Processed")
    assert report.states == {"duplicate": 1}
    assert Complaint.objects.count() == 1


def test_the_message_is_stored_as_arriving_at_the_servers_internal_date(empty_mailbox):
    arrived = datetime.datetime(2026, 11, 2, 10, 6, tzinfo=datetime.UTC)
    conn = imaplib.IMAP4("127.0.0.1", empty_mailbox.port)
    conn.login(USER, PASSWORD)
    conn.append(
        "INBOX", None, imaplib.Time2Internaldate(arrived), (EMAILS / "plain.eml").read_bytes()
    )
    conn.logout()
    email_imap_poll(url=empty_mailbox.url, done_folder="Processed")
    inbound = InboundEmail.objects.get()
    assert inbound.received_at == arrived
    # Our own mail server's Received: stamp, a minute earlier, is when the complaint was made.
    assert inbound.complaint.received_at == datetime.datetime(
        2026, 11, 2, 10, 5, 12, tzinfo=datetime.UTC
    )


def test_an_unparseable_message_is_kept_and_moved_out_of_the_inbox(empty_mailbox):
    _deliver(empty_mailbox, "not_an_email.eml")
    email_imap_poll(url=empty_mailbox.url, done_folder="Processed")
    inbound = InboundEmail.objects.get()
    assert inbound.source == "imap"
    assert inbound.state == "failed"  # kept for an admin, and still moved out of the inbox
    assert _count(empty_mailbox, "INBOX") == 0


def test_the_mailbox_url_accepts_imaps_and_encoded_credentials():
    box = mailbox_parse("imaps://support%40isp.example:p%2Fss@mail.example.net/Complaints")
    assert (box.secure, box.port, box.user, box.password, box.folder) == (
        True, 993, "support@isp.example", "p/ss", "Complaints",
    )  # fmt: skip


def test_a_url_that_is_not_imap_is_refused():
    with pytest.raises(ValueError, match="imaps://"):
        mailbox_parse("https://mail.example.net/")

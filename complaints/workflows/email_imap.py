"""The beat job that polls an IMAP mailbox (REDRESS_IMAP_URL=imaps://user:pass@host/INBOX).

Each message is taken in through email_ingest (stored first, then processed) and only then
moved to the done folder, so a crash between the two leaves it in the inbox: the next poll
takes it in again and the Message-ID makes that a duplicate, processed once. Bounded per run.
"""

from __future__ import annotations

import datetime
import imaplib
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from complaints.workflows.email_intake import email_ingest

log = logging.getLogger(__name__)
BATCH = 200
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Mailbox:
    secure: bool
    host: str
    port: int
    user: str
    password: str
    folder: str


@dataclass
class PollReport:
    taken_in: int = 0
    states: dict[str, int] = field(default_factory=dict)


def mailbox_parse(url: str) -> Mailbox:
    """imap[s]://user:password@host[:port]/FOLDER (user and password percent-encoded)."""
    parts = urlsplit(url)
    if parts.scheme not in ("imap", "imaps") or not parts.hostname:
        raise ValueError("REDRESS_IMAP_URL must look like imaps://user:password@host/INBOX")
    secure = parts.scheme == "imaps"
    return Mailbox(
        secure=secure,
        host=parts.hostname,
        port=parts.port or (993 if secure else 143),
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        folder=unquote(parts.path.lstrip("/")) or "INBOX",
    )


def _arrived(fetched: bytes) -> datetime.datetime | None:
    stamp = imaplib.Internaldate2tuple(fetched)
    if stamp is None:
        return None
    return datetime.datetime.fromtimestamp(time.mktime(stamp), tz=datetime.UTC)


def _quoted(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def email_imap_poll(*, url: str, done_folder: str, batch: int = BATCH) -> PollReport:
    box = mailbox_parse(url)
    connect = imaplib.IMAP4_SSL if box.secure else imaplib.IMAP4
    report = PollReport()
    conn = connect(box.host, box.port, timeout=TIMEOUT_SECONDS)
    try:
        conn.login(box.user, box.password)
        conn.create(_quoted(done_folder))  # "already exists" is fine
        status, _ = conn.select(_quoted(box.folder))
        if status != "OK":
            raise RuntimeError(f"cannot open the IMAP folder {box.folder!r}")
        _, found = conn.uid("SEARCH", None, "UNDELETED")
        uids = (found[0] or b"").split()[:batch]
        can_move = "MOVE" in conn.capabilities
        for uid in uids:
            status, data = conn.uid("FETCH", uid, "(INTERNALDATE BODY.PEEK[])")
            if status != "OK" or not data or not isinstance(data[0], tuple):
                continue
            meta, raw = data[0]
            inbound = email_ingest(
                raw=raw, now=timezone.now(), source="imap", arrived_at=_arrived(meta)
            )
            report.taken_in += 1
            report.states[inbound.state] = report.states.get(inbound.state, 0) + 1
            if can_move:
                conn.uid("MOVE", uid, _quoted(done_folder))
            else:
                conn.uid("COPY", uid, _quoted(done_folder))
                conn.uid("STORE", uid, "+FLAGS", r"(\Deleted)")
        conn.expunge()
    finally:
        try:
            conn.logout()
        except (imaplib.IMAP4.error, OSError):
            pass
    return report


@shared_task(name="complaints.tasks.email_imap_poll_task", ignore_result=True)
def email_imap_poll_task() -> int:
    """Beat runs this every minute when REDRESS_IMAP_URL is set (config/settings/base.py)."""
    if not settings.REDRESS_IMAP_URL:
        return 0
    report = email_imap_poll(
        url=settings.REDRESS_IMAP_URL, done_folder=settings.REDRESS_IMAP_DONE_FOLDER
    )
    if report.taken_in:
        log.info("IMAP poll took in %s message(s): %s", report.taken_in, report.states)
    return report.taken_in

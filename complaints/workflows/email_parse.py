"""Reading one RFC 5322 message: who sent it, what it says, its files, and whether a machine
sent it (bounces, auto-replies, bulk mail never become complaints and are never answered).

Pure: bytes in, a ParsedEmail out; no database. Charsets are decoded as declared, and a wrong
or unknown declaration falls back to Windows-1252 rather than failing (what mail clients do).
"""

from __future__ import annotations

import datetime
import email
import email.policy
import email.utils
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage
from html.parser import HTMLParser

REFERENCE = re.compile(r"\bRD-?([0-9A-Z]{4})-?([0-9A-Z]{4})\b", re.IGNORECASE)
_CROCKFORD = str.maketrans({"O": "0", "I": "1", "L": "1"})
AUTOMATIC_SENDERS = re.compile(r"^(mailer-daemon|postmaster|no-?reply|bounces?)([+@.-]|$)", re.I)


class UnparseableEmail(ValueError):
    """The message cannot be read as an email (no sender we could ever answer, say)."""


@dataclass(frozen=True)
class EmailFile:
    name: str
    content_type: str
    data: bytes


@dataclass
class ParsedEmail:
    message_id: str
    from_address: str
    from_name: str
    subject: str
    text: str
    sent_at: datetime.datetime | None
    arrived_at: datetime.datetime | None
    automatic: str = ""  # why a machine sent it, or "" for a person
    files: list[EmailFile] = field(default_factory=list)

    def references(self) -> list[str]:
        """Complaint references in the subject first, then the body, in order, once each."""
        found: list[str] = []
        for text in (self.subject, self.text):
            for match in REFERENCE.finditer(text):
                reference = "RD-" + "-".join(
                    p.upper().translate(_CROCKFORD) for p in match.groups()
                )
                if reference not in found:
                    found.append(reference)
        return found


class _TextOfHtml(HTMLParser):
    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in ("script", "style", "head"):
            self.skip += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head"):
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _TextOfHtml()
    parser.feed(markup)
    parser.close()
    text = html.unescape("".join(parser.parts))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _decoded(part: EmailMessage) -> str:
    try:
        content = part.get_content()
    except (LookupError, UnicodeError, AssertionError):
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("windows-1252", errors="replace")
    return content if isinstance(content, str) else content.decode("utf-8", errors="replace")


def _automatic(message: EmailMessage, from_address: str) -> str:
    auto_submitted = str(message.get("Auto-Submitted", "")).strip().lower()
    if auto_submitted and auto_submitted != "no":
        return f"Auto-Submitted: {auto_submitted}"
    precedence = str(message.get("Precedence", "")).strip().lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if message.get_content_type() == "multipart/report":
        return "a delivery or read report (multipart/report)"
    for header in ("X-Autoreply", "X-Autorespond"):
        value = str(message.get(header, "")).strip().lower()
        if value:
            return f"{header}: {value}"
    if str(message.get("Return-Path", "")).strip() == "<>":
        return "a null return path (a bounce)"
    if AUTOMATIC_SENDERS.match(from_address):
        return f"sent by {from_address}"
    return ""


def _when(value: object) -> datetime.datetime | None:
    try:
        parsed = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.tzinfo is None:
        return None
    return parsed.astimezone(datetime.UTC)


def _arrived(message: EmailMessage) -> datetime.datetime | None:
    """The newest Received: header's date: when our mail server took the message."""
    for received in message.get_all("Received", []) or []:
        _, _, stamp = str(received).rpartition(";")
        when = _when(stamp.strip())
        if when is not None:
            return when
    return None


def email_parse(raw: bytes) -> ParsedEmail:
    """Read the message; UnparseableEmail when there is no sender to answer or no message."""
    if not raw.strip():
        raise UnparseableEmail("The message is empty.")
    try:
        message = email.message_from_bytes(raw, policy=email.policy.default)
        _, from_address = email.utils.parseaddr(str(message.get("From", "")))
        from_name = str(email.utils.parseaddr(str(message.get("From", "")))[0]).strip()
    except (ValueError, TypeError, IndexError, LookupError) as exc:
        raise UnparseableEmail(f"The headers cannot be read: {exc}") from exc
    if message.defects and not message.keys():
        raise UnparseableEmail("No headers: this is not an email.")
    if "@" not in from_address:
        raise UnparseableEmail("The message has no sender address (From:).")
    automatic = _automatic(message, from_address)

    body = message.get_body(preferencelist=("plain", "html"))
    text = ""
    if body is not None:
        text = _decoded(body)
        if body.get_content_type() == "text/html":
            text = html_to_text(text)
    files = []
    for part in message.iter_attachments():
        payload = part.get_payload(decode=True)
        if payload is None and part.get_content_type() == "message/rfc822":
            payload = part.as_bytes()
        if not payload:
            continue
        name = part.get_filename() or f"attachment-{len(files) + 1}"
        files.append(EmailFile(name=name[:200], content_type=part.get_content_type(), data=payload))
    return ParsedEmail(
        message_id=str(message.get("Message-ID", "")).strip()[:998],
        from_address=from_address.strip().lower()[:254],
        from_name=from_name[:200],
        subject=" ".join(str(message.get("Subject", "")).split())[:998],
        text=text.replace("\r\n", "\n").strip(),
        sent_at=_when(message.get("Date")),
        arrived_at=_arrived(message),
        automatic=automatic,
        files=files,
    )

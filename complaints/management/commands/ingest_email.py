"""`manage.py ingest_email < message.eml`: the mail-gateway convention (the provider's mail
server pipes each message to it). Exit status 0 whenever the message was stored, even if it
could not be parsed (it is then kept for an admin): a mail server retries on failure, and a
retry of a stored message would only be a duplicate."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from complaints.workflows.email_intake import email_ingest

MAX_MESSAGE_BYTES = 40 * 1024 * 1024


class Command(BaseCommand):
    help = "Take in one RFC 5322 email from standard input (a complaint or a customer reply)."

    def handle(self, *args: Any, **options: Any) -> None:
        raw = sys.stdin.buffer.read(MAX_MESSAGE_BYTES + 1)
        if len(raw) > MAX_MESSAGE_BYTES:
            raise CommandError("The message is larger than 40 MB; it was not taken in.")
        if not raw.strip():
            raise CommandError("No message on standard input.")
        inbound = email_ingest(raw=raw, now=timezone.now(), source="stdin")
        reference = f" {inbound.complaint.reference}" if inbound.complaint_id else ""
        self.stdout.write(f"{inbound.state}{reference} (inbound email #{inbound.pk})")

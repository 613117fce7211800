"""Telling the customer, at every step they can see, by the contact method agreed with them.

Infinity: "We will keep you updated on the course of your complaint"; soVision: "we will keep
you informed (by telephone or email whichever method is agreed with you) of progress". Each
customer-visible staff step (acknowledging, an update, a proposed resolution or remedy,
escalating, our final position) is sent:

- by email through the outbox, when email is the agreed method (or the customer's preferred
  one) and we have an address;
- otherwise as a task on the staff side — call the customer, or post them a letter — recorded
  on the timeline (internal) with what to say and the customer's support needs, so nobody has
  to remember.

Letters (deadlock / ADR) follow the same choice in `letters.letter_send`. Called inside the
business transaction, after the change: the email goes out after commit.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from complaints.models import Complaint, ContactMethod, TimelineEvent, VulnerabilityFlag
from complaints.timeline import timeline_record
from complaints.tokens import follow_token_make
from notifications.services import notification_enqueue

TEMPLATE = "customer_update"


def contact_method(complaint: Complaint) -> str:
    """How we tell this customer: the method agreed for the complaint, else their preference;
    email only when we have an address (else a letter)."""
    method = complaint.agreed_contact_method or complaint.customer.preferred_contact
    if method == ContactMethod.EMAIL and not complaint.customer.email:
        return ContactMethod.LETTER
    return method


def support_needs(complaint: Complaint) -> list[str]:
    """The customer's support needs, in words, for whoever contacts them."""
    labels = dict(VulnerabilityFlag.choices)
    return [labels.get(flag, flag) for flag in complaint.customer.vulnerability_flags or []]


def customer_tell(
    *,
    complaint: Complaint,
    step: str,
    summary: str,
    body: str = "",
    now: Any,
    by: Any = None,
    method: str | None = None,
) -> str:
    """Send one customer-visible step by the agreed method; returns the method used.

    `step` keys the message (one email per step and complaint version, however often the
    caller retries); `method` overrides the agreed one (an update the agent already gave).
    """
    method = method or contact_method(complaint)
    key = f"complaint:{complaint.reference}:{step}:{complaint.row_version}"
    if method == ContactMethod.EMAIL:
        version = complaint.code_version
        path = reverse(
            "complaints:follow", args=[complaint.reference, follow_token_make(complaint)]
        )
        notification_enqueue(
            recipient=complaint.customer.email,
            template=TEMPLATE,
            context={
                "reference": complaint.reference,
                "customer_name": complaint.customer.name,
                "summary": summary,
                "body": body,
                "status": complaint.get_status_display(),
                "follow_url": settings.REDRESS_BASE_URL.rstrip("/") + path,
                "company_name": version.company_name or settings.REDRESS_SITE_NAME,
                "company_phone": version.company_phone,
            },
            idempotency_key=key,
            complaint=complaint,
        )
        return method
    needs = support_needs(complaint)
    what = "Call" if method == ContactMethod.PHONE else "Post a letter to"
    if method == ContactMethod.PHONE:
        where = complaint.customer.phone or "no phone number on file"
    else:
        where = "their address"
    # Whoever makes the call or posts the letter sees the customer's needs in the task itself.
    care = f" Support needs: {', '.join(needs)}." if needs else ""
    timeline_record(
        complaint=complaint,
        kind=TimelineEvent.Kind.NOTE,
        summary=f"To do: {what.lower()} the customer ({where}) to tell them: {summary}.{care}",
        body=body,
        occurred_at=now,
        author=by,
        data={
            "task": "call" if method == ContactMethod.PHONE else "post",
            "step": step,
            "needs": needs,
        },  # fmt: skip
        dedupe_key=key,
    )
    return method

"""Which ADR letter a complaint gets, why, under which code, and whether a manager approves it.

Ofcom (since October 2018) requires the ADR letter unprompted in two cases: when the complaint
is still unresolved at the end of the ADR period, and at deadlock (we gave our outcome, the
customer is unhappy with it, and we will not review it further). Each code version says, per
case, whether it sends the letter unprompted or only when asked, and whether each letter is
sent at once or queued for a manager's approval (`adr_letter_due_by` is then the manager's due
clock). One letter is enough: a complaint that had its letter at deadlock gets none at the
period. Only ADR-eligible customers get an ADR letter; the others are told why not.

The rules live here; the ADR-period sweep (escalation/sweeps.py) and the customer's rejection
of our final position call them. Every ADR letter carries its `reason` ("adr_period" or
"deadlock").
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from complaints.lifecycle import Action
from complaints.models import Complaint, Letter, Status, TimelineEvent
from complaints.services import complaint_due_refresh, complaint_refresh_clocks
from complaints.timeline import clock_changes_record, timeline_record
from complaints.workflows.customer_updates import customer_tell
from complaints.workflows.letter_content import letter_context
from complaints.workflows.letters import letter_issue, letter_render_enqueue, letters_issue_bulk
from complaints.workflows.transition import _Event, _transition
from escalation.calendar import local_date
from escalation.choices import AdrLetterAtDeadlock, AdrLetterAtPeriod, LetterReason
from escalation.models import CodeVersion

Visibility = TimelineEvent.Visibility

SEND = "send"
QUEUE = "queue"
ON_REQUEST = "on_request"
NONE = "none"

# The ADR letter's words about where the complaint stands, by reason (the manager's deadlock
# letter carries the manager's own final position instead).
POSITION = {
    LetterReason.ADR_PERIOD: (
        "We have not yet been able to resolve your complaint. We are still working on it and we "
        "will keep you updated."
    ),
    LetterReason.DEADLOCK: (
        "We gave you our final position on your complaint and you told us you are not happy "
        "with it. We have reviewed your complaint as far as our code of practice allows and we "
        "will not review it further."
    ),
}


@dataclass(frozen=True)
class LetterDecision:
    what: str  # SEND, QUEUE, ON_REQUEST or NONE
    why: str


def adr_letter_decision(version: CodeVersion, *, reason: str, eligible: bool) -> LetterDecision:
    """What the code version says happens with the ADR letter in case `reason`."""
    if not eligible:
        return LetterDecision(NONE, "The customer is not eligible for the ADR scheme.")
    if reason == LetterReason.ADR_PERIOD:
        if version.adr_letter_at_period != AdrLetterAtPeriod.UNPROMPTED:
            return LetterDecision(NONE, f"{version} sends no letter at the ADR period.")
        unprompted = "sent unprompted at the ADR period"
    else:
        if version.adr_letter_at_deadlock == AdrLetterAtDeadlock.ON_REQUEST:
            return LetterDecision(
                ON_REQUEST, f"{version} sends the deadlock letter when the customer asks."
            )
        unprompted = "sent unprompted at deadlock"
    if version.adr_letter_needs_approval:
        return LetterDecision(QUEUE, f"{version}: {unprompted}, once a manager approves it.")
    return LetterDecision(SEND, f"{version}: {unprompted}.")


def _letter_dates_set(c: Complaint, *, reason: str, now: datetime.datetime) -> None:
    """Our ADR letter is dated today: the refer-by clock (and, at deadlock under a code that
    says so, ADR eligibility) follows from it."""
    c.letter_date = local_date(now)
    c.letter_reason = reason
    if c.adr_letter_asked_at is not None:
        c.adr_letter_issued_at = now


def deadlock_reached(*, complaint_id: int, now: datetime.datetime) -> Complaint:
    """The customer rejected the final position taken at the code's last tier: deadlock.

    Call inside the transaction that recorded the rejection. Sends the ADR letter, queues it
    for a manager, or (soVision) tells the customer they may ask for the deadlock letter.
    """
    complaint = Complaint.objects.select_related("code_version", "customer").get(pk=complaint_id)
    decision = adr_letter_decision(
        complaint.code_version, reason=LetterReason.DEADLOCK, eligible=complaint.adr_eligible
    )
    if decision.what == SEND:

        def change(c: Complaint, _: Status) -> list[_Event]:
            _letter_dates_set(c, reason=LetterReason.DEADLOCK, now=now)
            return [_Event(TimelineEvent.Kind.LETTER, "ADR letter issued at deadlock",
                           visibility=Visibility.CUSTOMER,
                           data={"letter": "adr", "reason": LetterReason.DEADLOCK})]  # fmt: skip

        complaint = _transition(complaint_id=complaint_id, action=Action.ISSUE_DEADLOCK, by=None,
                                now=now, expected_version=None, change=change)  # fmt: skip
        letter_issue(complaint=complaint, kind=Letter.Kind.ADR, reason=LetterReason.DEADLOCK,
                     body=POSITION[LetterReason.DEADLOCK], by=None, now=now)  # fmt: skip
        return complaint
    if decision.what == QUEUE:
        _queue(complaint_id=complaint_id, reason=LetterReason.DEADLOCK, now=now)
        return Complaint.objects.get(pk=complaint_id)
    if decision.what == ON_REQUEST:
        summary = (
            "This is our final position. If you are still unhappy you can ask us for a deadlock "
            "letter, which lets you take your complaint to the ombudsman."
        )
    else:
        summary = (
            "This is our final position and we will not review your complaint further. "
            f"The ombudsman cannot look at it: {complaint.adr_ineligible_reason}"
        )
    timeline_record(complaint=complaint, kind=TimelineEvent.Kind.NOTE, summary=summary,
                    visibility=Visibility.CUSTOMER, occurred_at=now,
                    data={"deadlock": decision.what}, dedupe_key=f"deadlock:{now.isoformat()}")  # fmt: skip
    # Told by the agreed contact method too, not only on their page.
    customer_tell(complaint=complaint, step="deadlock", summary=summary.rstrip("."), now=now)
    return complaint


def _queue(*, complaint_id: int, reason: str, now: datetime.datetime) -> Letter:
    """An ADR letter waiting for a manager's approval; its due clock starts now."""
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("customer", "code_version", "assigned_to")
        .get(pk=complaint_id)
    )
    letter = Letter.objects.create(
        complaint=complaint,
        kind=Letter.Kind.ADR,
        reason=reason,
        state=Letter.State.AWAITING_APPROVAL,
        dated=local_date(now),
        body=POSITION[reason],
        context={},
    )
    complaint.adr_letter_asked_at = now
    complaint.adr_letter_issued_at = None
    changes = complaint_refresh_clocks(complaint)
    complaint_due_refresh(complaint)
    complaint.row_version += 1
    complaint.save()
    timeline_record(complaint=complaint, kind=TimelineEvent.Kind.LETTER,
                    summary="ADR letter waiting for a manager's approval",
                    occurred_at=now, data={"letter_id": letter.pk, "reason": reason})  # fmt: skip
    clock_changes_record(complaint=complaint, changes=changes, now=now, by=None)
    return letter


@transaction.atomic
def adr_letter_approve(*, letter_id: int, by: AbstractBaseUser, now: datetime.datetime) -> Letter:
    """A manager approves a queued ADR letter: dated today, then rendered and sent."""
    letter = Letter.objects.select_for_update().get(pk=letter_id)
    if letter.state != Letter.State.AWAITING_APPROVAL:
        raise ValidationError("This letter is not waiting for approval.")
    deadlock = letter.reason == LetterReason.DEADLOCK
    action = Action.ISSUE_DEADLOCK if deadlock else Action.ISSUE_ADR_LETTER
    title = "at deadlock" if letter.reason == LetterReason.DEADLOCK else "at the ADR period"

    def change(c: Complaint, _: Status) -> list[_Event]:
        _letter_dates_set(c, reason=letter.reason, now=now)
        return [_Event(TimelineEvent.Kind.LETTER, f"ADR letter approved and issued {title}",
                       visibility=Visibility.CUSTOMER,
                       data={"letter": "adr", "reason": letter.reason})]  # fmt: skip

    complaint = _transition(complaint_id=letter.complaint_id, action=action, by=by, now=now,
                            expected_version=None, change=change)  # fmt: skip
    dated = local_date(now)
    letter.dated = dated
    letter.issued_by = by
    letter.state = Letter.State.PENDING
    letter.context = letter_context(complaint=complaint, kind=letter.kind, body=letter.body,
                                    dated=dated, by=by, reason=letter.reason)  # fmt: skip
    letter.save(update_fields=["dated", "issued_by", "state", "context"])
    transaction.on_commit(lambda: letter_render_enqueue(letter.pk))
    return letter


def adr_period_letters(*, complaint_ids: list[int], now: datetime.datetime) -> list[TimelineEvent]:
    """The sweep's ADR letters for complaints whose ADR period has just passed unresolved.

    Eligible complaints without an earlier ADR / deadlock letter, under a code that sends one
    at the period, get it at once or queued for a manager. Constant queries per batch (the
    clocks are pure, computed in memory). Returns the timeline events for the sweep to record.
    """
    complaints = list(
        Complaint.objects.filter(pk__in=complaint_ids, adr_eligible=True, letter_date__isnull=True)
        .select_related("code_version__code")
        .order_by("pk")
    )
    today = local_date(now)
    send: list[Complaint] = []
    events: list[TimelineEvent] = []
    for c in complaints:
        decision = adr_letter_decision(c.code_version, reason=LetterReason.ADR_PERIOD,
                                       eligible=True)  # fmt: skip
        if decision.what == SEND:
            _letter_dates_set(c, reason=LetterReason.ADR_PERIOD, now=now)
            send.append(c)
        elif decision.what == QUEUE:
            c.adr_letter_asked_at = now
            send.append(c)  # its clocks change too; the letter itself waits below
        else:
            continue
        complaint_refresh_clocks(c)
        complaint_due_refresh(c)
    if send:
        Complaint.objects.bulk_update(
            send,
            ["letter_date", "letter_reason", "adr_letter_asked_at", "adr_letter_due_by",
             "adr_refer_by", "adr_eligible_from", "clock_reasons", "next_due_at",
             "next_due_clock", "reminder_due_at", "breach_due_at"],
        )  # fmt: skip
    sent = [c for c in send if c.letter_date is not None]
    queued = [c for c in send if c.letter_date is None]
    for c in sent:
        events.append(
            TimelineEvent(
                complaint_id=c.pk,
                kind=TimelineEvent.Kind.LETTER,
                visibility=Visibility.CUSTOMER,
                occurred_at=now,
                summary=f"ADR letter issued; refer to {c.code_version.adr_scheme_name} "
                f"by {c.adr_refer_by:%d %b %Y}"[:300],
                data={"letter_date": today.isoformat(), "reason": "adr_period"},
                dedupe_key="adr_period_letter",
            )  # fmt: skip
        )
    if queued:
        Letter.objects.bulk_create(
            [Letter(complaint=c, kind=Letter.Kind.ADR, reason=LetterReason.ADR_PERIOD,
                    state=Letter.State.AWAITING_APPROVAL, dated=today,
                    body=POSITION[LetterReason.ADR_PERIOD], context={}) for c in queued],
            ignore_conflicts=True,
        )  # fmt: skip
        events.extend(
            TimelineEvent(complaint_id=c.pk, kind=TimelineEvent.Kind.LETTER, occurred_at=now,
                          summary="ADR letter waiting for a manager's approval",
                          data={"reason": "adr_period"}, dedupe_key="adr_period_letter_queued")
            for c in queued
        )  # fmt: skip
    letters_issue_bulk(complaint_ids=[c.pk for c in sent], kind=Letter.Kind.ADR,
                       reason=LetterReason.ADR_PERIOD, body=POSITION[LetterReason.ADR_PERIOD],
                       dated=today)  # fmt: skip
    return events


def complaint_adr_letter_approve(
    *, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime,
    expected_version: int | None,
) -> Complaint:  # fmt: skip
    """The staff page's "Approve and send": the complaint's letter waiting for approval."""
    letter = (
        Letter.objects.filter(complaint_id=complaint_id, state=Letter.State.AWAITING_APPROVAL)
        .order_by("created_at")
        .first()
    )
    if letter is None:
        raise ValidationError("No ADR letter is waiting for approval on this complaint.")
    if expected_version is not None:
        current = Complaint.objects.values_list("row_version", flat=True).get(pk=complaint_id)
        if current != expected_version:
            # Let the engine report the conflict the usual way.
            _transition(complaint_id=complaint_id, action=Action.ISSUE_ADR_LETTER, by=by,
                        now=now, expected_version=expected_version, change=lambda c, s: [])  # fmt: skip
    adr_letter_approve(letter_id=letter.pk, by=by, now=now)
    return Complaint.objects.get(pk=complaint_id)

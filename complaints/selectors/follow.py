"""What a customer sees of their own complaint, on the follow page and in the portal.

Which complaint they may see is decided in selectors/access.py; the page is built only from the
customer-visible timeline, letters and the files the customer sent. `follow_page` runs a
constant number of queries however long the complaint's history is
(tests/complaints/portal/test_follow_page.py counts them).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q

from complaints.models import (
    OPEN_STATUSES,
    Attachment,
    Complaint,
    Letter,
    Status,
    TimelineEvent,
)
from complaints.templatetags.redress import day, instant
from escalation.calendar import local_date
from escalation.choices import AdrLetterPolicy
from escalation.models import EscalationTier

Kind = TimelineEvent.Kind
Visibility = TimelineEvent.Visibility

# Never on a customer's page whatever their visibility says: these are our internal workings.
INTERNAL_KINDS = (Kind.CLOCK_CHANGE, Kind.IDENTITY_CHECK, Kind.NOTIFICATION, Kind.ASSIGNMENT)

# The status as the customer would say it (the staff labels are our jargon).
STATUS_LABELS: dict[str, str] = {
    Status.NEW: "Received",
    Status.ACKNOWLEDGED: "Acknowledged",
    Status.INVESTIGATING: "Being investigated",
    Status.AWAITING_CUSTOMER: "Waiting for your reply",
    Status.ESCALATED: "With a senior manager",
    Status.FINAL_RESPONSE: "Final response sent",
    Status.DEADLOCK: "Deadlock letter sent",
    Status.ADR_REFERRED: "With the ombudsman",
    Status.RESOLVED: "Resolved",
    Status.CLOSED: "Closed",
}

# What the earliest clock still waiting on us means, for the portal list.
NEXT_PROMISE: dict[str, str] = {
    "acknowledge_by": "We will acknowledge your complaint by",
    "respond_by": "We will respond by",
    "promised_by": "We will contact you by",
    "resolve_by": "We aim to resolve it by",
}


def next_promise(complaint: Complaint) -> str:
    """'We will respond by Wednesday 4 November 2026 at 5pm', or '' when nothing is due from us."""
    if not complaint.next_due_at or complaint.next_due_clock not in NEXT_PROMISE:
        return ""
    return f"{NEXT_PROMISE[complaint.next_due_clock]} {instant(complaint.next_due_at)}"


# --- the page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Promise:
    """One thing we said we would do by a time, and how we did."""

    name: str
    said: str
    outcome: str
    state: str  # kept, late, missed, due, ""
    state_label: str


@dataclass(frozen=True)
class AdrPosition:
    eligible: bool
    scheme_name: str
    referred: bool = False
    can_go_now: bool = False
    when: str = ""
    deadline: str = ""
    not_eligible_because: str = ""
    window_closed: bool = False  # adr_refer_by has passed: the ombudsman is no longer a next step


@dataclass(frozen=True)
class Entry:
    """One event on the customer's timeline, headed in the customer's words."""

    event: TimelineEvent
    heading: str
    by_customer: bool
    attachments: list[Attachment]


def _heading(event: TimelineEvent) -> str:
    data = event.data or {}
    if event.kind == Kind.LOGGED:
        return "We received your complaint"
    if event.kind == Kind.STATUS_CHANGE:
        return f"Status: {STATUS_LABELS.get(data.get('to', ''), event.summary)}"
    # The customer's own actions are summarised for staff ("The customer asked for …").
    if data.get("by") == "customer" and event.summary.startswith("The customer "):
        return "You " + event.summary.removeprefix("The customer ")
    return event.summary


@dataclass
class FollowPage:
    complaint: Complaint
    timeline: list[Entry]
    letters: list[Letter]
    files: list[Attachment]
    tiers: dict[int, EscalationTier]
    promises: list[Promise]
    adr: AdrPosition
    status_label: str
    status_words: str
    deadlock_requested_at: datetime.datetime | None = None

    @property
    def tier(self) -> EscalationTier | None:
        return self.tiers.get(self.complaint.tier)

    @property
    def next_tier(self) -> EscalationTier | None:
        above = sorted(level for level in self.tiers if level > self.complaint.tier)
        return self.tiers[above[0]] if above else None

    @property
    def formal_tier_above(self) -> EscalationTier | None:
        above = sorted(level for level in self.tiers if level > self.complaint.tier)
        return next((self.tiers[level] for level in above if self.tiers[level].is_formal), None)

    @property
    def code_complaint_tier(self) -> EscalationTier | None:
        return next((t for t in self.tiers.values() if t.handles_code_complaints), None)


def customer_timeline(complaint: Complaint) -> list[TimelineEvent]:
    """The customer-visible events only, oldest first (one query)."""
    return list(
        TimelineEvent.objects.filter(complaint=complaint, visibility=Visibility.CUSTOMER)
        .exclude(kind__in=INTERNAL_KINDS)
        .only("id", "kind", "summary", "body", "data", "occurred_at", "complaint_id")
        .order_by("occurred_at", "id")
    )


def customer_files(complaint: Complaint) -> list[Attachment]:
    """Files the customer sent us: attached to what they can see on the timeline, uploaded
    by the web form (nobody signed in, no event) or by their own portal account (one query)."""
    sent_by_customer = Q(event__visibility=Visibility.CUSTOMER) & ~Q(event__kind__in=INTERNAL_KINDS)
    sent_by_customer |= Q(event__isnull=True, uploaded_by__isnull=True)
    if complaint.customer.portal_user_id is not None:
        sent_by_customer |= Q(uploaded_by_id=complaint.customer.portal_user_id)
    return list(
        Attachment.objects.filter(sent_by_customer, complaint=complaint)
        .only("id", "event_id", "original_name", "content_type", "size", "created_at")
        .order_by("created_at", "id")
    )


def customer_letters(complaint: Complaint) -> list[Letter]:
    """This complaint's letters (never another's), oldest first (one query)."""
    return list(
        Letter.objects.filter(complaint=complaint)
        .only("id", "kind", "state", "dated", "complaint_id")
        .order_by("dated", "id")
    )


def follow_page(*, complaint: Complaint, now: datetime.datetime) -> FollowPage:
    """Everything the customer's page shows. `complaint` comes with customer and code_version
    (complaint_for_link / portal_complaint select them)."""
    events = customer_timeline(complaint)
    files = customer_files(complaint)
    by_event: dict[int | None, list[Attachment]] = defaultdict(list)
    for attachment in files:
        by_event[attachment.event_id].append(attachment)
    tiers = {t.level: t for t in complaint.code_version.tiers.all()}
    deadlock_asked = next(
        (e.occurred_at for e in events if (e.data or {}).get("request") == "deadlock"), None
    )
    page = FollowPage(
        complaint=complaint,
        timeline=[
            Entry(
                event=event,
                heading=_heading(event),
                by_customer=(event.data or {}).get("by") == "customer",
                attachments=by_event.get(event.pk, []),
            )
            for event in events
        ],
        letters=customer_letters(complaint),
        files=files,
        tiers=tiers,
        promises=promises(complaint, now),
        adr=adr_position(complaint, now),
        status_label=STATUS_LABELS.get(complaint.status, complaint.get_status_display()),
        status_words="",
        deadlock_requested_at=deadlock_asked,
    )
    page.status_words = status_words(page)
    return page


def status_words(page: FollowPage) -> str:
    c = page.complaint
    tier = page.tier
    formal = f" Your complaints register reference is {c.register_reference}." if (
        c.register_reference
    ) else ""  # fmt: skip
    words = {
        Status.NEW: "We have received your complaint and will look at it soon.",
        Status.ACKNOWLEDGED: "We have acknowledged your complaint and are looking into it.",
        Status.INVESTIGATING: "We are investigating your complaint.",
        Status.AWAITING_CUSTOMER: (
            "We have sent you our response. Please tell us below whether it puts things right."
        ),
        Status.ESCALATED: (
            f"Your complaint has been escalated{f' to {tier.title}' if tier else ''}"
            f"{' as a formal complaint' if tier and tier.is_formal else ''}.{formal}"
        ),
        Status.FINAL_RESPONSE: (
            "We have sent you our final response. If you are still unhappy you can ask us for "
            "a deadlock letter or go to the ombudsman."
        ),
        Status.DEADLOCK: (
            "We have sent you a deadlock letter: we cannot do more to resolve your complaint. "
            "You can take it to the ombudsman."
        ),
        Status.ADR_REFERRED: "Your complaint is with the ombudsman.",
        Status.RESOLVED: "Your complaint is resolved.",
        Status.CLOSED: (
            "Your complaint is closed: we did not hear back from you after our response, so we "
            "took it as resolved. If you are still unhappy, contact us."
        ),
    }
    text = words.get(c.status, "")
    if page.adr.window_closed:
        # The ombudsman window has closed: stop offering it as the next step.
        text = text.replace(" or go to the ombudsman.", ".").replace(
            " You can take it to the ombudsman.", ""
        )
    return text if c.status == Status.ESCALATED else text + formal


def promises(complaint: Complaint, now: datetime.datetime) -> list[Promise]:
    """What we said we would do and by when, met or not, in plain English."""
    c = complaint
    is_open = c.status in OPEN_STATUSES
    out: list[Promise] = []

    def clock(name: str, due: datetime.datetime | None, said: str, done_at, done: str) -> None:
        if due is None:
            return
        said_text = f"{said} {instant(due)}."
        if done_at is not None:
            late = done_at > due
            outcome = f"{done} {instant(done_at)}" + (
                ", later than we said. We are sorry." if late else "."
            )
            out.append(Promise(name, said_text, outcome, "late" if late else "kept",
                               "Late" if late else "Kept"))  # fmt: skip
        elif not is_open:
            out.append(Promise(name, said_text, "", "", ""))
        elif now > due:
            out.append(Promise(name, said_text, "We have not done this yet, and we are late. "
                               "We are sorry.", "missed", "Missed"))  # fmt: skip
        else:
            out.append(Promise(name, said_text, "", "due", "Not yet due"))

    clock("acknowledge_by", c.acknowledge_by, "We said we would acknowledge your complaint by",
          c.acknowledged_at, "We acknowledged it on")  # fmt: skip
    clock("respond_by", c.respond_by, "We said we would respond by", c.first_response_at,
          "We responded on")  # fmt: skip
    if c.promised_by is not None and is_open:
        how = f" by {c.get_agreed_contact_method_display().lower()}" if (
            c.agreed_contact_method
        ) else ""  # fmt: skip
        said = f"We agreed to contact you{how} by {instant(c.promised_by)}."
        if c.agreed_next_step:
            said += f" What we agreed: {c.agreed_next_step}"
        if now > c.promised_by:
            out.append(Promise("promised_by", said, "We have not been in touch yet, and we are "
                               "late. We are sorry.", "missed", "Missed"))  # fmt: skip
        else:
            out.append(Promise("promised_by", said, "", "due", "Not yet due"))
    if c.resolve_by is not None:
        # soVision: "Our objective is to provide a resolution" — kept once we proposed one or
        # confirmed it remedied, whenever the complaint later closes.
        clock("resolve_by", c.resolve_by, "We aim to provide a resolution by",
              c.resolution_provided_at, "We provided one on")  # fmt: skip
    if c.formal_respond_by is not None:
        clock("formal_respond_by", c.formal_respond_by,
              "After escalation, we said we would give you our position by",
              c.final_position_at, "We gave it on")  # fmt: skip
    if c.adr_letter_due_by is not None:
        clock("adr_letter_due_by", c.adr_letter_due_by,
              "We said we would send you the letter you asked for by",
              c.adr_letter_issued_at, "We sent it on")  # fmt: skip
    return out


def adr_position(complaint: Complaint, now: datetime.datetime) -> AdrPosition:
    """When the customer may go to the ombudsman and by when, or why they may not."""
    c = complaint
    version = c.code_version
    scheme = version.adr_scheme_name
    if not c.adr_eligible:
        return AdrPosition(
            eligible=False, scheme_name=scheme, not_eligible_because=_ineligible_words(c)
        )
    today = local_date(now)
    letter = "ADR letter" if version.adr_letter_policy == AdrLetterPolicy.UNPROMPTED else (
        "deadlock letter"
    )  # fmt: skip
    deadline = ""
    if c.adr_refer_by is not None:
        if today > c.adr_refer_by:
            deadline = (
                f"The time to go to them ended on {day(c.adr_refer_by)}. Contact them if you "
                "think there is a good reason to look at it anyway."
            )
        else:
            deadline = f"You must contact them by {day(c.adr_refer_by)}."
    elif version.refer_by_months_after_letter:
        deadline = (
            f"You have {version.refer_by_months_after_letter} months from the date of our "
            f"{letter} to contact them."
        )
    if c.status == Status.ADR_REFERRED:
        return AdrPosition(eligible=True, scheme_name=scheme, referred=True, can_go_now=True,
                           when=f"You have taken your complaint to {scheme}.")  # fmt: skip
    if c.refer_by_passed_at is not None or (c.adr_refer_by is not None and today > c.adr_refer_by):
        # The window has closed (recorded by the refer-by job): no longer a next step to offer.
        return AdrPosition(eligible=True, scheme_name=scheme, can_go_now=False,
                           when=f"The time to take your complaint to {scheme} has ended.",
                           deadline=deadline, window_closed=True)  # fmt: skip
    if c.adr_eligible_from <= today:
        when = f"You can take your complaint to {scheme} from today."
        can_go = True
    else:
        # The code's ADR period governs, letter or not (Infinity: "only once 8 weeks have
        # passed"): the page says exactly what adr_eligible_from says.
        when = f"You can take your complaint to {scheme} from {day(c.adr_eligible_from)}"
        when += "." if c.letter_date is not None else ", if we have not resolved it by then."
        can_go = False
    return AdrPosition(eligible=True, scheme_name=scheme, can_go_now=can_go, when=when,
                       deadline=deadline)  # fmt: skip


def _ineligible_words(c: Complaint) -> str:
    """adr_ineligible_reason is written for staff ("this customer has 25"); say it to the
    customer when we recognise the rule, else fall back to it."""
    version = c.code_version
    if c.adr_employees is not None:
        limit = version.adr_employee_threshold
        inclusive = version.adr_threshold_inclusive
        too_big = c.adr_employees > limit if inclusive else c.adr_employees >= limit
        if too_big:
            bound = f"{limit} or fewer" if inclusive else f"fewer than {limit}"
            return (
                f"The ombudsman only deals with consumers and businesses with {bound} "
                f"employees, and you told us your business has {c.adr_employees}."
            )
    if c.category in (version.adr_excluded_categories or []):
        return f"The ombudsman does not deal with {c.get_category_display().lower()} complaints."
    return c.adr_ineligible_reason

"""Every user-scoped read of complaints for the staff console. Views call these; never the ORM.

The queues are the staff's working lists. Each is one SQL query per page, ordered by the
earliest clock still waiting on us (`next_due_at`, precomputed on every write), and served by
a partial index on the `Complaint` model (or migration 0006 for "all"). Pages are fetched as
page_size + 1 rows, so no COUNT(*) ever runs over a million complaints.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, F, Func, Q, QuerySet, Value

from complaints.models import OPEN_STATUSES, Complaint, StaffProfile, Status
from complaints.selectors.customers import (
    MIN_NAME_SEARCH,
    customer_ids_matching,
    customers_matching,
)
from escalation.calendar import LONDON, local_date
from escalation.choices import Category, Channel, Nation
from escalation.roles import staff_roles

QUEUES: dict[str, str] = {
    "mine": "My queue",
    "team": "My team's queue",
    "unassigned": "Unassigned",
    "escalated": "Escalated & formal",
    "breached": "Breached",
    "due_today": "Due today",
    "all": "All complaints",
}
# The manager's desk: queues only managers (and admins) get.
MANAGER_QUEUES = frozenset({"escalated", "breached", "due_today"})

# What each next_due_clock means to the person working the queue.
CLOCK_LABELS: dict[str, str] = {
    "acknowledge_by": "Acknowledge",
    "respond_by": "Respond",
    "promised_by": "Promised contact",
    "resolve_by": "Resolve",
    "customer_request_by": "Answer request",
}

# "Due soon" = due on one of the next two London calendar dates after today.
DUE_SOON_DAYS = 2

# RD-XXXX-XXXX in Crockford's base32; staff read references over the phone, so dashes are
# optional, case does not matter, and the letters Crockford maps to digits are accepted.
_REFERENCE = re.compile(r"^RD-?([0-9A-Z]{4})-?([0-9A-Z]{4})$")
_CROCKFORD = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Trigram indexes only help from three characters on; shorter text matches names badly anyway.
MIN_TEXT_SEARCH = MIN_NAME_SEARCH
# A customer search finding more customers than this walks the queue's index instead of
# listing them (see _search). The balance at 1,000,000 complaints: listing 10,000 ids reads
# about as many buffers as walking for a name that common (each walked row probes a customer).
CUSTOMER_IDS_MAX = 10_000

# Every queue: the clock due first at the top, complaints with no clock waiting on us last.
_QUEUE_ORDER = (F("next_due_at").asc(nulls_last=True), "id")

Assignee = int | Literal["none"] | None

# What a queue row shows: a page loads only these columns (a complaint row has about seventy,
# two of them JSON, and converting them for 50 rows cost more than the query itself).
QUEUE_ROW_FIELDS = (
    "reference", "summary", "channel", "category", "status", "tier", "next_due_at",
    "next_due_clock", "customer_request", "customer_request_answered_at", "customer__name",
    "assigned_to__username", "assigned_to__first_name", "assigned_to__last_name",
)  # fmt: skip


def choice_params(
    params: Mapping[str, Any], fields: Iterable[tuple[str, Any]], problems: list[str]
) -> dict[str, str]:
    """{name: value} for each GET parameter naming one of its choices; a value that is not one
    is dropped, and `problems` says so (shared by the queue and report filters)."""
    values = {}
    for name, choices in fields:
        raw = str(params.get(name) or "").strip()
        if not raw:
            continue
        if raw in choices.values:
            values[name] = raw
        else:
            problems.append(f"Ignored the {name} filter: “{raw[:40]}” is not a {name}.")
    return values


@dataclass(frozen=True)
class QueueFilters:
    """The optional, combinable filters of a queue. Empty = not filtering on it."""

    status: str = ""
    channel: str = ""
    category: str = ""
    tier: int | None = None
    nation: str = ""
    assignee: Assignee = None  # a user id, or "none" for nobody

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> tuple[QueueFilters, list[str]]:
        """Filters from GET parameters; an invalid value is dropped with a message saying so."""
        problems: list[str] = []
        values: dict[str, Any] = choice_params(
            params,
            (("status", Status), ("channel", Channel), ("category", Category), ("nation", Nation)),
            problems,
        )
        raw = str(params.get("tier") or "").strip()
        if raw:
            if raw.isascii() and raw.isdigit() and int(raw) < 100:
                values["tier"] = int(raw)
            else:
                problems.append(
                    f"Ignored the tier filter: “{raw[:40]}” is not a tier number (0, 1, 2…)."
                )
        raw = str(params.get("assignee") or "").strip()
        if raw:
            if raw == "none":
                values["assignee"] = "none"
            elif raw.isascii() and raw.isdigit() and 0 < int(raw) < 2**31:
                values["assignee"] = int(raw)
            else:
                problems.append(
                    f"Ignored the assignee filter: “{raw[:40]}” is not a member of staff."
                )
        return cls(**values), problems

    def as_params(self) -> dict[str, str]:
        """The filters in force as GET parameters, for links that must keep them."""
        out = {
            "status": self.status,
            "channel": self.channel,
            "category": self.category,
            "tier": "" if self.tier is None else str(self.tier),
            "nation": self.nation,
            "assignee": "" if self.assignee is None else str(self.assignee),
        }
        return {k: v for k, v in out.items() if v}

    @property
    def active(self) -> bool:
        return bool(self.as_params())


@dataclass(frozen=True)
class DueBadge:
    css: str  # "breached" | "due-today" | "due-soon" | ""
    label: str


@dataclass(frozen=True)
class QueueRow:
    complaint: Complaint
    badge: DueBadge
    clock_label: str

    @property
    def request_label(self) -> str:
        """'Asks for: deadlock letter' while a customer's request awaits a manager."""
        c = self.complaint
        return c.get_customer_request_display() if c.customer_request_pending else ""


@dataclass
class QueuePage:
    queue: str
    title: str
    rows: list[QueueRow]
    page: int
    page_size: int
    has_next: bool
    notices: list[str] = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def first_number(self) -> int:
        return (self.page - 1) * self.page_size + 1

    @property
    def last_number(self) -> int:
        return (self.page - 1) * self.page_size + len(self.rows)


def due_badge(next_due_at: datetime.datetime | None, now: datetime.datetime) -> tuple[str, str]:
    """("breached" | "due-today" | "due-soon" | "", label) for the clock next due.

    Breached = the instant has passed; due today = its London date is today's; due soon = its
    London date is one of the next DUE_SOON_DAYS dates. Dates, not hours: "due today" at 9am
    still means today, and across a clock change a calendar day is not 24 hours.
    """
    if next_due_at is None:
        return "", ""
    if next_due_at < now:
        return "breached", "Breached"
    days_left = (local_date(next_due_at) - local_date(now)).days
    if days_left <= 0:
        return "due-today", "Due today"
    if days_left <= DUE_SOON_DAYS:
        return "due-soon", "Due soon"
    return "", ""


def staff_team_department(user: AbstractBaseUser) -> str | None:
    """The department whose complaints are this person's "team" queue; None without a profile."""
    return (
        StaffProfile.objects.filter(user_id=user.pk).values_list("department", flat=True).first()
        or None
    )


def reference_normalise(text: str) -> str | None:
    """'rd 7k3m 9qx2' / 'RD7K3M9QX2' / 'rd-7k3m-9qx2' → 'RD-7K3M-9QX2'; None if not a reference."""
    compact = re.sub(r"\s+", "", text).upper()
    match = _REFERENCE.match(compact)
    if match is None:
        return None
    return "RD-" + "-".join(part.translate(_CROCKFORD) for part in match.groups())


def end_of_today(now: datetime.datetime) -> datetime.datetime:
    """The first instant of tomorrow in London: "due today" is next_due_at before it."""
    tomorrow = local_date(now) + datetime.timedelta(days=1)
    return datetime.datetime.combine(tomorrow, datetime.time(0), tzinfo=LONDON)


def _queue_base(
    user: AbstractBaseUser, queue: str, now: datetime.datetime
) -> tuple[QuerySet[Complaint] | None, str]:
    """The queue's own rows (None = empty on purpose) and a notice explaining an empty queue.

    "Breached" and "due today" read the clock next due against now exactly as `due_badge`
    does (a complaint with nothing waiting on us has no next_due_at, so none is closed).
    """
    complaints = Complaint.objects.all()
    if queue == "escalated":
        # complaint_queue_escalated_idx
        return complaints.filter(
            Q(tier__gt=0) | Q(status=Status.ESCALATED), status__in=OPEN_STATUSES
        ), ""
    if queue == "breached":
        return complaints.filter(next_due_at__lt=now), ""  # complaint_next_due_idx
    if queue == "due_today":
        return complaints.filter(next_due_at__gte=now, next_due_at__lt=end_of_today(now)), ""
    if queue == "mine":
        # complaint_queue_mine_idx
        return complaints.filter(assigned_to_id=user.pk, status__in=OPEN_STATUSES), ""
    if queue == "team":
        department = staff_team_department(user)
        if department is None:
            return None, (
                "You are not in a team yet, so your team's queue is empty. "
                "Ask an admin to set your department in your staff profile."
            )
        # complaint_queue_team_idx
        return complaints.filter(department=department, status__in=OPEN_STATUSES), ""
    if queue == "unassigned":
        # complaint_queue_unassigned_idx
        return complaints.filter(assigned_to__isnull=True, status__in=OPEN_STATUSES), ""
    if queue == "all":
        return complaints, ""  # complaint_next_due_idx (migration 0006)
    raise ValueError(f"no such queue: {queue!r}")


def _filter(complaints: QuerySet[Complaint], filters: QueueFilters) -> QuerySet[Complaint]:
    if filters.status:
        complaints = complaints.filter(status=filters.status)
    if filters.channel:
        complaints = complaints.filter(channel=filters.channel)
    if filters.category:
        complaints = complaints.filter(category=filters.category)
    if filters.tier is not None:
        complaints = complaints.filter(tier=filters.tier)
    if filters.nation:
        complaints = complaints.filter(customer__nation=filters.nation)
    if filters.assignee == "none":
        complaints = complaints.filter(assigned_to__isnull=True)
    elif filters.assignee is not None:
        complaints = complaints.filter(assigned_to_id=filters.assignee)
    return complaints


class _AnyOf(Func):
    """`column = ANY('{1,2,…}'::bigint[])`: the ids as ONE array literal, which PostgreSQL
    parses once and probes by hashing. `IN (1, 2, …)` with thousands of constants costs more to
    plan than to run."""

    template = "(%(expressions)s::bigint[]))"
    arg_joiner = " = ANY("
    output_field = BooleanField()

    def __init__(self, column: str, ids: list[int]) -> None:
        super().__init__(F(column), Value("{" + ",".join(map(str, ids)) + "}"))


def _search(
    complaints: QuerySet[Complaint], q: str, *, window: int
) -> tuple[QuerySet[Complaint], str]:
    """Narrow to what `q` finds (within the first `window` rows in queue order), and a notice
    if the search was cut short.

    A reference is an exact match on the unique index. Anything else matches the summary by
    `__icontains` (PostgreSQL: UPPER(col::text) LIKE UPPER('%q%'), the expression of the
    trigram GIN index of migration 0005) or the customer, as `customers_matching` finds them
    (name, account reference, email, postcode, phone: an index for each). Customers and
    summaries are two legs, each already in queue order and cut to `window` rows, then UNIONed
    by id: an OR across the join could use neither table's index, and without the per-leg limit
    a common word ("broadband") would fetch and sort tens of thousands of complaints.

    The customer leg is planned from the customers actually found, not from an estimate (the
    planner cannot tell a surname shared by 1,600 customers from one shared by 16): up to
    CUSTOMER_IDS_MAX matching customers' ids are fetched first (from the names' words, without
    reading the customers: `customer_ids_matching`) and their complaints looked up by id
    (a hashed array probe while walking the queue's index, or the customer index, whichever
    PostgreSQL prices lower with the real list in hand). More than that means the name is
    common, so walking the queue's index in order fills the page after a few thousand rows:
    the leg then joins the customer search as a subquery. Either way the cost depends on how
    common the name is, not on how many complaints there are.
    """
    reference = reference_normalise(q)
    if reference is not None:
        return complaints.filter(reference=reference), ""
    text_search = len(q) >= MIN_TEXT_SEARCH
    ids = customer_ids_matching(q, limit=CUSTOMER_IDS_MAX + 1)
    legs = []
    if len(ids) > CUSTOMER_IDS_MAX:
        people = customers_matching(q).order_by().values_list("pk", flat=True)
        legs.append(complaints.filter(customer_id__in=people))
    elif ids:
        legs.append(complaints.filter(_AnyOf("customer_id", ids)))
    if text_search:
        legs.append(complaints.filter(summary__icontains=q))
    notice = (
        ""
        if text_search
        else f"Type at least {MIN_TEXT_SEARCH} characters to search customer names and "
        "summaries; showing exact account reference, email and phone matches only."
    )
    if not legs:
        return complaints.none(), notice
    pks = [leg.order_by(*_QUEUE_ORDER).values("pk")[:window] for leg in legs]
    matches = pks[0].union(*pks[1:]) if len(pks) > 1 else pks[0]
    return Complaint.objects.filter(pk__in=matches), notice


def complaint_queue(
    *,
    user: AbstractBaseUser,
    queue: str,
    filters: QueueFilters,
    q: str = "",
    page: int = 1,
    page_size: int = 50,
    now: datetime.datetime,
) -> QueuePage:
    """One page of a staff queue, sorted by the next clock due (none last), then by id.

    Every member of staff may read every complaint; people without a staff role read none.
    """
    roles = staff_roles(user)
    if not roles:
        raise PermissionDenied("The complaint queues are for support staff only.")
    if queue not in QUEUES:
        raise ValueError(f"no such queue: {queue!r}")
    page = max(page, 1)
    result = QueuePage(
        queue=queue, title=QUEUES[queue], rows=[], page=page, page_size=page_size, has_next=False
    )
    if queue in MANAGER_QUEUES and not ({"manager", "admin"} & roles):
        raise PermissionDenied("That queue is on the manager's desk.")
    complaints, notice = _queue_base(user, queue, now)
    if notice:
        result.notices.append(notice)
    if complaints is None:
        return result
    complaints = _filter(complaints, filters)
    offset = (page - 1) * page_size
    q = " ".join(q.split())[:200]
    if q:
        complaints, notice = _search(complaints, q, window=offset + page_size + 1)
        if notice:
            result.notices.append(notice)
    complaints = (
        complaints.select_related("customer", "assigned_to")
        .only(*QUEUE_ROW_FIELDS)
        .order_by(*_QUEUE_ORDER)
    )
    # One row more than the page tells us whether there is a next page, without COUNT(*).
    found = list(complaints[offset : offset + page_size + 1])
    result.has_next = len(found) > page_size
    result.rows = [
        QueueRow(
            complaint=c,
            badge=DueBadge(*due_badge(c.next_due_at, now)),
            clock_label=CLOCK_LABELS.get(c.next_due_clock, ""),
        )
        for c in found[:page_size]
    ]
    if page > 1 and not result.rows:
        result.notices.append(
            f"There is no page {page} of this list: it has fewer complaints than that. "
            "Go back to the first page."
        )
    return result

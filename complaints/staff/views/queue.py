"""The staff queues ("mine", "team", "unassigned", "all" for search) and bulk reassignment."""

from __future__ import annotations

import html
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.models import AbstractBaseUser
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from complaints.lifecycle import TransitionRefused
from complaints.models import Status
from complaints.permissions import manager_required, staff_required
from complaints.selectors.queue import QUEUES, QueueFilters, QueueRow, complaint_queue
from complaints.templatetags.redress import instant
from complaints.workflows.actions import assignable_staff, complaints_bulk_assign
from escalation.choices import Category, Channel, Nation

PAGE_SIZE = 50
# Each reassignment is its own locked, audited transaction: a page's worth is plenty per request.
BULK_ASSIGN_MAX = 200


def _page_number(raw: str | None) -> tuple[int, str]:
    if not raw:
        return 1, ""
    if raw.isascii() and raw.isdigit() and 0 < int(raw) < 1_000_000:
        return int(raw), ""
    return 1, f"Ignored the page number “{raw[:20]}”: showing the first page."


def _person(user: AbstractBaseUser) -> str:
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class RowView:
    """One queue row as the page prints it, worked out once in Python: a template resolving
    ~30 lookups, filters and a {% url %} per row was most of a 50-row page's time."""

    pk: int
    reference: str
    url: str
    customer: str
    summary: str
    channel: str
    category: str
    status: str
    tier: str
    assignee: str
    request: str
    badge_css: str
    badge_label: str
    due: str


_NOBODY = '<span class="muted">Nobody</span>'
_NOTHING_DUE = '<span class="muted">Nothing due</span>'
_URL_SLOT = "RD-SLOT-SLOT"  # a reference's shape, replaced by each row's own
# The choices' labels by value: Model.get_FOO_display() normalises the whole list of choices
# on every call, three calls a row (issue 11).
_CHANNELS, _CATEGORIES, _STATUSES = (
    dict(Channel.choices),
    dict(Category.choices),
    dict(Status.choices),
)


def _row_html(r: RowView, *, pick: bool) -> str:
    """The row's <tr>, every value escaped exactly as the template's autoescape does
    (`html.escape`, quotes included), at a small fraction of the template engine's cost."""
    e = html.escape
    cells = []
    if pick:
        cells.append(
            f'<td><input type="checkbox" name="complaint" value="{r.pk}" id="pick-{r.pk}">'
            f'<label for="pick-{r.pk}" class="visually-hidden">Select {e(r.reference)}</label></td>'
        )
    request = (
        f'<span class="badge request">Customer asks: {e(r.request)}</span> ' if r.request else ""
    )
    badge = (
        f'<span class="badge {e(r.badge_css)}">{e(r.badge_label)}</span> ' if r.badge_css else ""
    )
    due = f"{badge}{e(r.due)}" if r.due else _NOTHING_DUE
    cells += [
        f'<td class="reference"><a href="{e(r.url)}">{e(r.reference)}</a></td>',
        f"<td>{e(r.customer)}</td><td>{e(r.summary)}</td><td>{e(r.channel)}</td>",
        f'<td>{e(r.category)}</td><td><span class="badge status">{e(r.status)}</span></td>',
        f"<td>{e(r.tier)}</td><td>{e(r.assignee) if r.assignee else _NOBODY}</td>",
        f'<td class="due">{request}{due}</td>',
    ]
    return "<tr>" + "".join(cells) + "</tr>"


def _row_view(row: QueueRow, complaint_url: str) -> RowView:
    c = row.complaint
    return RowView(
        pk=c.pk,
        reference=c.reference,
        url=complaint_url.replace(_URL_SLOT, c.reference),
        customer=c.customer.name,
        summary=c.summary,
        channel=_CHANNELS.get(c.channel, c.channel),
        category=_CATEGORIES.get(c.category, c.category),
        status=_STATUSES.get(c.status, c.status),
        tier=f"Tier {c.tier}" if c.tier else "Frontline",
        assignee=_person(c.assigned_to) if c.assigned_to else "",
        request=row.request_label.lower(),
        badge_css=row.badge.css,
        badge_label=row.badge.label,
        due=f"{row.clock_label or 'Due'} by {instant(c.next_due_at)}" if c.next_due_at else "",
    )


@require_GET
@staff_required
def queue_view(request: HttpRequest, queue: str) -> HttpResponse:
    if queue not in QUEUES:
        raise Http404("No such queue.")
    filters, problems = QueueFilters.from_params(request.GET)
    page_number, page_problem = _page_number(request.GET.get("page"))
    q = request.GET.get("q", "").strip()
    result = complaint_queue(
        user=request.user,
        queue=queue,
        filters=filters,
        q=q,
        page=page_number,
        page_size=PAGE_SIZE,
        now=timezone.now(),
    )
    kept = filters.as_params() | ({"q": q} if q else {})
    complaint_url = reverse("staff:complaint", args=[_URL_SLOT])  # once, not once a row
    rows = [_row_view(row, complaint_url) for row in result.rows]
    can_bulk_assign = bool({"manager", "admin"} & request.staff_roles)
    staff = [(person.pk, _person(person)) for person in assignable_staff()]
    return render(
        request,
        "staff/queue.html",
        {
            "active": queue,
            "result": result,
            "rows": rows,
            "rows_html": mark_safe("\n".join(_row_html(r, pick=can_bulk_assign) for r in rows)),
            "filters": filters,
            "q": q,
            "problems": problems + ([page_problem] if page_problem else []),
            "previous_query": urlencode(kept | {"page": result.page - 1}),
            "next_query": urlencode(kept | {"page": result.page + 1}),
            "here": request.get_full_path(),
            "staff": staff,
            "statuses": Status.choices,
            "channels": Channel.choices,
            "categories": Category.choices,
            "nations": Nation.choices,
            "can_bulk_assign": can_bulk_assign,
        },
    )


def _back(request: HttpRequest) -> HttpResponseRedirect:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("staff:queue", args=["unassigned"])
    return HttpResponseRedirect(target)


@require_POST
@manager_required
def bulk_assign(request: HttpRequest) -> HttpResponse:
    """Reassign the ticked complaints to one person (or nobody); report what did not move."""
    raw_ids = request.POST.getlist("complaint")
    ids = [int(v) for v in raw_ids if v.isascii() and v.isdigit() and 0 < int(v) < 2**63]
    raw_assignee = request.POST.get("assignee", "").strip()
    if not raw_ids:
        messages.error(request, "Tick at least one complaint to reassign. Nothing was changed.")
        return _back(request)
    if len(set(ids)) > BULK_ASSIGN_MAX:
        messages.error(
            request,
            f"Reassign at most {BULK_ASSIGN_MAX} complaints at a time. Nothing was changed.",
        )
        return _back(request)
    if len(ids) != len(raw_ids):
        messages.error(
            request, "Some of the ticked complaints were not recognised. Nothing was changed."
        )
        return _back(request)
    if raw_assignee == "none":
        assignee = None
    elif raw_assignee.isascii() and raw_assignee.isdigit() and 0 < int(raw_assignee) < 2**31:
        assignee = assignable_staff().filter(pk=int(raw_assignee)).first()
        if assignee is None:
            messages.error(
                request, "Choose an active agent or manager to reassign to. Nothing was changed."
            )
            return _back(request)
    else:
        messages.error(
            request,
            "Choose who to reassign the ticked complaints to (or Unassign). Nothing was changed.",
        )
        return _back(request)

    try:
        moved, not_moved = complaints_bulk_assign(
            complaint_ids=ids,
            by=request.user,
            now=timezone.now(),
            assignee_id=assignee.pk if assignee else None,
        )
    except TransitionRefused as exc:
        messages.error(request, str(exc))
        return _back(request)
    plural = "complaint" if moved == 1 else "complaints"
    to = f"to {_person(assignee)}" if assignee else "to nobody (now unassigned)"
    if moved:
        messages.success(request, f"Reassigned {moved} {plural} {to}.")
    else:
        messages.warning(request, "No complaints were reassigned.")
    if not_moved:
        messages.warning(
            request,
            f"{len(not_moved)} not reassigned: " + "; ".join(not_moved),
        )
    return _back(request)

"""Staff log a call, letter, email or in-person complaint on one page, in three steps.

1. Find the customer (GET ?find=) or create one; choosing one is GET ?customer=<id>.
2. Check the identity. Until the check is satisfied nothing about the account but the name is
   shown. A satisfied check is kept in the session, per customer, for the rest of the contact.
3. Record the complaint; complaint_log_contact writes it, its clocks and its timeline at once.

Every step is a server round trip, so the page works without JavaScript.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from complaints.models import OPEN_STATUSES, Complaint, Customer, VulnerabilityFlag
from complaints.permissions import staff_required
from complaints.selectors.customers import customers_find
from complaints.services import customer_create
from complaints.staff.forms.log_contact import (
    CONVERSATION_CHANNELS,
    NEW_CUSTOMER_REASON,
    WRITTEN_MATCH_REASON,
    ComplaintForm,
    IdentityForm,
    NewCustomerForm,
    StaffForm,
)
from complaints.templatetags.redress import day, instant
from complaints.workflows.intake import IdentityCheck, complaint_log_contact
from escalation.clocks import ClockInputs, compute_clocks
from escalation.selectors import NoCodeInForce, code_rules, code_version_in_force

TITLES = {
    "phone": "Log a call",
    "letter": "Log a letter",
    "email": "Log an email",
    "in_person": "Log an in-person complaint",
}
SEARCH_LIMIT = 20
OPEN_COMPLAINTS_SHOWN = 20
SESSION_KEY = "intake_identity_checks"
# Long enough for the rest of a call (and a second complaint on it); short enough that a
# different caller claiming to be the same customer later is checked again.
IDENTITY_CHECK_LIFETIME = datetime.timedelta(minutes=30)
IDENTITY_EXPIRED = (
    "The identity check for this customer has expired or was not recorded: record it again "
    "below. Everything else you typed is kept."
)
CLOCK_LABELS = (
    ("acknowledge_by", "Acknowledge by"),
    ("respond_by", "Respond by"),
    ("resolve_by", "Resolve by"),
)


# --- Finding customers -------------------------------------------------------------------


def postcode_masked(postcode: str) -> str:
    """The outward code only ("BS31 ***"): enough to tell two namesakes apart, no more."""
    compact = re.sub(r"\s+", "", postcode).upper()
    if len(compact) < 5:
        return "***" if compact else "No postcode"
    return f"{compact[:-3]} ***"


# --- The identity check, kept in the session per customer --------------------------------


def identity_remember(
    request: HttpRequest, customer_id: int, check: IdentityCheck, now: datetime.datetime
) -> None:
    checks = {
        key: entry
        for key, entry in request.session.get(SESSION_KEY, {}).items()
        if not _expired(entry, now)
    }
    checks[str(customer_id)] = {
        "asked": sorted(check.asked),
        "passed": sorted(check.passed),
        "override_reason": check.override_reason.strip(),
        "at": now.isoformat(),
    }
    request.session[SESSION_KEY] = checks


def identity_recalled(
    request: HttpRequest, customer_id: int, now: datetime.datetime
) -> IdentityCheck | None:
    """The satisfied check recorded for this customer in the last 30 minutes, or None."""
    entry = request.session.get(SESSION_KEY, {}).get(str(customer_id))
    if not entry or _expired(entry, now):
        return None
    try:
        check = IdentityCheck(
            asked=frozenset(entry["asked"]),
            passed=frozenset(entry["passed"]),
            override_reason=entry["override_reason"],
        )
    except (KeyError, TypeError, ValidationError):
        return None  # recorded under other questions: ask again
    return check if check.satisfied else None


def _expired(entry: dict[str, Any], now: datetime.datetime) -> bool:
    try:
        at = datetime.datetime.fromisoformat(entry["at"])
    except (KeyError, TypeError, ValueError):
        return True
    return not (at <= now < at + IDENTITY_CHECK_LIFETIME)


# --- The page ----------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def log_contact(request: HttpRequest, channel: str) -> HttpResponse:
    if channel not in TITLES:
        raise Http404("Log a call, a letter, an email or an in-person complaint.")
    now = timezone.now()
    if request.method == "GET":
        if "customer" not in request.GET:
            return _find_step(request, channel)
        customer = _customer_or_404(request.GET["customer"])
        check = identity_recalled(request, customer.pk, now)
        if check is None:
            return _identity_step(request, channel, customer, IdentityForm(channel=channel))
        return _complaint_step(
            request, channel, customer, check, ComplaintForm(channel=channel, now=now), now=now
        )

    step = request.POST.get("step")
    if step == "new_customer":
        return _new_customer(request, channel, now)
    customer = _customer_or_404(request.POST.get("customer", ""))
    if step == "identity":
        return _identity_record(request, channel, customer, now)
    if step == "complaint":
        return _complaint_record(request, channel, customer, now)
    raise Http404("Unknown step.")


def _customer_or_404(value: str) -> Customer:
    if not value.isdigit():
        raise Http404("No such customer.")
    return get_object_or_404(Customer, pk=int(value))


def _customer_url(channel: str, customer_id: int) -> str:
    return f"{reverse('staff:log', args=[channel])}?customer={customer_id}"


def _render(
    request: HttpRequest,
    channel: str,
    step: str,
    *,
    forms: tuple[StaffForm | None, ...] = (),
    extra_errors: tuple[dict[str, str], ...] = (),
    status: int = 200,
    **context: Any,
) -> HttpResponse:
    error_links = [*extra_errors]
    for form in forms:
        if form is not None and form.is_bound:
            error_links.extend(form.error_links())
    context.update(
        channel=channel,
        title=TITLES[channel],
        active=channel,
        step=step,
        conversation=channel in CONVERSATION_CHANNELS,
        error_links=error_links,
        find_url=reverse("staff:log", args=[channel]),
    )
    return render(request, "staff/log_contact.html", context, status=status)


def _find_step(
    request: HttpRequest,
    channel: str,
    new_form: NewCustomerForm | None = None,
    status: int = 200,
) -> HttpResponse:
    query = request.GET.get("find", "").strip()[:100]
    found = customers_find(query, limit=SEARCH_LIMIT + 1) if query else []
    results = [
        {"id": c.pk, "name": c.name, "postcode": postcode_masked(c.postcode)}
        for c in found[:SEARCH_LIMIT]
    ]
    if new_form is None:
        # A search for a name that found no one is most likely the new customer's name.
        looks_like_name = re.fullmatch(r"[^\d@]{2,}", query) is not None
        new_form = NewCustomerForm(initial={"name": query} if looks_like_name and not found else {})
    return _render(
        request,
        channel,
        "find",
        forms=(new_form,),
        status=status,
        query=query,
        results=results,
        more=len(found) > SEARCH_LIMIT,
        limit=SEARCH_LIMIT,
        new_form=new_form,
        new_open=new_form.is_bound or bool(query and not found),
    )


def _new_customer(request: HttpRequest, channel: str, now: datetime.datetime) -> HttpResponse:
    form = NewCustomerForm(request.POST)
    if form.is_valid():
        try:
            customer = customer_create(by=request.user, now=now, **form.cleaned_data)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            # The agent has just taken these details from the customer: nothing to verify.
            identity_remember(
                request, customer.pk, IdentityCheck(override_reason=NEW_CUSTOMER_REASON), now
            )
            messages.success(request, f"Customer {customer.name} created.")
            return HttpResponseRedirect(_customer_url(channel, customer.pk), status=303)
    return _find_step(request, channel, new_form=form, status=400)


def _identity_step(
    request: HttpRequest,
    channel: str,
    customer: Customer,
    form: IdentityForm,
    status: int = 200,
) -> HttpResponse:
    # Only the name: the rest of the account waits for the check.
    return _render(
        request,
        channel,
        "identity",
        forms=(form,),
        status=status,
        customer_id=customer.pk,
        customer_name=customer.name,
        identity_form=form,
    )


def _identity_record(
    request: HttpRequest, channel: str, customer: Customer, now: datetime.datetime
) -> HttpResponse:
    form = IdentityForm(request.POST, channel=channel)
    if not form.is_valid():
        return _identity_step(request, channel, customer, form, status=400)
    identity_remember(request, customer.pk, form.identity, now)
    return HttpResponseRedirect(_customer_url(channel, customer.pk), status=303)


def _complaint_record(
    request: HttpRequest, channel: str, customer: Customer, now: datetime.datetime
) -> HttpResponse:
    form = ComplaintForm(request.POST, request.FILES, channel=channel, now=now)
    check = identity_recalled(request, customer.pk, now)
    identity_form = None
    extra_errors: tuple[dict[str, str], ...] = ()
    if check is None and channel in WRITTEN_MATCH_REASON:
        check = IdentityCheck(override_reason=WRITTEN_MATCH_REASON[channel])
    elif check is None:
        # The check expired while the agent typed: ask for it again inside this form, so
        # nothing typed is lost and nothing about the account is shown meanwhile.
        if "identity_inline" in request.POST:
            identity_form = IdentityForm(request.POST, channel=channel)
            if identity_form.is_valid():
                check = identity_form.identity
                identity_remember(request, customer.pk, check, now)
                identity_form = None
        else:
            identity_form = IdentityForm(channel=channel)
            extra_errors = ({"href": "#id_asked_0", "message": IDENTITY_EXPIRED},)

    if form.is_valid() and check is not None:
        try:
            complaint = complaint_log_contact(
                customer=customer,
                channel=channel,
                category=form.cleaned_data["category"],
                department=form.cleaned_data["department"],
                summary=form.cleaned_data["summary"],
                details=form.cleaned_data["details"],
                first_made_at=form.cleaned_data["first_made_at"],
                received_at=form.cleaned_data.get("received_at"),
                identity=check,
                outcome=form.to_outcome(),
                uploads=form.cleaned_data.get("attachments") or [],
                by=request.user,
                now=now,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        except NoCodeInForce as exc:
            form.add_error(None, f"{exc} Ask an admin to publish one; nothing was logged.")
        else:
            messages.success(request, logged_message(complaint))
            return HttpResponseRedirect(
                reverse("staff:complaint", args=[complaint.reference]), status=303
            )
    form.files_dropped(request.FILES)
    return _complaint_step(
        request,
        channel,
        customer,
        check,
        form,
        now=now,
        identity_form=identity_form,
        extra_errors=extra_errors,
        status=400,
    )


def _complaint_step(
    request: HttpRequest,
    channel: str,
    customer: Customer,
    check: IdentityCheck | None,
    form: ComplaintForm,
    *,
    now: datetime.datetime,
    identity_form: IdentityForm | None = None,
    extra_errors: tuple[dict[str, str], ...] = (),
    status: int = 200,
) -> HttpResponse:
    show_account = check is not None and identity_form is None
    open_complaints: list[Complaint] = []
    if show_account:
        open_complaints = list(
            Complaint.objects.filter(customer_id=customer.pk, status__in=OPEN_STATUSES)
            .order_by("-received_at")
            .only("reference", "summary", "status", "channel", "received_at", "next_due_at")[
                :OPEN_COMPLAINTS_SHOWN
            ]
        )
    return _render(
        request,
        channel,
        "complaint",
        forms=(identity_form, form),
        extra_errors=extra_errors,
        status=status,
        customer_id=customer.pk,
        customer_name=customer.name,
        customer=customer if show_account else None,
        vulnerability_labels=[
            VulnerabilityFlag(flag).label
            for flag in customer.vulnerability_flags
            if show_account and flag in VulnerabilityFlag.values
        ],
        identity_description=check.describe() if show_account else "",
        open_complaints=open_complaints,
        open_complaints_limit=OPEN_COMPLAINTS_SHOWN,
        identity_form=identity_form,
        form=form,
        preview=governance_preview(channel, customer, form, now) if show_account else None,
    )


def governance_preview(
    channel: str, customer: Customer, form: ComplaintForm, now: datetime.datetime
) -> dict[str, Any] | None:
    """Which code version will govern the complaint and the clocks it would start.

    Uses the times typed on a form sent back, otherwise now: a complaint first made before a
    new version came into force keeps the older one.
    """
    typed = form.cleaned_data if form.is_bound and hasattr(form, "cleaned_data") else {}
    received = typed.get("received_at") or now
    first_made = typed.get("first_made_at") or received
    try:
        version = code_version_in_force(at=first_made)
    except NoCodeInForce:
        return None
    # One fetch serves both the commitment below and code_rules().
    prefetch_related_objects([version], "channel_windows", "closure_days")
    window = next((w for w in version.channel_windows.all() if w.channel == channel), None)
    clocks = compute_clocks(
        code_rules(version),
        ClockInputs(
            channel=channel,
            received=received,
            first_made=min(first_made, received),
            nation=customer.nation,
            category=typed.get("category") or "other",
            employees=customer.adr_employees,
        ),
    )
    rows = [
        {"label": label, "value": instant(getattr(clocks, name))}
        for name, label in CLOCK_LABELS
        if getattr(clocks, name) is not None
    ]
    rows.append({"label": "ADR possible from", "value": day(clocks.adr_eligible_from)})
    return {
        "version": version,
        "commitment": window.commitment if window else "",
        "clocks": rows,
        "when": "with the times above" if typed else "if logged now",
    }


def logged_message(complaint: Complaint) -> str:
    """The flash message after logging: the reference and the clocks that started."""
    reference = complaint.reference
    if complaint.resolved_at_first_contact:
        return f"Logged {reference} and closed it as resolved at first contact."
    clocks = [
        f"{label.lower()} {instant(getattr(complaint, name))}"
        for name, label in CLOCK_LABELS
        if getattr(complaint, name) is not None
        and not (name == "acknowledge_by" and complaint.acknowledged_at)
    ]
    if complaint.promised_by:
        clocks.append(f"you promised the customer {instant(complaint.promised_by)}")
    clocks.append(f"ADR possible from {day(complaint.adr_eligible_from)}")
    emailed = " The customer has been emailed their reference." if complaint.customer.email else ""
    return (
        f"Logged {reference} under {complaint.code_version}. Clocks: {'; '.join(clocks)}.{emailed}"
    )

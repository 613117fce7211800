"""Customers following their complaint: by signed link, or signed in to the portal.

Thin: find the complaint through complaints.selectors.follow (the only place that decides
what a customer may see), parse the action's form (complaints.portal.forms.ACTIONS), call its
complaints.workflows.customer_actions service, render. Every "not yours" answer is the same 404 as "does not exist", so the pages
never reveal whether a reference is real.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from complaints.lifecycle import CUSTOMER, TransitionRefused, allowed_actions, next_status
from complaints.models import Complaint
from complaints.permissions import is_staff_member
from complaints.portal.forms import (
    ACTIONS,
    AccessibleForm,
    CustomerAction,
    NewLinkForm,
    action_intro,
)
from complaints.selectors.access import (
    FollowLinkExpired,
    complaint_for_link,
    complaint_for_new_link,
    portal_complaint,
    portal_complaints,
    portal_customer,
)
from complaints.selectors.follow import STATUS_LABELS, FollowPage, follow_page, next_promise
from complaints.tokens import FOLLOW_MAX_AGE, FollowLinkInvalid, follow_token_make
from complaints.workflows.customer_actions import follow_link_send
from complaints.workflows.rate_limits import (
    client_key_make,
    customer_action_rate_limited,
    rate_limit_hit,
)
from config.request_context import after_response

logger = logging.getLogger(__name__)


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


@dataclass(frozen=True)
class Via:
    """How the customer reached the complaint, and so how every link on the page is built:
    with the signed token in the path, or signed in to the portal (no token)."""

    reference: str
    token: str = ""

    @property
    def portal(self) -> bool:
        return not self.token

    def page(self) -> str:
        if self.portal:
            return reverse("complaints:my_complaint", args=[self.reference])
        return reverse("complaints:follow", args=[self.reference, self.token])

    def act(self, action: str) -> str:
        if self.portal:
            return reverse("complaints:my_complaint_act", args=[self.reference, action])
        return reverse("complaints:follow_act", args=[self.reference, self.token, action])

    def letter(self, letter_id: int) -> str:
        if self.portal:
            return reverse("complaints:my_letter", args=[self.reference, letter_id])
        return reverse("complaints:letter_by_token", args=[self.reference, self.token, letter_id])


@dataclass(frozen=True)
class Panel:
    action: CustomerAction
    form: AccessibleForm
    url: str
    intro: str

    @property
    def anchor(self) -> str:
        return f"act-{self.action.name}"


# --- shared answers ------------------------------------------------------------------------


def _not_found(request: HttpRequest) -> HttpResponse:
    """The one answer for unknown, not yours, invalid or tampered: it reveals nothing."""
    return render(request, "complaints/follow/not_found.html", status=404)


def _expired(request: HttpRequest, reference: str) -> HttpResponse:
    return render(
        request,
        "complaints/follow/expired.html",
        {"reference": reference, "days": FOLLOW_MAX_AGE // 86400},
        status=410,
    )


def _private(response: HttpResponse) -> HttpResponse:
    # The URL carries a secret: keep it out of indexes and out of other sites' logs (the
    # ombudsman's website is linked). Not "no-referrer": browsers then send `Origin: null`
    # with the page's own forms and Django's CSRF check refuses every one of them.
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    return response


def _panels(
    page: FollowPage, via: Via, bound: AccessibleForm | None, bound_name: str
) -> list[Panel]:
    """The actions offered now: the lifecycle's customer actions for this status, less those
    that could only be refused (top tier, deadlock already asked), plus the code complaint."""
    complaint = page.complaint
    names = [a.value for a in allowed_actions(complaint.status, roles={CUSTOMER})]
    names.append("customer_complain_about_code")
    panels = []
    for name in names:
        if name == "customer_request_escalation" and page.next_tier is None:
            continue
        if name == "customer_request_deadlock" and page.deadlock_requested_at is not None:
            continue
        action = ACTIONS[name]
        form = bound if bound is not None and bound_name == name else action.form(prefix=name)
        panels.append(Panel(action, form, via.act(name), action_intro(name, page)))
    return panels


def _render(
    request: HttpRequest,
    complaint: Complaint,
    via: Via,
    *,
    status: int = 200,
    bound: AccessibleForm | None = None,
    bound_name: str = "",
    problem: str = "",
) -> HttpResponse:
    page = follow_page(complaint=complaint, now=timezone.now())
    panels = _panels(page, via, bound, bound_name)
    offered = {p.action.name for p in panels}
    letters = [
        (letter, via.letter(letter.pk) if letter.state == letter.State.READY else "")
        for letter in page.letters
    ]
    context = {
        "page": page,
        "complaint": complaint,
        "version": complaint.code_version,
        "via": via,
        "letters": letters,
        "panels": panels,
        "problem": problem,
        "error_links": (
            bound.error_links() if bound is not None and status == 400 and bound_name in offered
            else []
        ),
        # Nothing typed is lost when the form it was typed into is no longer offered.
        "unsaved": bound.typed_text() if bound is not None and bound_name not in offered else "",
        "unsaved_heading": ACTIONS[bound_name].heading if bound_name in ACTIONS else "",
        "bound_anchor": f"act-{bound_name}" if bound_name in offered else "",
        "new_link_url": reverse("complaints:new_link") + f"?reference={complaint.reference}",
    }  # fmt: skip
    return _private(render(request, "complaints/follow.html", context, status=status))


def _act(request: HttpRequest, complaint: Complaint, via: Via, name: str) -> HttpResponse:
    action = ACTIONS.get(name)
    if action is None:  # staff actions and anything else: there is no such customer action
        return _not_found(request)
    form = action.form(request.POST, request.FILES, prefix=name)

    def refused(exc: TransitionRefused) -> HttpResponse:
        return _render(request, complaint, via, status=409, bound=form, bound_name=name,
                       problem=str(exc))  # fmt: skip

    if action.lifecycle is not None:
        try:
            next_status(action.lifecycle, complaint.status, roles={CUSTOMER})
        except TransitionRefused as exc:
            return refused(exc)
    if not form.is_valid():
        return _render(request, complaint, via, status=400, bound=form, bound_name=name)
    if customer_action_rate_limited(
        client_key=client_key_make(request.META.get("REMOTE_ADDR", "")),
        complaint_id=complaint.pk,
        now=timezone.now(),
    ):
        return _render(request, complaint, via, status=429, bound=form, bound_name=name,
                       problem=ACTION_LIMITED)  # fmt: skip
    portal_user = request.user if via.portal else None
    try:
        result = action.service(
            complaint_id=complaint.pk, now=timezone.now(), portal_user=portal_user,
            **form.service_kwargs(),
        )  # fmt: skip
    except TransitionRefused as exc:
        complaint.refresh_from_db()  # refused under the row lock: show it as it is now
        return refused(exc)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render(request, complaint, via, status=400, bound=form, bound_name=name)
    if action.lifecycle is None:
        messages.success(request, _code_complaint_message(result, via))
    else:
        messages.success(request, action.done)
    return _private(HttpResponseSeeOther(via.page()))


ACTION_LIMITED = (
    "We have had a lot of requests about this complaint in the last hour, so we have not acted "
    "on this one. Your text is kept below: please try again later, or phone us."
)


def _code_complaint_message(new: Complaint, via: Via) -> str:
    if via.portal:
        url = reverse("complaints:my_complaint", args=[new.reference])
    else:
        url = reverse("complaints:follow", args=[new.reference, follow_token_make(new)])
    return format_html(
        "Thank you: we have started a new complaint about our code of practice. Its reference "
        'is <strong>{}</strong>. <a href="{}">Follow complaint {}</a> (keep this link: it is '
        "also in the email we are sending you).",
        new.reference,
        url,
        new.reference,
    )


# --- by signed link ------------------------------------------------------------------------


def _by_link(request: HttpRequest, reference: str, token: str) -> Complaint | HttpResponse:
    try:
        return complaint_for_link(reference=reference, token=token)
    except FollowLinkExpired:
        return _private(_expired(request, reference))
    except FollowLinkInvalid:
        return _private(_not_found(request))


@never_cache
@require_safe
def follow(request: HttpRequest, reference: str, token: str) -> HttpResponse:
    found = _by_link(request, reference, token)
    if isinstance(found, HttpResponse):
        return found
    return _render(request, found, Via(reference, token))


@never_cache
@require_POST
def follow_act(request: HttpRequest, reference: str, token: str, action: str) -> HttpResponse:
    found = _by_link(request, reference, token)
    if isinstance(found, HttpResponse):
        return found
    return _act(request, found, Via(reference, token), action)


# --- signed in -----------------------------------------------------------------------------


def _by_portal(request: HttpRequest, reference: str) -> Complaint | HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        return portal_complaint(user=request.user, reference=reference)
    except Complaint.DoesNotExist:
        return _not_found(request)


@never_cache
@require_safe
def my_complaints(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    customer = portal_customer(user=request.user)
    rows = [
        (c, STATUS_LABELS.get(c.status, c.get_status_display()), next_promise(c))
        for c in (portal_complaints(user=request.user) if customer is not None else [])
    ]
    context = {"customer": customer, "rows": rows, "is_staff": is_staff_member(request.user)}
    return render(request, "complaints/my_complaints.html", context)


@never_cache
@require_safe
def my_complaint(request: HttpRequest, reference: str) -> HttpResponse:
    found = _by_portal(request, reference)
    if isinstance(found, HttpResponse):
        return found
    return _render(request, found, Via(reference))


@never_cache
@require_POST
def my_complaint_act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    found = _by_portal(request, reference)
    if isinstance(found, HttpResponse):
        return found
    return _act(request, found, Via(reference), action)


# --- a fresh link --------------------------------------------------------------------------

NEW_LINK_SENT = "If the reference and email match a complaint, we have emailed a new link."


def _within_rate_limit(request: HttpRequest, now: datetime.datetime) -> bool:
    """settings.REDRESS_NEW_LINK_LIMIT ("10/h", or "off") per client IP, counted in PostgreSQL
    (complaints.workflows.rate_limits) so it holds with Redis down."""
    return not rate_limit_hit(
        scope="new-link:ip",
        subject=client_key_make(request.META.get("REMOTE_ADDR", "")),
        spec=settings.REDRESS_NEW_LINK_LIMIT,
        now=now,
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def new_link(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        initial = {"reference": request.GET.get("reference", "")[:20]}
        return render(request, "complaints/new_link.html", {"form": NewLinkForm(initial=initial)})
    form = NewLinkForm(request.POST)
    if not form.is_valid():
        context = {"form": form, "error_links": form.error_links()}
        return render(request, "complaints/new_link.html", context, status=400)
    now = timezone.now()
    allowed = _within_rate_limit(request, now)
    reference, email = form.cleaned_data["reference"], form.cleaned_data["email"]
    # The same work whether or not it matches, as far as is practical, so the answer's timing
    # says as little as its words: one lookup and one signature every time.
    complaint = complaint_for_new_link(reference=reference, email=email)
    token = follow_token_make(complaint or Complaint(pk=0, reference=reference))
    context = {"form": NewLinkForm(), "sent": NEW_LINK_SENT}
    response = render(request, "complaints/new_link.html", context)
    if complaint is not None and allowed:
        # From settings, never the request's Host header: a forged Host must not put a
        # customer's valid token into a link to someone else's site.
        base = settings.REDRESS_BASE_URL.rstrip("/")
        # After the answer is sent: writing the outbox row and the timeline event takes time
        # only a match would spend, and the answer's timing must not tell.
        after_response(
            response,
            lambda: follow_link_send(
                complaint=complaint,
                follow_url=base + reverse("complaints:follow", args=[complaint.reference, token]),
                new_link_url=base + reverse("complaints:new_link"),
                now=now,
            ),
        )
    return response

"""The triage queue (/staff/triage/): complaints that arrived by email, oldest first, each
confirmed as a complaint or discarded (the message is kept). Thin over the triage selector
and the email intake workflow."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from complaints.permissions import staff_required
from complaints.selectors.triage import triage_queue
from complaints.workflows.email_intake import email_triage_confirm, email_triage_discard

SHOWN = 100


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


@require_safe
@staff_required
def triage_view(request: HttpRequest) -> HttpResponse:
    items = list(triage_queue(user=request.user)[: SHOWN + 1])
    return render(
        request,
        "staff/triage.html",
        {"items": items[:SHOWN], "more": len(items) > SHOWN, "active": "triage"},
    )


def _done(request: HttpRequest, message: str) -> HttpResponse:
    messages.success(request, message)
    return HttpResponseSeeOther(reverse("staff:triage"))


@require_POST
@staff_required
def triage_confirm(request: HttpRequest, inbound_id: int) -> HttpResponse:
    item = get_object_or_404(triage_queue(user=request.user), pk=inbound_id)
    try:
        email_triage_confirm(inbound_id=item.pk, by=request.user, now=timezone.now())
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return HttpResponseSeeOther(reverse("staff:triage"))
    return _done(request, f"{item.complaint.reference} confirmed as a complaint.")


@require_POST
@staff_required
def triage_discard(request: HttpRequest, inbound_id: int) -> HttpResponse:
    item = get_object_or_404(triage_queue(user=request.user), pk=inbound_id)
    try:
        email_triage_discard(
            inbound_id=item.pk, by=request.user, now=timezone.now(),
            reason=request.POST.get("reason", ""),
        )  # fmt: skip
    except (ValidationError, PermissionDenied) as exc:
        messages.error(
            request,
            f"{item.complaint.reference}: " + " ".join(getattr(exc, "messages", [str(exc)])),
        )
        return HttpResponseSeeOther(reverse("staff:triage") + f"#triage-{item.pk}")
    return _done(request, f"{item.complaint.reference} discarded; the email is kept.")

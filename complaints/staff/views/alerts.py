"""The alerts page (the bell in the console header leads here) and marking alerts read."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from complaints.alerts import staff_alert_mark_read
from complaints.permissions import staff_required
from complaints.selectors.alerts import staff_alerts_for

PAGE_SIZE = 50


@require_GET
@staff_required
def alerts_view(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("show") == "unread"
    page = Paginator(staff_alerts_for(request.user, unread_only=unread_only), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "staff/alerts.html",
        {"page": page, "unread_only": unread_only, "active": "alerts"},
    )


@require_POST
@staff_required
def alerts_mark_read(request: HttpRequest) -> HttpResponse:
    """POST alert=<id> (repeatable) marks those; no ids marks all of the person's alerts."""
    ids = [int(v) for v in request.POST.getlist("alert") if v.isascii() and v.isdigit()]
    staff_alert_mark_read(user=request.user, now=timezone.now(), alert_ids=ids or None)
    return HttpResponseRedirect(reverse("staff:alerts"), status=303)

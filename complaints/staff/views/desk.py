"""The manager's desk: the breach board and the letters waiting to be posted."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from complaints.models import Letter
from complaints.permissions import manager_required
from complaints.selectors.breaches import breach_board
from complaints.selectors.letters import letters_to_post
from complaints.workflows.actions import assignable_staff
from complaints.workflows.posting import letter_mark_posted
from escalation.calendar import local_date


@require_GET
@manager_required
def breach_board_view(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    return render(
        request,
        "staff/breach_board.html",
        {
            "active": "breached",
            "board": breach_board(user=request.user, now=now),
            "staff": list(assignable_staff()),
            "here": request.get_full_path(),
        },
    )


@require_GET
@manager_required
def letters_to_post_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "staff/letters_to_post.html",
        {
            "active": "to_post",
            "letters": letters_to_post(),
            "today": local_date(timezone.now()),
        },
    )


@require_POST
@manager_required
def letter_posted(request: HttpRequest, letter_id: int) -> HttpResponse:
    back = HttpResponseRedirect(reverse("staff:letters_to_post"))
    raw = request.POST.get("posted_on", "").strip()
    try:
        posted_on = datetime.date.fromisoformat(raw)
    except ValueError:
        messages.error(
            request, f"“{raw[:20]}” is not a date: give the day it was posted. Nothing was changed."
        )
        return back
    try:
        letter = letter_mark_posted(
            letter_id=letter_id, by=request.user, now=timezone.now(), posted_on=posted_on
        )
    except Letter.DoesNotExist:
        messages.error(request, "There is no such letter. Nothing was changed.")
        return back
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages) + " Nothing was changed.")
        return back
    messages.success(
        request,
        f"Recorded: the {letter.get_kind_display().lower()} for {letter.complaint.reference} "
        f"was posted on {posted_on:%d %B %Y}.",
    )
    return back

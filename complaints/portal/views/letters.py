"""The customer's downloads of the letters we sent them: the exact stored PDF, by signed
link or signed in to the portal (`complaints.downloads.letter_download` serves it)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from complaints.downloads import letter_download
from complaints.models import Complaint
from complaints.tokens import FollowLinkInvalid, follow_token_read


@require_safe
def customer_letter_by_token(
    request: HttpRequest, reference: str, token: str, letter_id: int
) -> HttpResponse:
    try:
        complaint = follow_token_read(token, reference=reference)
    except FollowLinkInvalid:
        raise Http404("No such letter.") from None
    return letter_download(complaint.pk, letter_id)


@require_safe
@login_required
def customer_letter(request: HttpRequest, reference: str, letter_id: int) -> HttpResponse:
    complaint = get_object_or_404(
        Complaint.objects.only("pk"), reference=reference, customer__portal_user=request.user
    )
    return letter_download(complaint.pk, letter_id)

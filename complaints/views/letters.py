"""Downloads of the letters we sent: the exact stored PDF, to the customer or to staff.

Every lookup is scoped to the complaint the URL names, so a letter id from another complaint
gets the same 404 as a letter that does not exist.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from complaints.downloads import stored_file_response
from complaints.letters import letter_filename
from complaints.models import Complaint, Letter
from complaints.permissions import staff_required
from complaints.tokens import FollowLinkInvalid, follow_token_read

NOT_READY = (
    "This letter is being prepared. Please try again in a few minutes; we will also email it "
    "to you when it is ready."
)


def _letter_download(complaint_id: int, letter_id: int) -> HttpResponse:
    letter = get_object_or_404(
        Letter.objects.only("pk", "kind", "state", "dated", "pdf", "context", "complaint_id"),
        pk=letter_id,
        complaint_id=complaint_id,
    )
    if letter.state != Letter.State.READY or not letter.pdf:
        return HttpResponseNotFound(NOT_READY, content_type="text/plain; charset=utf-8")
    response = stored_file_response(
        letter.pdf,
        filename=letter_filename(letter),
        content_type="application/pdf",
        missing="The stored letter is missing.",
    )
    # A letter names the customer and their complaint: never keep it in any cache.
    response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def customer_letter_by_token(
    request: HttpRequest, reference: str, token: str, letter_id: int
) -> HttpResponse:
    try:
        complaint = follow_token_read(token, reference=reference)
    except FollowLinkInvalid:
        raise Http404("No such letter.") from None
    return _letter_download(complaint.pk, letter_id)


@require_safe
@login_required
def customer_letter(request: HttpRequest, reference: str, letter_id: int) -> HttpResponse:
    complaint = get_object_or_404(
        Complaint.objects.only("pk"), reference=reference, customer__portal_user=request.user
    )
    return _letter_download(complaint.pk, letter_id)


@require_safe
@staff_required
def staff_letter(request: HttpRequest, reference: str, letter_id: int) -> HttpResponse:
    complaint = get_object_or_404(Complaint.objects.only("pk"), reference=reference)
    return _letter_download(complaint.pk, letter_id)

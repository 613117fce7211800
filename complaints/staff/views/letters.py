"""Staff download of a letter we sent: the exact stored PDF, from the complaint page."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from complaints.downloads import letter_download
from complaints.models import Complaint
from complaints.permissions import staff_required


@require_safe
@staff_required
def staff_letter(request: HttpRequest, reference: str, letter_id: int) -> HttpResponse:
    complaint = get_object_or_404(Complaint.objects.only("pk"), reference=reference)
    return letter_download(complaint.pk, letter_id)

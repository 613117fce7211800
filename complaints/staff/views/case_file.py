"""The ombudsman case file downloads on the staff complaint page (managers only)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET

from complaints.models import Complaint
from complaints.permissions import manager_required
from complaints.selectors.reports import reports_check
from complaints.workflows.case_file import CaseFile, case_file_pdf, case_file_zip


def _download(case_file: CaseFile, content_type: str) -> HttpResponse:
    response = HttpResponse(case_file.content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{case_file.filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_GET
@manager_required
def case_file_pdf_view(request: HttpRequest, reference: str) -> HttpResponse:
    reports_check(request.user)
    complaint = get_object_or_404(Complaint.objects.only("pk"), reference=reference)
    built = case_file_pdf(complaint_id=complaint.pk, by=request.user, now=timezone.now())
    return _download(built, "application/pdf")


@require_GET
@manager_required
def case_file_zip_view(request: HttpRequest, reference: str) -> HttpResponse:
    reports_check(request.user)
    complaint = get_object_or_404(Complaint.objects.only("pk"), reference=reference)
    built = case_file_zip(complaint_id=complaint.pk, by=request.user, now=timezone.now())
    return _download(built, "application/zip")

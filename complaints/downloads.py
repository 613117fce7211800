"""Serving files we keep (attachments, letters) only through views that checked who asks.

Shared by the front doors (the staff console and the customer side). Every letter lookup is
scoped to the complaint the URL names, so a letter id from another complaint gets the same 404
as a letter that does not exist.
"""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404

from complaints.models import Letter
from complaints.workflows.letters import letter_filename


def stored_file_response(
    stored: FieldFile, *, filename: str, content_type: str, missing: str
) -> FileResponse:
    """The stored file as a download; 404 with `missing` if it is gone from storage."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError:
        raise Http404(missing) from None
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    # Never let a browser second-guess a stored file into something it would run.
    response["X-Content-Type-Options"] = "nosniff"
    return response


NOT_READY = (
    "This letter is being prepared. Please try again in a few minutes; we will also email it "
    "to you when it is ready."
)


def letter_download(complaint_id: int, letter_id: int) -> HttpResponse:
    """The letter (of that complaint) as a download, or a plain 404 while it is being made."""
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

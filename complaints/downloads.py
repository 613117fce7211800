"""Serving files we keep (attachments, letters) only through views that checked who asks."""

from __future__ import annotations

from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404


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

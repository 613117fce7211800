"""The public form's upload limits, applied while the request is read (before any form)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest

from complaints.workflows import intake
from complaints.workflows.web_form import MAX_ATTACHMENTS


class CappedUploadHandler(FileUploadHandler):
    """First in the request's chain: lets at most MAX_ATTACHMENTS files of at most 10 MB each
    through to the handlers that write them, so nobody can fill the disk with one POST. The
    text fields are still read, so a complaint is never lost because a file was too big.

    What it skips is recorded in `skipped` (name and why) for the form to report.
    """

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.skipped: list[dict[str, Any]] = []
        self.files_seen = 0
        self._skip_reason = ""
        self._size = 0

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.files_seen += 1
        self._size = 0
        # Skipped at the first chunk, not here: the handlers after this one must have opened
        # this file before SkipFile, or the parser would close the previous file instead.
        self._skip_reason = "too_many" if self.files_seen > MAX_ATTACHMENTS else ""

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._size += len(raw_data)
        if not self._skip_reason and self._size > intake.MAX_ATTACHMENT_BYTES:
            self._skip_reason = "too_big"
        if self._skip_reason:
            self.skipped.append({"name": self.file_name, "skipped": self._skip_reason})
            self._skip_reason = ""
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None

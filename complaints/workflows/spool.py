"""The write-ahead spool: a complaint sent while PostgreSQL is unreachable is not lost.

The public form's first write is the WebSubmission row. When even that fails because the
database is down, `spool_write` puts the POST (fields and files) into one JSON file in
settings.REDRESS_SPOOL_DIR (outside the web root and MEDIA_ROOT), written to a temporary name,
fsynced and renamed, so a file in the spool is always complete. The customer sees "we have
your complaint". `spool_replay` (beat, every minute) turns each file into a WebSubmission and
then logs it exactly as the form would have, with the clocks from when it was sent:

    exactly once: the submission row and a FormTokenUse keyed by the spool file's id are
    committed together; a replay that finds the key deletes the file and does nothing else,
    so a crash between committing and deleting cannot log it twice.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
import os
import secrets
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import transaction
from django.http import QueryDict

from complaints.guards import FormTokenUse
from complaints.models import WebSubmission
from complaints.workflows.rate_limits import client_key_make
from complaints.workflows.submissions import (
    form_token_clean,
    web_submission_fail,
    web_submission_note,
    web_submission_process,
    web_submission_receive,
)
from complaints.workflows.web_form import TOKEN_FIELD, PublicComplaintForm

logger = logging.getLogger(__name__)
REPLAY_BATCH = 200


def spool_dir() -> Path:
    folder = Path(settings.REDRESS_SPOOL_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def spool_write(
    *,
    data: Mapping[str, Any],
    uploads: Sequence[UploadedFile],
    ip: str,
    now: datetime.datetime,
) -> str:
    """Keep one POST on local disk, durably; its spool id."""
    spool_id = f"{now:%Y%m%dT%H%M%S}-{secrets.token_hex(8)}"
    items = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    record = {
        "id": spool_id,
        "received_at": now.isoformat(),
        # The keyed hash, never the address: the spool is kept like the database is.
        "client_key": client_key_make(ip),
        "fields": {key: list(values) for key, values in items if key != "csrfmiddlewaretoken"},
        "files": [],
    }
    for upload in uploads:
        upload.seek(0)
        record["files"].append(
            {
                "name": upload.name,
                "content_type": upload.content_type,
                "content": base64.b64encode(upload.read()).decode(),
            }
        )
        upload.seek(0)
    folder = spool_dir()
    temporary = folder / f".{spool_id}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(record, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, folder / f"{spool_id}.json")
    _fsync_dir(folder)
    logger.warning("database unavailable: web submission spooled as %s", spool_id)
    return spool_id


def _replay_one(path: Path, now: datetime.datetime) -> bool:
    """Replay one spool file; True if this call logged it (False: it already was)."""
    record = json.loads(path.read_text(encoding="utf-8"))
    key = f"spool:{record['id']}"
    received_at = datetime.datetime.fromisoformat(record["received_at"])
    fields = QueryDict(mutable=True)
    for name, values in record["fields"].items():
        fields.setlist(name, values)
    uploads = [
        SimpleUploadedFile(f["name"], base64.b64decode(f["content"]), f["content_type"])
        for f in record["files"]
    ]
    with transaction.atomic():
        if FormTokenUse.objects.filter(token=key).exists():
            path.unlink(missing_ok=True)
            return False
        submission = web_submission_receive(data=fields, uploads=uploads, ip="", now=received_at)
        WebSubmission.objects.filter(pk=submission.pk).update(client_key=record["client_key"])
        submission.client_key = record["client_key"]
        FormTokenUse.objects.create(token=key, submission=submission, created_at=now)
    # Committed: the words are in the database now, so the file can go.
    path.unlink(missing_ok=True)
    _fsync_dir(path.parent)
    form = PublicComplaintForm(fields, {"attachments": uploads})
    if not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        web_submission_note(submission, f"Spooled while the database was down; invalid: {problems}")
        return True
    attachments = form.cleaned_data["attachments"]
    try:
        web_submission_process(
            submission=submission,
            complaint=form.public_complaint(),
            uploads=attachments,
            token=form_token_clean(fields.get(TOKEN_FIELD)),
            now=received_at,
        )
    except Exception as exc:  # noqa: BLE001 - kept for a person, as the form would
        logger.exception("spooled web submission %s could not be logged", submission.pk)
        web_submission_fail(submission=submission, uploads=attachments, error=exc, token="")
    return True


def spool_replay(*, now: datetime.datetime) -> int:
    """Beat: replay the spool, oldest first (a bounded batch); how many were logged now."""
    folder = spool_dir()
    logged = 0
    for path in sorted(folder.glob("*.json"))[:REPLAY_BATCH]:
        try:
            logged += _replay_one(path, now)
        except Exception:  # noqa: BLE001 - the database may still be down: try again next run
            logger.exception("could not replay spooled submission %s", path.name)
            break
    return logged

"""What a held or failed web submission may keep on disk (issue 14, item 7).

The words of every submission are always kept (the write-ahead row). Its files are kept for
the person who will log it only while this client's kept files, and everyone's, stay under
settings REDRESS_HELD_FILES_PER_CLIENT_BYTES and REDRESS_HELD_FILES_TOTAL_BYTES; a file past
either bound is described ("dropped": why) but not stored, the submission's note says so, and
the admins get one email an hour saying files were dropped.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.utils import timezone

from complaints.models import WebSubmission
from escalation.roles import ADMIN
from notifications.services import notification_enqueue

logger = logging.getLogger(__name__)

# States whose files wait on disk for a person.
_WAITING = ("held", "failed", "spam")


def held_bytes_kept(*, client_key: str | None = None) -> int:
    """Bytes of files kept for submissions still waiting for a person (one client's, or all)."""
    sql = (
        f"SELECT COALESCE(SUM((f->>'size')::bigint), 0) FROM {WebSubmission._meta.db_table} s, "
        "jsonb_array_elements(s.files) f WHERE f ? 'path' AND s.state = ANY(%s)"
    )
    params: list[Any] = [list(_WAITING)]
    if client_key is not None:
        sql += " AND s.client_key = %s"
        params.append(client_key)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (total,) = cursor.fetchone()
    return int(total)


def _admins_tell(submission: WebSubmission, dropped: list[dict[str, Any]], now: Any) -> None:
    recipients = (
        get_user_model()
        .objects.filter(groups__name=ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
        .distinct()
    )
    hour = now.strftime("%Y-%m-%dT%H")
    for email in recipients:
        notification_enqueue(
            recipient=email,
            template="held_files_dropped",
            context={
                "submission_id": submission.pk,
                "files": [f"{f['name']} ({f['size']} bytes): {f['dropped']}" for f in dropped],
            },
            # At most one an hour per admin, however many posts a flood sends.
            idempotency_key=f"held-files-dropped:{hour}:{email}",
        )


def held_files_keep(
    submission: WebSubmission,
    uploads: Sequence[UploadedFile],
    *,
    clean: Any = str,
    now: datetime.datetime | None = None,
) -> None:
    """Keep the files of a submission a person will log by hand, within the bounds."""
    per_client = settings.REDRESS_HELD_FILES_PER_CLIENT_BYTES
    total_cap = settings.REDRESS_HELD_FILES_TOTAL_BYTES
    used_client = held_bytes_kept(client_key=submission.client_key)
    used_total = held_bytes_kept()
    described, dropped = [], []
    for upload in uploads:
        size = upload.size or 0
        entry = {
            "name": clean(upload.name or "")[:255],
            "size": size,
            "claimed_type": upload.content_type,
        }
        if used_client + size > per_client:
            entry["dropped"] = "this sender's held files are at their limit"
        elif used_total + size > total_cap:
            entry["dropped"] = "held files for all senders are at their limit"
        else:
            try:
                upload.seek(0)
                digest = hashlib.sha256()
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
                entry["path"] = default_storage.save(
                    f"submissions/{submission.pk}/{secrets.token_hex(16)}", upload
                )
                entry["sha256"] = digest.hexdigest()
                used_client += size
                used_total += size
            except Exception:  # noqa: BLE001 - keep what we can; the words matter most
                logger.exception(
                    "could not keep file %r of web submission %s", upload.name, submission.pk
                )
                entry["dropped"] = "could not be stored"
        described.append(entry)
        if "dropped" in entry:
            dropped.append(entry)
    if not described:
        return
    WebSubmission.objects.filter(pk=submission.pk).update(files=described)
    submission.files = described
    if dropped:
        logger.warning("web submission %s: %d file(s) not kept", submission.pk, len(dropped))
        _admins_tell(submission, dropped, now or timezone.now())


def held_files_dropped_note(submission: WebSubmission) -> str:
    """' Files not kept: a.pdf, b.pdf.' for the submission's note, or ''."""
    names = [f["name"] for f in submission.files if f.get("dropped")]
    return f" Files not kept: {', '.join(names)}." if names else ""

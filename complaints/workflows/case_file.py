"""The ombudsman case file: everything the provider must send when a customer goes to ADR.

One PDF (WeasyPrint): the complaint's summary, the whole timeline (customer-visible and
internal, marked), every clock and whether it was met, the final position, the list of
attachments with their SHA-256, then every letter we sent — the exact stored PDFs appended page
for page (pypdf), each introduced by its kind, date and hash. And a zip of the attachments as
received with a manifest of their SHA-256 hashes, computed from the bytes as they are zipped.

Building either is recorded on the complaint's timeline (internal) so the file's existence is
part of the record. Reads a fixed number of queries however long the timeline is.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.template.loader import render_to_string

from complaints.models import Attachment, Complaint, Letter, TimelineEvent
from complaints.selectors.clocks import clock_rows
from complaints.timeline import timeline_record
from complaints.workflows.letters import KIND_TITLES


@dataclass(frozen=True)
class CaseFile:
    filename: str
    content: bytes


def _complaint(complaint_id: int) -> Complaint:
    return Complaint.objects.select_related(
        "customer", "assigned_to", "code_version__code", "root_cause"
    ).get(pk=complaint_id)


def _context(complaint: Complaint, now: datetime.datetime) -> dict[str, Any]:
    events = list(
        TimelineEvent.objects.filter(complaint=complaint)
        .select_related("author")
        .order_by("occurred_at", "id")
    )
    letters = list(Letter.objects.filter(complaint=complaint).order_by("created_at", "id"))
    attachments = list(Attachment.objects.filter(complaint=complaint).order_by("created_at", "id"))
    tiers = {t.level: t for t in complaint.code_version.tiers.all()}
    deadlock = next(
        (letter for letter in reversed(letters) if letter.kind == Letter.Kind.DEADLOCK), None
    )
    return {
        "complaint": complaint,
        "customer": complaint.customer,
        "version": complaint.code_version,
        "tier": tiers.get(complaint.tier),
        "events": events,
        "clocks": clock_rows(complaint, now),
        "letters": letters,
        "attachments": attachments,
        "final_position": deadlock.body if deadlock else complaint.resolution_summary,
        "final_position_source": "deadlock letter" if deadlock else "resolution",
        "now": now,
        "kind_titles": KIND_TITLES,
    }


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"the case file fetches nothing: {url}")


def _stored_letters(letters: list[Letter]) -> tuple[list[tuple[Letter, bytes]], set[int]]:
    """The ready letters' stored PDFs, and the ids of those whose file is gone from storage
    (the case file says so rather than failing or leaving them out silently)."""
    found, missing = [], set()
    for letter in letters:
        if letter.state != Letter.State.READY or not letter.pdf:
            continue
        try:
            with letter.pdf.open("rb") as handle:
                found.append((letter, handle.read()))
        except FileNotFoundError:
            missing.add(letter.pk)
    return found, missing


def _append_letters(summary_pdf: bytes, letters: list[tuple[Letter, bytes]]) -> bytes:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(summary_pdf)))
    for letter, data in letters:
        title = f"{KIND_TITLES[letter.kind]} dated {letter.dated:%d %B %Y}"
        writer.append(PdfReader(io.BytesIO(data)), outline_item=title)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def case_file_pdf(*, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime) -> CaseFile:
    """The case file as one PDF; recorded on the timeline."""
    from weasyprint import HTML  # heavy import: only this action pays for it

    complaint = _complaint(complaint_id)
    context = _context(complaint, now)
    stored, context["missing_letters"] = _stored_letters(context["letters"])
    html = render_to_string("letters/case_file.html", context)
    summary = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    content = _append_letters(summary, stored)
    timeline_record(
        complaint=complaint,
        kind=TimelineEvent.Kind.NOTE,
        summary="Ombudsman case file built (PDF)",
        occurred_at=now,
        author=by,
        data={"case_file": "pdf", "sha256": hashlib.sha256(content).hexdigest()},
    )
    return CaseFile(f"{complaint.reference}-case-file-{now:%Y-%m-%d}.pdf", content)


def case_file_zip(*, complaint_id: int, by: AbstractBaseUser, now: datetime.datetime) -> CaseFile:
    """The attachments exactly as received, plus MANIFEST-SHA256.txt (`sha256sum -c` reads it).
    A stored hash that no longer matches the bytes is flagged in the manifest, never hidden."""
    complaint = _complaint(complaint_id)
    attachments = list(Attachment.objects.filter(complaint=complaint).order_by("created_at", "id"))
    buffer = io.BytesIO()
    lines, problems = [], []
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for attachment in attachments:
            name = f"attachments/{attachment.pk}-{_safe(attachment.original_name)}"
            try:
                with attachment.file.open("rb") as handle:
                    data = handle.read()
            except FileNotFoundError:
                problems.append(f"# MISSING from storage: {name}")
                continue
            digest = hashlib.sha256(data).hexdigest()
            archive.writestr(name, data)
            lines.append(f"{digest}  {name}")
            if attachment.sha256 and attachment.sha256 != digest:
                problems.append(f"# DIFFERS from the hash recorded on receipt: {name}")
        header = [
            f"# {complaint.reference}: attachments as received, built {now.isoformat()}",
            "# Check with: sha256sum -c MANIFEST-SHA256.txt",
        ]
        archive.writestr("MANIFEST-SHA256.txt", "\n".join(header + problems + lines) + "\n")
    content = buffer.getvalue()
    timeline_record(
        complaint=complaint,
        kind=TimelineEvent.Kind.NOTE,
        summary=f"Ombudsman case file attachments zipped ({len(lines)} files)",
        occurred_at=now,
        author=by,
        data={"case_file": "zip", "sha256": hashlib.sha256(content).hexdigest()},
    )
    return CaseFile(f"{complaint.reference}-attachments-{now:%Y-%m-%d}.zip", content)


def _safe(name: str) -> str:
    kept = "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in name)
    return kept.strip("._") or "file"

"""The ombudsman case file: one PDF with everything, and the attachments zip with hashes."""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from complaints.models import Attachment
from complaints.workflows import actions
from complaints.workflows.case_file import case_file_pdf, case_file_zip
from tests.complaints.staff.test_staff_letters import ready_letter, small_pdf
from tests.factories import ComplaintFactory, TimelineEventFactory

ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def attach(complaint, name: str, content: bytes) -> Attachment:
    return Attachment.objects.create(
        complaint=complaint, file=ContentFile(content, name="upload"), original_name=name,
        content_type="application/pdf", size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )  # fmt: skip


@pytest.fixture
def case(customer, now, manager):
    complaint = ComplaintFactory(customer=customer, now=now, summary="Line dead for a week")
    TimelineEventFactory(complaint=complaint, summary="Engineer found a cabinet fault",
                         body="Internal: cabinet 14", occurred_at=now)  # fmt: skip
    actions.complaint_propose_resolution(complaint_id=complaint.pk, by=manager, now=now,
                                         expected_version=None, body="We credit £30.")  # fmt: skip
    ready_letter(complaint, delivery="email")
    attach(complaint, "photo of router.pdf", b"%PDF-1.4 router")
    return complaint


def pdf_text(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "case.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def test_the_case_file_pdf_holds_summary_timeline_clocks_position_letters_and_attachments(
    case, manager, now, tmp_path
):
    built = case_file_pdf(complaint_id=case.pk, by=manager, now=now)
    text = pdf_text(built.content, tmp_path)
    assert f"Ombudsman case file: complaint {case.reference}" in text
    assert "Line dead for a week" in text
    assert "Engineer found a cabinet fault" in text and "Internal" in text  # internal events too
    assert "Acknowledge by" in text and "Respond by" in text
    assert "We credit £30." in text  # the final position
    assert "photo of router.pdf" in text
    # A 64-character hash wraps in its table cell: compare without the line breaks.
    assert hashlib.sha256(b"%PDF-1.4 router").hexdigest() in text.replace(" ", "")
    assert "Deadlock letter" in text  # the appended letter's own page, embedded
    assert built.filename.startswith(case.reference)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "case-file.pdf").write_bytes(built.content)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1",
                        str(ARTIFACTS / "case-file.pdf"), str(ARTIFACTS / "case-file")], check=True)  # fmt: skip


def test_the_letters_are_appended_page_for_page(case, manager, now):
    from pypdf import PdfReader

    built = case_file_pdf(complaint_id=case.pk, by=manager, now=now)
    pages = len(PdfReader(io.BytesIO(built.content)).pages)
    letter_pages = len(PdfReader(io.BytesIO(small_pdf())).pages)
    assert pages >= 1 + letter_pages


def test_building_the_case_file_is_recorded_on_the_timeline(case, manager, now):
    case_file_pdf(complaint_id=case.pk, by=manager, now=now)
    assert case.events.filter(summary="Ombudsman case file built (PDF)", author=manager).exists()


def test_the_zip_holds_the_attachments_as_received_and_a_sha256_manifest(case, manager, now):
    built = case_file_zip(complaint_id=case.pk, by=manager, now=now)
    archive = zipfile.ZipFile(io.BytesIO(built.content))
    (name,) = [n for n in archive.namelist() if n.startswith("attachments/")]
    assert archive.read(name) == b"%PDF-1.4 router"
    manifest = archive.read("MANIFEST-SHA256.txt").decode()
    assert f"{hashlib.sha256(b'%PDF-1.4 router').hexdigest()}  {name}" in manifest


def test_the_manifest_flags_an_attachment_whose_bytes_changed(case, manager, now):
    Attachment.objects.filter(complaint=case).update(sha256="0" * 64)
    built = case_file_zip(complaint_id=case.pk, by=manager, now=now)
    manifest = zipfile.ZipFile(io.BytesIO(built.content)).read("MANIFEST-SHA256.txt").decode()
    assert "# DIFFERS from the hash recorded on receipt" in manifest


def test_a_manager_downloads_the_case_file_from_the_complaint_page(client, manager, case):
    client.force_login(manager)
    page = client.get(reverse("staff:complaint", args=[case.reference])).content.decode()
    url = reverse("staff:case_file_pdf", args=[case.reference])
    assert url in page
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_recording_an_adr_referral_offers_the_case_file(client, manager, case):
    client.force_login(manager)
    case.refresh_from_db()
    response = client.post(
        reverse("staff:act", args=[case.reference, "record_adr_referral"]),
        {"record_adr_referral-row_version": case.row_version, "record_adr_referral-body": "OS 1"},
        follow=True,
    )
    assert "build the case file" in response.content.decode()


def test_a_letter_missing_from_storage_is_flagged_not_fatal(case, manager, now, tmp_path):
    letter = case.letters.get()
    letter.pdf.storage.delete(letter.pdf.name)
    built = case_file_pdf(complaint_id=case.pk, by=manager, now=now)
    assert "STORED PDF MISSING: not appended" in pdf_text(built.content, tmp_path)

"""Files with active content are refused at upload, saying why (issue 14, item 12): PDFs that
run script or programs, zips named .docx, Word files with macros or a remote template."""

from __future__ import annotations

import zlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from complaints.workflows.intake import attachment_sniff
from tests.factories import docx_bytes

PLAIN_PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n%%EOF\n"


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as excinfo:
        attachment_sniff(upload(name, content))
    return excinfo.value.messages[0]


def test_a_plain_pdf_is_accepted():
    assert attachment_sniff(upload("bill.pdf", PLAIN_PDF)) == "application/pdf"


@pytest.mark.parametrize(
    "active",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/AA << /O << /S /Launch /F (cmd.exe) >> >>",
        b"/Names << /EmbeddedFiles 3 0 R >>",
        b"/S /J#61vaScript",  # a name spelt with an escape is the same name
    ],
)
def test_a_pdf_with_active_content_is_refused_and_says_why(active):
    message = refusal("bill.pdf", PLAIN_PDF.replace(b"/Type", active + b" /Type"))
    assert "active content" in message
    assert "bill.pdf" in message


def test_script_hidden_in_a_compressed_stream_is_found():
    hidden = zlib.compress(b"<< /S /JavaScript /JS (this.exportDataObject()) >>")
    content = PLAIN_PDF + b"4 0 obj << /Filter /FlateDecode >> stream\n" + hidden + b"endstream"
    assert "JavaScript" in refusal("bill.pdf", content)


def test_a_name_that_only_starts_like_js_is_not_active():
    content = PLAIN_PDF.replace(b"/Type", b"/JSONish /Type")
    assert attachment_sniff(upload("bill.pdf", content)) == "application/pdf"


def test_a_real_word_document_is_accepted():
    assert attachment_sniff(upload("reply.docx", docx_bytes())).endswith(
        "wordprocessingml.document"
    )


def test_a_zip_named_docx_is_refused_as_a_zip():
    message = refusal("reply.docx", docx_bytes({"evil.exe": b"MZ"}, word=False))
    assert "zip archive, not a Word document" in message


def test_a_word_document_with_macros_is_refused():
    message = refusal("reply.docx", docx_bytes({"word/vbaProject.bin": b"\xd0\xcf\x11\xe0"}))
    assert "macros" in message


def test_a_word_document_that_loads_a_remote_template_is_refused():
    rels = (
        b'<Relationships><Relationship Type=".../attachedTemplate" '
        b'Target="http://evil.example/t.dotm" TargetMode="External"/></Relationships>'
    )
    message = refusal("reply.docx", docx_bytes({"word/_rels/settings.xml.rels": rels}))
    assert "template" in message


def test_the_public_form_shows_the_reason(client, db):
    from tests.complaints.portal.test_public_form import answers

    pdf = SimpleUploadedFile("bill.pdf", PLAIN_PDF.replace(b"/Type", b"/JS (x) /Type"))
    response = client.post("/complain/", {**answers(), "attachments": [pdf]})
    assert response.status_code == 200
    assert "active content" in response.content.decode()

"""Files that carry active content are refused, in plain words (issue 14, item 12).

A complaint's evidence is read by staff on their own machines, so a PDF that runs script or
launches a program, or a "Word document" that is really another zip (or carries macros, ActiveX
or a remote template), is refused at upload with the reason. Checked on the bytes, whatever the
name says; bounded in time and memory (compressed PDF streams and zip members are inflated to
a limit, and a file that would exceed it is refused as unreadable).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from typing import IO

from django.core.exceptions import ValidationError

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Inflating more than this from one upload means a bomb, not a letter.
MAX_INFLATED_BYTES = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000

# PDF name objects that run something: script, another program, a form posting elsewhere, an
# embedded file or media. `#xx` escapes in names are decoded before matching.
_PDF_ACTIVE = re.compile(
    rb"/(JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|SubmitForm|ImportData|GoToE|XFA)"
    rb"(?=[\s/<>\[\]()%{}]|$)"
)
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)

_DOCX_REQUIRED = ("[Content_Types].xml", "word/document.xml")
_DOCX_ACTIVE_PARTS = re.compile(r"(vbaProject\.bin|vbaData\.xml|/activeX/|\.bin$|oleObject)", re.I)
_EXTERNAL_TARGET = re.compile(rb'TargetMode\s*=\s*"External"', re.I)
_ATTACHED_TEMPLATE = re.compile(rb"attachedTemplate|/frame\b|subDocument", re.I)


def _pdf_names(data: bytes) -> bytes:
    return _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), data)


def _pdf_active_name(data: bytes) -> str | None:
    found = _PDF_ACTIVE.search(_pdf_names(data))
    if found is not None:
        return found.group(1).decode()
    inflated = 0
    for stream in _PDF_STREAM.finditer(data):
        decompressor = zlib.decompressobj()
        try:
            chunk = decompressor.decompress(stream.group(1), MAX_INFLATED_BYTES - inflated)
        except zlib.error:
            continue  # not Flate, or damaged: its raw bytes were searched above
        inflated += len(chunk)
        if inflated >= MAX_INFLATED_BYTES:
            return "a compressed stream too large to check"
        found = _PDF_ACTIVE.search(_pdf_names(chunk))
        if found is not None:
            return found.group(1).decode()
    return None


def _docx_problem(upload: IO[bytes], name: str) -> str | None:
    try:
        archive = zipfile.ZipFile(upload)
    except zipfile.BadZipFile:
        return f"{name} is not a Word document: it cannot be opened as one."
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if len(members) > MAX_ZIP_MEMBERS or sum(m.file_size for m in members) > MAX_INFLATED_BYTES:
            return f"{name} is too large inside to check. Save it as a PDF and send that."
        if not all(required in names for required in _DOCX_REQUIRED):
            return (
                f"{name} is a zip archive, not a Word document. Send the documents inside it "
                "one by one, or as PDFs."
            )
        for member in names:
            if _DOCX_ACTIVE_PARTS.search(member):
                return (
                    f"{name} contains macros or embedded programs, which we cannot accept. "
                    "Save it as a plain Word document (.docx) without macros, or as a PDF."
                )
        for member in names:
            if member.endswith(".rels"):
                rels = archive.read(member)
                if _EXTERNAL_TARGET.search(rels) and _ATTACHED_TEMPLATE.search(rels):
                    return (
                        f"{name} loads a template or part from the internet when opened, which "
                        "we cannot accept. Save it as a PDF and send that."
                    )
    return None


def active_content_refuse(upload: IO[bytes], *, name: str, content_type: str) -> None:
    """ValidationError saying why, if the file carries active content; else nothing.

    Leaves the file's position at the start."""
    problem = None
    try:
        upload.seek(0)
        if content_type == "application/pdf":
            active = _pdf_active_name(upload.read())
            if active is not None:
                problem = (
                    f"{name} is a PDF with active content ({active}), which could run on our "
                    "computers. Print it to a new PDF (or scan it) and send that instead."
                )
        elif content_type == DOCX:
            problem = _docx_problem(upload, name)
    finally:
        upload.seek(0)
    if problem is not None:
        raise ValidationError(problem)

"""Held submissions cannot fill the disk (issue 14, item 7): past the per-client or total bound
a file is described but not kept, the text always is, and admins are told (once an hour)."""

from __future__ import annotations

from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from complaints.models import WebSubmission
from notifications.models import OutboxMessage
from tests.complaints.portal.test_public_form import PDF, answers, upload
from tests.factories import NOW

URL = reverse("complaints:complain")
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def held_after_one(settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.REDRESS_SUBMIT_LIMIT_PER_IP = "1/h"
    settings.REDRESS_HELD_FILES_PER_CLIENT_BYTES = 6 * MB
    settings.REDRESS_HELD_FILES_TOTAL_BYTES = 100 * MB
    with time_machine.travel(NOW, tick=False):
        yield


def big_pdf(name: str, megabytes: int = 5):
    return upload(name, PDF + b"0" * (megabytes * MB - len(PDF)))


def kept_bytes(media: Path) -> int:
    return sum(p.stat().st_size for p in media.rglob("*") if p.is_file())


def post(client, n: int, files: list, ip: str = "192.0.2.1"):
    return client.post(URL, answers(email=f"p{n}@example.com", attachments=files), REMOTE_ADDR=ip)


def test_a_flood_of_held_posts_keeps_at_most_the_clients_allowance(client, settings, admin_staff):
    # Given one accepted post, the rest are held; each held post sends 2 × 5 MB
    assert post(client, 0, []).status_code == 303
    for n in range(1, 4):
        assert post(client, n, [big_pdf("a.pdf"), big_pdf("b.pdf")]).status_code == 429
    # Then at most the client's 6 MB is on disk, and every submission's text is kept
    assert kept_bytes(Path(settings.MEDIA_ROOT)) <= 6 * MB
    held = list(WebSubmission.objects.filter(state=WebSubmission.State.HELD).order_by("pk"))
    assert len(held) == 3
    assert all(h.payload["details"] for h in held)
    dropped = [f for h in held for f in h.files if f.get("dropped")]
    assert len(dropped) == 5
    assert "Files not kept: a.pdf, b.pdf." in held[-1].note


def test_the_admins_are_told_once_an_hour_that_files_were_dropped(client, admin_staff):
    post(client, 0, [])
    for n in range(1, 4):
        post(client, n, [big_pdf("a.pdf"), big_pdf("b.pdf")])
    told = OutboxMessage.objects.filter(template="held_files_dropped")
    assert [m.recipient for m in told] == [admin_staff.email]


def test_the_total_bound_holds_across_clients(client, settings):
    settings.REDRESS_HELD_FILES_TOTAL_BYTES = 6 * MB
    for ip in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        post(client, 0, [], ip=ip)
        post(client, 1, [big_pdf("a.pdf")], ip=ip)
    assert kept_bytes(Path(settings.MEDIA_ROOT)) <= 6 * MB

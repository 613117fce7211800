"""Submissions while PostgreSQL is down are spooled to local disk and replayed exactly once
(issue 14, item 15)."""

from __future__ import annotations

import datetime
import shutil

import pytest
import time_machine
from django.db import OperationalError
from django.urls import reverse

from complaints.models import Complaint, WebSubmission
from complaints.portal.views import complain as complain_views
from complaints.workflows.spool import spool_replay
from tests.complaints.portal.test_public_form import PDF, answers, upload
from tests.factories import NOW

pytestmark = pytest.mark.django_db
URL = reverse("complaints:complain")


@pytest.fixture(autouse=True)
def spool(settings, tmp_path):
    settings.REDRESS_SPOOL_DIR = str(tmp_path / "spool")
    settings.MEDIA_ROOT = tmp_path / "media"
    return tmp_path / "spool"


def refuse(**kwargs):
    raise OperationalError("connection refused")


@pytest.fixture
def database_down(monkeypatch):
    monkeypatch.setattr(complain_views, "web_submission_receive", refuse)


def spooled_post(client, monkeypatch, **overrides):
    """POST the form while the database refuses the write-ahead, then bring it back."""
    with monkeypatch.context() as patch:
        patch.setattr(complain_views, "web_submission_receive", refuse)
        with time_machine.travel(NOW, tick=False):
            return client.post(URL, answers(**overrides))


def test_a_post_while_the_database_is_down_is_spooled_and_the_customer_told(
    client, spool, database_down
):
    response = client.post(URL, answers(attachments=[upload("bill.pdf", PDF)]))
    assert response.status_code == 202
    assert "We have your complaint" in response.content.decode()
    assert "You do not need to send it again" in response.content.decode()
    assert len(list(spool.glob("*.json"))) == 1


def test_the_spool_is_replayed_into_one_complaint_counted_from_when_it_was_sent(
    client, spool, monkeypatch
):
    spooled_post(client, monkeypatch, attachments=[upload("bill.pdf", PDF)])
    later = NOW + datetime.timedelta(hours=2)
    assert spool_replay(now=later) == 1
    complaint = Complaint.objects.get()
    assert complaint.received_at == NOW
    assert complaint.attachments.count() == 1
    assert WebSubmission.objects.get().state == WebSubmission.State.ACCEPTED
    assert list(spool.glob("*.json")) == []


def test_replaying_again_logs_nothing_more(client, spool, monkeypatch):
    spooled_post(client, monkeypatch)
    spool_replay(now=NOW)
    assert spool_replay(now=NOW) == 0
    assert Complaint.objects.count() == 1


def test_a_crash_after_commit_before_the_file_went_does_not_log_it_twice(
    client, spool, monkeypatch, tmp_path
):
    # Given a spool file that was replayed, but the process died before deleting it
    spooled_post(client, monkeypatch)
    (spooled,) = spool.glob("*.json")
    copy = tmp_path / "copy.json"
    shutil.copy(spooled, copy)
    spool_replay(now=NOW)
    shutil.copy(copy, spooled)
    # When the next run finds it, then it is removed and nothing new is logged
    assert spool_replay(now=NOW) == 0
    assert Complaint.objects.count() == 1
    assert WebSubmission.objects.count() == 1
    assert list(spool.glob("*.json")) == []


def test_a_replay_while_the_database_is_still_down_keeps_the_file(client, spool, monkeypatch):
    spooled_post(client, monkeypatch)
    from complaints.workflows import spool as spool_module

    monkeypatch.setattr(spool_module, "web_submission_receive", refuse)
    assert spool_replay(now=NOW) == 0
    assert len(list(spool.glob("*.json"))) == 1

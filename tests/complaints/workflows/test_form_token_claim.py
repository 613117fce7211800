"""Two POSTs of one form at once, on PostgreSQL: the form token's claim serialises them.

The first transaction claims the token (one upsert) before it logs anything; the second waits
on that row until the first commits (then it gets the first's complaint) or rolls back (then
the token is its own). Real threads and connections, no test transaction round them.
"""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from complaints.guards import FormTokenUse
from complaints.models import Complaint, WebSubmission
from complaints.workflows import submissions
from complaints.workflows.submissions import form_token_new, web_submission_process
from tests.complaints.workflows.test_submissions import complaint_answers, received
from tests.factories import NOW

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

State = WebSubmission.State


def _waiting_on_a_lock(timeout: float = 20.0) -> bool:
    """True once another backend waits on a row or tuple lock of the token table."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND query LIKE %s",
                ["%complaints_formtokenuse%"],
            )
            if cursor.fetchone()[0]:
                return True
        time.sleep(0.02)
    return False


def _race(monkeypatch, *, first_fails: bool):
    """The first POST claims the token and stops; the second starts and must wait; then the
    first goes on (or fails). Returns what each got, the submissions, and the second's wait."""
    token = form_token_new()
    first, second = received(NOW, name="Carys Jones"), received(NOW, name="Carys Jones")
    claimed, go = threading.Event(), threading.Event()
    real_log = submissions._web_complaint_log

    def log_after_signal(**kwargs):
        if threading.current_thread().name == "first":
            claimed.set()
            assert go.wait(30)
            if first_fails:
                raise OSError("disk full")
        return real_log(**kwargs)

    monkeypatch.setattr(submissions, "_web_complaint_log", log_after_signal)
    results: dict[str, object] = {}

    def post(name: str, submission: WebSubmission) -> None:
        try:
            results[name] = web_submission_process(
                submission=submission,
                complaint=complaint_answers(),
                uploads=[],
                token=token,
                now=NOW,
            )
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertions
            results[name] = exc
        finally:
            connection.close()

    a = threading.Thread(target=post, args=("first", first), name="first")
    a.start()
    assert claimed.wait(30)
    b = threading.Thread(target=post, args=("second", second), name="second")
    b.start()
    waited = _waiting_on_a_lock()
    go.set()
    a.join(30)
    b.join(30)
    return results, first, second, token, waited


def test_a_double_click_waits_for_the_first_post_and_gets_its_complaint(monkeypatch):
    results, first, second, token, waited = _race(monkeypatch, first_fails=False)

    assert waited  # the second POST waited on the first's claim, not on luck
    assert isinstance(results["first"], Complaint)
    assert results["second"] == results["first"]
    assert Complaint.objects.count() == 1
    second.refresh_from_db()
    assert second.state == State.RECEIVED and "Sent twice" in second.note
    assert FormTokenUse.objects.get(token=token).submission_id == first.pk


def test_when_the_first_post_rolls_back_the_second_logs_the_complaint(monkeypatch):
    results, first, second, token, waited = _race(monkeypatch, first_fails=True)

    assert waited
    assert isinstance(results["first"], OSError)
    assert isinstance(results["second"], Complaint)
    assert Complaint.objects.count() == 1
    second.refresh_from_db()
    assert second.state == State.ACCEPTED
    assert FormTokenUse.objects.get(token=token).submission_id == second.pk


def test_a_token_held_by_a_failed_submission_passes_to_the_one_that_is_logged(db):
    token = form_token_new()
    failed = received(NOW, name="Carys Jones")
    submissions.web_submission_fail(
        submission=failed, uploads=[], error=RuntimeError("x"), token=token
    )
    again = received(NOW, name="Carys Jones")

    complaint = web_submission_process(
        submission=again, complaint=complaint_answers(), uploads=[], token=token, now=NOW
    )

    assert complaint.web_submission == again
    assert FormTokenUse.objects.get(token=token).submission_id == again.pk

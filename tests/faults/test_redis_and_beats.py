"""Redis stopped while complaints are submitted and links requested; two beats at once
(issue 14, item 16). Redis is a server of this test's own on port 6393, never the shared one."""

from __future__ import annotations

import shutil
import subprocess
import threading
import time

import pytest
import redis
from django.db import connections
from django.urls import reverse

from complaints.models import Complaint, WebSubmission
from notifications import tasks as outbox_tasks
from notifications.models import OutboxMessage
from tests.complaints.portal.test_public_form import answers
from tests.factories import OutboxMessageFactory

REDIS_PORT = 6393


@pytest.fixture
def own_redis(settings):
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is missing: run scripts/system-deps (make test does)")
    server = subprocess.Popen(
        ["redis-server", "--port", str(REDIS_PORT), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=REDIS_PORT)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{REDIS_PORT}/0",
        }
    }
    try:
        yield server
    finally:
        if server.poll() is None:
            server.terminate()
            server.wait(timeout=10)


def stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=10)


@pytest.mark.django_db
def test_submissions_and_link_requests_with_redis_stopped_are_each_stored_once(
    client, own_redis, customer, now
):
    # Given 15 submissions with Redis up
    statuses = [client.post(reverse("complaints:complain"), answers(email=f"r{n}@example.com"))
                .status_code for n in range(15)]  # fmt: skip
    # When Redis stops, 15 more (one sent twice) and a fresh-link request come in
    stop(own_redis)
    twice = answers(email="twice@example.com")
    for n in range(14):
        statuses.append(client.post(reverse("complaints:complain"),
                                    answers(email=f"d{n}@example.com")).status_code)  # fmt: skip
    statuses.append(client.post(reverse("complaints:complain"), twice).status_code)
    statuses.append(client.post(reverse("complaints:complain"), twice).status_code)
    link = client.post(reverse("complaints:new_link"),
                       {"reference": "RD-ZZZZ-0000", "email": "x@example.com"})  # fmt: skip
    # Then every one was logged, the double post once, and nothing answered 5xx
    assert statuses == [303] * 31
    assert link.status_code == 200
    assert Complaint.objects.count() == 30
    assert WebSubmission.objects.filter(state=WebSubmission.State.ACCEPTED).count() == 30


# serialized_rollback: a plain transactional test's flush re-runs post_migrate (the role groups
# get new ids), and the next serialized_rollback test could not restore its data over them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_beats_at_once_dispatch_each_stuck_message_once(monkeypatch):
    # Given 30 messages the broker never got
    from django.utils import timezone

    rows = [OutboxMessageFactory(next_attempt_at=timezone.now()) for _ in range(30)]
    dispatched: list[int] = []
    lock = threading.Lock()

    def record(message_id: int) -> None:
        with lock:
            dispatched.append(message_id)

    monkeypatch.setattr(outbox_tasks, "dispatch", record)
    barrier = threading.Barrier(2)

    def beat() -> None:
        try:
            barrier.wait(timeout=10)
            outbox_tasks.outbox_requeue_stale()
        finally:
            connections.close_all()

    # When two beats run the re-queue sweep at the same moment
    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # Then each message was handed to a worker exactly once
    assert sorted(dispatched) == sorted(r.pk for r in rows)
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.QUEUED).count() == 30

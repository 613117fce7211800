"""A real Celery worker and beat against the real Redis deliver a reminder to a mailbox.

Both run as subprocesses on this test's database (committed data: transactional test), with
Redis database 9 as the broker, Django's file-based email backend into a temporary folder and
a one-second beat interval for the reminder job. Everything is bounded by timeouts and both
processes are stopped at the end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from complaints.models import TimelineEvent
from escalation.models import CodeVersion
from escalation.selectors import code_rules_cache_clear
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BROKER = os.environ.get("REDRESS_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(BROKER, socket_timeout=2).ping())
    except redis.RedisError:
        return False


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [CELERY, "-A", "config", *args], cwd=ROOT, env=env, stdout=log.open("wb"),
        stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)


def test_worker_and_beat_deliver_a_reminder_to_the_mailbox(tmp_path, use_code, agent):
    if not _redis_up():
        pytest.fail(f"Redis is not answering at {BROKER}: scripts/services-up starts it")
    import redis

    redis.Redis.from_url(BROKER).flushdb()
    # Given an Infinity email whose reminder is already due (a version reminding 10 working
    # days ahead of a 5-working-day clock), owned by the agent
    use_code("infinity-group-2016")
    CodeVersion.objects.filter(code__slug="infinity-group-2016").update(
        reminder_working_days_before=10
    )
    code_rules_cache_clear()
    now = timezone.now()
    complaint = ComplaintFactory(customer=CustomerFactory(email=""), now=now, received_at=now,
                                 assigned_to=agent)  # fmt: skip
    assert complaint.reminder_due_at is not None and complaint.reminder_due_at <= now

    db = connection.settings_dict
    mail = tmp_path / "mail"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": BROKER,
        "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail),
        "REDRESS_BEAT_REMINDERS_SECONDS": "1",
        "REDRESS_BASE_URL": "http://testserver",
    }
    worker = _start(["worker", "--pool", "solo", "-l", "info"], env, tmp_path / "worker.log")
    beat = _start(
        ["beat", "-l", "info", "-S", "celery.beat:PersistentScheduler",
         "-s", str(tmp_path / "beat-schedule")], env, tmp_path / "beat.log",
    )  # fmt: skip
    try:
        # When beat fires the reminder job and the worker delivers the outbox row
        deadline = time.monotonic() + 90
        found = ""
        while time.monotonic() < deadline and not found:
            time.sleep(1)
            for path in mail.glob("*.log") if mail.exists() else []:
                text = path.read_text(errors="replace")
                if agent.email in text and "Reminder" in text:
                    found = text
    finally:
        _stop(beat)
        _stop(worker)
        connection.close()

    # Then the agent's mailbox holds the reminder, linking to the complaint
    logs = (tmp_path / "worker.log").read_text(errors="replace")[-3000:]
    assert found, f"no reminder delivered within 90 s; worker log ends:\n{logs}"
    assert complaint.reference in found
    assert TimelineEvent.objects.filter(complaint=complaint, kind="reminder").count() == 1

"""Three slow clients must not starve the site (issue 14, item 8).

gunicorn runs with docker-compose's web options (worker class and threads, read from the
file) on port 8144; three clients send a request body at 1 byte a second while /healthz is
timed. The same test against plain sync workers shows the failure it guards against.
Bounded: a few seconds per setup, and every socket is closed at the end.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.slow_clients import timed_under_slow_clients
from tests.test_compose import _command, _option

ROOT = Path(__file__).resolve().parents[2]
PORT = 8144


def healthz_seconds(timeout: float) -> float:
    started = time.monotonic()
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=timeout).read()
    except OSError:
        return float("inf")
    return time.monotonic() - started


def gunicorn(*options: str) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}", "--timeout", "30", *options],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(100):
        if healthz_seconds(1) != float("inf"):
            return server
        time.sleep(0.2)
    server.kill()
    pytest.fail("gunicorn did not start")


def healthz_under_three_slow_clients(server: subprocess.Popen, timeout: float) -> list[float]:
    try:
        return timed_under_slow_clients(
            lambda: socket.create_connection(("127.0.0.1", PORT), timeout=10),
            "127.0.0.1",
            lambda: healthz_seconds(timeout),
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_healthz_stays_fast_under_three_slow_clients_with_the_compose_workers():
    tokens = _command("web")
    worker_class = _option(tokens, "--worker-class", "-k")
    threads = _option(tokens, "--threads")
    assert worker_class == "gthread" and threads is not None
    server = gunicorn("--workers", "2", "--worker-class", worker_class, "--threads", threads)
    times = healthz_under_three_slow_clients(server, timeout=3)
    assert max(times) < 1.0, times


def test_plain_sync_workers_are_starved_by_the_same_three_clients():
    # The failure the compose options prevent: both sync workers stuck reading slow bodies.
    server = gunicorn("--workers", "2", "--worker-class", "sync")
    times = healthz_under_three_slow_clients(server, timeout=1.5)
    assert min(times) == float("inf"), times

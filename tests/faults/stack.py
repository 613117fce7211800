"""Real processes for the fault tests: a Redis of the test's own, Celery workers on the test
database (committed data: the tests using them are transactional), a small SMTP server that
can stall after it accepted a message, the process that owns a TCP connection, and a database
connection of the test's own beside Django's.

Nothing here touches the machine's shared Redis: the broker is a redis-server on its own port.
"""

from __future__ import annotations

import email
import os
import re
import shutil
import signal
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import psycopg2
import pytest
import redis
from celery import Celery
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))


def own_connection(*, autocommit: bool = False):
    """A psycopg2 connection of our own to the test database, beside Django's: in a transaction
    (psycopg2's default), or in autocommit to watch `pg_locks` live (a transaction sees
    `pg_stat_activity` as of its first look)."""
    own = psycopg2.connect(**connection.get_connection_params())
    own.autocommit = autocommit
    return own


def wait_for(
    check: Callable[[], object], *, timeout: float, what: str, every: float = 0.1,
    log: Callable[[], str] | None = None,
):  # fmt: skip
    """Poll `check` until it returns something truthy; fail the test after `timeout` seconds
    (with the end of `log()`, read then, e.g. a worker's log)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            tail = f"; log ends:\n{log()[-3000:]}" if log else ""
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}{tail}")
        time.sleep(every)


class OwnRedis:
    """redis-server on `port`, no persistence; stopped by `stop()` (fixtures call it)."""

    def __init__(self, port: int) -> None:
        if shutil.which("redis-server") is None:
            pytest.fail("redis-server is missing: run scripts/system-deps (make test does)")
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        client = redis.Redis(port=port)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False

        try:
            wait_for(up, timeout=10, what=f"redis-server on port {port}")
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


def worker_env(broker_url: str, **extra: str) -> dict[str, str]:
    """A worker's environment: the test database, the test's own broker, local settings."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url,
        "REDIS_CACHE_URL": broker_url,
        "REDRESS_BASE_URL": "http://testserver",
        "DJANGO_LOG_FORMAT": "text",
        **extra,
    }


class Worker:
    """`celery -A config worker` in its own session; `kill()` SIGKILLs the whole session."""

    def __init__(self, env: dict[str, str], log: Path, *, pool: str = "prefork") -> None:
        self.log = log
        args = ["--pool", "solo"] if pool == "solo" else ["--pool", "prefork", "--concurrency", "1"]
        self.process = subprocess.Popen(
            [CELERY, "-A", "config", "worker", *args, "-l", "info", "--without-heartbeat",
             "--without-gossip", "--without-mingle", "-n", f"fault-{log.stem}@%h"],
            cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            wait_for(lambda: self.exited() or "ready." in self.text(), timeout=45,
                     what="the worker to be ready", every=0.2, log=self.text)  # fmt: skip
        except BaseException:
            self.kill()
            raise
        if self.exited():
            pytest.fail(f"the worker exited at start:\n{self.text()[-3000:]}")

    @property
    def pid(self) -> int:
        return self.process.pid

    def exited(self) -> bool:
        return self.process.poll() is not None

    def text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def children(self) -> list[int]:
        """The worker's pool processes (prefork: the child that runs each task)."""
        path = Path(f"/proc/{self.pid}/task/{self.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill(self) -> None:
        """SIGKILL every process of the worker's session (no clean-up of any kind)."""
        if self.process.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """Warm shutdown, then SIGKILL if it does not end in 15 s (fixtures call it)."""
        if self.process.poll() is None:
            # To the main process only: it lets the running task finish (SIGTERM to the whole
            # group would kill the pool child mid-task).
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def process_gone(pid: int) -> bool:
    """The process has ended (gone, or a zombie its parent has not reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


def task_send(broker_url: str, name: str, *args: object) -> None:
    """Put a task on the broker by name, as beat or the web process would."""
    app = Celery("fault-tests", broker=broker_url)
    try:
        app.send_task(name, args=list(args), ignore_result=True)
    finally:
        app.close()


def connection_owner(local_port: int, remote_port: int, pids: list[int]) -> int | None:
    """Which of `pids` holds the TCP connection 127.0.0.1:local_port → :remote_port."""
    inodes = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == local_port and int(remote.split(":")[1], 16) == (
            remote_port
        ):
            inodes.add(f"socket:[{inode}]")
    for pid in pids:
        fd_dir = Path(f"/proc/{pid}/fd")
        try:
            if any(os.readlink(fd_dir / fd) in inodes for fd in os.listdir(fd_dir)):
                return pid
        except OSError:
            continue
    return None


@dataclass
class Received:
    message_id: str
    recipients: list[str]
    raw: bytes
    client_port: int


@dataclass
class SmtpState:
    received: list[Received] = field(default_factory=list)
    accepted: threading.Event = field(default_factory=threading.Event)
    # While set, the connection that delivered the first message holds its QUIT reply until
    # `release` is set (or the client goes away): the sender is stuck after SMTP said 250.
    stall_first: bool = True
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _SmtpHandler(socketserver.StreamRequestHandler):
    state: SmtpState

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode() + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        try:
            self._converse()
        except OSError:
            return  # the client went away (a killed worker): nothing to answer

    def _converse(self) -> None:
        state = self.server.state  # type: ignore[attr-defined]
        recipients: list[str] = []
        stall = False
        self.reply("220 fault-test ESMTP")
        while True:
            line = self.rfile.readline()
            if not line:
                return
            verb = line.decode(errors="replace").strip().split(" ")[0].upper()
            if verb == "EHLO":
                self.reply("250 fault-test")
            elif verb in ("HELO", "NOOP", "RSET"):
                self.reply("250 OK")
            elif verb == "MAIL":
                recipients = []
                self.reply("250 OK")
            elif verb == "RCPT":
                recipients.append(re.sub(r"^RCPT TO:\s*", "", line.decode().strip(), flags=re.I))
                self.reply("250 OK")
            elif verb == "DATA":
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                lines = []
                while (data := self.rfile.readline()) not in (b".\r\n", b""):
                    lines.append(data[1:] if data.startswith(b"..") else data)
                raw = b"".join(lines)
                parsed = email.message_from_bytes(raw)
                with state.lock:
                    stall = state.stall_first and not state.received
                    state.received.append(
                        Received(parsed["Message-ID"], recipients, raw, self.client_address[1])
                    )
                self.reply("250 OK: queued")
                state.accepted.set()
            elif verb == "QUIT":
                if stall:
                    # Hold the answer: the client waits here, its message already accepted.
                    state.release.wait(60)
                self.reply("221 Bye")
                return
            else:
                self.reply("502 not implemented")


class _Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


class SmtpServer:
    """A threaded SMTP server on 127.0.0.1:`port` recording each accepted message."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.state = SmtpState()
        self.server = _Server(("127.0.0.1", port), _SmtpHandler)
        self.server.state = self.state  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.state.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)

"""Submit throughput: the public complaint form under gunicorn, driven over loopback.

What a customer's browser does, many at once: GET /complain/ (CSRF cookie, hidden form token),
POST a complete, valid complaint as multipart/form-data (the form's enctype), and expect
303 → /complain/thanks/. The server is gunicorn with the production settings, on 127.0.0.1 and a
free port, against the bench database; the load comes from threads in this process, each with
its own keep-alive http.client connection and a fresh cookie jar per complaint (every
iteration is a new customer). Everything is bounded: a fixed run time, 127.0.0.1 only, and the
server is stopped (SIGTERM to the gunicorn master this function started) whatever happens.

Then the books are checked against the database: every POST answered 303 must have exactly one
complaint (matched by its unique email address), every web submission of the run must be
accepted (none left received or failed), and every complaint must have its outbox row.
"lost" is a 303 without a complaint; it must be 0.

    DATABASE_URL=postgres://redress@127.0.0.1:5432/redress_bench .venv/bin/python bench/run.py \
        --size 100000 --only submit [--submit-seconds 30] [--submit-users 8] \
        [--submit-server gthread:2x4] [--submit-follow]

--submit-server takes one or more gunicorn configurations, comma-separated: "sync:N" (N sync
workers) or "gthread:NxT" (N workers of T threads); each is measured in turn, on a fresh server.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"  # the only address this benchmark ever talks to
# A Redis database nothing else uses: the production settings put the broker (outbox enqueues
# after commit; nobody consumes them here) and the cache (form tokens) there. Flushed before
# and after a run, so it must never be one that holds anything else.
REDIS_URL = "redis://127.0.0.1:6379/15"
# Chosen by measurement on this 2-core machine (bench/README.md, "Submit throughput").
DEFAULT_SERVER = "gthread:2x4"
DEFAULT_USERS = 8
DEFAULT_SECONDS = 30.0
DEFAULT_WARMUP = 5.0
REQUEST_TIMEOUT = 30.0  # seconds: a stuck request fails, it does not hang the run
START_TIMEOUT = 60.0


# -- the server ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerConfig:
    worker_class: str  # "sync" or "gthread"
    workers: int
    threads: int = 1

    @classmethod
    def parse(cls, spec: str) -> ServerConfig:
        """'sync:4' or 'gthread:2x8'."""
        kind, _, size = spec.strip().partition(":")
        try:
            if kind == "sync":
                return cls("sync", int(size))
            if kind == "gthread":
                workers, _, threads = size.partition("x")
                return cls("gthread", int(workers), int(threads or 1))
        except ValueError:
            pass
        raise ValueError(f"a gunicorn configuration is 'sync:N' or 'gthread:NxT', not {spec!r}")

    @property
    def label(self) -> str:
        if self.worker_class == "sync":
            return f"sync:{self.workers}"
        return f"gthread:{self.workers}x{self.threads}"

    def arguments(self) -> list[str]:
        arguments = ["--worker-class", self.worker_class, "--workers", str(self.workers)]
        if self.worker_class == "gthread":
            arguments += ["--threads", str(self.threads)]
        return arguments


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def _settings_module(workdir: Path) -> str:
    """config.settings.production, but with the collected static files in `workdir`.

    Production serves static files through WhiteNoise's manifest storage, so every page needs
    `collectstatic` to have run (the Docker image bakes it in). Collecting into a temporary
    STATIC_ROOT keeps var/staticfiles (make run's) untouched; nothing else differs."""
    name = "redress_bench_submit_settings"
    (workdir / f"{name}.py").write_text(
        "from config.settings.production import *  # noqa: F403\n"
        f"STATIC_ROOT = {str(workdir / 'static')!r}\n"
    )
    return name


def _server_environment(workdir: Path, database_url: str, redis_url: str) -> dict[str, str]:
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "REDRESS_", "CELERY_", "DATABASE_URL", "REDIS_"))
    }
    environment.update(
        {
            "PYTHONPATH": os.pathsep.join([str(workdir), str(ROOT)]),
            "DJANGO_SETTINGS_MODULE": _settings_module(workdir),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": database_url,
            "CELERY_BROKER_URL": redis_url,
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_SECURE_COOKIES": "false",
            "DJANGO_CONN_MAX_AGE": "60",
            "REDRESS_SUBMIT_LIMIT_PER_IP": "off",
            "REDRESS_SUBMIT_LIMIT_PER_EMAIL": "off",
            "DJANGO_MEDIA_ROOT": str(workdir / "media"),
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return environment


def _collectstatic(environment: dict[str, str], log: Path) -> float:
    began = time.perf_counter()
    with log.open("ab") as out:
        subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), "collectstatic", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=environment,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
            timeout=300,
        )
    return time.perf_counter() - began


class Server:
    """One gunicorn master and its workers, started and always stopped by this object."""

    def __init__(self, config: ServerConfig, environment: dict[str, str], workdir: Path) -> None:
        self.config = config
        self.environment = environment
        self.port = _free_port()
        self.log = workdir / f"gunicorn-{config.label.replace(':', '-')}.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [
            str(gunicorn),
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            *self.config.arguments(),
            # As docker-compose.yml runs it: heartbeat files in memory, an access log.
            "--worker-tmp-dir",
            "/dev/shm",
            "--access-logfile",
            str(self.log.with_suffix(".access.log")),
            "--error-logfile",
            str(self.log),
            "--timeout",
            "60",
            "--graceful-timeout",
            "10",
        ]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=self.environment, stdout=out, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.tail()}")
            try:
                status, _, _ = _request(self.port, "GET", "/healthz", timeout=2)
                if status == 200 and self._workers_up():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer /healthz in {START_TIMEOUT:.0f} s")

    def _workers_up(self) -> bool:
        return len(self.worker_pids()) >= self.config.workers

    def worker_pids(self) -> list[int]:
        if self.process is None:
            return []
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def cpu_seconds(self) -> float:
        """User + system CPU of the master and its live workers so far."""
        if self.process is None:
            return 0.0
        return sum(_process_cpu(pid) for pid in [self.process.pid, *self.worker_pids()])

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: workers finish what they hold
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _process_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS  # utime, stime


def _machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return (total - idle) / _CLOCK_TICKS, total / _CLOCK_TICKS


# -- the customers -------------------------------------------------------------------------------

_FIRST = "Amelia Oliver Isla George Ava Harry Mia Noah Ffion Rhys Eilidh Callum Aoife Cian".split()
_LAST = "Smith Jones Taylor Brown Evans Wilson Campbell Murray Kelly Byrne Davies Hughes".split()
# Postcodes by nation (the form works the nation out from them), and the towns they are in.
_POSTCODES = {
    "ENG": [("BS31 2UG", "Keynsham"), ("M1 1AE", "Manchester"), ("LS1 4DT", "Leeds")],
    "WLS": [("CF10 1EP", "Cardiff"), ("SA1 3SN", "Swansea"), ("LL57 2DG", "Bangor")],
    "SCT": [("EH1 1YZ", "Edinburgh"), ("G2 1DY", "Glasgow"), ("AB10 1XG", "Aberdeen")],
    "NIR": [("BT1 5GS", "Belfast"), ("BT48 6HJ", "Derry")],
}
_NATIONS = ["ENG"] * 16 + ["WLS"] + ["SCT"] * 2 + ["NIR"]
_STORIES = {
    "billing": (
        "I was charged twice for my broadband in {month}.",
        "Please refund the duplicate charge of £{amount} and confirm it in writing.",
    ),
    "fault_repair": (
        "My line has dropped every evening since {month} and the engineer did not fix it.",
        "Repair the fault and credit my account for the days without service.",
    ),
    "service": (
        "I called three times in {month} and was promised a call back that never came.",
        "An apology and a named person to deal with my account.",
    ),
    "sales": (
        "I was told in {month} that the contract had no price rises; the bill says otherwise.",
        "Let me leave the contract without an early termination charge.",
    ),
    "pricing": (
        "My monthly price went up by £{amount} in {month} without the notice I was promised.",
        "Put the price back to what I agreed and refund the difference.",
    ),
    "other": (
        "My post about the account was sent to my old address after I moved in {month}.",
        "Update my address and tell me what was sent where.",
    ),
}
_MONTHS = "January February March April May June July August September October".split()


@dataclass
class Sample:
    user: int
    began: float
    ended: float
    kind: str  # "get", "post", "thanks"
    status: int  # 0: no answer (connection error, timeout)
    ok: bool
    email: str = ""


def _complaint_fields(rng: random.Random, email: str) -> dict[str, str | list[str]]:
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    nation = rng.choice(_NATIONS)
    postcode, town = rng.choice(_POSTCODES[nation])
    category = rng.choice(list(_STORIES))
    story, remedy = _STORIES[category]
    words = {
        "month": rng.choice(_MONTHS),
        "amount": f"{rng.randint(5, 120)}.{rng.randint(0, 99):02}",
    }
    business = rng.random() < 0.15
    fields: dict[str, str | list[str]] = {
        "name": f"{first} {last}",
        "kind": "business" if business else "consumer",
        "employee_count": str(rng.randint(1, 40)) if business else "",
        "account_reference": f"AC{rng.randint(10**7, 10**8 - 1)}" if rng.random() < 0.6 else "",
        "email": email,
        "phone": f"07700 900{rng.randint(0, 999):03}" if rng.random() < 0.5 else "",
        "address": f"{rng.randint(1, 200)} High Street\n{town}",
        "postcode": postcode,
        "nation": "",  # from the postcode, as most customers leave it
        "preferred_contact": "email",
        "category": category,
        "details": story.format(**words)
        + f"\n\nI have been a customer for {rng.randint(1, 15)} years and would like this sorted.",
        "remedy": remedy.format(**words),
        "vulnerability_notes": "",
        "website": "",  # the honeypot, left empty
    }
    if rng.random() < 0.1:
        fields["vulnerability_flags"] = ["hearing"]
    return fields


def _multipart(fields: dict[str, str | list[str]]) -> tuple[bytes, str]:
    """The body a browser sends for this form: every field, and an empty file input."""
    boundary = f"----RedressBench{secrets.token_hex(12)}"
    parts = []
    for name, value in fields.items():
        for item in value if isinstance(value, list) else [value]:
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{item}\r\n'
            )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename=""\r\n'
        "Content-Type: application/octet-stream\r\n\r\n\r\n"
    )
    parts.append(f"--{boundary}--\r\n")
    return "".join(parts).encode(), f"multipart/form-data; boundary={boundary}"


def _request(
    port: int,
    method: str,
    path: str,
    *,
    connection: http.client.HTTPConnection | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> tuple[int, http.client.HTTPMessage, bytes]:
    own = connection is None
    conn = connection or http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, response.headers, data
    finally:
        if own:
            conn.close()


_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
_TOKEN_INPUT = re.compile(rb'name="form_token" value="([0-9a-f]{32})"')


def _cookies(headers: http.client.HTTPMessage, jar: dict[str, str]) -> None:
    for line in headers.get_all("Set-Cookie") or []:
        name, _, value = line.split(";", 1)[0].partition("=")
        jar[name.strip()] = value.strip()


def _cookie_header(jar: dict[str, str]) -> dict[str, str]:
    return {"Cookie": "; ".join(f"{k}={v}" for k, v in jar.items())} if jar else {}


@dataclass
class Load:
    port: int
    users: int
    run_id: str
    deadline: float
    follow: bool
    samples: list[list[Sample]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def email(self, user: int, n: int) -> str:
        return f"bench.u{user}.n{n}@r{self.run_id}.example.com"

    def customer(self, user: int) -> None:
        """One virtual customer's loop: a new person each time round, until the deadline."""
        rng = random.Random(f"{self.run_id}:{user}")
        samples = self.samples[user]
        origin = f"http://{HOST}:{self.port}"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        n = 0
        try:
            while time.monotonic() < self.deadline:
                n += 1
                jar: dict[str, str] = {}
                began = time.monotonic()
                try:
                    status, headers, page = _request(
                        self.port, "GET", "/complain/", connection=conn
                    )
                except (OSError, http.client.HTTPException) as exc:
                    samples.append(Sample(user, began, time.monotonic(), "get", 0, False))
                    self._error(f"GET /complain/: {exc!r}")
                    conn.close()
                    continue
                csrf, token = _CSRF_INPUT.search(page), _TOKEN_INPUT.search(page)
                ok = status == 200 and csrf is not None and token is not None
                samples.append(Sample(user, began, time.monotonic(), "get", status, ok))
                if not ok:
                    self._error(f"GET /complain/ answered {status} without the form's tokens")
                    continue
                _cookies(headers, jar)

                email = self.email(user, n)
                fields = _complaint_fields(rng, email)
                fields = {"csrfmiddlewaretoken": csrf[1].decode(), **fields}
                fields["form_token"] = token[1].decode()
                body, content_type = _multipart(fields)
                post_headers = {
                    "Content-Type": content_type,
                    "Origin": origin,
                    "Referer": f"{origin}/complain/",
                    **_cookie_header(jar),
                }
                began = time.monotonic()
                try:
                    status, headers, _ = _request(
                        self.port,
                        "POST",
                        "/complain/",
                        connection=conn,
                        body=body,
                        headers=post_headers,
                    )
                except (OSError, http.client.HTTPException) as exc:
                    samples.append(Sample(user, began, time.monotonic(), "post", 0, False, email))
                    self._error(f"POST /complain/: {exc!r}")
                    conn.close()
                    continue
                location = headers.get("Location", "")
                ok = status == 303 and location.endswith("/complain/thanks/")
                samples.append(Sample(user, began, time.monotonic(), "post", status, ok, email))
                if not ok:
                    self._error(f"POST /complain/ answered {status} (Location {location!r})")
                    continue
                _cookies(headers, jar)

                if self.follow:
                    began = time.monotonic()
                    try:
                        status, _, page = _request(
                            self.port,
                            "GET",
                            urllib.parse.urlsplit(location).path,
                            connection=conn,
                            headers=_cookie_header(jar),
                        )
                    except (OSError, http.client.HTTPException) as exc:
                        samples.append(Sample(user, began, time.monotonic(), "thanks", 0, False))
                        self._error(f"GET /complain/thanks/: {exc!r}")
                        conn.close()
                        continue
                    ok = status == 200 and b"RD-" in page
                    samples.append(Sample(user, began, time.monotonic(), "thanks", status, ok))
                    if not ok:
                        self._error(f"GET /complain/thanks/ answered {status}")
        finally:
            conn.close()

    def _error(self, message: str) -> None:
        if len(self.errors) < 20:  # the first few say what went wrong; the count says how often
            self.errors.append(message)

    def run(self) -> list[Sample]:
        self.samples = [[] for _ in range(self.users)]
        threads = [
            threading.Thread(target=self.customer, args=(user,), daemon=True, name=f"user-{user}")
            for user in range(self.users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            # Each thread stops at the deadline, after at most one request's timeout per step.
            thread.join(timeout=max(0.0, self.deadline - time.monotonic()) + 4 * REQUEST_TIMEOUT)
        if any(thread.is_alive() for thread in threads):
            raise RuntimeError("a virtual customer did not stop in time")
        return [sample for samples in self.samples for sample in samples]


# -- the books -----------------------------------------------------------------------------------


@dataclass
class Books:
    submissions: dict[str, int]
    complaint_emails: list[str]
    outbox_rows: int


def _books(run_id: str) -> Books:
    """What the database holds for this run (its emails end in @r<run_id>.example.com)."""
    from django.db.models import Count

    from complaints.models import Complaint, WebSubmission
    from notifications.models import OutboxMessage

    suffix = f"@r{run_id}.example.com"
    submissions = dict(
        WebSubmission.objects.filter(email__endswith=suffix)
        .values_list("state")
        .annotate(n=Count("id"))
        .values_list("state", "n")
    )
    emails = list(
        Complaint.objects.filter(customer__email__endswith=suffix).values_list(
            "customer__email", flat=True
        )
    )
    outbox = OutboxMessage.objects.filter(complaint__customer__email__endswith=suffix).count()
    return Books(submissions, [e.lower() for e in emails], outbox)


# -- one measurement -----------------------------------------------------------------------------


def _percentile(samples: list[float], q: float) -> float:
    if not samples:
        return 0.0
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def _database_url() -> str:
    from django.db import connection

    settings = connection.settings_dict
    user = urllib.parse.quote(settings.get("USER") or "")
    password = settings.get("PASSWORD") or ""
    auth = f"{user}:{urllib.parse.quote(password)}@" if password else f"{user}@" if user else ""
    host = settings.get("HOST") or HOST
    port = settings.get("PORT") or 5432
    return f"postgres://{auth}{host}:{port}/{settings['NAME']}"


def _redis_flush(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    if client.connection_pool.connection_kwargs.get("db", 0) == 0:
        raise RuntimeError(f"refusing to flush Redis database 0 ({url}): give the bench its own")
    client.flushdb()
    client.close()


def _measure(
    config: ServerConfig,
    *,
    users: int,
    seconds: float,
    warmup: float,
    follow: bool,
    environment: dict[str, str],
    workdir: Path,
    figure: Callable[..., Any],
    say: Callable[[str], None],
) -> tuple[float, list[Any]]:
    from complaints.models import Complaint

    label = config.label
    run_id = secrets.token_hex(4)
    complaints_before = Complaint.objects.count()
    server = Server(config, environment, workdir)
    try:
        server.start()
        say(f"submit: gunicorn {label} on {HOST}:{server.port}, {users} customers, run {run_id}")
        began = time.monotonic()
        window_start, window_end = began + warmup, began + warmup + seconds
        cpu_server_0, cpu_client_0 = server.cpu_seconds(), time.process_time()
        machine_0 = _machine_cpu()
        load = Load(server.port, users, run_id, deadline=window_end, follow=follow)
        # CPU is sampled at the window's edges from a helper thread (the load blocks).
        edges: dict[str, tuple[float, float, tuple[float, float]]] = {}

        def sample_cpu() -> None:
            for name, at in (("start", window_start), ("end", window_end)):
                time.sleep(max(0.0, at - time.monotonic()))
                edges[name] = (server.cpu_seconds(), time.process_time(), _machine_cpu())

        sampler = threading.Thread(target=sample_cpu, daemon=True)
        sampler.start()
        samples = load.run()
        sampler.join(timeout=5)
        server_cpu = server.cpu_seconds() - cpu_server_0
        client_cpu = time.process_time() - cpu_client_0
        machine_1 = _machine_cpu()
    finally:
        server.stop()
    say(f"submit: gunicorn {label} stopped")

    books = _books(run_id)
    complaints_after = Complaint.objects.count()

    posts = [s for s in samples if s.kind == "post"]
    in_window = [s for s in posts if window_start <= s.ended <= window_end]
    ok_window = [s for s in in_window if s.ok]
    failures = [s for s in samples if not s.ok]
    latencies = [(s.ended - s.began) * 1000 for s in ok_window]
    gets = [(s.ended - s.began) * 1000 for s in samples if s.kind == "get" and s.ok]
    rate = len(ok_window) / seconds

    answered_303 = {s.email.lower() for s in posts if s.ok}
    in_database = books.complaint_emails
    lost = len(answered_303 - set(in_database))
    duplicates = len(in_database) - len(set(in_database))
    not_accepted = sum(n for state, n in books.submissions.items() if state != "accepted")
    accepted = books.submissions.get("accepted", 0)

    if "start" in edges and "end" in edges:
        (s0, c0, m0), (s1, c1, m1) = edges["start"], edges["end"]
        window_server, window_client = (s1 - s0) / seconds, (c1 - c0) / seconds
        window_machine = (m1[0] - m0[0]) / seconds
    else:  # the sampler missed an edge: the whole run instead
        span = max(1e-9, time.monotonic() - began)
        window_server, window_client = server_cpu / span, client_cpu / span
        window_machine = (machine_1[0] - machine_0[0]) / span
    other = max(0.0, window_machine - window_server - window_client)

    for message in load.errors[:5]:
        say(f"submit: {label}: {message}")
    if failures:
        say(f"submit: {label}: server log tail:\n{server.tail()}")

    prefix = f"[{label}] "
    figures = [
        figure(f"{prefix}submissions/s", rate, f"303s/s over {seconds:.0f} s, {users} customers"),
        figure(f"{prefix}POST p50", statistics.median(latencies) if latencies else 0, "ms"),
        figure(f"{prefix}POST p95", _percentile(latencies, 0.95), "ms"),
        figure(f"{prefix}POST max", max(latencies, default=0), "ms"),
        figure(f"{prefix}GET form p50", statistics.median(gets) if gets else 0, "ms"),
        figure(f"{prefix}POSTs answered 303", len(answered_303), "whole run, warm-up too"),
        figure(f"{prefix}failures", len(failures), "requests not 200/303 or no answer"),
        figure(f"{prefix}complaints created", complaints_after - complaints_before, "rows"),
        figure(f"{prefix}complaints of the run", len(in_database), "rows (by email)"),
        figure(f"{prefix}lost", lost, "303s without a complaint (must be 0)"),
        figure(f"{prefix}duplicate complaints", duplicates, "emails with >1 complaint"),
        figure(f"{prefix}submissions accepted", accepted, "WebSubmission rows"),
        figure(f"{prefix}submissions not accepted", not_accepted, f"rows {books.submissions}"),
        figure(f"{prefix}outbox rows", books.outbox_rows, "for the run's complaints"),
        figure(f"{prefix}CPU gunicorn", window_server * 100, "% of one core"),
        figure(f"{prefix}CPU load generator", window_client * 100, "% of one core"),
        figure(f"{prefix}CPU rest (PostgreSQL...)", other * 100, "% of one core"),
    ]
    return rate, figures


def submit_throughput(
    figure: Callable[..., Any],
    *,
    servers: str | None = None,
    users: int | None = None,
    seconds: float | None = None,
    warmup: float | None = None,
    follow: bool = False,
    redis_url: str = REDIS_URL,
    say: Callable[[str], None] = print,
) -> list[Any]:
    """Measure each gunicorn configuration in turn ("sync:4,gthread:2x4"); figures for each,
    then the best. None takes the default."""
    configs = [ServerConfig.parse(s) for s in (servers or DEFAULT_SERVER).split(",") if s.strip()]
    users = DEFAULT_USERS if users is None else users
    seconds = DEFAULT_SECONDS if seconds is None else seconds
    warmup = DEFAULT_WARMUP if warmup is None else warmup
    if not 1 <= users <= 256:
        raise ValueError("--submit-users is between 1 and 256")
    if not 0 < seconds <= 600 or not 0 <= warmup <= 120:
        raise ValueError("--submit-seconds is at most 600, the warm-up at most 120")
    workdir = Path(tempfile.mkdtemp(prefix="redress-bench-submit-"))
    environment = _server_environment(workdir, _database_url(), redis_url)
    collected = _collectstatic(environment, workdir / "collectstatic.log")
    say(f"submit: static files collected into {workdir / 'static'} in {collected:.1f} s")
    figures: list[Any] = []
    rates: dict[str, float] = {}
    try:
        for config in configs:
            _redis_flush(redis_url)
            rate, measured = _measure(
                config,
                users=users,
                seconds=seconds,
                warmup=warmup,
                follow=follow,
                environment=environment,
                workdir=workdir,
                figure=figure,
                say=say,
            )
            rates[config.label] = rate
            figures += measured
    finally:
        _redis_flush(redis_url)  # the enqueued outbox tasks nobody here consumes, the tokens
        shutil.rmtree(workdir / "static", ignore_errors=True)
        say(f"submit: gunicorn logs kept in {workdir}")
    if len(rates) > 1:
        best = max(rates, key=rates.__getitem__)
        figures.append(figure(f"best: {best}", rates[best], "submissions/s"))
    return figures

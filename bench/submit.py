"""Submit throughput: the public complaint form under gunicorn, driven over loopback.

The server is gunicorn with the production settings (config.settings.production, with static
files collected into a temporary STATIC_ROOT), on 127.0.0.1 and a free port, against the bench
database. The load comes from threads in this process, one keep-alive http.client connection
each, in two modes:

- journey: what a customer's browser does. GET /complain/ (CSRF cookie, hidden form token),
  POST a complete, valid complaint as multipart/form-data (the form's enctype), expect
  303 -> /complain/thanks/. A new browser (empty cookie jar) for every complaint.
- post: the submit path alone (validation, clocks, database write, outbox row). Each customer
  GETs the form once, then POSTs complaint after complaint with its CSRF cookie and a fresh form
  token each time, as if the GETs had happened earlier (the server keeps no record of the form
  tokens it hands out; complaints.workflows.submissions.form_token_clean checks only their shape).

Every complaint has a new name and email address, a category, a nation's postcode. Everything
is bounded: a fixed run time after a warm-up, 127.0.0.1 only, and the server is stopped
(SIGTERM to the gunicorn master this module started, by its pid) whatever happens.

Then the books are checked against the database: every POST answered 303 must have exactly one
complaint (matched by its unique email address), every web submission of the run must be
accepted (none left received or failed), and every complaint must have its outbox row.
"lost" is a 303 without a complaint; it must be 0. CPU is read from /proc at the edges of the
measured window: gunicorn (master and workers), PostgreSQL (the bench database's backends and
the server's own processes), this process (the load generator), and everything else.

    DATABASE_URL=postgres://redress@127.0.0.1:5432/redress_bench .venv/bin/python bench/run.py \
        --size 100000 --only submit [--submit-seconds 30] [--submit-warmup 5] \
        [--submit-users 6] [--submit-server sync:2,gthread:2x4] [--submit-mode journey,post] \
        [--submit-follow]

--submit-server takes one or more gunicorn configurations, comma-separated: "sync:N" (N sync
workers) or "gthread:NxT" (N workers of T threads); each is measured in turn, on a fresh server.
--submit-follow makes the customers also GET the thanks page each 303 points to.
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
DEFAULT_SERVER = "sync:2"
DEFAULT_USERS = 6
DEFAULT_MODES = ("journey", "post")
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
        workers, _, threads = size.partition("x")
        try:
            config = cls(kind, int(workers), int(threads or 1))
        except ValueError:
            config = None
        if (
            config is not None
            and (kind == "sync" and not threads or kind == "gthread")
            and 1 <= config.workers <= 16
            and 1 <= config.threads <= 64
        ):
            return config
        raise ValueError(
            "a gunicorn configuration is 'sync:N' or 'gthread:NxT' (N <= 16, T <= 64), "
            f"not {spec!r}"
        )

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
            # Plain http on loopback: no https redirect, no HSTS (production defaults them on).
            "DJANGO_SSL_REDIRECT": "false",
            "DJANGO_HSTS_SECONDS": "0",
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

    def pids(self) -> list[int]:
        """The master's and its live workers'."""
        return [self.process.pid, *self.worker_pids()] if self.process is not None else []

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


def _machine_cpu() -> float:
    """Busy CPU seconds of the whole machine since boot (all but idle and iowait)."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / _CLOCK_TICKS


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


MODES = ("journey", "post")


@dataclass
class Load:
    """The virtual customers. mode "journey": each complaint is a new browser that GETs the
    form and POSTs it. mode "post": the submit path alone - each customer GETs the form once
    (CSRF cookie and token), then POSTs one complaint after another, each with a fresh form
    token, as if the GETs had happened earlier (the server keeps no record of the tokens it
    hands out: complaints.workflows.submissions.form_token_clean checks only their shape)."""

    port: int
    users: int
    run_id: str
    deadline: float
    mode: str = "journey"
    follow: bool = False
    samples: list[list[Sample]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: int = 0

    def email(self, user: int, n: int) -> str:
        return f"bench.u{user}.n{n}@r{self.run_id}.example.com"

    def _call(
        self,
        conn: http.client.HTTPConnection,
        user: int,
        kind: str,
        method: str,
        path: str,
        *,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        email: str = "",
    ) -> tuple[Sample, http.client.HTTPMessage | None, bytes]:
        began = time.monotonic()
        try:
            status, answer, data = _request(
                self.port, method, path, connection=conn, body=body, headers=headers
            )
        except (OSError, http.client.HTTPException) as exc:
            conn.close()  # the next request opens a new connection
            sample = Sample(user, began, time.monotonic(), kind, 0, False, email)
            self.samples[user].append(sample)
            self._error(f"{method} {path}: {exc!r}")
            return sample, None, b""
        sample = Sample(user, began, time.monotonic(), kind, status, True, email)
        self.samples[user].append(sample)
        return sample, answer, data

    def _form(
        self, conn: http.client.HTTPConnection, user: int
    ) -> tuple[dict[str, str], str, str] | None:
        """GET /complain/: (cookies, CSRF form token, form token), or None if it failed."""
        sample, headers, page = self._call(conn, user, "get", "GET", "/complain/")
        if headers is None:
            return None
        csrf, token = _CSRF_INPUT.search(page), _TOKEN_INPUT.search(page)
        if sample.status != 200 or csrf is None or token is None:
            self._fail(sample, f"GET /complain/ answered {sample.status} without the tokens")
            return None
        jar: dict[str, str] = {}
        _cookies(headers, jar)
        return jar, csrf[1].decode(), token[1].decode()

    def customer(self, user: int) -> None:
        """One virtual customer's loop, until the deadline."""
        rng = random.Random(f"{self.run_id}:{user}")
        origin = f"http://{HOST}:{self.port}"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
        kept: tuple[dict[str, str], str, str] | None = None
        n = 0
        try:
            while time.monotonic() < self.deadline:
                n += 1
                if self.mode == "journey" or kept is None:
                    form = self._form(conn, user)
                    if form is None:
                        continue
                    if self.mode == "post":
                        kept = form
                else:  # the same browser's CSRF cookie and token, a new form token
                    form = (kept[0], kept[1], secrets.token_hex(16))
                jar, csrf, token = dict(form[0]), form[1], form[2]

                email = self.email(user, n)
                fields = {"csrfmiddlewaretoken": csrf, "form_token": token}
                fields.update(_complaint_fields(rng, email))
                body, content_type = _multipart(fields)
                headers = {
                    "Content-Type": content_type,
                    "Origin": origin,
                    "Referer": f"{origin}/complain/",
                    **_cookie_header(jar),
                }
                sample, answer, _ = self._call(
                    conn,
                    user,
                    "post",
                    "POST",
                    "/complain/",
                    body=body,
                    headers=headers,
                    email=email,
                )
                if answer is None:
                    continue
                location = answer.get("Location", "")
                if sample.status != 303 or not location.endswith("/complain/thanks/"):
                    self._fail(sample, f"POST /complain/ answered {sample.status} ({location!r})")
                    continue
                if self.follow:
                    _cookies(answer, jar)
                    thanks = urllib.parse.urlsplit(location).path
                    sample, answer, page = self._call(
                        conn, user, "thanks", "GET", thanks, headers=_cookie_header(jar)
                    )
                    if answer is not None and (sample.status != 200 or b"RD-" not in page):
                        self._fail(sample, f"GET {thanks} answered {sample.status}")
        finally:
            conn.close()

    def _fail(self, sample: Sample, message: str) -> None:
        sample.ok = False
        self._error(message)

    def _error(self, message: str) -> None:
        self.failed += 1
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


class CpuMeter:
    """CPU each party used over the measured window, in cores (1.0 = one core busy).

    Read from /proc every POLL seconds, because processes come and go inside the window
    (gunicorn's database connections are replaced when CONN_MAX_AGE runs out, and with them
    their PostgreSQL backends): each is counted from its first reading (0 if born inside the
    window) to its last."""

    POLL = 0.25

    def __init__(self, server: Server) -> None:
        self.server = server
        self.used: dict[str, float] = {}

    def _read(self) -> dict[tuple[str, int], float]:
        keys = [("gunicorn", pid) for pid in self.server.pids()]
        keys += [("PostgreSQL", pid) for pid in _postgres_pids()]
        return {key: _process_cpu(key[1]) for key in keys}

    def measure(self, start: float, end: float) -> None:
        """Block until `end`, reading from `start` on."""
        time.sleep(max(0.0, start - time.monotonic()))
        began, client, machine = time.monotonic(), time.process_time(), _machine_cpu()
        first = self._read()
        last = dict(first)
        while (left := end - time.monotonic()) > 0:
            time.sleep(min(self.POLL, left))
            for key, cpu in self._read().items():
                first.setdefault(key, 0.0)
                last[key] = max(cpu, last.get(key, 0.0))  # 0.0 if it ended as it was read
        span = max(1e-9, time.monotonic() - began)
        used = dict.fromkeys(("gunicorn", "PostgreSQL"), 0.0)
        for key, cpu in last.items():
            used[key[0]] += (cpu - first[key]) / span
        used["load generator"] = (time.process_time() - client) / span
        machine = (_machine_cpu() - machine) / span
        used["everything else"] = max(0.0, machine - sum(used.values()))
        self.used = used


def _postgres_pids() -> list[int]:
    """The bench database's backends (gunicorn's connections) and PostgreSQL's own processes
    (WAL writer, checkpointer, autovacuum...), not this process's connection."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
            "AND (datname = current_database() OR backend_type <> 'client backend')"
        )
        return [row[0] for row in cursor.fetchall()]


def _measure(
    server: Server,
    mode: str,
    *,
    users: int,
    seconds: float,
    warmup: float,
    follow: bool,
    figure: Callable[..., Any],
    say: Callable[[str], None],
) -> tuple[float, list[Any], bool]:
    """One run against a started server: load for warm-up + seconds, then the books.
    Returns the rate, the figures, and whether anything went wrong."""
    from django.db import connection

    from complaints.models import Complaint

    run_id = secrets.token_hex(4)
    complaints_before = Complaint.objects.count()
    say(
        f"submit: {server.config.label} {mode}: {users} customers, {warmup:.0f} s warm-up, "
        f"{seconds:.0f} s measured (run {run_id})"
    )
    began = time.monotonic()
    window = (began + warmup, began + warmup + seconds)
    load = Load(server.port, users, run_id, deadline=window[1], mode=mode, follow=follow)
    # CPU is read by a helper thread (the load blocks this one).
    meter = CpuMeter(server)

    def read_cpu() -> None:
        try:
            meter.measure(*window)
        finally:
            connection.close()  # this thread's own connection

    reader = threading.Thread(target=read_cpu, daemon=True)
    reader.start()
    samples = load.run()
    reader.join(timeout=10)

    books = _books(run_id)
    complaints_created = Complaint.objects.count() - complaints_before

    posts = [s for s in samples if s.kind == "post"]
    measured = [s for s in posts if s.ok and window[0] <= s.ended <= window[1]]
    latencies = [(s.ended - s.began) * 1000 for s in measured]
    gets = [(s.ended - s.began) * 1000 for s in samples if s.kind == "get" and s.ok]
    rate = len(measured) / seconds
    answered = {s.email.lower() for s in posts if s.ok}
    emails = books.complaint_emails
    lost = len(answered - set(emails))
    not_accepted = {k: n for k, n in books.submissions.items() if k != "accepted"}
    for message in load.errors[:5]:
        say(f"submit: {server.config.label} {mode}: {message}")
    if load.failed:
        say(f"submit: the end of gunicorn's log:\n{server.tail()}")

    p = f"{server.config.label} {mode}{'+thanks' if follow else ''}"
    figures = [
        figure(f"{p} submissions/s", rate, f"303s per second over {seconds:.0f} s"),
        figure(f"{p} POST p50", statistics.median(latencies) if latencies else 0, "ms"),
        figure(f"{p} POST p95", _percentile(latencies, 0.95), "ms"),
        figure(f"{p} POST max", max(latencies, default=0), "ms"),
    ]
    if mode == "journey":
        figures.append(figure(f"{p} GET form p50", statistics.median(gets) if gets else 0, "ms"))
    figures += [
        figure(f"{p} POSTs answered 303", len(answered), "whole run, warm-up included"),
        figure(f"{p} failures", load.failed, "answers not 200/303, or none"),
        figure(f"{p} complaints", len(emails), f"of the run ({complaints_created} rows added)"),
        figure(f"{p} lost", lost, "303s without a complaint: must be 0"),
        figure(f"{p} duplicates", len(emails) - len(set(emails)), "customers with 2+ complaints"),
        figure(f"{p} not accepted", sum(not_accepted.values()), f"web submissions {not_accepted}"),
        figure(f"{p} outbox rows", books.outbox_rows, "for the run's complaints"),
    ]
    if meter.used:
        for party, cores in meter.used.items():
            per = cores * 1000 / rate if rate else 0.0
            figures.append(
                figure(f"{p} CPU {party}", per, f"ms/submission ({cores:.0%} of a core)")
            )
    wrong = bool(load.failed or lost or not_accepted or books.outbox_rows != len(emails))
    return rate, figures, wrong


def submit_throughput(
    figure: Callable[..., Any],
    *,
    servers: str | None = None,
    modes: str | None = None,
    users: int | None = None,
    seconds: float | None = None,
    warmup: float | None = None,
    follow: bool = False,
    redis_url: str = REDIS_URL,
    say: Callable[[str], None] = print,
) -> list[Any]:
    """Measure each gunicorn configuration ("sync:4,gthread:2x4") in each mode
    ("journey,post"), a fresh server per configuration. None takes the default."""
    from complaints.models import Complaint

    configs = [ServerConfig.parse(s) for s in (servers or DEFAULT_SERVER).split(",") if s.strip()]
    chosen = [m.strip() for m in (modes or ",".join(DEFAULT_MODES)).split(",") if m.strip()]
    if set(chosen) - set(MODES):
        raise ValueError(f"--submit-mode is one or more of {', '.join(MODES)}")
    users = DEFAULT_USERS if users is None else users
    seconds = DEFAULT_SECONDS if seconds is None else seconds
    warmup = DEFAULT_WARMUP if warmup is None else warmup
    if not 1 <= users <= 256:
        raise ValueError("--submit-users is between 1 and 256")
    if not 0 < seconds <= 600 or not 0 <= warmup <= 120:
        raise ValueError("--submit-seconds is at most 600, the warm-up at most 120")

    figures: list[Any] = [figure("complaints in the database", Complaint.objects.count(), "rows")]
    rates: dict[tuple[str, str], float] = {}
    keep_logs = False
    workdir = Path(tempfile.mkdtemp(prefix="redress-bench-submit-"))
    try:
        environment = _server_environment(workdir, _database_url(), redis_url)
        took = _collectstatic(environment, workdir / "collectstatic.log")
        say(f"submit: static files collected into {workdir / 'static'} in {took:.1f} s")
        _redis_flush(redis_url)
        for config in configs:
            server = Server(config, environment, workdir)
            try:
                server.start()
                say(f"submit: gunicorn {config.label} on {HOST}:{server.port}")
                for mode in chosen:
                    rate, measured, wrong = _measure(
                        server,
                        mode,
                        users=users,
                        seconds=seconds,
                        warmup=warmup,
                        follow=follow,
                        figure=figure,
                        say=say,
                    )
                    rates[config.label, mode] = rate
                    figures += measured
                    keep_logs = keep_logs or wrong
            except BaseException:
                keep_logs = True
                raise
            finally:
                server.stop()
                say(f"submit: gunicorn {config.label} stopped")
    except BaseException:
        keep_logs = True
        raise
    finally:
        try:
            _redis_flush(redis_url)  # the enqueued outbox tasks nobody here consumes, the tokens
        finally:
            if keep_logs:  # something went wrong: gunicorn's error and access logs say what
                shutil.rmtree(workdir / "static", ignore_errors=True)
                say(f"submit: gunicorn's logs kept in {workdir}")
            else:
                shutil.rmtree(workdir, ignore_errors=True)
    if len(configs) > 1:
        for mode in chosen:
            best = max(configs, key=lambda c: rates.get((c.label, mode), 0.0)).label
            figures.append(figure(f"best {mode}: {best}", rates[best, mode], "submissions/s"))
    return figures

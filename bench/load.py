"""`make bench` load test: locust against gunicorn with the production settings, on loopback.

A realistic mix (bench/locustfile.py) for --load-seconds (default 300) with --load-users
virtual users, against gunicorn as docker-compose runs it (gthread, 2 x 8). Prints throughput,
p50/p95/p99 and errors per request and overall, then checks every accepted submission exists
exactly once (each carries a unique email). Uses bench/submit.py's server helpers; the broker
is Redis DB 14 (nobody consumes it here: only the web tier is measured).
"""

from __future__ import annotations

import csv
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.submit import HOST, Server, ServerConfig, _collectstatic, _database_url
from bench.submit import _server_environment as submit_environment

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/14"


def _staff_ensure(password: str) -> None:
    """The load test's two staff logins, with this run's password, unlocked."""
    from axes.models import AccessAttempt
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.contrib.auth.models import Group

    for username, role in (("load_agent", "agent"), ("load_manager", "manager")):
        user, _ = get_user_model().objects.get_or_create(
            username=username, defaults={"is_staff": True}
        )
        # The server runs the production settings: hash as they do (this process may not).
        hasher = PBKDF2PasswordHasher()
        user.password = hasher.encode(password, hasher.salt())
        user.save()
        user.groups.add(Group.objects.get(name=role))
    AccessAttempt.objects.filter(username__in=["load_agent", "load_manager"]).delete()


def load_test(
    figure: Callable[..., Any],
    *,
    seconds: float = 300,
    users: int = 24,
    say: Callable[[str], None] = print,
) -> list[Any]:
    from complaints.models import Complaint, Customer

    run, password = secrets.token_hex(4), secrets.token_urlsafe(16)
    _staff_ensure(password)
    workdir = Path(tempfile.mkdtemp(prefix="redress-bench-load-"))
    server = None
    try:
        environment = submit_environment(workdir, _database_url(), REDIS_URL)
        environment["REDRESS_CUSTOMER_ACTION_LIMIT_PER_IP"] = "off"
        environment["REDRESS_NEW_LINK_LIMIT"] = "off"
        _collectstatic(environment, workdir / "collectstatic.log")
        server = Server(ServerConfig("gthread", 2, 8), environment, workdir)
        server.start()
        say(f"load: {users} users for {seconds:.0f} s against {HOST}:{server.port} (gthread 2x8)")
        locust_env = {**environment, "REDRESS_LOAD_RUN": run, "REDRESS_LOAD_PASSWORD": password}
        subprocess.run(
            [str(Path(sys.executable).with_name("locust")), "-f", str(ROOT / "bench/locustfile.py"),
             "--headless", "-u", str(users), "-r", str(max(1, users // 5)),
             "-t", f"{int(seconds)}s", "--host", f"http://{HOST}:{server.port}",
             "--csv", str(workdir / "load"), "--only-summary", "--stop-timeout", "10"],
            cwd=ROOT, env=locust_env, timeout=seconds + 120,
            stdout=subprocess.DEVNULL, stderr=open(workdir / "locust.log", "w"),
        )  # fmt: skip
    finally:
        if server is not None:
            server.stop()
    rows = list(csv.DictReader(open(workdir / "load_stats.csv")))
    figures = []
    say(f"{'request':36} {'count':>7} {'fail':>5} {'req/s':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
    for row in rows:
        say(f"{row['Name'][:36]:36} {row['Request Count']:>7} {row['Failure Count']:>5} "
            f"{float(row['Requests/s']):7.1f} {row['50%']:>6} {row['95%']:>6} {row['99%']:>6}")  # fmt: skip
    failures_csv = workdir / "load_failures.csv"
    for row in csv.DictReader(open(failures_csv)) if failures_csv.exists() else []:
        say(f"failed: {row['Method']} {row['Name']}: {row['Error'][:120]} x{row['Occurrences']}")
    total = next(r for r in rows if r["Name"] == "Aggregated")
    posts = next((r for r in rows if r["Name"] == "POST /complain/"), None)
    accepted = int(posts["Request Count"]) - int(posts["Failure Count"]) if posts else 0
    emails = Customer.objects.filter(email__startswith=f"load-{run}-")
    stored = Complaint.objects.filter(customer__in=emails).count()
    distinct = emails.values("email").distinct().count()
    figures += [
        figure("load: requests/s", float(total["Requests/s"]), "req/s"),
        figure("load: p50", float(total["50%"]), "ms"),
        figure("load: p95", float(total["95%"]), "ms"),
        figure("load: p99", float(total["99%"]), "ms"),
        figure("load: errors", float(total["Failure Count"]), "requests"),
        figure("load: submissions accepted", accepted, "posts"),
        figure("load: complaints stored for them", stored, "rows"),
        # A POST in flight when locust stops is stored but not counted: stored may exceed it.
        figure("load: accepted but not stored", max(0, accepted - distinct), "posts"),
        figure("load: stored twice", stored - distinct, "rows"),
    ]
    shutil.rmtree(workdir, ignore_errors=True)
    return figures

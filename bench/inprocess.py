"""`--only post`: one public-form POST in process, with the production settings (issue 11).

What a POST costs Django itself, without gunicorn, the network or a load generator: the median
CPU and wall time of POSTs sent one after another through Django's test client, and the SQL
statements one sends. The production settings (as `bench/submit.py` runs gunicorn: rate limits
off, `--submit-redis` (db 15 by default) as the broker, nobody consuming it) are fixed when
Django starts, and the bench runs under the test settings, so the POSTs run in a child process
(this module, run as `python -m bench.inprocess`), which prints its figures as JSON. It writes: every POST is a new
complaint in the bench database, as the submit benchmark's are.
"""

from __future__ import annotations

import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POSTS = 300
WARMUP = 30
REDIS_URL = "redis://127.0.0.1:6379/15"


def post_in_process(
    figure: Callable[..., Any], posts: int = POSTS, redis_url: str = REDIS_URL
) -> list[Any]:
    """Run the child with the production settings against this bench database; its figures.
    `redis_url` is the broker and cache (`--submit-redis`): a database of the bench's own,
    flushed before and after."""
    from bench.submit import _database_url, _redis_flush, _server_environment

    _redis_flush(redis_url)
    with tempfile.TemporaryDirectory(prefix="redress-bench-post-") as workdir:
        environment = _server_environment(Path(workdir), _database_url(), redis_url)
        environment["DJANGO_ALLOWED_HOSTS"] = "testserver"
        done = subprocess.run(
            [sys.executable, "-m", "bench.inprocess", str(posts)],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=600,
        )
    _redis_flush(redis_url)
    if done.returncode != 0:
        raise RuntimeError(f"the in-process POSTs failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return [
        figure("POST CPU p50", result["cpu_p50"], "ms (Django's process only)"),
        figure("POST wall p50", result["wall_p50"], "ms (with PostgreSQL and the commits)"),
        figure("POST statements", result["statements"], "SQL statements per POST"),
        figure("POSTs", result["posts"], "answered 303, after a warm-up"),
    ]


def _child(posts: int) -> dict[str, float]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.submit import _complaint_fields, _multipart

    # A browser's CSRF cookie and the same secret in the form (what GET /complain/ hands out;
    # asking for it would need the collected static files to render the page).
    csrf = secrets.token_hex(16)
    client = Client(enforce_csrf_checks=True)
    client.cookies["csrftoken"] = csrf
    rng = random.Random(11)
    run = secrets.token_hex(4)

    def post(n: int) -> None:
        fields = {"csrfmiddlewaretoken": csrf, "form_token": secrets.token_hex(16)}
        fields.update(_complaint_fields(rng, f"inprocess{n}@r{run}.example.com"))
        body, content_type = _multipart(fields)
        response = client.generic(
            "POST",
            "/complain/",
            body,
            content_type=content_type,
            HTTP_ORIGIN="http://testserver",
            HTTP_REFERER="http://testserver/complain/",
        )
        if response.status_code != 303:
            raise RuntimeError(f"POST answered {response.status_code}, not 303")

    for n in range(WARMUP):
        post(n)
    cpu, wall = [], []
    for n in range(WARMUP, WARMUP + posts):
        began_cpu, began = time.process_time(), time.perf_counter()
        post(n)
        cpu.append((time.process_time() - began_cpu) * 1000)
        wall.append((time.perf_counter() - began) * 1000)
    with CaptureQueriesContext(connection) as captured:
        post(WARMUP + posts)
    return {
        "cpu_p50": statistics.median(cpu),
        "wall_p50": statistics.median(wall),
        "statements": len(captured.captured_queries),
        "posts": posts,
    }


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
    print(json.dumps(_child(int(sys.argv[1]) if len(sys.argv) > 1 else POSTS)))

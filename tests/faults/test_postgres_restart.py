"""PostgreSQL stopped and restarted during a burst of submissions (issue 14, item 16).

Against gunicorn (2 sync workers, port 8141) on an embedded PostgreSQL of this test's own
(config/embedded_db.py): never the machine's shared server. 30 customers each fetch the form
and send it: 10 with the database up, 10 while it is stopped, 10 after it is back; then the
spool is replayed. Every accepted submission must be stored exactly once. Bounded: about 30 s.
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import environ
import psycopg2
import pytest

from config import embedded_db

ROOT = Path(__file__).resolve().parents[2]
PORT = 8141
BASE = f"http://127.0.0.1:{PORT}"


def post_complaint(n: int) -> int:
    """One customer with a fresh browser: fetch the form, send it; the status they got."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    page = opener.open(f"{BASE}/complain/", timeout=10).read().decode()
    fields = dict(re.findall(r'name="(csrfmiddlewaretoken|form_token)" value="([^"]+)"', page))
    fields.update({
        "name": f"Customer {n}", "email": f"burst{n}@example.com", "kind": "consumer",
        "category": "billing", "details": f"Burst complaint number {n}.",
        "preferred_contact": "email", "postcode": "BS1 4DJ", "website": "",
        "remedy": "A refund.", "nation": "",
    })  # fmt: skip
    request = urllib.request.Request(
        f"{BASE}/complain/",
        data=urllib.parse.urlencode(fields).encode(),
        headers={"Referer": f"{BASE}/complain/"},
    )
    try:
        return opener.open(request, timeout=10).status
    except urllib.error.HTTPError as error:
        return error.code


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def count(url: str, sql: str) -> int:
    db = environ.Env.db_url_config(url)
    connection = psycopg2.connect(dbname=db["NAME"], user=db["USER"], **db["OPTIONS"])
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            return cursor.fetchone()[0]
    finally:
        connection.close()


@pytest.fixture
def stack():
    folder = Path(tempfile.mkdtemp(prefix="redress-fault-pg-"))
    data_dir = folder / "pgdata"
    url = embedded_db.server_start(data_dir, database="redress_fault")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": url,
        "DJANGO_MEDIA_ROOT": str(folder / "media"),
        "REDRESS_SPOOL_DIR": str(folder / "spool"),
    }
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=180)  # fmt: skip
    web = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application",
         "--bind", f"127.0.0.1:{PORT}", "--workers", "2", "--timeout", "20"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=open(folder / "web.log", "w"),
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{BASE}/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield data_dir, url, env
    finally:
        web.send_signal(signal.SIGTERM)
        web.wait(timeout=30)
        embedded_db.server_stop(data_dir)
        shutil.rmtree(folder, ignore_errors=True)


def test_every_submission_of_a_burst_across_a_database_restart_is_stored_exactly_once(stack):
    data_dir, url, env = stack
    before = [post_complaint(n) for n in range(10)]
    embedded_db.server_stop(data_dir)
    during = [post_complaint(n) for n in range(10, 20)]
    embedded_db.server_start(data_dir, database="redress_fault")
    after = [post_complaint(n) for n in range(20, 30)]
    # Every customer was told we have it: the thanks page (303) or the spooled page (202)
    assert before == [303] * 10
    assert during == [202] * 10
    assert after == [303] * 10
    # When beat replays the spool (twice: the second run must change nothing)
    replay = "from django.utils import timezone; from complaints.workflows.spool import " \
             "spool_replay; print(spool_replay(now=timezone.now()))"  # fmt: skip
    for expected in ("10", "0"):
        ran = subprocess.run([sys.executable, "manage.py", "shell", "-c", replay], cwd=ROOT,
                             env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
        assert ran.stdout.strip().splitlines()[-1] == expected, ran.stderr
    # Then all 30 are complaints, each exactly once
    assert count(url, "SELECT count(*) FROM complaints_complaint") == 30
    assert count(url, "SELECT count(DISTINCT email) FROM complaints_customer") == 30
    assert count(url, "SELECT count(*) FROM complaints_websubmission WHERE state='accepted'") == 30

"""An installation with open complaints upgrades through this release's migrations.

A fresh database (every other test) has no complaint when the data steps run; a real one
does, and that is where a data step reading live code, or PostgreSQL refusing to ALTER a table
whose rows the same transaction just updated, shows. The upgrade runs in a database of its
own, in a child process, so the suite's test database is never migrated backwards.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
import psycopg2
import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent

UPGRADE = r"""
import datetime
import django
django.setup()
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("complaints", "0008_web_submissions_and_letters"), ("escalation", "0003_field_labels"),
          ("notifications", "0001_initial")]
executor = MigrationExecutor(connection)
executor.migrate(BEFORE)
apps = executor.loader.project_state(BEFORE).apps
Customer = apps.get_model("complaints", "Customer")
Complaint = apps.get_model("complaints", "Complaint")
version = apps.get_model("escalation", "CodeVersion").objects.get(code__slug="infinity-group-2016")
utc = datetime.timezone.utc
received = datetime.datetime(2026, 11, 2, 10, tzinfo=utc)
due = datetime.datetime(2026, 11, 9, 17, 30, tzinfo=utc)
customer = Customer.objects.create(name="Upgrade Test", email="u@example.com", nation="ENG")
Complaint.objects.create(
    reference="RD-UPGR-0001", customer=customer, channel="email", category="billing",
    summary="Open before the upgrade", first_made_at=received, received_at=received,
    effective_receipt_at=received, code_version=version, status="new", nation="ENG",
    respond_by=due, next_due_at=due, next_due_clock="respond_by", clock_reasons={},
    adr_eligible_from=datetime.date(2026, 12, 28), adr_refer_by=datetime.date(2027, 8, 2),
)

call_command("migrate", verbosity=0)

from complaints.models import Complaint as Current
from escalation.models import CodeVersion as CurrentVersion
upgraded = Current.objects.get(reference="RD-UPGR-0001")
sovision = CurrentVersion.objects.get(code__slug="sovision-it-2016")
print(upgraded.breach_due_at.isoformat(), upgraded.reminder_due_at is not None,
      sovision.deadlock_opens_adr, sovision.adr_letter_at_deadlock)
# The dashboard's rollups are backfilled: the complaint counts, open, received on 2 November.
from complaints.models import ReportOpen, ReportReceived
print(ReportOpen.objects.get(status="new", total=False).n,
      ReportReceived.objects.get(day=datetime.date(2026, 11, 2), total=True).n)
"""


def _server_settings() -> dict:
    database = settings.DATABASES["default"]
    params = {"user": database["USER"], "dbname": "postgres", **database.get("OPTIONS", {})}
    params.pop("options", None)
    if database.get("HOST"):
        params["host"] = database["HOST"]
    if database.get("PORT"):
        params["port"] = database["PORT"]
    if database.get("PASSWORD"):
        params["password"] = database["PASSWORD"]
    return params


def _url_for(name: str) -> str:
    url = os.environ.get("DATABASE_URL") or "postgres://redress@127.0.0.1:5432/redress"
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


@pytest.fixture(scope="module")
def upgraded():
    """The upgrade's printed answers, run once in a scratch database of its own."""
    name = f"redress_upgrade_{uuid.uuid4().hex[:8]}"
    url = _url_for(name)
    assert environ.Env.db_url_config(url)["NAME"].startswith("redress_upgrade_")
    admin = psycopg2.connect(**_server_settings())
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        env = {**os.environ, "DATABASE_URL": url,
               "DJANGO_SETTINGS_MODULE": "config.settings.test"}  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-c", UPGRADE], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr[-3000:]
        yield done.stdout.split()
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_open_complaints_get_their_reminder_and_breach_instants_on_upgrade(upgraded):
    assert upgraded[-6:-2] == ["2026-11-09T17:30:00+00:00", "True", "True", "on_request"]


def test_the_dashboard_rollups_count_the_complaints_there_before_the_upgrade(upgraded):
    assert upgraded[-2:] == ["1", "1"]

"""Settings as `make run` reads them from the environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def local_settings(**environment: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDRESS_BASE_URL")}
    env.update(environment, DJANGO_SETTINGS_MODULE="config.settings.local")
    code = (
        "import json; from django.conf import settings as s; "
        "print(json.dumps({'base': s.REDRESS_BASE_URL, 'db': s.DATABASES['default']}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_emailed_links_follow_the_port_make_run_serves_on():
    assert local_settings(REDRESS_PORT="8101")["base"] == "http://127.0.0.1:8101"
    assert local_settings()["base"] == "http://127.0.0.1:8000"


def test_an_explicit_base_url_still_wins_over_the_port():
    settings = local_settings(REDRESS_PORT="8101", REDRESS_BASE_URL="https://complaints.example/")
    assert settings["base"] == "https://complaints.example"


def test_local_settings_use_the_embedded_postgresql_unless_database_url_says_otherwise():
    embedded = local_settings()["db"]
    assert embedded["ENGINE"] == "django.db.backends.postgresql"
    assert embedded["OPTIONS"]["host"].endswith("var/pgdata")
    other = local_settings(DATABASE_URL="postgres://someone@db.example:5433/redress")["db"]
    assert (other["HOST"], other["PORT"], other["NAME"]) == ("db.example", 5433, "redress")

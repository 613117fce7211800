"""A strict Content-Security-Policy, kept possible by templates with no inline script or style,
and the production settings pass `check --deploy` with no warning (issue 14, item 13)."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
# Rendered to PDF (WeasyPrint) or sent as email, never served to a browser under the policy.
NOT_SERVED = ("notifications/email/", "letters/", "staff/reports/summary_pdf.html")
INLINE = {
    "inline <script>": re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I),
    "<style> block": re.compile(r"<style\b", re.I),
    "style attribute": re.compile(r"\sstyle\s*=", re.I),
    "event handler attribute": re.compile(r"\son[a-z]+\s*=", re.I),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def served_templates() -> list[Path]:
    templates = ROOT / "templates"
    return [
        path
        for path in sorted(templates.rglob("*.html"))
        if not str(path.relative_to(templates)).startswith(NOT_SERVED)
    ]


@pytest.mark.parametrize("what", sorted(INLINE))
def test_no_served_template_has_inline_code_or_style(what):
    found = [
        str(path.relative_to(ROOT))
        for path in served_templates()
        if INLINE[what].search(path.read_text())
    ]
    assert found == [], f"{what} in {found}: move it to a file under static/"


@pytest.mark.django_db
def test_every_page_sends_a_policy_without_unsafe_inline(client):
    policy = client.get(reverse("complaints:home"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_the_policy_setting_allows_no_inline_anywhere():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    assert all("'unsafe-inline'" not in sources for sources in directives.values())


def test_check_deploy_under_production_settings_reports_nothing():
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DATABASE_URL": "postgres://redress@127.0.0.1:5432/unused",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6399/0",
        "DJANGO_LOG_FORMAT": "text",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout

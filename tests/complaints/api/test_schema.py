"""The OpenAPI contract: checked in as a snapshot, served at /api/schema/, documented at
/api/docs/ with every asset from this site and no inline script."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

SNAPSHOT = Path(__file__).with_name("openapi.yaml")
REGENERATE = (
    "DJANGO_SETTINGS_MODULE=config.settings.test .venv/bin/python manage.py spectacular "
    "--file tests/complaints/api/openapi.yaml"
)


def _live_schema() -> str:
    out = StringIO()
    call_command("spectacular", stdout=out)
    return out.getvalue()


def test_the_contract_matches_the_checked_in_snapshot():
    assert _live_schema() == SNAPSHOT.read_text(), (
        "The API contract changed. If that is intended, regenerate the snapshot so the change "
        f"shows in review:\n    {REGENERATE}"
    )


def test_every_operation_documents_its_errors_with_examples():
    schema = yaml.safe_load(SNAPSHOT.read_text())
    missing = []
    for route, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            if not ({"401", "429"} <= codes):
                missing.append(f"{method.upper()} {route}: {sorted(codes)}")
            for code, response in operation["responses"].items():
                if code.startswith("4") and not response["content"]["application/json"].get(
                    "examples"
                ):
                    missing.append(f"{method.upper()} {route} {code}: no example")
    assert not missing, "\n".join(missing)


def test_the_schema_is_openapi_3_and_lists_an_endpoint_per_action():
    schema = yaml.safe_load(SNAPSHOT.read_text())
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/complaints/{reference}/actions/escalate/" in schema["paths"]


@pytest.mark.django_db
def test_the_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"openapi: 3" in response.content


@pytest.mark.django_db
def test_the_docs_page_loads_everything_from_this_site_without_inline_code(client):
    response = client.get("/api/docs/")
    html = response.content.decode()
    assert response.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") for s in sources), sources
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    script = client.get(next(s for s in sources if "script" in s and "sidecar" not in s))
    assert script.status_code == 200
    assert b"SwaggerUIBundle" in script.content

"""API tokens: stored hashed, shown once, revocable, last use recorded."""

from __future__ import annotations

import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from complaints.api_tokens import api_token_create, api_token_revoke
from complaints.models import ApiToken

pytestmark = pytest.mark.django_db


def test_only_the_hash_of_a_new_token_is_stored(agent):
    token, key = api_token_create(user=agent, name="CRM")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in {stored.key_hash, stored.prefix, stored.name}
    assert key.startswith(stored.prefix)


def test_a_bearer_token_signs_the_integration_in_as_its_user(agent):
    _, key = api_token_create(user=agent, name="CRM")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/complaints/").status_code == 200


def test_using_a_token_records_when_it_was_last_used(agent):
    token, key = api_token_create(user=agent, name="CRM")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    client.get("/api/v1/complaints/")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_a_revoked_token_is_refused_with_the_error_shape(agent):
    token, key = api_token_create(user=agent, name="CRM")
    api_token_revoke(token=token, now=timezone.now())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    response = client.get("/api/v1/complaints/")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"
    assert set(response.json()) >= {"code", "message", "errors"}


def test_an_unknown_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer rd_not-a-real-token")
    assert client.get("/api/v1/complaints/").status_code == 401


def test_without_credentials_the_api_answers_401_in_json(anon_api):
    response = anon_api.get("/api/v1/complaints/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_a_token_needs_a_name(agent):
    with pytest.raises(Exception, match="Name the integration"):
        api_token_create(user=agent, name="  ")


def test_the_command_prints_the_token_once_and_stores_its_hash(agent):
    out, err = StringIO(), StringIO()
    call_command(
        "api_token_create", "--user", "agent", "--name", "Telephony", stdout=out, stderr=err
    )
    key = out.getvalue().strip()
    token = ApiToken.objects.get(name="Telephony")
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in err.getvalue()


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="no user"):
        call_command("api_token_create", "--user", "nobody", "--name", "CRM", stdout=StringIO())


def test_an_admin_creates_a_token_in_the_admin_and_sees_it_once(client, admin_staff, password):
    client.force_login(admin_staff)
    response = client.post(
        "/admin/complaints/apitoken/add/", {"user": admin_staff.pk, "name": "Billing"}, follow=True
    )
    token = ApiToken.objects.get(name="Billing")
    shown = [str(m) for m in response.context["messages"]]
    assert any("shown only once" in m for m in shown)
    key = next(m for m in shown if "shown only once" in m).split("<code>")[1].split("</code>")[0]
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()


def test_an_admin_revokes_tokens_from_the_list(client, admin_staff, agent, password):
    token, _ = api_token_create(user=agent, name="CRM")
    client.force_login(admin_staff)
    client.post(
        "/admin/complaints/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None

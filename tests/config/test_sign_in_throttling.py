"""Sign-in is throttled per account and per address, the admin's too, an admin can unlock, and
password-reset emails are rate limited (issue 14, item 5)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lockout_after_five(settings):
    settings.AXES_FAILURE_LIMIT = 5


def sign_in(client, username: str, password: str, *, url: str = "", ip: str = "192.0.2.10"):
    return client.post(
        url or reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=ip
    )


def test_forty_wrong_passwords_lock_the_account_so_the_right_one_is_refused(client, agent):
    for _ in range(40):
        sign_in(client, "agent", "wrong-password")
    response = sign_in(client, "agent", PASSWORD)
    assert response.status_code == 429
    assert "Too many attempts to sign in" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_wrong_passwords_below_the_limit_do_not_lock(client, agent):
    for _ in range(4):
        sign_in(client, "agent", "wrong-password")
    assert sign_in(client, "agent", PASSWORD).status_code == 302


def test_the_account_stays_locked_from_another_address(client, agent):
    for _ in range(5):
        sign_in(client, "agent", "wrong-password", ip="192.0.2.10")
    assert sign_in(client, "agent", PASSWORD, ip="198.51.100.7").status_code == 429


def test_one_address_trying_many_accounts_is_locked(client, agent, manager):
    for n in range(5):
        sign_in(client, f"guess{n}", "wrong-password", ip="203.0.113.5")
    assert sign_in(client, "manager", PASSWORD, ip="203.0.113.5").status_code == 429
    assert sign_in(client, "manager", PASSWORD, ip="198.51.100.7").status_code == 302


def test_the_admin_sign_in_is_throttled_too(client, admin_staff):
    url = reverse("admin:login")
    for _ in range(5):
        sign_in(client, "admin_staff", "wrong-password", url=url)
    assert sign_in(client, "admin_staff", PASSWORD, url=url).status_code == 429


def test_an_admin_unlocks_an_account_by_deleting_its_attempts(client, agent, admin_staff):
    for _ in range(5):
        sign_in(client, "agent", "wrong-password")
    attempt = AccessAttempt.objects.get(username="agent")
    # When an admin deletes the lockout in the admin
    admin_client = Client()
    admin_client.force_login(admin_staff)
    response = admin_client.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    # Then the agent signs in again (from another address: the first one is locked too)
    assert sign_in(client, "agent", PASSWORD, ip="198.51.100.7").status_code == 302


def reset(client, email: str, ip: str = "192.0.2.10"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


def test_password_reset_emails_stop_after_the_limit(client, settings):
    settings.REDRESS_PASSWORD_RESET_LIMIT = "3/h"
    UserFactory(username="carys", email="carys@example.com")
    answers = [reset(client, "carys@example.com", ip=f"192.0.2.{n}").status_code for n in range(6)]
    assert answers == [302, 302, 302, 429, 429, 429]
    assert len(mail.outbox) == 3


def test_a_refused_reset_says_why_and_the_same_for_an_unknown_address(client, settings):
    settings.REDRESS_PASSWORD_RESET_LIMIT = "1/h"
    reset(client, "nobody@example.com")
    response = reset(client, "nobody@example.com")
    assert response.status_code == 429
    assert "Too many password reset requests" in response.content.decode()

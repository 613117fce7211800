"""Admin actions and account changes obey the roles and leave an audit entry (issue 14, items
1-3). Personas: agent, manager, admin (a group, not a superuser), superuser."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from complaints.models import AuditEntry
from escalation.models import CodeOfPractice, CodeVersion
from notifications.models import OutboxMessage
from tests.factories import OutboxMessageFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def run_action(client, changelist: str, action: str, ids: list[int]):
    return client.post(
        reverse(changelist), {"action": action, "_selected_action": ids}, follow=True
    )


# -- 1. actions declare who may run them ----------------------------------------------------


def test_a_view_only_manager_cannot_switch_the_governing_code(client, manager, current_code):
    other = CodeOfPractice.objects.exclude(pk=current_code.pk).first()
    client.force_login(manager)
    run_action(client, "admin:escalation_codeofpractice_changelist", "make_current", [other.pk])
    assert CodeOfPractice.objects.get(is_current=True) == current_code
    assert not AuditEntry.objects.filter(action="made_current").exists()


def test_an_admin_switching_the_governing_code_is_audited(client, admin_staff, current_code):
    other = CodeOfPractice.objects.exclude(pk=current_code.pk).first()
    client.force_login(admin_staff)
    run_action(client, "admin:escalation_codeofpractice_changelist", "make_current", [other.pk])
    entry = AuditEntry.objects.get(action="made_current")
    assert CodeOfPractice.objects.get(is_current=True) == other
    assert entry.actor == admin_staff
    assert entry.changes == {"current_code": [current_code.slug, other.slug]}


def test_an_agent_cannot_retry_failed_email(client, agent):
    failed = OutboxMessageFactory(state=OutboxMessage.State.FAILED, attempts=5)
    client.force_login(agent)
    run_action(client, "admin:notifications_outboxmessage_changelist", "retry", [failed.pk])
    failed.refresh_from_db()
    assert failed.state == OutboxMessage.State.FAILED


def test_an_admin_can_retry_failed_email(client, admin_staff):
    failed = OutboxMessageFactory(state=OutboxMessage.State.FAILED, attempts=5)
    client.force_login(admin_staff)
    run_action(client, "admin:notifications_outboxmessage_changelist", "retry", [failed.pk])
    failed.refresh_from_db()
    assert failed.state != OutboxMessage.State.FAILED


def test_an_agent_cannot_log_held_submissions(client, agent):
    client.force_login(agent)
    response = client.get(reverse("admin:complaints_websubmission_changelist"))
    assert response.status_code == 403  # agents do not even see the submissions


def test_drafting_a_code_version_in_the_admin_is_audited(client, admin_staff):
    version = CodeVersion.objects.filter(status=CodeVersion.Status.PUBLISHED).first()
    client.force_login(admin_staff)
    response = client.post(
        reverse("admin:escalation_codeversion_draft", args=[version.pk]), follow=True
    )
    assert response.status_code == 200
    assert AuditEntry.objects.filter(object_type="codeversion", action="drafted").exists()


# -- 2. only superusers grant privilege -----------------------------------------------------


def user_form(user, **overrides) -> dict[str, str]:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_active": "on",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-11-01",
        "date_joined_1": "09:00:00",
    }
    data.update(overrides)
    return data


def test_an_admin_who_is_not_a_superuser_cannot_make_itself_one(client, admin_staff):
    client.force_login(admin_staff)
    url = reverse("admin:auth_user_change", args=[admin_staff.pk])
    response = client.post(url, user_form(admin_staff, is_superuser="on", is_staff="on"))
    admin_staff.refresh_from_db()
    assert response.status_code == 403
    assert not admin_staff.is_superuser


def test_an_admin_cannot_make_a_customer_login_staff_or_superuser(client, admin_staff):
    login = UserFactory(username="carys")
    client.force_login(admin_staff)
    url = reverse("admin:auth_user_change", args=[login.pk])
    response = client.post(url, user_form(login, is_superuser="on", is_staff="on"))
    login.refresh_from_db()
    assert response.status_code == 302
    assert (login.is_staff, login.is_superuser) == (False, False)
    assert AuditEntry.objects.filter(object_type="user", object_id=login.pk).exists()


def test_an_admin_cannot_change_a_superusers_password(client, admin_staff, superuser):
    client.force_login(admin_staff)
    url = reverse("admin:auth_user_password_change", args=[superuser.pk])
    response = client.post(url, {"password1": "Taken-0ver-now", "password2": "Taken-0ver-now"})
    assert response.status_code == 403


def test_a_superuser_grants_staff_status_and_it_is_audited(client, superuser):
    login = UserFactory(username="newstaff")
    client.force_login(superuser)
    url = reverse("admin:auth_user_change", args=[login.pk])
    response = client.post(url, user_form(login, is_staff="on"))
    login.refresh_from_db()
    assert response.status_code == 302
    assert login.is_staff
    entry = AuditEntry.objects.get(object_type="user", object_id=login.pk)
    assert entry.changes["is_staff"] == [False, True]


# -- 3. the portal login is linked by its own audited act -----------------------------------


def customer_form(customer, **overrides) -> dict[str, str]:
    data = {
        "name": customer.name,
        "kind": customer.kind,
        "email": customer.email,
        "nation": customer.nation,
        "preferred_contact": customer.preferred_contact,
        "phone": customer.phone,
        "postcode": customer.postcode,
        "address": customer.address,
        "account_reference": customer.account_reference,
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_agent_cannot_relink_a_customers_portal_login(client, agent, customer):
    thief = UserFactory(username="thief")
    client.force_login(agent)
    url = reverse("admin:complaints_customer_change", args=[customer.pk])
    client.post(url, customer_form(customer, portal_user=str(thief.pk)))
    customer.refresh_from_db()
    assert customer.portal_user is None
    assert (
        client.get(reverse("admin:complaints_customer_portal_link", args=[customer.pk])).status_code
        == 403
    )


def test_an_agents_change_to_a_customer_is_audited(client, agent, customer):
    client.force_login(agent)
    url = reverse("admin:complaints_customer_change", args=[customer.pk])
    response = client.post(url, customer_form(customer, name="Carys Jones-Evans"))
    assert response.status_code == 302
    entry = AuditEntry.objects.get(object_type="customer", action="admin_changed")
    assert entry.actor == agent
    assert entry.changes["name"] == ["Carys Jones", "Carys Jones-Evans"]


def test_an_admin_links_a_portal_login_audited_and_the_customer_is_emailed(
    client, admin_staff, customer
):
    login = UserFactory(username="carys")
    client.force_login(admin_staff)
    url = reverse("admin:complaints_customer_portal_link", args=[customer.pk])
    response = client.post(url, {"username": "carys"})
    customer.refresh_from_db()
    assert response.status_code == 302
    assert customer.portal_user == login
    entry = AuditEntry.objects.get(object_type="customer", action="portal_linked")
    assert entry.changes == {"portal_user": [None, "carys"]}
    email = OutboxMessage.objects.get(template="portal_account_linked")
    assert email.recipient == customer.email


def test_a_staff_login_cannot_become_a_portal_account(client, admin_staff, customer, agent):
    client.force_login(admin_staff)
    url = reverse("admin:complaints_customer_portal_link", args=[customer.pk])
    response = client.post(url, {"username": agent.username})
    customer.refresh_from_db()
    assert response.status_code == 200
    assert "staff login cannot be" in response.content.decode()
    assert customer.portal_user is None
    assert not OutboxMessage.objects.filter(template="portal_account_linked").exists()

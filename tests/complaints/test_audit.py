"""Every change to a complaint or customer is audited (who, when, before/after) and the audit
cannot be edited: not in the admin, not by a stray UPDATE."""

from __future__ import annotations

import pytest
from django.db import ProgrammingError, transaction
from django.urls import reverse

from complaints.models import AuditEntry
from complaints.services import customer_update
from complaints.workflows.actions import complaint_acknowledge
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


def test_a_customer_change_is_audited_with_before_and_after(customer, agent, now):
    customer_update(customer_id=customer.pk, by=agent, now=now, phone="01632 960999")

    entry = AuditEntry.objects.get(object_type="customer", object_id=customer.pk, action="updated")
    assert entry.actor == agent
    assert entry.at == now
    assert entry.changes == {"phone": [customer.phone, "01632 960999"]}


def test_an_unchanged_customer_save_writes_no_audit(customer, agent, now):
    customer_update(customer_id=customer.pk, by=agent, now=now, phone=customer.phone)

    assert not AuditEntry.objects.filter(object_id=customer.pk, action="updated").exists()


def test_a_complaint_action_is_audited_with_before_and_after(agent, now):
    complaint = ComplaintFactory()

    complaint_acknowledge(complaint_id=complaint.pk, by=agent, now=now, expected_version=None)

    entry = AuditEntry.objects.get(
        object_type="complaint", object_id=complaint.pk, action="acknowledge"
    )
    assert entry.actor == agent
    assert entry.changes["status"] == ["new", "acknowledged"]
    assert entry.changes["acknowledged_at"] == [None, now.isoformat()]


@pytest.mark.parametrize("statement", ["UPDATE complaints_auditentry SET action = 'x'",
                                       "DELETE FROM complaints_auditentry"])  # fmt: skip
def test_the_database_refuses_to_rewrite_the_audit(customer, agent, now, statement):
    customer_update(customer_id=customer.pk, by=agent, now=now, phone="01632 960000")
    from django.db import connection

    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(statement)
    assert AuditEntry.objects.filter(object_id=customer.pk).exists()


@pytest.mark.parametrize("model", ["auditentry", "timelineevent"])
def test_the_admin_shows_evidence_but_offers_no_way_to_change_it(client, admin_staff, customer, agent, now, model):  # fmt: skip
    customer_update(customer_id=customer.pk, by=agent, now=now, phone="01632 960001")
    complaint = ComplaintFactory()
    entry = AuditEntry.objects.first() if model == "auditentry" else complaint.events.first()
    client.force_login(admin_staff)

    page = client.get(reverse(f"admin:complaints_{model}_change", args=[entry.pk]))
    posted = client.post(
        reverse(f"admin:complaints_{model}_change", args=[entry.pk]), {"action": "x"}
    )
    deleted = client.post(
        reverse(f"admin:complaints_{model}_delete", args=[entry.pk]), {"post": "yes"}
    )

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert posted.status_code == 403
    assert deleted.status_code == 403
    assert type(entry).objects.filter(pk=entry.pk).exists()

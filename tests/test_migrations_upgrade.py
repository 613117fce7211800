"""An installation with open complaints upgrades through this release's migrations.

A fresh database (every other test) has no complaint when the data steps run; a real one
does, and that is where a data step reading live code, or PostgreSQL refusing to ALTER a table
whose rows the same transaction just updated, shows.
"""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("complaints", "0008_web_submissions_and_letters"),
    ("escalation", "0003_field_labels"),
    ("notifications", "0001_initial"),
]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_open_complaints_get_their_reminder_and_breach_instants_on_upgrade():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    Customer = apps.get_model("complaints", "Customer")
    Complaint = apps.get_model("complaints", "Complaint")
    CodeVersion = apps.get_model("escalation", "CodeVersion")
    version = CodeVersion.objects.get(code__slug="infinity-group-2016")
    received = datetime.datetime(2026, 11, 2, 10, tzinfo=datetime.UTC)
    customer = Customer.objects.create(name="Upgrade Test", email="u@example.com", nation="ENG")
    Complaint.objects.create(
        reference="RD-UPGR-0001", customer=customer, channel="email", category="billing",
        summary="Open before the upgrade", first_made_at=received, received_at=received,
        effective_receipt_at=received, code_version=version, status="new", nation="ENG",
        respond_by=datetime.datetime(2026, 11, 9, 17, 30, tzinfo=datetime.UTC),
        next_due_at=datetime.datetime(2026, 11, 9, 17, 30, tzinfo=datetime.UTC),
        next_due_clock="respond_by", clock_reasons={}, adr_eligible_from=datetime.date(2026, 12, 28),
        adr_refer_by=datetime.date(2027, 8, 2),
    )  # fmt: skip

    call_command("migrate", verbosity=0)

    from complaints.models import Complaint as Current

    upgraded = Current.objects.get(reference="RD-UPGR-0001")
    assert upgraded.breach_due_at == datetime.datetime(2026, 11, 9, 17, 30, tzinfo=datetime.UTC)
    assert upgraded.reminder_due_at is not None
    from escalation.models import CodeVersion as CurrentVersion

    sovision = CurrentVersion.objects.get(code__slug="sovision-it-2016")
    assert (sovision.deadlock_opens_adr, sovision.adr_letter_at_deadlock) == (True, "on_request")

"""Retention: complaints closed longer than their version's retention period are anonymised;
statistics stay; the one redaction path the database permits is audited, and nothing else
may rewrite the timeline or the audit trail."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.db import ProgrammingError, connection, transaction

from complaints.lifecycle import Status
from complaints.models import AuditEntry, Complaint, Customer, Letter, TimelineEvent
from complaints.workflows.enforcement.jobs import enforce
from escalation.calendar import LONDON
from escalation.models import CodeVersion
from notifications.models import OutboxMessage
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


CLOSED = at(2026, 11, 20, 12, 0)


def _closed(log_complaint, customer=None, closed_at=CLOSED) -> Complaint:
    complaint = log_complaint(at(2026, 11, 2, 10, 0), customer=customer,
                              details="My account number is 12345678")  # fmt: skip
    Complaint.objects.filter(pk=complaint.pk).update(
        status=Status.CLOSED, closed_at=closed_at, resolved_at=closed_at,
        resolution_summary="Refunded £20 to Carys",
    )  # fmt: skip
    return Complaint.objects.get(pk=complaint.pk)


def test_a_complaint_is_kept_for_the_twelve_months_after_closure(log_complaint):
    _closed(log_complaint)

    assert enforce(now=at(2027, 11, 20, 11, 59), jobs=["retention"]) == {"retention": 0}


def test_after_twelve_months_personal_data_goes_and_statistics_stay(log_complaint):
    customer = CustomerFactory(name="Carys Jones", email="carys@example.com")
    complaint = _closed(log_complaint, customer=customer)
    clocks = (complaint.respond_by, complaint.adr_eligible_from, complaint.channel)

    assert enforce(now=at(2027, 11, 20, 12, 0), jobs=["retention"]) == {"retention": 1}

    complaint.refresh_from_db()
    customer.refresh_from_db()
    assert complaint.anonymised_at is not None
    assert (complaint.details, complaint.resolution_summary) == ("", "")
    assert (complaint.respond_by, complaint.adr_eligible_from, complaint.channel) == clocks
    assert complaint.status == Status.CLOSED
    assert (customer.name, customer.email, customer.phone) == ("Anonymised customer", "", "")
    texts = " ".join(complaint.events.values_list("body", flat=True))
    texts += " ".join(complaint.events.values_list("summary", flat=True))
    assert "12345678" not in texts and "carys@example.com" not in texts
    assert not OutboxMessage.objects.filter(complaint=complaint).exclude(recipient="").exists()
    audits = AuditEntry.objects.filter(object_type="customer", object_id=customer.pk)
    assert "Carys" not in str(list(audits.values_list("changes", flat=True)))


def test_the_redaction_is_itself_audited_once(log_complaint):
    complaint = _closed(log_complaint)
    enforce(now=at(2027, 11, 21, 0, 0), jobs=["retention"])
    enforce(now=at(2027, 11, 22, 0, 0), jobs=["retention"])

    audits = AuditEntry.objects.filter(object_type="complaint", object_id=complaint.pk)
    assert audits.filter(action="anonymised").count() == 1
    assert complaint.events.filter(kind=TimelineEvent.Kind.ANONYMISED).count() == 1


def test_a_longer_retention_period_keeps_it_longer(log_complaint):
    complaint = _closed(log_complaint)
    CodeVersion.objects.filter(pk=complaint.code_version_id).update(
        retention_months_after_closure=24
    )

    assert enforce(now=at(2028, 11, 20, 11, 0), jobs=["retention"]) == {"retention": 0}
    assert enforce(now=at(2028, 11, 20, 13, 0), jobs=["retention"]) == {"retention": 1}


def test_a_customer_with_another_complaint_in_retention_keeps_their_record(log_complaint):
    customer = CustomerFactory(name="Carys Jones")
    _closed(log_complaint, customer=customer)
    _closed(log_complaint, customer=customer, closed_at=at(2027, 6, 1, 12, 0))

    enforce(now=at(2027, 11, 21, 0, 0), jobs=["retention"])

    customer.refresh_from_db()
    assert customer.name == "Carys Jones"
    assert Customer.objects.filter(anonymised_at__isnull=False).count() == 0


def test_a_letters_pdf_is_deleted_and_its_hash_kept(log_complaint, settings, tmp_path,
                                                     django_capture_on_commit_callbacks):  # fmt: skip
    settings.MEDIA_ROOT = str(tmp_path)
    complaint = _closed(log_complaint)
    letter = Letter.objects.create(complaint=complaint, kind=Letter.Kind.DEADLOCK,
                                   dated=datetime.date(2026, 11, 20), body="Our final position",
                                   sha256="ab" * 32, state=Letter.State.READY)  # fmt: skip
    letter.pdf.save("x.pdf", ContentFile(b"%PDF-1.4"), save=True)
    path = tmp_path / letter.pdf.name

    with django_capture_on_commit_callbacks(execute=True):
        enforce(now=at(2027, 11, 21, 0, 0), jobs=["retention"])

    letter.refresh_from_db()
    assert not path.exists()
    assert (letter.pdf.name, letter.body, letter.sha256) == ("", "", "ab" * 32)


def test_the_rewrite_flag_still_refuses_a_delete(log_complaint):
    event = _closed(log_complaint).events.first()

    with pytest.raises(ProgrammingError, match="DELETE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL redress.timeline_rewrite = 'on'")
        TimelineEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize(
    ("model", "change"),
    [
        (TimelineEvent, {"kind": "note"}),
        (TimelineEvent, {"occurred_at": at(2020, 1, 1, 0, 0)}),
        (AuditEntry, {"action": "forged"}),
    ],
)
def test_the_rewrite_flag_refuses_changing_anything_but_personal_text(log_complaint, model,
                                                                      change):  # fmt: skip
    complaint = _closed(log_complaint)
    rows = model.objects.filter(pk=model.objects.order_by("pk").last().pk)

    with pytest.raises(ProgrammingError, match="UPDATE refused"), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL redress.timeline_rewrite = 'on'")
        rows.update(**change)
    assert complaint.pk


def test_without_the_flag_even_personal_text_cannot_be_rewritten(log_complaint):
    event = _closed(log_complaint).events.first()

    with pytest.raises(ProgrammingError, match="UPDATE refused"), transaction.atomic():
        TimelineEvent.objects.filter(pk=event.pk).update(body="")

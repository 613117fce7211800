"""complaint_create: a complaint is logged under the version in force, with its clocks and trail."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from complaints import services
from complaints.models import Complaint, Customer, TimelineEvent
from complaints.services import complaint_create
from escalation.calendar import LONDON
from escalation.clocks import ClockInputs, compute_clocks
from escalation.models import CodeVersion
from escalation.selectors import code_rules
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
REFERENCE = re.compile(r"^RD-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$")


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Complaint, TimelineEvent, OutboxMessage, Customer)
    }


def test_complaint_is_governed_by_the_current_codes_version_in_force(customer, now):
    complaint = complaint_create(
        customer=customer, channel="email", category="billing", summary="Double billed", now=now
    )
    assert complaint.code_version == CodeVersion.objects.get(
        code__slug="sovision-it-2016", number=1
    )


def test_complaint_follows_a_switch_of_current_code(customer, now, use_code):
    use_code("infinity-group-2016")
    complaint = ComplaintFactory(customer=customer, now=now)
    assert complaint.code_version.code.slug == "infinity-group-2016"
    assert complaint.respond_by == datetime.datetime(2026, 11, 9, 17, 30, tzinfo=UTC)


def test_reference_has_the_rd_format(customer, now):
    complaint = ComplaintFactory(customer=customer, now=now)
    assert REFERENCE.match(complaint.reference), complaint.reference


def test_references_are_unique_across_many_complaints(customer, now):
    references = {ComplaintFactory(customer=customer, now=now).reference for _ in range(40)}
    assert len(references) == 40
    assert all(REFERENCE.match(r) for r in references)


def test_reference_collision_is_retried_with_a_fresh_reference(customer, now, monkeypatch):
    # Given an existing complaint and a generator that first repeats its reference
    existing = ComplaintFactory(customer=customer, now=now)
    candidates = iter([existing.reference, "RD-AAAA-BBBB"])
    monkeypatch.setattr(services, "reference_generate", lambda: next(candidates))
    # When another complaint is logged
    complaint = ComplaintFactory(customer=customer, now=now)
    # Then it gets the second reference, and both rows exist
    assert complaint.reference == "RD-AAAA-BBBB"
    assert Complaint.objects.filter(reference__in=[existing.reference, "RD-AAAA-BBBB"]).count() == 2


def test_clocks_are_those_compute_clocks_gives_for_the_version(customer, now):
    complaint = complaint_create(
        customer=customer,
        channel="email",
        category="service",
        summary="No dial tone",
        now=now,
        first_made_at=london(2026, 10, 30, 16, 0),
        received_at=london(2026, 11, 2, 9, 30),
    )
    expected = compute_clocks(
        code_rules(complaint.code_version),
        ClockInputs(
            channel="email",
            received=london(2026, 11, 2, 9, 30),
            first_made=london(2026, 10, 30, 16, 0),
            nation="ENG",
            category="service",
        ),
    )
    complaint.refresh_from_db()
    assert {name: getattr(complaint, name) for name in expected.as_dict()} == expected.as_dict()
    assert complaint.adr_eligible is True
    assert complaint.clock_reasons == dict(expected.reasons)
    # and by hand: soVision email, 2 working days from Monday → Wed 4 Nov 17:00;
    # 8 weeks from Fri 30 Oct → Fri 25 Dec
    assert complaint.respond_by == datetime.datetime(2026, 11, 4, 17, 0, tzinfo=UTC)
    assert complaint.adr_eligible_from == datetime.date(2026, 12, 25)


def test_effective_receipt_moves_an_after_hours_complaint_to_next_opening(customer, now):
    complaint = ComplaintFactory(
        customer=customer, now=london(2026, 11, 2, 18, 0), received_at=london(2026, 11, 2, 17, 45)
    )
    assert complaint.effective_receipt_at == datetime.datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    assert complaint.received_at == datetime.datetime(2026, 11, 2, 17, 45, tzinfo=UTC)


def test_effective_receipt_is_the_moment_received_inside_office_hours(customer, now):
    complaint = ComplaintFactory(customer=customer, now=now)
    assert complaint.effective_receipt_at == now


def test_scottish_customer_gets_scottish_bank_holidays(now):
    # soVision letter, 2 working days from Fri 27 Nov: ENG Mon 30, Tue 1; SCT Tue 1, Wed 2
    scot = CustomerFactory(nation="SCT")
    complaint = ComplaintFactory(customer=scot, channel="letter", now=london(2026, 11, 27, 10, 0))
    assert complaint.respond_by == datetime.datetime(2026, 12, 2, 17, 0, tzinfo=UTC)


def test_timeline_starts_with_a_customer_visible_logged_event(customer, now, agent):
    complaint = ComplaintFactory(customer=customer, now=now, by=agent, details="Since Friday")
    logged = complaint.events.get(kind=TimelineEvent.Kind.LOGGED)
    assert logged.visibility == TimelineEvent.Visibility.CUSTOMER
    assert logged.author == agent
    assert logged.occurred_at == now
    assert logged.body == "Since Friday"
    assert "sovision-it-2016 v1" in logged.summary


def test_timeline_records_the_clocks_that_were_set(customer, now):
    complaint = ComplaintFactory(customer=customer, now=now)
    event = complaint.events.get(kind=TimelineEvent.Kind.CLOCK_CHANGE)
    assert event.visibility == TimelineEvent.Visibility.INTERNAL
    assert event.data["version"] == complaint.code_version_id
    assert event.data["clocks"]["respond_by"] == "2026-11-04T17:00:00+00:00"
    assert event.data["clocks"]["auto_close_at"] is None
    assert set(event.data["reasons"]) >= {"respond_by", "adr_eligible_from"}


def test_acknowledgement_is_queued_in_the_outbox_with_an_idempotency_key(customer, now):
    complaint = ComplaintFactory(customer=customer, now=now)
    message = OutboxMessage.objects.get(complaint=complaint)
    assert message.idempotency_key == f"complaint:{complaint.reference}:acknowledgement"
    assert message.template == "complaint_acknowledgement"
    assert message.recipient == "carys@example.com"
    assert message.state == OutboxMessage.State.QUEUED
    assert message.context["reference"] == complaint.reference
    assert message.context["respond_by"] == "2026-11-04T17:00:00+00:00"


def test_acknowledgement_is_not_sent_before_commit(
    customer, now, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ComplaintFactory(customer=customer, now=now)
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_acknowledgement_email_is_delivered_after_commit(
    customer, now, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = ComplaintFactory(customer=customer, now=now)
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["carys@example.com"]
    assert complaint.reference in mailoutbox[0].subject
    assert OutboxMessage.objects.get(complaint=complaint).state == OutboxMessage.State.SENT


def test_customer_without_email_gets_no_outbox_row(now):
    no_email = CustomerFactory(email="", preferred_contact="phone")
    complaint = ComplaintFactory(customer=no_email, now=now, channel="phone")
    assert not OutboxMessage.objects.filter(complaint=complaint).exists()


def test_business_over_the_threshold_is_not_adr_eligible(business_customer, now):
    complaint = ComplaintFactory(customer=business_customer, now=now)
    assert complaint.adr_eligible is False
    assert "fewer than 10" in complaint.adr_ineligible_reason
    assert "25" in complaint.adr_ineligible_reason


def test_small_business_is_adr_eligible(now):
    small = CustomerFactory(business=True, employee_count=9)
    complaint = ComplaintFactory(customer=small, now=now)
    assert complaint.adr_eligible is True
    assert complaint.adr_ineligible_reason == ""


def test_received_a_few_minutes_ahead_of_our_clock_is_accepted(customer, now):
    # phone systems' clocks drift: up to five minutes ahead is tolerated
    complaint = ComplaintFactory(
        customer=customer, now=now, received_at=now + datetime.timedelta(minutes=4)
    )
    assert complaint.received_at == now + datetime.timedelta(minutes=4)


# --- refusals: ValidationError, nothing written ---------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        pytest.param(
            {
                "first_made_at": london(2026, 11, 2, 11, 0),
                "received_at": london(2026, 11, 2, 11, 0),
            },
            "first_made_at",
            id="first-made-in-future",
        ),
        pytest.param(
            {"received_at": london(2026, 11, 2, 10, 6)}, "received_at", id="received-in-future"
        ),
        pytest.param(
            {"first_made_at": london(2026, 11, 2, 9, 30), "received_at": london(2026, 11, 2, 9, 0)},
            "first_made_at",
            id="first-made-after-received",
        ),
        pytest.param({"summary": "   "}, "summary", id="blank-summary"),
        pytest.param({"channel": "fax"}, "channel", id="unknown-channel"),
        pytest.param({"category": "weather"}, "category", id="unknown-category"),
    ],
)
def test_invalid_complaint_is_refused_and_nothing_is_written(
    customer, now, overrides, field, django_capture_on_commit_callbacks
):
    kwargs = {
        "customer": customer,
        "channel": "email",
        "category": "service",
        "summary": "Broadband down",
        "now": now,
        **overrides,
    }
    before = row_counts()
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(ValidationError) as excinfo,
    ):
        complaint_create(**kwargs)
    assert field in excinfo.value.message_dict
    assert row_counts() == before
    assert callbacks == []


def test_overlong_summary_is_refused_with_a_validation_error(customer, now):
    with pytest.raises(ValidationError) as excinfo:
        complaint_create(
            customer=customer, channel="email", category="service", summary="x" * 201, now=now
        )
    assert "summary" in excinfo.value.message_dict

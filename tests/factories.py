"""factory_boy factories. Complaints and customers go through the services, so clocks are real.

`ComplaintFactory()` logs a complaint exactly as staff would (`complaint_create`): the code
version in force, the clocks, the timeline and the acknowledgement outbox row all exist. Only
the create strategy is supported for service-backed factories; `build()` would skip the rules.
"""

from __future__ import annotations

import datetime
from typing import Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from complaints.models import Complaint, Customer, TimelineEvent
from complaints.services import complaint_create, customer_create
from complaints.timeline import timeline_record
from escalation.calendar import LONDON
from notifications.models import OutboxMessage

PASSWORD = "correct-horse-battery"

# Monday 2 November 2026, 10:00 in London (GMT): the DOMAIN.md worked example's instant.
NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `UserFactory(groups=["agent"])` puts them in role groups by name."""

    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"First{n}")
    last_name = "Tester"
    email = factory.LazyAttribute(lambda o: f"{o.username}@redress.test")
    password = factory.django.Password(PASSWORD)
    is_staff = False

    @factory.post_generation
    def groups(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if not create or not extracted:
            return
        names = list(extracted)
        found = list(Group.objects.filter(name__in=names))
        missing = set(names) - {g.name for g in found}
        if missing:
            raise ValueError(f"no such group(s): {sorted(missing)} (migrations create the roles)")
        self.groups.add(*found)


class CustomerFactory(factory.django.DjangoModelFactory):
    """A consumer in England with an email address; `business=True` for a 25-person firm."""

    class Meta:
        model = Customer

    class Params:
        business = factory.Trait(kind=Customer.Kind.BUSINESS, employee_count=25)

    kind = Customer.Kind.CONSUMER
    employee_count = None
    name = factory.Sequence(lambda n: f"Customer {n}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = "0117 496 0000"
    nation = "ENG"
    account_reference = factory.Sequence(lambda n: f"ACC{n:06d}")

    @classmethod
    def _create(cls, model_class: type[Customer], *args: Any, **kwargs: Any) -> Customer:
        return customer_create(**kwargs)


class ComplaintFactory(factory.django.DjangoModelFactory):
    """Logs a complaint through `complaint_create` (email channel, received at NOW)."""

    class Meta:
        model = Complaint

    customer = factory.SubFactory(CustomerFactory)
    channel = "email"
    category = "service"
    summary = factory.Sequence(lambda n: f"Broadband keeps dropping ({n})")
    details = ""
    now = NOW
    first_made_at = None
    received_at = None
    by = None

    @classmethod
    def _create(cls, model_class: type[Complaint], *args: Any, **kwargs: Any) -> Complaint:
        return complaint_create(**kwargs)


class TimelineEventFactory(factory.django.DjangoModelFactory):
    """Appends an event through `timeline_record` (a duplicate dedupe_key returns None)."""

    class Meta:
        model = TimelineEvent

    complaint = factory.SubFactory(ComplaintFactory)
    kind = TimelineEvent.Kind.NOTE
    summary = factory.Sequence(lambda n: f"Note {n}")
    occurred_at = NOW
    visibility = TimelineEvent.Visibility.INTERNAL

    @classmethod
    def _create(
        cls, model_class: type[TimelineEvent], *args: Any, **kwargs: Any
    ) -> TimelineEvent | None:
        return timeline_record(**kwargs)


class OutboxMessageFactory(factory.django.DjangoModelFactory):
    """A raw outbox row that nobody dispatched (as if the broker was down at commit)."""

    class Meta:
        model = OutboxMessage

    recipient = factory.Sequence(lambda n: f"recipient{n}@example.com")
    template = "complaint_acknowledgement"
    context = factory.LazyAttribute(
        lambda o: {
            "reference": "RD-TEST-0001",
            "customer_name": "Test Customer",
            "summary": "Broadband keeps dropping",
            "channel": "Email",
            "respond_by": "2026-11-09T17:30:00+00:00",
            "resolve_by": None,
            "adr_eligible_from": "2026-12-28",
            "company_name": "Example Telecom Ltd",
            "company_phone": "0100 000 0000",
        }
    )
    idempotency_key = factory.Sequence(lambda n: f"test:outbox:{n}")
    complaint = None
    state = OutboxMessage.State.QUEUED
    attempts = 0
    # as notification_enqueue sets it: the sweep may pick the row up two minutes from now
    next_attempt_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(minutes=2))


def docx_bytes(extra_parts: dict[str, bytes] | None = None, *, word: bool = True) -> bytes:
    """A minimal real .docx (a zip with the OOXML parts Word needs), plus any `extra_parts`;
    `word=False` leaves out the document itself (a plain zip named .docx)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        if word:
            archive.writestr("word/document.xml", '<?xml version="1.0"?><w:document/>')
        for name, content in (extra_parts or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()

"""Complaints logged under a chosen code at a chosen instant, for the enforcement jobs."""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from complaints.models import Complaint
from tests.factories import ComplaintFactory, CustomerFactory


@pytest.fixture
def log_complaint(db, use_code) -> Callable[..., Complaint]:
    """`log_complaint(received, code=…, channel=…, nation=…, assigned_to=…)` logs one as staff
    would, at the instant it was received."""

    def log(
        received: datetime.datetime,
        *,
        code: str = "infinity-group-2016",
        channel: str = "email",
        nation: str = "ENG",
        **kwargs,
    ) -> Complaint:
        use_code(code)
        customer = kwargs.pop("customer", None) or CustomerFactory(nation=nation)
        return ComplaintFactory(
            customer=customer, channel=channel, received_at=received, now=received, **kwargs
        )

    return log

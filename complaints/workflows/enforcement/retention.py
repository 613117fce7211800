"""Retention: complaints closed longer than their code version's retention period (never below
12 months, the field's validator) are anonymised through complaints.redaction."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Func, Value

from complaints.lifecycle import Status
from complaints.models import Complaint
from complaints.redaction import complaints_anonymise
from escalation.calendar import months_after
from escalation.sweeps import sweep_scope

BATCH = 500
MINIMUM_MONTHS = 12


class _Months(Func):
    template = "make_interval(months => %(expressions)s)"


def retention_cutoff_floor(now: datetime.datetime) -> datetime.datetime:
    """No complaint closed after this can be due (12 months is the least any version keeps)."""
    utc = now.astimezone(datetime.UTC)
    return datetime.datetime.combine(months_after(utc.date(), -MINIMUM_MONTHS), utc.timetz())


def complaints_retention_sweep(
    *, now: datetime.datetime, batch: int = BATCH, only: Sequence[int] | None = None
) -> int:
    """Uses complaint_retention_due_idx (closed, not anonymised) as a range on closed_at; each
    row's own version then says whether its months have passed."""
    due_before = ExpressionWrapper(
        Value(now) - _Months(F("code_version__retention_months_after_closure")),
        output_field=DateTimeField(),
    )
    with transaction.atomic():
        ids = list(
            Complaint.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status=Status.CLOSED,
                anonymised_at__isnull=True,
                closed_at__lte=retention_cutoff_floor(now),
            )
            .filter(closed_at__lte=due_before)
            .filter(**sweep_scope(only))
            .order_by("closed_at")
            .values_list("pk", flat=True)[:batch]
        )
        return complaints_anonymise(complaint_ids=ids, now=now)

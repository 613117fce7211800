"""Beat sweeps that make sure no window is missed. Set-based and safe to run twice or at once:
each picks a bounded batch with SKIP LOCKED, updates guarded by the old state, records events
behind a unique dedupe key, and enqueues side effects only on commit. The number of queries
does not grow with the number of complaints.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce

from complaints.models import OPEN_STATUSES, AuditEntry, Complaint, Status, TimelineEvent
from complaints.timeline import audit_record_bulk, timeline_record_bulk
from complaints.workflows.adr_letters import adr_period_letters
from escalation.calendar import local_date

BATCH = 500


def sweep_scope(only: Sequence[int] | None) -> dict[str, object]:
    """`only`: the complaints a simulation acts on (None: every complaint due)."""
    return {} if only is None else {"pk__in": list(only)}


def complaints_auto_close_sweep(
    *, now: datetime.datetime, batch: int = BATCH, only: Sequence[int] | None = None
) -> int:
    """Close as resolved the complaints whose customer stayed silent past auto_close_at.

    Uses complaint_auto_close_due_idx. Auto-closing never stops the ADR clock: adr_eligible_from
    and adr_refer_by are left as they are.
    """
    with transaction.atomic():
        rows = list(
            Complaint.objects.select_for_update(skip_locked=True)
            .filter(status=Status.AWAITING_CUSTOMER, auto_close_at__lte=now)
            .filter(**sweep_scope(only))
            .order_by("auto_close_at")
            .values_list("pk", "auto_close_at")[:batch]
        )
        if not rows:
            return 0
        ids = [pk for pk, _ in rows]
        closed = Complaint.objects.filter(pk__in=ids, status=Status.AWAITING_CUSTOMER).update(
            status=Status.CLOSED,
            closed_at=now,
            resolved_at=Coalesce(F("resolved_at"), now),
            next_due_at=None,
            next_due_clock="",
            reminder_due_at=None,
            breach_due_at=None,
            row_version=F("row_version") + 1,
        )
        timeline_record_bulk(
            [
                TimelineEvent(
                    complaint_id=pk,
                    kind=TimelineEvent.Kind.STATUS_CHANGE,
                    visibility=TimelineEvent.Visibility.CUSTOMER,
                    occurred_at=now,
                    summary="Closed as resolved: we did not hear back within the time the code "
                    "of practice allows",
                    data={
                        "from": Status.AWAITING_CUSTOMER,
                        "to": Status.CLOSED,
                        "action": "auto_close",
                    },
                    dedupe_key=f"auto_close:{due.isoformat()}",
                )
                for pk, due in rows
            ]
        )
        audit_record_bulk(
            AuditEntry(
                at=now,
                object_type="complaint",
                object_id=pk,
                action="auto_close",
                changes={"status": [Status.AWAITING_CUSTOMER, Status.CLOSED]},
            )
            for pk in ids
        )
    return closed


def complaints_adr_period_sweep(
    *, now: datetime.datetime, batch: int = BATCH, only: Sequence[int] | None = None
) -> int:
    """Tell customers whose complaint is still open that the ADR period has passed.

    Uses complaint_adr_due_idx. Which ADR letter goes out (at once, or queued for a manager)
    is decided by complaints.workflows.adr_letters.adr_period_letters: its Letter rows are
    created here in bulk, and after commit a worker renders each PDF and sends it
    (complaints.workflows.letters.letter_render), never inside this lock.
    """
    today = local_date(now)
    with transaction.atomic():
        rows = list(
            Complaint.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(
                status__in=OPEN_STATUSES,
                adr_eligible_from__lte=today,
                adr_period_reached_at__isnull=True,
            )
            .filter(**sweep_scope(only))
            .order_by("adr_eligible_from")
            .values("pk", "adr_eligible", "adr_ineligible_reason", "code_version__adr_scheme_name")[
                :batch
            ]
        )
        if not rows:
            return 0
        ids = [r["pk"] for r in rows]
        Complaint.objects.filter(pk__in=ids, adr_period_reached_at__isnull=True).update(
            adr_period_reached_at=now, row_version=F("row_version") + 1
        )
        events = []
        for r in rows:
            scheme = r["code_version__adr_scheme_name"]
            if r["adr_eligible"]:
                summary = (
                    f"ADR period reached: the customer may now refer the complaint to {scheme}"
                )
            else:
                summary = f"ADR period reached; not eligible for ADR: {r['adr_ineligible_reason']}"
            events.append(
                TimelineEvent(
                    complaint_id=r["pk"],
                    kind=TimelineEvent.Kind.CLOCK_CHANGE,
                    visibility=TimelineEvent.Visibility.CUSTOMER,
                    occurred_at=now,
                    summary=summary[:300],
                    dedupe_key="adr_period_reached",
                )
            )
        events.extend(adr_period_letters(complaint_ids=ids, now=now))
        timeline_record_bulk(events)
    return len(ids)

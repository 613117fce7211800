"""The ombudsman window closing: when `adr_refer_by` has passed, the complaint says so once.

adr_refer_by is a date, inclusive to the end of that day (DOMAIN.md, calendar months), so it
has passed from local midnight after it. The event is customer-visible; the follow page then
stops offering the ombudsman as a next step.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction

from complaints.models import AuditEntry, Complaint, TimelineEvent
from complaints.timeline import audit_record_bulk, timeline_record_bulk
from escalation.calendar import local_date
from escalation.sweeps import sweep_scope

BATCH = 500


def complaints_refer_by_sweep(
    *, now: datetime.datetime, batch: int = BATCH, only: Sequence[int] | None = None
) -> int:
    """Uses complaint_refer_by_due_idx (adr_refer_by set, refer_by_passed_at not yet)."""
    today = local_date(now)
    with transaction.atomic():
        rows = list(
            Complaint.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(adr_refer_by__lt=today, refer_by_passed_at__isnull=True)
            .filter(**sweep_scope(only))
            .order_by("adr_refer_by")
            .values("pk", "adr_refer_by", "code_version__adr_scheme_name")[:batch]
        )
        if not rows:
            return 0
        ids = [r["pk"] for r in rows]
        Complaint.objects.filter(pk__in=ids, refer_by_passed_at__isnull=True).update(
            refer_by_passed_at=now
        )
        timeline_record_bulk(
            TimelineEvent(
                complaint_id=r["pk"],
                kind=TimelineEvent.Kind.REFER_BY,
                visibility=TimelineEvent.Visibility.CUSTOMER,
                occurred_at=now,
                summary=(
                    f"The time to refer this complaint to {r['code_version__adr_scheme_name']} "
                    f"ended on {r['adr_refer_by']:%d %b %Y}"
                )[:300],
                data={"adr_refer_by": r["adr_refer_by"].isoformat()},
                dedupe_key=f"refer_by_passed:{r['adr_refer_by'].isoformat()}",
            )
            for r in rows
        )
        audit_record_bulk(
            AuditEntry(
                at=now,
                object_type="complaint",
                object_id=r["pk"],
                action="refer_by_passed",
                changes={"adr_refer_by": r["adr_refer_by"].isoformat()},
            )
            for r in rows
        )
    return len(ids)

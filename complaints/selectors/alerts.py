"""Staff alerts and recorded breaches: what the bell, the alerts page (and the manager's desk and
the API) read. Each person sees only their own alerts."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from complaints.models import StaffAlert, TimelineEvent


def staff_alerts_for(user: AbstractBaseUser, *, unread_only: bool = False) -> QuerySet[StaffAlert]:
    """The person's alerts, newest first, with the complaint's reference and summary."""
    alerts = StaffAlert.objects.filter(user=user).select_related("complaint")
    if unread_only:
        alerts = alerts.filter(read_at__isnull=True)
    return alerts.order_by("-created_at", "-id")


BELL_MAX = 99


def staff_alert_unread_count(user: AbstractBaseUser) -> int:
    """Unread alerts, capped at BELL_MAX + 1 (the bell says "99+"): a bounded read of the
    unread index on every console page, never a COUNT over a person's whole history."""
    if not getattr(user, "is_authenticated", False):
        return 0
    unread = StaffAlert.objects.filter(user=user, read_at__isnull=True)
    return len(unread.values_list("pk", flat=True)[: BELL_MAX + 1])


def complaint_breaches(complaint_ids: list[int] | None = None) -> QuerySet[TimelineEvent]:
    """The breaches recorded (one timeline event per clock and due instant), oldest first."""
    events = TimelineEvent.objects.filter(kind=TimelineEvent.Kind.BREACH)
    if complaint_ids is not None:
        events = events.filter(complaint_id__in=complaint_ids)
    return events.order_by("occurred_at", "id")


def breach_clocks_by_complaint(complaint_ids: list[int]) -> dict[int, list[str]]:
    """{complaint id: [clock names breached]} for a page of complaints, in one query."""
    out: dict[int, list[str]] = {}
    rows: Any = complaint_breaches(complaint_ids).values_list("complaint_id", "data")
    for complaint_id, data in rows:
        clock = (data or {}).get("clock")
        if clock and clock not in out.setdefault(complaint_id, []):
            out[complaint_id].append(clock)
    return out

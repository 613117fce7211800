"""Staff alerts: writes (raise in bulk, mark read). Reads are in complaints.selectors.alerts.

An alert is in-app (the bell in the console header) and emailed through the outbox. Both are
behind the same key per person and clock event, so a person is alerted once however often a
sweep runs. Who is alerted: the complaint's owner, else the managers of its team (the
department's managers; every manager when the team has none).
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet
from django.urls import reverse

from complaints.bulk import rows_insert
from complaints.models import StaffAlert
from escalation.calendar import LONDON
from notifications.services import notifications_enqueue_bulk


@dataclass(frozen=True)
class Person:
    pk: int
    email: str


class Recipients:
    """Who is alerted for a batch of complaints: loaded in one query, then per row in memory."""

    def __init__(self) -> None:
        User = get_user_model()
        managers = (
            User.objects.filter(is_active=True, groups__name="manager")
            .values("pk", "email", "staff_profile__department")
            .distinct()
            .order_by("pk")
        )
        self.managers: list[Person] = []
        self.by_team: dict[str, list[Person]] = {}
        for m in managers:
            person = Person(m["pk"], m["email"])
            if person not in self.managers:
                self.managers.append(person)
            if m["staff_profile__department"]:
                self.by_team.setdefault(m["staff_profile__department"], []).append(person)

    def team_managers(self, department: str) -> list[Person]:
        return self.by_team.get(department) or self.managers

    def owner_else_managers(self, row: dict[str, Any]) -> list[Person]:
        if row.get("assigned_to_id") and row.get("assigned_to__is_active"):
            return [Person(row["assigned_to_id"], row.get("assigned_to__email") or "")]
        return self.team_managers(row.get("department") or "")

    def owner_and_managers(self, row: dict[str, Any]) -> list[Person]:
        people = []
        if row.get("assigned_to_id") and row.get("assigned_to__is_active"):
            people.append(Person(row["assigned_to_id"], row.get("assigned_to__email") or ""))
        return people + [
            m for m in self.team_managers(row.get("department") or "") if m not in people
        ]


# What a sweep's batch must fetch so Recipients can decide without more queries.
RECIPIENT_FIELDS = ("assigned_to_id", "assigned_to__is_active", "assigned_to__email", "department")


@dataclass(frozen=True)
class AlertSpec:
    complaint_id: int
    reference: str
    kind: str  # StaffAlert.Kind
    clock: str
    due_at: datetime.datetime
    message: str
    people: Sequence[Person]

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.clock}:{self.due_at.isoformat()}"


def _alerts_insert(alerts: list[tuple[Any, ...]]) -> None:
    """One statement for the batch; an alert already there is skipped."""
    rows_insert(
        "complaints_staffalert",
        [("user_id", "integer"), ("complaint_id", "bigint"), ("kind", "text"), ("clock", "text"),
         ("due_at", "timestamptz"), ("message", "text"), ("created_at", "timestamptz"),
         ("dedupe_key", "text")],
        alerts,
        skip_conflicts=True,
    )  # fmt: skip


def _digest(keys: list[str]) -> str:
    return hashlib.sha256("|".join(sorted(keys)).encode()).hexdigest()[:32]


def staff_alerts_raise(specs: Iterable[AlertSpec], *, now: datetime.datetime) -> int:
    """Write a batch's alerts (one per person and clock event) and email each person once for
    the batch, listing their alerts: a constant number of queries, and a manager whose team
    breaches a hundred clocks at once gets one email, not a hundred."""
    alerts: list[tuple[Any, ...]] = []
    items: dict[Person, list[dict[str, str]]] = {}
    keys: dict[Person, list[str]] = {}
    # reverse() once: it costs more than the rest of an alert, and only the reference varies.
    placeholder = "RD-0000-0000"
    url_pattern = settings.REDRESS_BASE_URL.rstrip("/") + reverse(
        "staff:complaint", args=[placeholder]
    )
    for spec in specs:
        url = url_pattern.replace(placeholder, spec.reference)
        for person in spec.people:
            key = f"{spec.complaint_id}:{spec.key}"[:120]
            alerts.append(
                (person.pk, spec.complaint_id, str(spec.kind), spec.clock, spec.due_at,
                 spec.message[:300], now, key)
            )  # fmt: skip
            if person.email:
                items.setdefault(person, []).append(
                    {
                        "reference": spec.reference,
                        "kind": spec.kind,
                        "clock": spec.clock,
                        "message": spec.message,
                        "due": spec.due_at.astimezone(LONDON).strftime("%a %d %b %Y %H:%M"),
                        "url": url,
                    }
                )
                keys.setdefault(person, []).append(key)
    _alerts_insert(alerts)
    notifications_enqueue_bulk(
        [
            {
                "recipient": person.email,
                "template": "staff_alert",
                "context": {"alerts": listed, "count": len(listed)},
                # The same events for the same person are the same email, however often a
                # sweep runs (the events themselves are recorded once: belt and braces).
                "idempotency_key": f"staff_alerts:{person.pk}:{_digest(keys[person])}",
                # About many complaints, so on no one complaint's timeline; it names only
                # references, never the customer.
                "complaint_id": None,
            }
            for person, listed in items.items()
        ]
    )
    return len(alerts)


def staff_alert_mark_read(
    *, user: AbstractBaseUser, now: datetime.datetime, alert_ids: Sequence[int] | None = None
) -> int:
    """Mark the person's alerts read (the given ones, or all); someone else's are untouched."""
    alerts: QuerySet[StaffAlert] = StaffAlert.objects.filter(user=user, read_at__isnull=True)
    if alert_ids is not None:
        alerts = alerts.filter(pk__in=list(alert_ids))
    return alerts.update(read_at=now)

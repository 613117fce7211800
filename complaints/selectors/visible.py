"""What a person may read, for every front door that lists or fetches by id (the API).

The same rule as the console and the portal: every member of staff reads every complaint and
customer; a portal customer reads only their own; anyone else reads nothing. Customers see only
the customer-visible part of a timeline and the letters that were sent.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet

from complaints.models import Complaint, Customer, Letter, TimelineEvent
from complaints.selectors.follow import customer_letters, customer_timeline
from complaints.selectors.queue import QueueFilters
from complaints.selectors.queue import _filter as queue_filter
from escalation.roles import staff_roles

User = AbstractBaseUser | AnonymousUser


def is_staff_reader(user: User) -> bool:
    return bool(user.is_authenticated and user.is_active and staff_roles(user))


def complaints_visible(*, user: User) -> QuerySet[Complaint]:
    base = Complaint.objects.select_related("customer", "assigned_to", "code_version__code")
    if not user.is_authenticated or not user.is_active:
        return base.none()
    if staff_roles(user):
        return base
    return base.filter(customer__portal_user=user)


def complaint_visible(*, user: User, reference: str) -> Complaint:
    """The complaint `reference` if `user` may see it; Complaint.DoesNotExist otherwise (the
    same answer as for a reference that does not exist)."""
    return complaints_visible(user=user).get(reference=reference)


@dataclass(frozen=True)
class ComplaintFilters:
    status: str = ""
    channel: str = ""
    category: str = ""
    tier: int | None = None
    assignee: int | str | None = None  # a user id, or "none"
    breached: bool | None = None
    due_before: datetime.datetime | None = None
    due_after: datetime.datetime | None = None
    code_version: int | None = None


def complaints_filter(
    complaints: QuerySet[Complaint], filters: ComplaintFilters, *, now: datetime.datetime
) -> QuerySet[Complaint]:
    """Narrow a visible set. "Due" and "breached" are about the next clock waiting on us
    (next_due_at, precomputed on every write and indexed)."""
    # The filters the staff queues have, exactly as the queues apply them.
    complaints = queue_filter(
        complaints,
        QueueFilters(
            status=filters.status,
            channel=filters.channel,
            category=filters.category,
            tier=filters.tier,
            assignee=filters.assignee,
        ),
    )
    if filters.breached is True:
        complaints = complaints.filter(next_due_at__lt=now)
    elif filters.breached is False:
        complaints = complaints.filter(Q(next_due_at__gte=now) | Q(next_due_at__isnull=True))
    if filters.due_before is not None:
        complaints = complaints.filter(next_due_at__lt=filters.due_before)
    if filters.due_after is not None:
        complaints = complaints.filter(next_due_at__gte=filters.due_after)
    if filters.code_version is not None:
        complaints = complaints.filter(code_version_id=filters.code_version)
    return complaints


def customers_visible(*, user: User) -> QuerySet[Customer]:
    if not user.is_authenticated or not user.is_active:
        return Customer.objects.none()
    if staff_roles(user):
        return Customer.objects.all()
    return Customer.objects.filter(portal_user=user)


def timeline_visible(*, user: User, complaint: Complaint) -> list[TimelineEvent]:
    if is_staff_reader(user):
        return list(
            TimelineEvent.objects.filter(complaint=complaint)
            .select_related("author")
            .order_by("occurred_at", "id")
        )
    return customer_timeline(complaint)


def letters_visible(*, user: User, complaint: Complaint) -> list[Letter]:
    if is_staff_reader(user):
        return list(Letter.objects.filter(complaint=complaint).order_by("created_at", "id"))
    return customer_letters(complaint)


def letter_visible(*, user: User, complaint: Complaint, letter_id: int) -> Letter:
    for letter in letters_visible(user=user, complaint=complaint):
        if letter.pk == letter_id:
            return letter
    raise Letter.DoesNotExist

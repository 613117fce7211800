"""Linking a customer to a portal login: its own audited act, and the customer is told.

A portal account sees every complaint of the customer it is linked to, so re-linking one is
as sensitive as handing over the file: only admins do it (complaints.admin_accounts), the
audit keeps before and after, and the customer's address on record gets an email.
"""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from complaints.models import Customer
from complaints.timeline import audit_record
from notifications.services import notification_enqueue


def _username(user: AbstractBaseUser | None) -> str | None:
    return user.get_username() if user is not None else None


@transaction.atomic
def customer_portal_link(
    *,
    customer_id: int,
    username: str,
    by: AbstractBaseUser,
    now: datetime.datetime,
) -> Customer:
    """Link the customer to the login `username` ("" unlinks). ValidationError, changing
    nothing, for an unknown login, a staff login, or one already linked to someone else."""
    customer = Customer.objects.select_for_update().get(pk=customer_id)
    user = None
    if username:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise ValidationError(f"There is no login called {username!r}.")
        if user.is_staff or user.is_superuser:
            raise ValidationError("A staff login cannot be a customer's portal account.")
        taken = Customer.objects.filter(portal_user=user).exclude(pk=customer.pk).first()
        if taken is not None:
            raise ValidationError(f"{username} is already the portal account of another customer.")
    before = customer.portal_user
    if before == user:
        return customer
    customer.portal_user = user
    customer.save(update_fields=["portal_user"])
    entry = audit_record(
        by=by,
        now=now,
        obj=customer,
        action="portal_linked" if user is not None else "portal_unlinked",
        changes={"portal_user": [_username(before), _username(user)]},
    )
    if customer.email:
        notification_enqueue(
            recipient=customer.email,
            template="portal_account_linked",
            context={
                "customer_name": customer.name,
                "linked": user is not None,
                "username": _username(user) or "",
            },
            idempotency_key=f"portal-link:{customer.pk}:{entry.pk}",
        )
    return customer

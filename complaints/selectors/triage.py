"""The triage queue: emailed complaints waiting for a person to confirm or discard them."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from complaints.models.integrations import InboundEmail
from escalation.roles import staff_roles


def triage_queue(*, user: AbstractBaseUser | AnonymousUser) -> QuerySet[InboundEmail]:
    """Oldest first (inbound_email_work_idx); staff only."""
    if not (user.is_authenticated and user.is_active and staff_roles(user)):
        raise PermissionDenied("The triage queue is for support staff only.")
    return (
        InboundEmail.objects.filter(state=InboundEmail.State.TRIAGE)
        .select_related("complaint__customer")
        .defer("raw")
        .order_by("received_at", "id")
    )

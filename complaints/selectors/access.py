"""Which complaint a customer may see: by signed follow link, or signed in to the portal.

Permission lives here and nowhere else: a signed link names exactly one complaint, and a portal
user sees only their own Customer's complaints.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core import signing

from complaints.models import Complaint, Customer
from complaints.tokens import FOLLOW_MAX_AGE, FOLLOW_SALT, FollowLinkInvalid, follow_token_read


class FollowLinkExpired(FollowLinkInvalid):
    """A genuine link for this complaint, only too old: the customer may ask for a new one."""


# --- who may see what ----------------------------------------------------------------------


def complaint_for_link(*, reference: str, token: str) -> Complaint:
    """The complaint a signed follow link names; FollowLinkExpired or FollowLinkInvalid."""
    try:
        return follow_token_read(token, reference=reference)
    except FollowLinkInvalid:
        if _expired_link_for(token, reference):
            raise FollowLinkExpired from None
        raise


def _expired_link_for(token: str, reference: str) -> bool:
    """A correctly signed link for `reference` whose only fault is its age.

    Anything else (tampered, another purpose, another complaint) stays "invalid", which is
    answered exactly like an unknown reference, so nothing is learnt about other complaints.
    """
    try:
        signing.loads(token, salt=FOLLOW_SALT, max_age=FOLLOW_MAX_AGE)
    except signing.SignatureExpired:
        pass
    except signing.BadSignature:
        return False
    else:
        return False
    try:
        payload = signing.loads(token, salt=FOLLOW_SALT)
    except signing.BadSignature:
        return False
    return isinstance(payload, dict) and payload.get("r") == reference


def portal_customer(*, user: AbstractBaseUser | AnonymousUser) -> Customer | None:
    if not user.is_authenticated or not user.is_active:
        return None
    return Customer.objects.filter(portal_user=user).first()


def portal_complaints(*, user: AbstractBaseUser | AnonymousUser) -> list[Complaint]:
    """The signed-in customer's complaints, newest first (one query)."""
    if not user.is_authenticated or not user.is_active:
        return []
    return list(
        Complaint.objects.filter(customer__portal_user=user)
        .only(
            "reference",
            "summary",
            "status",
            "received_at",
            "next_due_at",
            "next_due_clock",
            "customer_id",
        )  # fmt: skip
        .order_by("-received_at", "-id")
    )


def portal_complaint(*, user: AbstractBaseUser | AnonymousUser, reference: str) -> Complaint:
    """The signed-in customer's complaint `reference`; Complaint.DoesNotExist for anyone else's."""
    if not user.is_authenticated or not user.is_active:
        raise Complaint.DoesNotExist
    return Complaint.objects.select_related("customer", "code_version").get(
        reference=reference, customer__portal_user=user
    )


def complaint_for_new_link(*, reference: str, email: str) -> Complaint | None:
    """The complaint whose reference and customer email both match (one query either way)."""
    return (
        Complaint.objects.select_related("customer")
        .filter(reference=reference, customer__email__iexact=email)
        .exclude(customer__email="")
        .first()
    )

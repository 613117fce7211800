"""Follow links: signed, expiring, single-purpose tokens naming exactly one complaint."""

from __future__ import annotations

from django.core import signing

from complaints.models import Complaint

FOLLOW_SALT = "redress.complaints.follow"
FOLLOW_MAX_AGE = 60 * 60 * 24 * 30  # 30 days; a customer can always ask for a fresh link


class FollowLinkInvalid(Exception):
    """Tampered, expired, for another purpose or for another complaint. Deliberately vague."""


def follow_token_make(complaint: Complaint) -> str:
    return signing.dumps(
        {"c": complaint.pk, "r": complaint.reference}, salt=FOLLOW_SALT, compress=True
    )


def follow_token_read(token: str, *, reference: str) -> Complaint:
    """The complaint the token was made for, if it is `reference`; FollowLinkInvalid otherwise."""
    try:
        payload = signing.loads(token, salt=FOLLOW_SALT, max_age=FOLLOW_MAX_AGE)
    except signing.BadSignature:  # includes SignatureExpired
        raise FollowLinkInvalid from None
    if not isinstance(payload, dict) or payload.get("r") != reference:
        raise FollowLinkInvalid
    try:
        return Complaint.objects.select_related("customer", "code_version").get(
            pk=payload.get("c"), reference=reference
        )
    except Complaint.DoesNotExist:
        raise FollowLinkInvalid from None

"""Reads of the letters we sent, for the staff side: a complaint's letters and the "to post" list."""

from __future__ import annotations

from django.db.models import QuerySet

from complaints.models import Letter

TO_POST_PAGE = 100


def complaint_letters(complaint_id: int) -> QuerySet[Letter]:
    """Every letter of one complaint, oldest first (kind, date, hash, how it was delivered)."""
    return (
        Letter.objects.filter(complaint_id=complaint_id)
        .select_related("posted_by")
        .only(
            "pk", "kind", "state", "dated", "sha256", "delivery", "posted_on", "created_at",
            "complaint_id", "posted_by__first_name", "posted_by__last_name",
            "posted_by__username",
        )
        .order_by("created_at", "id")
    )  # fmt: skip


def letters_to_post(limit: int = TO_POST_PAGE) -> list[Letter]:
    """Ready letters for customers without an email address that nobody has posted yet,
    oldest first (letter_to_post_idx)."""
    return list(
        Letter.objects.filter(
            delivery=Letter.Delivery.POST, posted_on__isnull=True, state=Letter.State.READY
        )
        .select_related("complaint__customer")
        .order_by("created_at", "id")[:limit]
    )

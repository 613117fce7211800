"""The abuse guards' memory, kept in PostgreSQL so they hold when Redis is down (fail safe).

`RateCounter` is one fixed-window counter of a rate limit (complaints.workflows.rate_limits);
`FormTokenUse` is the public form's double-submit guard: which submission a form token became.
Both are small and short-lived; `guards_prune` (beat, daily) deletes what has expired.
"""

from __future__ import annotations

import datetime

from django.db import models


class RateCounter(models.Model):
    key = models.CharField(max_length=200, primary_key=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField()

    class Meta:
        indexes = [
            # guards_prune (beat): delete the windows that have ended.
            models.Index(fields=["expires_at"], name="ratecounter_expiry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.count}"


class FormTokenUse(models.Model):
    token = models.CharField(max_length=64, primary_key=True)
    submission = models.ForeignKey(
        "complaints.WebSubmission", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        indexes = [
            # guards_prune (beat): forget tokens older than a day.
            models.Index(fields=["created_at"], name="formtokenuse_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.token} → {self.submission_id}"


def guards_prune(*, now: datetime.datetime, token_ttl: datetime.timedelta) -> int:
    """Delete ended rate windows and tokens past their time; how many rows went."""
    counters, _ = RateCounter.objects.filter(expires_at__lt=now).delete()
    tokens, _ = FormTokenUse.objects.filter(created_at__lt=now - token_ttl).delete()
    return counters + tokens

"""Letters for the post: a member of staff prints a letter we could not email and records the
day it went in the post. Recorded once; the timeline and the audit trail say who and when."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from complaints.models import Letter, TimelineEvent
from complaints.timeline import audit_record, timeline_record
from complaints.workflows.letters import KIND_TITLES
from escalation.calendar import local_date


def letter_mark_posted(
    *, letter_id: int, by: AbstractBaseUser, now: datetime.datetime, posted_on: datetime.date
) -> Letter:
    """Record that a ready letter for the post was posted on `posted_on` (not in the future,
    not before the letter's date). A letter already posted is refused, so it is posted once."""
    if posted_on > local_date(now):
        raise ValidationError({"posted_on": "A letter cannot be posted in the future."})
    with transaction.atomic():
        letter = Letter.objects.select_for_update().select_related("complaint").get(pk=letter_id)
        if letter.delivery != Letter.Delivery.POST or letter.state != Letter.State.READY:
            raise ValidationError({"posted_on": "This letter is not waiting to be posted."})
        if letter.posted_on is not None:
            raise ValidationError(
                {"posted_on": f"This letter was already recorded as posted on "
                 f"{letter.posted_on:%d %B %Y}."}
            )  # fmt: skip
        if posted_on < letter.dated:
            raise ValidationError(
                {"posted_on": f"The letter is dated {letter.dated:%d %B %Y}: it cannot have "
                 "been posted before that."}
            )  # fmt: skip
        letter.posted_on = posted_on
        letter.posted_by = by
        letter.save(update_fields=["posted_on", "posted_by"])
        title = KIND_TITLES[letter.kind]
        timeline_record(
            complaint=letter.complaint,
            kind=TimelineEvent.Kind.LETTER,
            summary=f"{title} posted on {posted_on:%d %B %Y}",
            visibility=TimelineEvent.Visibility.CUSTOMER,
            occurred_at=now,
            author=by,
            data={"letter_id": letter.pk, "posted_on": posted_on.isoformat()},
            dedupe_key=f"letter:{letter.pk}:posted",
        )
        audit_record(
            by=by,
            now=now,
            obj=letter,
            action="letter_posted",
            changes={"posted_on": [None, posted_on.isoformat()]},
        )
    return letter

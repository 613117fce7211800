"""Writes to codes of practice. A published version is never edited: a draft copy is."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from escalation.conformance import TEMPLATE_SLUG, conforming_settings
from escalation.models import ChannelWindow, ClosureDay, CodeOfPractice, CodeVersion, EscalationTier


@transaction.atomic
def code_version_draft(*, source: CodeVersion, by: AbstractBaseUser | None) -> CodeVersion:
    """Copy `source` (and its windows, tiers and closure days) into a new editable draft."""
    code = CodeOfPractice.objects.select_for_update().get(pk=source.code_id)
    number = (code.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    windows = list(source.channel_windows.all())
    tiers = list(source.tiers.all())
    closures = list(source.closure_days.all())

    draft = CodeVersion.objects.get(pk=source.pk)
    draft.pk = None
    draft.number = number
    draft.status = CodeVersion.Status.DRAFT
    draft.published_at = None
    draft.created_by = by if by is not None and by.is_authenticated else None
    draft.change_note = f"Drafted from version {source.number}."
    draft.save(force_insert=True)
    for rows, model in ((windows, ChannelWindow), (tiers, EscalationTier), (closures, ClosureDay)):
        for row in rows:
            row.pk = None
            row.version = draft
        model.objects.bulk_create(rows)
    return draft


@transaction.atomic
def code_version_publish(
    *, version: CodeVersion, effective_from: datetime.datetime, now: datetime.datetime
) -> CodeVersion:
    """Put a draft in force from `effective_from`; complaints already logged keep their version."""
    # Lock the code first (the same order as code_version_draft) so two publishes of one code
    # are serialised and cannot both pass the "after the latest version" check.
    CodeOfPractice.objects.select_for_update().get(pk=version.code_id)
    version = CodeVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise ValidationError("This version is already published; draft a new one to change it.")
    if effective_from < now - datetime.timedelta(minutes=5):
        raise ValidationError(
            {"effective_from": "A new version cannot come into force in the past."}
        )
    latest = (
        CodeVersion.objects.filter(code_id=version.code_id, status=CodeVersion.Status.PUBLISHED)
        .order_by("-effective_from")
        .first()
    )
    if latest is not None and effective_from <= latest.effective_from:
        raise ValidationError(
            {
                "effective_from": (
                    f"Version {latest.number} is in force from {latest.effective_from:%d %b %Y %H:%M}; "
                    "a new version must start after it (versions cannot overlap)."
                )
            }
        )
    version.full_clean()
    version.effective_from = effective_from
    version.status = CodeVersion.Status.PUBLISHED
    version.published_at = now
    version.save(update_fields=["effective_from", "status", "published_at"])
    return version


@transaction.atomic
def code_make_current(*, code: CodeOfPractice) -> CodeOfPractice:
    """Switch which code new complaints are governed by (existing complaints keep theirs)."""
    CodeOfPractice.objects.filter(is_current=True).exclude(pk=code.pk).update(is_current=False)
    CodeOfPractice.objects.filter(pk=code.pk).update(is_current=True)
    code.refresh_from_db()
    return code


@transaction.atomic
def code_version_draft_conforming(
    *, source: CodeVersion, by: AbstractBaseUser | None
) -> tuple[CodeVersion, dict[str, object]]:
    """ "Draft a version that meets Ofcom's current rules": a copy of `source` (windows, tiers,
    company details, wording) with only what the rules require changed, from the `ofcom-2026`
    template. Returns the draft and the settings changed, for the admin to review and publish."""
    template = (
        CodeVersion.objects.filter(code__slug=TEMPLATE_SLUG, status=CodeVersion.Status.PUBLISHED)
        .order_by("-effective_from")
        .first()
    )
    if template is None:
        raise ValidationError(f"The {TEMPLATE_SLUG} rules template has no published version.")
    changes = conforming_settings(source, template)
    draft = code_version_draft(source=source, by=by)
    for name, value in changes.items():
        setattr(draft, name, value)
    changed = ", ".join(changes) or "nothing (it already meets the rules)"
    draft.change_note = (
        f"Drafted from version {source.number} to meet Ofcom's current rules "
        f"({TEMPLATE_SLUG}); changed: {changed}."
    )
    draft.full_clean(exclude=["code", "created_by"])
    draft.save()
    return draft, changes

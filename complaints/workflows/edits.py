"""Editing a complaint's descriptive fields (summary, details, category, department).

Nothing here moves a clock or a status: those change only through a lifecycle action. The same
conflict rule as every action: a stale `expected_version` is refused with EditConflict.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from complaints.models import Complaint, Department, TimelineEvent
from complaints.timeline import audit_record, timeline_record
from complaints.workflows.transition import EditConflict
from escalation.choices import Category
from escalation.roles import AGENT, MANAGER, staff_roles

EDITABLE_FIELDS = ("summary", "details", "category", "department")
# The console's rule: agents and managers change complaints; admins only read them.
EDITORS = frozenset({AGENT, MANAGER})


def _clean(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({f: "This field cannot be edited." for f in sorted(unknown)})
    errors: dict[str, str] = {}
    out = dict(fields)
    if "summary" in out:
        out["summary"] = str(out["summary"]).strip()
        limit = Complaint._meta.get_field("summary").max_length
        if not out["summary"]:
            errors["summary"] = "Say in a few words what the complaint is about."
        elif len(out["summary"]) > limit:
            errors["summary"] = f"Keep the summary to {limit} characters."
    if "category" in out and out["category"] not in Category.values:
        errors["category"] = f"Choose one of: {', '.join(Category.values)}."
    if "department" in out and out["department"] not in ("", *Department.values):
        errors["department"] = f"Choose one of: {', '.join(Department.values)}, or none."
    if errors:
        raise ValidationError(errors)
    return out


def complaint_edit(
    *,
    complaint_id: int,
    by: AbstractBaseUser,
    now: datetime.datetime,
    expected_version: int | None,
    fields: dict[str, Any],
) -> Complaint:
    """Change the descriptive fields; audited, on the (internal) timeline, version bumped."""
    roles = staff_roles(by)
    if not ((roles & EDITORS) or getattr(by, "is_superuser", False)):
        raise PermissionDenied("Only agents and managers can edit a complaint.")
    fields = _clean(fields)
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
        if expected_version is not None and complaint.row_version != expected_version:
            last = complaint.events.select_related("author").order_by("-created_at", "-id").first()
            raise EditConflict(complaint, last)
        changes = {
            name: [getattr(complaint, name), value]
            for name, value in fields.items()
            if getattr(complaint, name) != value
        }
        if not changes:
            return complaint
        for name, (_, value) in changes.items():
            setattr(complaint, name, value)
        complaint.row_version += 1
        complaint.save(update_fields=[*changes, "row_version", "updated_at"])
        timeline_record(
            complaint=complaint,
            kind=TimelineEvent.Kind.NOTE,
            summary="Edited: " + ", ".join(sorted(changes)),
            occurred_at=now,
            author=by,
        )
        audit_record(by=by, now=now, obj=complaint, action="edited", changes=changes)
    return complaint

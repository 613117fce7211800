"""A database helper the layers above share (this is the lowest layer, so all may import it)."""

from __future__ import annotations

from django.db import models
from django.db.models.constants import OnConflict


def insert_unless_conflict(obj: models.Model) -> bool:
    """INSERT the unsaved `obj` with ON CONFLICT DO NOTHING RETURNING id, in one statement.

    True and `obj.pk` set if the row went in; False if it collided with a unique constraint
    (nothing written, `obj.pk` still None). Unlike `save()` inside a savepoint to catch the
    IntegrityError, this is one round trip and never aborts the caller's transaction.
    `auto_now(_add)` fields are filled in as `save()` would.
    """
    meta = obj._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key or obj.pk is not None]
    # QuerySet._insert is what save() and bulk_create() call; it is the only ORM entry point
    # that combines ON CONFLICT DO NOTHING with RETURNING.
    rows = type(obj)._default_manager._insert(
        [obj], fields=fields, returning_fields=[meta.pk], on_conflict=OnConflict.IGNORE
    )
    if not rows or rows[0] is None:
        return False
    obj.pk = rows[0][0]
    obj._state.adding = False
    obj._state.db = "default"
    return True

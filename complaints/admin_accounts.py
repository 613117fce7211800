"""What the admin must never let a role do without a trace, and the accounts it guards.

- `AuditedAdminMixin`: every add, change and delete made in the admin (and a password set
  there) writes an audit entry with the fields before and after; codes, customers, users.
- `UserAdmin`: only superusers grant superuser or staff status, change groups or permissions,
  or edit a staff account at all (else an admin could reset a superuser's password).
- Actions the packages ship without `allowed_permissions` (django-celery-beat, django-axes)
  are re-registered here with one, so every admin action declares who may run it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django_celery_beat.admin import PeriodicTaskAdmin as BeatPeriodicTaskAdmin
from django_celery_beat.models import PeriodicTask

from complaints.timeline import audit_record

# Never copied into an audit entry, even hashed.
_SECRET_FIELDS = frozenset({"password", "password1", "password2"})


def _plain(value: Any) -> Any:
    """A form value as JSON can hold it: models by name, lists of them, dates as ISO."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Model):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, QuerySet | list | tuple | set):
        return sorted(str(_plain(v)) for v in value)
    return str(value)


class AuditedAdminMixin:
    """Mix into a ModelAdmin (before admin.ModelAdmin) to audit every write it makes."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        request._admin_audit_changes = {  # read by log_addition / log_change just after
            name: [_plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))]
            for name in form.changed_data
            if name not in _SECRET_FIELDS
        }
        super().save_model(request, obj, form, change)

    def _audit(self, request: HttpRequest, obj: Any, action: str, message: Any) -> None:
        changes = getattr(request, "_admin_audit_changes", None) or {}
        request._admin_audit_changes = None
        audit_record(
            by=request.user,
            now=timezone.now(),
            obj=obj,
            action=action,
            changes={**changes, "admin_message": _plain(message)},
        )

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._audit(request, obj, "admin_added", message)
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        self._audit(request, obj, "admin_changed", message)
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: Iterable[Any]) -> Any:
        for obj in queryset:
            self._audit(request, obj, "admin_deleted", str(obj))
        return super().log_deletions(request, queryset)


# Fields only a superuser may set on an account.
_PRIVILEGE_FIELDS = ("is_superuser", "is_staff", "groups", "user_permissions")

admin.site.unregister(User)


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += [name for name in _PRIVILEGE_FIELDS if name not in readonly]
        return readonly

    @staticmethod
    def _privileged_target(request: HttpRequest, obj: Any) -> bool:
        # A staff account (and its password) is a superuser's to change; an admin may still
        # look after customers' portal logins.
        return (
            obj is not None and (obj.is_staff or obj.is_superuser) and not request.user.is_superuser
        )

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._privileged_target(request, obj) and super().has_change_permission(
            request, obj
        )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not self._privileged_target(request, obj) and super().has_delete_permission(
            request, obj
        )


def _declaring(actions: Any, permissions: tuple[str, ...]) -> Any:
    """A ModelAdmin's base actions, each declaring `permissions` unless it has its own."""
    for func, _, _ in actions:
        if not hasattr(func, "allowed_permissions"):
            func.allowed_permissions = permissions
    return actions


admin.site.unregister(PeriodicTask)


@admin.register(PeriodicTask)
class PeriodicTaskAdmin(BeatPeriodicTaskAdmin):
    """django-celery-beat's admin, its actions open to those who may change a schedule."""

    def _get_base_actions(self) -> Any:
        return _declaring(super()._get_base_actions(), ("change",))


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """Sign-in lockouts: deleting a row unlocks that account or address (admins)."""

    def _get_base_actions(self) -> Any:
        return _declaring(super()._get_base_actions(), ("delete",))

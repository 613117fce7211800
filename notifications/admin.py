"""The outbox in the admin: read-only rows, and retrying the failed ones."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from notifications.models import OutboxMessage
from notifications.tasks import dispatch


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    list_display = ["created_at", "template", "recipient", "state", "attempts", "sent_at"]
    list_filter = ["state", "template"]
    search_fields = ["recipient", "=complaint__reference", "idempotency_key"]
    readonly_fields = [f.name for f in OutboxMessage._meta.fields]
    list_select_related = ["complaint"]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a row is a record of what was sent: read-only for everyone

    def has_retry_permission(self, request: HttpRequest) -> bool:
        # Re-sending email to customers is the admin role's ("change" on the outbox).
        return request.user.has_perm("notifications.change_outboxmessage")

    @admin.action(description="Try sending the failed messages again", permissions=["retry"])
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        with transaction.atomic():
            ids = list(
                queryset.filter(state=OutboxMessage.State.FAILED).values_list("pk", flat=True)
            )
            OutboxMessage.objects.filter(pk__in=ids, state=OutboxMessage.State.FAILED).update(
                state=OutboxMessage.State.QUEUED,
                attempts=0,
                next_attempt_at=timezone.now(),
                updated_at=timezone.now(),
            )
            for pk in ids:
                transaction.on_commit(lambda pk=pk: dispatch(pk))
        self.message_user(request, f"{len(ids)} message(s) queued again.", messages.SUCCESS)

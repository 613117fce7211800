"""The admin of the integrations: API tokens (made here, shown once; revocable) and the inbound
email log (every message as received; unparseable ones are here for an admin)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html

from complaints.api_tokens import api_token_create, api_token_revoke
from complaints.models.integrations import ApiToken, InboundEmail

RAW_PREVIEW_BYTES = 100_000


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    raw_id_fields = ["user"]
    actions = ["revoke"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return ["user", "name"]
        return ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # revoke instead: the record of which key existed is kept

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        if change:
            return
        token, key = api_token_create(
            user=form.cleaned_data["user"], name=form.cleaned_data["name"]
        )
        obj.pk = token.pk
        obj.__dict__.update(token.__dict__)
        messages.warning(
            request,
            format_html(
                "The token for {} is <code>{}</code>. Copy it now: it is shown only once.",
                token.name,
                key,
            ),
        )

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        now = timezone.now()
        revoked = sum(api_token_revoke(token=token, now=now) for token in queryset)
        self.message_user(request, f"Revoked {revoked} token(s).")


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin):
    list_display = ["received_at", "state", "from_address", "subject", "complaint"]
    list_filter = ["state", "source"]
    search_fields = ["from_address", "subject", "message_id"]
    show_full_result_count = False
    exclude = ["raw"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields if f.name != "raw"] + ["raw_message"]

    @admin.display(description="Raw message")
    def raw_message(self, obj: InboundEmail) -> str:
        raw = bytes(obj.raw or b"")
        text = raw[:RAW_PREVIEW_BYTES].decode("utf-8", errors="replace")
        more = "\n… (truncated)" if len(raw) > RAW_PREVIEW_BYTES else ""
        return format_html("<pre>{}{}</pre>", text, more)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.method in ("GET", "HEAD") and super().has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

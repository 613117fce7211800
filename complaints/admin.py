"""Admin for customers (editable) and complaints (read-mostly: writes go through services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from complaints.models import AuditEntry, Complaint, Customer, StaffProfile, TimelineEvent


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "employee_count", "account_reference", "email", "nation"]
    list_filter = ["kind", "nation", "preferred_contact"]
    search_fields = ["name", "account_reference", "email", "phone", "postcode"]
    raw_id_fields = ["portal_user"]


class TimelineEventInline(admin.TabularInline):
    model = TimelineEvent
    fields = ["occurred_at", "kind", "visibility", "author", "summary"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ["occurred_at", "id"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(admin.ModelAdmin):
    list_display = [
        "reference",
        "customer",
        "channel",
        "category",
        "status",
        "tier",
        "respond_by",
        "adr_eligible_from",
        "code_version",
    ]
    list_filter = ["status", "channel", "category", "tier"]
    list_select_related = ["customer", "code_version__code"]
    search_fields = ["=reference", "customer__name", "summary"]
    show_full_result_count = False  # COUNT(*) over a million rows on every page is wasted work
    inlines = [TimelineEventInline]
    readonly_fields = [f.name for f in Complaint._meta.fields]
    fieldsets = [
        (None, {"fields": ["reference", "customer", "status", "tier", "assigned_to"]}),
        ("Complaint", {"fields": ["channel", "category", "department", "summary", "details"]}),
        (
            "When",
            {"fields": ["first_made_at", "received_at", "effective_receipt_at", "closed_at"]},
        ),
        (
            "Clocks",
            {
                "fields": [
                    "code_version",
                    "acknowledge_by",
                    "respond_by",
                    "resolve_by",
                    "adr_eligible_from",
                    "adr_refer_by",
                    "auto_close_at",
                    "adr_eligible",
                    "adr_ineligible_reason",
                    "clock_reasons",
                ]
            },
        ),
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # complaints are logged through the services, never typed into the admin

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # view-only here; the staff console's actions are the way to change one

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TimelineEvent)
class TimelineEventAdmin(admin.ModelAdmin):
    list_display = ["complaint", "occurred_at", "kind", "visibility", "author", "summary"]
    list_filter = ["kind", "visibility"]
    list_select_related = ["complaint", "author"]
    search_fields = ["=complaint__reference"]
    readonly_fields = [f.name for f in TimelineEvent._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "department"]
    list_filter = ["department"]
    raw_id_fields = ["user"]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The audit trail is evidence: visible to those allowed, editable by nobody."""

    list_display = ["at", "actor", "object_type", "object_id", "action"]
    list_filter = ["object_type", "action"]
    search_fields = ["=object_id"]
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]
    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

"""Admin for customers (editable) and complaints (read-mostly: writes go through services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from complaints.models import AuditEntry, Complaint, Customer, StaffProfile, TimelineEvent
from escalation.choices import CLOCK_NAMES


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "employee_count", "account_reference", "email", "nation"]
    list_filter = ["kind", "nation", "preferred_contact"]
    search_fields = ["name", "account_reference", "email", "phone", "postcode"]
    show_full_result_count = False
    raw_id_fields = ["portal_user"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Evidence (timeline, audit): visible to those allowed, editable by nobody, anywhere."""

    show_full_result_count = False  # COUNT(*) over millions of rows on every page is wasted

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
                    *CLOCK_NAMES,
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
class TimelineEventAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "occurred_at", "kind", "visibility", "author", "summary"]
    list_filter = ["kind", "visibility"]
    list_select_related = ["complaint", "author"]
    search_fields = ["=complaint__reference"]


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "department"]
    list_filter = ["department"]
    raw_id_fields = ["user"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["at", "actor", "object_type", "object_id", "action"]
    list_filter = ["object_type", "action"]
    search_fields = ["=object_id"]
    list_select_related = ["actor"]

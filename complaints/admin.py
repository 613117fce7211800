"""Admin for customers (editable) and complaints (read-mostly: writes go through services)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from complaints.models import (
    AuditEntry,
    Complaint,
    Customer,
    Letter,
    RootCause,
    StaffProfile,
    TimelineEvent,
    WebSubmission,
)
from complaints.workflows.submissions import web_submission_release
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


@admin.register(WebSubmission)
class WebSubmissionAdmin(ReadOnlyAdmin):
    """Web form posts kept before processing: staff review the held, spam and failed ones."""

    list_display = ["received_at", "state", "email", "complaint", "note_start"]
    list_filter = ["state"]
    search_fields = ["email", "=complaint__reference"]
    list_select_related = ["complaint"]
    actions = ["release"]

    @admin.display(description="note")
    def note_start(self, obj: WebSubmission) -> str:
        return obj.note[:80]

    @admin.action(description="Log the selected submissions as complaints")
    def release(self, request: HttpRequest, queryset: QuerySet[WebSubmission]) -> None:
        logged, problems = [], []
        for submission in queryset.order_by("pk"):
            try:
                complaint = web_submission_release(
                    submission_id=submission.pk, now=timezone.now(), by=request.user
                )
            except ValidationError as exc:
                problems.append(f"#{submission.pk}: {'; '.join(exc.messages)}")
            else:
                logged.append(complaint.reference)
        if logged:
            self.message_user(request, f"Logged: {', '.join(logged)}.", messages.SUCCESS)
        for problem in problems:
            self.message_user(request, problem, messages.ERROR)


@admin.register(Letter)
class LetterAdmin(ReadOnlyAdmin):
    list_display = ["complaint", "kind", "dated", "state", "sha256"]
    list_filter = ["kind", "state"]
    search_fields = ["=complaint__reference", "=sha256"]
    list_select_related = ["complaint"]


@admin.register(RootCause)
class RootCauseAdmin(admin.ModelAdmin):
    """The root-cause taxonomy staff choose from when resolving; retire an entry by unticking
    "active" (complaints keep the cause they were given)."""

    list_display = ("name", "description", "needs_detail", "active", "position")
    list_editable = ("active", "position")
    search_fields = ("name",)


# The integrations' admin (API tokens, inbound email) lives with the API's room.
import complaints.api.admin  # noqa: E402, F401

"""Admin for customers (editable) and complaints (read-mostly: writes go through services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from complaints.admin_accounts import AuditedAdminMixin
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
from complaints.portal_accounts import customer_portal_link
from complaints.workflows.submissions import web_submission_release
from escalation.choices import CLOCK_NAMES
from escalation.roles import ADMIN, staff_roles


@admin.register(Customer)
class CustomerAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Every change is audited; the portal login is linked only through its own action."""

    list_display = ["name", "kind", "employee_count", "account_reference", "email", "nation"]
    list_filter = ["kind", "nation", "preferred_contact"]
    search_fields = ["name", "account_reference", "email", "phone", "postcode"]
    show_full_result_count = False
    exclude = ["portal_user"]
    readonly_fields = ["portal_account"]

    @admin.display(description="portal account")
    def portal_account(self, obj: Customer) -> str:
        name = obj.portal_user.get_username() if obj.portal_user_id else "none"
        if obj.pk is None:
            return name
        url = reverse("admin:complaints_customer_portal_link", args=[obj.pk])
        return format_html('{} (<a href="{}">link a portal account</a>, admins only)', name, url)

    def get_urls(self) -> list[Any]:
        return [
            path(
                "<int:pk>/portal-account/",
                self.admin_site.admin_view(self.portal_link_view),
                name="complaints_customer_portal_link",
            ),
            *super().get_urls(),
        ]

    def portal_link_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if ADMIN not in staff_roles(request.user):
            raise PermissionDenied("Only admins link portal accounts.")
        customer = get_object_or_404(Customer.objects.select_related("portal_user"), pk=pk)
        initial = {"username": customer.portal_user.get_username() if customer.portal_user else ""}
        form = PortalLinkForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                customer_portal_link(
                    customer_id=customer.pk,
                    username=form.cleaned_data["username"],
                    by=request.user,
                    now=timezone.now(),
                )
            except ValidationError as exc:
                form.add_error("username", exc)
            else:
                self.message_user(
                    request,
                    "Portal account changed; the customer is told by email.",
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(reverse("admin:complaints_customer_change", args=[pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": f"Portal account of {customer}",
            "opts": self.model._meta,
            "original": customer,
            "form": form,
        }
        return TemplateResponse(request, "admin/complaints/customer/portal_link.html", context)


class PortalLinkForm(forms.Form):
    username = forms.CharField(
        required=False,
        max_length=150,
        help_text="The customer's own login (not a staff one). Leave empty to unlink.",
    )


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
class StaffProfileAdmin(AuditedAdminMixin, admin.ModelAdmin):
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

    def has_release_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("complaints.change_websubmission")

    @admin.action(description="Log the selected submissions as complaints", permissions=["release"])
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

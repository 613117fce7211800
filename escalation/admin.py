"""Admin for codes of practice. Published versions are read-only: changes go through a draft."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from complaints.admin_accounts import AuditedAdminMixin
from complaints.timeline import audit_record
from complaints.workflows.simulator import SimulationError, happened_words
from escalation.choices import CLOCK_NAMES
from escalation.conformance import code_version_shortfalls
from escalation.forms import IsoInstantField, SimulateForm, WhatIfForm
from escalation.models import ChannelWindow, ClosureDay, CodeOfPractice, CodeVersion, EscalationTier
from escalation.roles import simulator_allowed
from escalation.services import (
    code_make_current,
    code_version_draft,
    code_version_draft_conforming,
    code_version_publish,
)


class _VersionChildInline(admin.TabularInline):
    extra = 0

    def _editable(self, obj: CodeVersion | None) -> bool:
        return obj is None or not obj.is_published

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._editable(obj) and super().has_delete_permission(request, obj)


class ChannelWindowInline(_VersionChildInline):
    model = ChannelWindow
    fields = ["channel", "acknowledge_working_days", "respond_working_days", "commitment"]


class EscalationTierInline(_VersionChildInline):
    model = EscalationTier
    fields = ["level", "title", "group", "is_formal", "handles_code_complaints", "default_assignee"]


class ClosureDayInline(_VersionChildInline):
    model = ClosureDay
    fields = ["date", "reason"]


class PublishForm(forms.Form):
    effective_from = IsoInstantField(
        label="In force from",
        help_text="Europe/London local time, e.g. 2027-01-04T00:00. Complaints first made from "
        "then on follow this version; earlier complaints keep theirs.",
    )


@admin.register(CodeVersion)
class CodeVersionAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "status", "effective_from", "published_at", "created_by"]
    list_filter = ["code", "status"]
    list_select_related = ["code", "created_by"]
    inlines = [ChannelWindowInline, EscalationTierInline, ClosureDayInline]
    change_form_template = "admin/escalation/codeversion/change_form.html"
    readonly_fields = ["status", "number", "published_at", "created_by", "created_at"]
    fieldsets = [
        (None, {"fields": ["code", "number", "status", "effective_from", "change_note"]}),
        ("Office hours (Europe/London)", {"fields": ["opens", "closes", "office_weekdays"]}),
        (
            "Windows (working days)",
            {
                "fields": [
                    "resolve_working_days",
                    "auto_close_working_days",
                    "formal_respond_working_days",
                ]
            },
        ),
        (
            "Alternative dispute resolution",
            {
                "fields": [
                    "adr_period_weeks",
                    "adr_period_applies_from",
                    "adr_period_weeks_before",
                    "refer_by_months_after_letter",
                    "refer_by_months_after_first_made",
                    "adr_employee_threshold",
                    "adr_threshold_inclusive",
                    "adr_excluded_categories",
                    "deadlock_opens_adr",
                    "adr_letter_at_deadlock",
                    "adr_letter_at_period",
                    "adr_letter_needs_approval",
                    "adr_letter_due_working_days",
                    "adr_scheme_name",
                    "adr_scheme_address",
                    "adr_scheme_phone",
                    "adr_scheme_email",
                    "adr_scheme_website",
                ]
            },
        ),
        (
            "Company details for letters",
            {
                "fields": [
                    "company_name",
                    "company_address",
                    "company_phone",
                    "company_email",
                    "company_website",
                    "company_registration",
                    "useful_addresses",
                ]
            },
        ),
        (
            "Enforcement (beat)",
            {"fields": ["reminder_working_days_before", "escalate_on_breach"]},
        ),
        ("Record keeping", {"fields": ["retention_months_after_closure"]}),
        ("Source", {"fields": ["source_text", "created_by", "created_at", "published_at"]}),
    ]

    def has_change_permission(self, request: HttpRequest, obj: CodeVersion | None = None) -> bool:
        # A published version is shown read-only (no Save buttons): it governs complaints for life.
        return (obj is None or not obj.is_published) and super().has_change_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: CodeVersion | None = None) -> Any:
        if obj is not None:
            return [*self.readonly_fields, "code"]
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: CodeVersion | None = None) -> bool:
        # A published version governs complaints for life; only drafts can be thrown away.
        return (obj is None or not obj.is_published) and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: CodeVersion, form: Any, change: bool) -> None:
        if not change:
            last = obj.code.versions.order_by("-number").first() if obj.code_id else None
            obj.number = (last.number if last else 0) + 1
            obj.status = CodeVersion.Status.DRAFT
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def get_urls(self) -> list[Any]:
        wrap = self.admin_site.admin_view
        return [
            path("what-if/", wrap(self.what_if_view), name="escalation_codeversion_what_if"),
            path("simulate/", wrap(self.simulate_view), name="escalation_codeversion_simulate"),
            path("<int:pk>/draft/", wrap(self.draft_view), name="escalation_codeversion_draft"),
            path(
                "<int:pk>/conformance/",
                wrap(self.conformance_view),
                name="escalation_codeversion_conformance",
            ),
            path(
                "<int:pk>/draft-conforming/",
                wrap(self.draft_conforming_view),
                name="escalation_codeversion_draft_conforming",
            ),
            path(
                "<int:pk>/publish/", wrap(self.publish_view), name="escalation_codeversion_publish"
            ),
            *super().get_urls(),
        ]

    def draft_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = get_object_or_404(CodeVersion, pk=pk)
        if request.method != "POST" or not self.has_add_permission(request):
            return HttpResponseRedirect(reverse("admin:escalation_codeversion_change", args=[pk]))
        with transaction.atomic():
            draft = code_version_draft(source=source, by=request.user)
            audit_record(
                by=request.user,
                now=timezone.now(),
                obj=draft,
                action="drafted",
                changes={"from_version": [None, str(source)]},
            )
        self.message_user(
            request,
            f"Draft {draft} created from {source}. Edit it, then publish it with a date.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:escalation_codeversion_change", args=[draft.pk]))

    def conformance_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Every way this version falls short of Ofcom's current rules."""
        version = get_object_or_404(CodeVersion.objects.select_related("code"), pk=pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"{version}: Ofcom's current rules",
            "opts": self.model._meta,
            "original": version,
            "shortfalls": code_version_shortfalls(version),
            "can_draft": self.has_add_permission(request),
        }
        return TemplateResponse(request, "admin/escalation/codeversion/conformance.html", context)

    def draft_conforming_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        source = get_object_or_404(CodeVersion, pk=pk)
        if request.method != "POST" or not self.has_add_permission(request):
            return HttpResponseRedirect(
                reverse("admin:escalation_codeversion_conformance", args=[pk])
            )
        try:
            draft, changes = code_version_draft_conforming(source=source, by=request.user)
        except ValidationError as exc:
            self.message_user(request, "; ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:escalation_codeversion_conformance", args=[pk])
            )
        changed = ", ".join(changes) or "nothing: it already met them"
        self.message_user(
            request,
            f"Draft {draft} created from {source} to meet Ofcom's current rules (changed: "
            f"{changed}). Review it, then publish it with a date.",
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:escalation_codeversion_change", args=[draft.pk]))

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:  # fmt: skip
        version = CodeVersion.objects.filter(pk=object_id).first()
        extra = {"shortfalls": code_version_shortfalls(version) if version else []}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    def publish_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        version = get_object_or_404(CodeVersion.objects.select_related("code"), pk=pk)
        if not self.has_change_permission(request, version):
            return HttpResponseRedirect(reverse("admin:escalation_codeversion_change", args=[pk]))
        form = PublishForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    code_version_publish(
                        version=version,
                        effective_from=form.cleaned_data["effective_from"],
                        now=timezone.now(),
                    )
                    audit_record(
                        by=request.user,
                        now=timezone.now(),
                        obj=version,
                        action="published",
                        changes={
                            "effective_from": [
                                None,
                                form.cleaned_data["effective_from"].isoformat(),
                            ]
                        },
                    )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                self.message_user(request, f"{version} is published.", messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:escalation_codeversion_change", args=[pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Publish {version}",
            "opts": self.model._meta,
            "original": version,
            "form": form,
            # The check shown when publishing: what this version lacks under Ofcom's rules.
            "shortfalls": code_version_shortfalls(version),
        }
        return TemplateResponse(request, "admin/escalation/codeversion/publish.html", context)

    def what_if_view(self, request: HttpRequest) -> HttpResponse:
        """'What would the clocks be for…' — the admin face of `manage.py deadlines`."""
        current = CodeOfPractice.objects.filter(is_current=True).first()
        initial = {"code": current.slug if current else "", "nation": "ENG", "category": "other"}
        form = WhatIfForm(request.GET if "received" in request.GET else None, initial=initial)
        result = None
        if form.is_bound and form.is_valid():
            try:
                clocks = form.compute()
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                result = {
                    "version": form.version,
                    "effective_receipt": clocks.effective_receipt,
                    "rows": [
                        (name, getattr(clocks, name), clocks.reasons.get(name, ""))
                        for name in CLOCK_NAMES
                    ],
                    "adr_eligible": clocks.adr_eligible,
                    "adr_ineligible_reason": clocks.adr_ineligible_reason,
                }
        context = {
            **self.admin_site.each_context(request),
            "title": "What would the clocks be?",
            "opts": self.model._meta,
            "form": form,
            "result": result,
            "codes": CodeOfPractice.objects.order_by("slug"),
        }
        return render(request, "admin/escalation/what_if.html", context)

    def simulate_view(self, request: HttpRequest) -> HttpResponse:
        """'What would happen to a complaint under this code?' — `manage.py simulate`.

        Managers and admins, as /api/v1/simulate/: it runs a draft's rules on a made-up case.
        """
        if not simulator_allowed(request.user):
            raise PermissionDenied("The simulator is for managers and admins.")
        initial = {"version": request.GET.get("version"), "nation": "ENG", "category": "other"}
        form = SimulateForm(request.GET if "received" in request.GET else None, initial=initial)
        result = None
        if form.is_bound and form.is_valid():
            try:
                result = form.simulate()
            except SimulationError as exc:
                form.add_error(None, str(exc))
            else:
                for entry in result["happened"]:
                    entry["words"] = happened_words(entry)
                    entry["when"] = datetime.datetime.fromisoformat(entry["at"])
                result["clock_rows"] = [
                    (name, _parse_clock(value))
                    for name, value in result["complaint"]["clocks"].items()
                ]
        context = {
            **self.admin_site.each_context(request),
            "title": "What would happen to a complaint under this code?",
            "opts": self.model._meta,
            "form": form,
            "result": result,
        }
        return render(request, "admin/escalation/simulate.html", context)


def _parse_clock(value: str | None) -> datetime.date | datetime.datetime | None:
    if value is None:
        return None
    return (
        datetime.date.fromisoformat(value)
        if len(value) == 10
        else datetime.datetime.fromisoformat(value)
    )


class CodeVersionLinkInline(admin.TabularInline):
    model = CodeVersion
    fields = ["link", "status", "effective_from", "published_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="version")
    def link(self, obj: CodeVersion) -> str:
        url = reverse("admin:escalation_codeversion_change", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj)


@admin.register(CodeOfPractice)
class CodeOfPracticeAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ["slug", "name", "is_current"]
    readonly_fields = ["is_current"]
    inlines = [CodeVersionLinkInline]
    actions = ["make_current"]

    @admin.action(description="Govern new complaints by this code", permissions=["change"])
    def make_current(self, request: HttpRequest, queryset: QuerySet[CodeOfPractice]) -> None:
        if queryset.count() != 1:
            self.message_user(request, "Choose exactly one code.", messages.ERROR)
            return
        before = CodeOfPractice.objects.filter(is_current=True).first()
        with transaction.atomic():
            code = code_make_current(code=queryset.get())
            audit_record(
                by=request.user,
                now=timezone.now(),
                obj=code,
                action="made_current",
                changes={"current_code": [before.slug if before else None, code.slug]},
            )
        self.message_user(
            request,
            f"New complaints now follow {code.slug}; existing complaints keep their version.",
            messages.SUCCESS,
        )

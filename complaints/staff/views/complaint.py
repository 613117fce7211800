"""The staff complaint page, the actions posted from it, and attachment downloads.

Thin: parse the form, call the action service, render. The page runs a constant number of
queries however long the timeline is (see tests/complaints/staff/test_complaint_page.py).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from complaints.downloads import stored_file_response
from complaints.lifecycle import (
    RULES,
    Action,
    TierRefused,
    TransitionRefused,
    allowed_actions,
    next_status,
)
from complaints.models import (
    Attachment,
    Complaint,
    Customer,
    Letter,
    TimelineEvent,
    VulnerabilityFlag,
)
from complaints.permissions import staff_required
from complaints.selectors.clocks import clock_rows
from complaints.selectors.letters import complaint_letters
from complaints.staff.forms.actions import ACTION_FORMS, ActionForm
from complaints.workflows.action_services import ACTION_SERVICES
from complaints.workflows.transition import EditConflict
from escalation.models import EscalationTier

DONE = {
    Action.ACKNOWLEDGE: "Complaint acknowledged.",
    Action.SEND_UPDATE: "Update recorded.",
    Action.RECORD_FINDINGS: "Recorded on the timeline.",
    Action.PROPOSE_RESOLUTION: "Proposed resolution recorded.",
    Action.CONFIRM_REMEDIED: "Remedy recorded.",
    Action.MARK_RESOLVED: "Complaint marked resolved.",
    Action.REOPEN: "Complaint reopened.",
    Action.ESCALATE: "Complaint escalated.",
    Action.ASSIGN: "Assignment changed.",
    Action.ISSUE_DEADLOCK: "Deadlock letter issued.",
    Action.RECORD_ADR_REFERRAL: "ADR referral recorded.",
    Action.CUSTOMER_REPLIED: "The customer's reply is recorded; the auto-close clock stopped.",
    Action.ISSUE_ADR_LETTER: "ADR letter approved: it is being prepared and sent.",
}

SUBMIT = {
    Action.ACKNOWLEDGE: "Acknowledge",
    Action.SEND_UPDATE: "Record the update",
    Action.RECORD_FINDINGS: "Record",
    Action.PROPOSE_RESOLUTION: "Propose this resolution",
    Action.CONFIRM_REMEDIED: "Confirm remedied",
    Action.MARK_RESOLVED: "Mark resolved",
    Action.REOPEN: "Reopen",
    Action.ESCALATE: "Escalate",
    Action.ASSIGN: "Assign",
    Action.ISSUE_DEADLOCK: "Issue deadlock letter",
    Action.RECORD_ADR_REFERRAL: "Record ADR referral",
    Action.CUSTOMER_REPLIED: "Record the reply",
    Action.ISSUE_ADR_LETTER: "Approve and send",
}


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


@dataclass(frozen=True)
class ActionPanel:
    action: Action
    heading: str
    submit: str
    form: ActionForm
    anchor: str
    warning: bool = False


def _initial(action: Action, complaint: Complaint) -> dict[str, Any]:
    initial: dict[str, Any] = {"row_version": complaint.row_version}
    if action is Action.SEND_UPDATE:
        initial["method"] = complaint.agreed_contact_method or complaint.customer.preferred_contact
    elif action is Action.ASSIGN:
        initial["assignee"] = complaint.assigned_to_id
    return initial


def _render_page(
    request: HttpRequest,
    reference: str,
    *,
    status: int = 200,
    bound: ActionForm | None = None,
    bound_action: Action | None = None,
    problem: str = "",
    conflict: bool = False,
) -> HttpResponse:
    """The complaint as it is now, with `bound` (the person's typed form) in its place."""
    complaint = get_object_or_404(
        Complaint.objects.select_related("customer", "assigned_to", "code_version__code"),
        reference=reference,
    )
    now = timezone.now()
    tiers: dict[int, EscalationTier] = {
        t.level: t for t in complaint.code_version.tiers.select_related("group")
    }
    next_tier = tiers.get(complaint.tier + 1)
    events = list(
        TimelineEvent.objects.filter(complaint=complaint)
        .select_related("author")
        .order_by("occurred_at", "id")
    )
    files: dict[int | None, list[Attachment]] = defaultdict(list)
    for attachment in Attachment.objects.filter(complaint=complaint).only(
        "id", "event_id", "original_name", "content_type", "size", "complaint_id"
    ):
        files[attachment.event_id].append(attachment)
    timeline = [(event, files.get(event.pk, [])) for event in events]

    if conflict and bound is not None:
        bound = bound.with_version(complaint.row_version)

    here = tiers.get(complaint.tier)
    deciders = here.deciders if here is not None else None
    offered_actions = allowed_actions(
        complaint.status, roles=request.staff_roles, deciders=deciders
    )
    queued = (
        complaint.letters.filter(state=Letter.State.AWAITING_APPROVAL).first()
        if Action.ISSUE_ADR_LETTER in offered_actions
        else None
    )
    panels = []
    for action in offered_actions:
        heading = RULES[action].label
        if action is Action.ESCALATE:
            if next_tier is None:
                continue  # already at the top tier: there is nobody to escalate to
            heading = f"Escalate to {next_tier.title}"
        if action is Action.ISSUE_ADR_LETTER:
            if queued is None:
                continue  # only a letter waiting for approval can be approved
            heading = f"Approve the ADR letter ({queued.get_reason_display().lower()})"
        form = (
            bound
            if action == bound_action and bound is not None
            else ACTION_FORMS[action](prefix=action.value, initial=_initial(action, complaint))
        )
        panels.append(
            ActionPanel(
                action=action,
                heading=heading,
                submit=SUBMIT[action],
                form=form,
                anchor=f"action-{action.value}",
                warning=action is Action.ISSUE_DEADLOCK,
            )
        )
    offered = {panel.action for panel in panels}
    # The person's typed text when their form is no longer offered (refused, status moved on).
    unsaved = bound.typed_text() if bound is not None and bound_action not in offered else []
    error_links = (
        bound.error_links()
        if bound is not None and status == 400 and bound_action in offered
        else []
    )

    customer = complaint.customer
    flag_labels = dict(VulnerabilityFlag.choices)
    context = {
        "active": "",
        "complaint": complaint,
        "customer": customer,
        "is_business": customer.kind == Customer.Kind.BUSINESS,
        "vulnerability_flags": [flag_labels.get(f, f) for f in customer.vulnerability_flags],
        "tier": tiers.get(complaint.tier),
        "next_tier": next_tier,
        "version": complaint.code_version,
        "version_admin_url": (
            reverse("admin:escalation_codeversion_change", args=[complaint.code_version_id])
            if request.user.has_perm("escalation.view_codeversion")
            else ""
        ),
        "clocks": clock_rows(complaint, now),
        "promised_breached": bool(
            complaint.promised_by and complaint.is_open and complaint.promised_by < now
        ),
        "timeline": timeline,
        "loose_attachments": files.get(None, []),
        "panels": panels,
        "deciders": deciders,
        "letters": list(complaint_letters(complaint.pk)),
        "is_manager": bool({"manager", "admin"} & request.staff_roles),
        "problem": problem,
        "conflict": conflict,
        "error_links": error_links,
        "unsaved": unsaved,
        "bound_anchor": f"action-{bound_action.value}" if bound_action in offered else "",
        "unsaved_heading": RULES[bound_action].label if bound_action in RULES else "",
    }
    return render(request, "staff/complaint.html", context, status=status)


@require_safe
@staff_required
def complaint_view(request: HttpRequest, reference: str) -> HttpResponse:
    return _render_page(request, reference)


@staff_required
@require_POST
def complaint_act(request: HttpRequest, reference: str, action: str) -> HttpResponse:
    current = get_object_or_404(Complaint.objects.only("id", "status"), reference=reference)
    try:
        chosen = Action(action)
    except ValueError:
        return _render_page(
            request, reference, status=404, problem=f"There is no action called “{action}”."
        )
    # Actions only the system takes (closing for silence) have no form: the lifecycle refuses.
    form = ACTION_FORMS.get(chosen, ActionForm)(request.POST, prefix=chosen.value)
    roles = request.staff_roles

    def refused(exc: TransitionRefused) -> HttpResponse:
        # Not your role, or not at this tier: 403. Your role, but not from here (status, top
        # tier): 409.
        code = 409 if RULES[chosen].roles & roles and not isinstance(exc, TierRefused) else 403
        return _render_page(
            request, reference, status=code, bound=form, bound_action=chosen, problem=str(exc)
        )

    try:
        next_status(chosen, current.status, roles=roles)
    except TransitionRefused as exc:
        return refused(exc)
    if not form.is_valid():
        return _render_page(request, reference, status=400, bound=form, bound_action=chosen)
    try:
        ACTION_SERVICES[chosen](  # one map with the API
            complaint_id=current.pk,
            by=request.user,
            now=timezone.now(),
            expected_version=form.cleaned_data["row_version"],
            **form.service_kwargs(),
        )
    except EditConflict as exc:
        return _render_page(
            request,
            reference,
            status=409,
            bound=form,
            bound_action=chosen,
            problem=str(exc),
            conflict=True,
        )
    except TransitionRefused as exc:
        return refused(exc)
    except ValidationError as exc:
        form.add_service_errors(exc)
        return _render_page(request, reference, status=400, bound=form, bound_action=chosen)
    messages.success(request, DONE[chosen])
    if chosen is Action.RECORD_ADR_REFERRAL:
        messages.info(
            request,
            "The ombudsman will ask for the complete case: build the case file from "
            "“Ombudsman case file” on this page.",
        )
    return HttpResponseSeeOther(reverse("staff:complaint", args=[reference]))


@require_safe
@staff_required
def attachment_download(request: HttpRequest, reference: str, attachment_id: int) -> FileResponse:
    attachment = get_object_or_404(
        Attachment.objects.only("file", "original_name", "content_type"),
        pk=attachment_id,
        complaint__reference=reference,
    )
    return stored_file_response(
        attachment.file,
        filename=attachment.original_name,
        content_type=attachment.content_type or "application/octet-stream",
        missing="The stored file is missing.",
    )

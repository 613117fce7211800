"""The complaint: its facts, status, clocks and the indexes the queues and jobs read.

Rules live in complaints/services.py and escalation/clocks.py; these are fields, constraints,
indexes (each with the query it serves) and tiny derived properties."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from complaints.lifecycle import OPEN_STATUSES, Status
from complaints.models.customers import ContactMethod, Customer
from complaints.models.reports import DIMENSIONS as REPORT_DIMENSIONS
from escalation.choices import Category, Channel, CustomerRequest, LetterReason, Nation
from escalation.models import CodeVersion


class Department(models.TextChoices):
    TECHNICAL = "technical", "Technical support"
    ACCOUNTS = "accounts", "Accounts"


_OPEN = [str(s) for s in OPEN_STATUSES]
NEXT_DUE_LABELS = {
    "acknowledge_by": "Acknowledge by",
    "respond_by": "Respond by",
    "promised_by": "Promised contact by",
    "resolve_by": "Resolve by",
    "formal_respond_by": "Formal response by",
    "adr_letter_due_by": "ADR letter due by",
    "customer_request_by": "Answer the customer's request by",
}


class RootCause(models.Model):
    """Why complaints happen, as the provider names it (admin-editable): recorded on resolving,
    ranked on the dashboard. An entry with `needs_detail` is "other, say what"."""

    name = models.CharField(max_length=100, unique=True)
    description = models.CharField(max_length=300, blank=True)
    needs_detail = models.BooleanField(
        default=False, help_text="Staff must say what it was (the 'Other' entry)."
    )
    active = models.BooleanField(default=True, help_text="Offered when resolving.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class Complaint(models.Model):
    reference = models.CharField(max_length=16, unique=True, editable=False)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="complaints")
    channel = models.CharField(max_length=16, choices=Channel.choices)
    category = models.CharField(max_length=16, choices=Category.choices)
    department = models.CharField(max_length=16, choices=Department.choices, blank=True)
    summary = models.CharField(max_length=200)
    details = models.TextField(blank=True)
    first_made_at = models.DateTimeField(help_text="When the customer first told us.")
    received_at = models.DateTimeField(help_text="When this contact reached us.")
    effective_receipt_at = models.DateTimeField(
        help_text="Received time moved to the next opening time when outside office hours."
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="assigned_complaints",
    )
    tier = models.PositiveSmallIntegerField(default=0, help_text="Escalation tier level.")
    code_version = models.ForeignKey(
        CodeVersion, on_delete=models.PROTECT, related_name="complaints"
    )
    # The customer facts the clocks were computed from, fixed when the complaint was logged:
    # editing the customer later must not silently move an open complaint's clocks.
    nation = models.CharField(max_length=3, choices=Nation.choices, default=Nation.ENG)
    adr_employees = models.PositiveIntegerField(
        null=True, blank=True, help_text="Head-count used for ADR eligibility; blank = consumer."
    )

    # Inputs of the later clocks.
    responded_at = models.DateTimeField(null=True, blank=True)
    resolution_actioned_at = models.DateTimeField(null=True, blank=True)
    letter_date = models.DateField(
        null=True, blank=True, help_text="Date of our deadlock / ADR letter."
    )
    letter_reason = models.CharField(
        max_length=16,
        choices=LetterReason.choices,
        blank=True,
        help_text="Why our first ADR letter was written (deadlock or the ADR period).",
    )
    escalated_at = models.DateTimeField(
        null=True, blank=True, help_text="When the complaint last reached a higher tier."
    )
    adr_letter_asked_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the customer asked for the ADR / deadlock letter, or one was queued "
        "for a manager's approval: starts adr_letter_due_by.",
    )

    # The clocks, precomputed on write so sweeps and queues are range queries.
    acknowledge_by = models.DateTimeField(null=True, blank=True)
    respond_by = models.DateTimeField(null=True, blank=True)
    resolve_by = models.DateTimeField(null=True, blank=True)
    formal_respond_by = models.DateTimeField(null=True, blank=True)
    adr_letter_due_by = models.DateTimeField(null=True, blank=True)
    adr_eligible_from = models.DateField()
    adr_refer_by = models.DateField(null=True, blank=True)
    auto_close_at = models.DateTimeField(null=True, blank=True)
    adr_eligible = models.BooleanField(default=True)
    adr_ineligible_reason = models.CharField(max_length=300, blank=True)
    clock_reasons = models.JSONField(default=dict, blank=True)

    # What was agreed with the customer (phone especially: soVision agrees a timescale).
    agreed_next_step = models.TextField(blank=True)
    agreed_contact_method = models.CharField(
        max_length=16, choices=ContactMethod.choices, blank=True
    )
    promised_by = models.DateTimeField(
        null=True, blank=True, help_text="The timescale we told the customer, as an instant."
    )
    resolved_at_first_contact = models.BooleanField(default=False)
    resolution_summary = models.TextField(blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    first_response_at = models.DateTimeField(
        null=True, blank=True, help_text="Our first contact after logging: meets respond_by."
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution_provided_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When we first proposed a resolution or confirmed it remedied: meets resolve_by.",
    )
    final_position_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When we gave our position after escalation: meets formal_respond_by.",
    )
    adr_letter_issued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the asked-for / queued ADR letter was issued."
    )
    register_reference = models.CharField(
        max_length=20, blank=True, help_text="Complaints register reference, once formal."
    )
    # The earliest clock still waiting on us (acknowledge, respond, promised, resolve):
    # precomputed on every write so the queues are one index range scan.
    next_due_at = models.DateTimeField(null=True, blank=True)
    next_due_clock = models.CharField(max_length=20, blank=True)
    adr_period_reached_at = models.DateTimeField(
        null=True, blank=True, help_text="When the ADR-period sweep told the customer."
    )
    # Enforcement (beat), precomputed on every write like next_due_at so each job is one range
    # scan: the earliest reminder and the earliest breach still to act on across the staff
    # clocks (complaints.staff_clocks), and which (clock, due instant) each job already did.
    reminder_due_at = models.DateTimeField(null=True, blank=True)
    breach_due_at = models.DateTimeField(null=True, blank=True)
    enforced = models.JSONField(default=dict, blank=True)
    refer_by_passed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the ombudsman window closed (refer-by passed)."
    )
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="Personal data removed after the retention period."
    )
    # A customer's request (escalation, deadlock letter, complaint about the code) that waits
    # for a manager: its own badge and clock until a manager acts on the complaint.
    customer_request = models.CharField(max_length=16, choices=CustomerRequest.choices, blank=True)
    customer_request_at = models.DateTimeField(null=True, blank=True)
    customer_request_by = models.DateTimeField(null=True, blank=True)
    customer_request_answered_at = models.DateTimeField(null=True, blank=True)
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    root_cause_detail = models.CharField(max_length=200, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    # Bumped by every service write: a stale form is refused instead of overwriting.
    row_version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(received_at__gte=models.F("first_made_at")),
                name="complaint_received_not_before_first_made",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "-received_at"], name="complaint_customer_idx"),
            # Queue "mine": selectors.complaint_queue(queue="mine") orders by next due.
            models.Index(
                fields=["assigned_to", "next_due_at", "id"],
                condition=Q(status__in=_OPEN),
                name="complaint_queue_mine_idx",
            ),
            # Queue "my team's": open complaints of a department by next due.
            models.Index(
                fields=["department", "next_due_at", "id"],
                condition=Q(status__in=_OPEN),
                name="complaint_queue_team_idx",
            ),
            # Queue "unassigned".
            models.Index(
                fields=["next_due_at", "id"],
                condition=Q(status__in=_OPEN, assigned_to__isnull=True),
                name="complaint_queue_unassigned_idx",
            ),
            # escalation.sweeps.complaints_auto_close_sweep: awaiting customer, auto_close_at <= now.
            models.Index(
                fields=["auto_close_at"],
                condition=Q(status="awaiting_customer", auto_close_at__isnull=False),
                name="complaint_auto_close_due_idx",
            ),
            # Manager queue "escalated": open complaints above frontline or formal, by next due.
            models.Index(
                fields=["next_due_at", "id"],
                condition=Q(status__in=_OPEN) & (Q(tier__gt=0) | Q(status="escalated")),
                name="complaint_queue_escalated_idx",
            ),
            # Dashboard: breached now / due today / this week under any report filter, as an
            # index-only range scan (the filters' columns are in the index).
            models.Index(
                fields=["next_due_at"],
                include=[*REPORT_DIMENSIONS, "id"],
                condition=Q(next_due_at__isnull=False),
                name="complaint_next_due_report_idx",
            ),
            # Dashboard: clocks due today, passed and not met (the rollups count earlier days).
            models.Index(
                fields=["acknowledge_by"],
                condition=Q(acknowledged_at__isnull=True, acknowledge_by__isnull=False),
                name="complaint_ack_unmet_idx",
            ),
            models.Index(
                fields=["respond_by"],
                condition=Q(first_response_at__isnull=True, respond_by__isnull=False),
                name="complaint_respond_unmet_idx",
            ),
            models.Index(
                fields=["resolve_by"],
                condition=Q(resolved_at__isnull=True, resolve_by__isnull=False),
                name="complaint_resolve_unmet_idx",
            ),
            # Dashboard date range: complaints received between two instants.
            models.Index(fields=["received_at"], name="complaint_received_idx"),
            # Dashboard / quarterly return: complaints resolved between two instants.
            models.Index(
                fields=["resolved_at"],
                condition=Q(resolved_at__isnull=False),
                name="complaint_resolved_idx",
            ),
            # escalation.sweeps.complaints_adr_period_sweep: open, ADR date passed, not yet told.
            models.Index(
                fields=["adr_eligible_from"],
                condition=Q(status__in=_OPEN, adr_period_reached_at__isnull=True),
                name="complaint_adr_pending_idx",
            ),
            # complaints.workflows.enforcement.reminders (job "reminders"): reminder_due_at <= now.
            models.Index(
                fields=["reminder_due_at"],
                condition=Q(reminder_due_at__isnull=False),
                name="complaint_reminder_due_idx",
            ),
            # complaints.workflows.enforcement.breaches (job "breaches"): breach_due_at <= now.
            models.Index(
                fields=["breach_due_at"],
                condition=Q(breach_due_at__isnull=False),
                name="complaint_breach_due_idx",
            ),
            # complaints.workflows.enforcement.refer_by (job "refer_by"): refer-by date passed.
            models.Index(
                fields=["adr_refer_by"],
                condition=Q(adr_refer_by__isnull=False, refer_by_passed_at__isnull=True),
                name="complaint_refer_by_due_idx",
            ),
            # complaints.workflows.enforcement.retention (job "retention"): closed, not anonymised.
            models.Index(
                fields=["closed_at"],
                condition=Q(status="closed", anonymised_at__isnull=True),
                name="complaint_retention_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def next_due_label(self) -> str:
        return NEXT_DUE_LABELS.get(self.next_due_clock, self.next_due_clock)

    @property
    def customer_request_pending(self) -> bool:
        return bool(self.customer_request) and self.customer_request_answered_at is None

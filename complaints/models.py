"""Customers, complaints and their append-only timeline. Rules live in services.py."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from complaints.lifecycle import OPEN_STATUSES, Status
from complaints.matching import phone_national_sql
from complaints.models_reports import DIMENSIONS as REPORT_DIMENSIONS
from escalation.choices import Category, Channel, CustomerRequest, LetterReason, Nation
from escalation.models import CodeVersion


class ContactMethod(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"


class Customer(models.Model):
    class Kind(models.TextChoices):
        CONSUMER = "consumer", "Consumer"
        BUSINESS = "business", "Business"

    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.CONSUMER)
    employee_count = models.PositiveIntegerField(
        null=True, blank=True, help_text="Businesses only: decides ADR eligibility."
    )
    account_reference = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    address = models.TextField(blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    preferred_contact = models.CharField(
        max_length=16, choices=ContactMethod.choices, default=ContactMethod.EMAIL
    )
    nation = models.CharField(
        max_length=3,
        choices=Nation.choices,
        default=Nation.ENG,
        help_text="Decides which bank holidays are not working days.",
    )
    vulnerability_flags = models.JSONField(default=list, blank=True)
    vulnerability_notes = models.TextField(blank=True)
    anonymised_at = models.DateTimeField(
        null=True, blank=True, help_text="Personal data removed after the retention period."
    )
    portal_user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customer",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="business", employee_count__isnull=False)
                | Q(kind="consumer", employee_count__isnull=True),
                name="customer_business_has_employee_count",
            ),
        ]
        indexes = [
            # Exact email (the web form and email intake match a customer by it).
            models.Index(fields=["email"], name="customer_email_idx"),
            # selectors.customers.customers_matching, each leg of the staff's customer search:
            # account reference and email in any case (iexact = UPPER(col::text) = UPPER(q)),
            # the phone as national digits. Name (trigram) and postcode: migration 0005.
            models.Index(Upper("account_reference"), name="customer_account_ref_upper_idx"),
            models.Index(Upper("email"), name="customer_email_upper_idx"),
            models.Index(phone_national_sql(), name="customer_phone_national_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def adr_employees(self) -> int | None:
        """What the ADR rules need: None for a consumer, the head-count for a business."""
        return self.employee_count if self.kind == self.Kind.BUSINESS else None


class VulnerabilityFlag(models.TextChoices):
    HEARING = "hearing", "Hearing impairment"
    SIGHT = "sight", "Sight impairment"
    SPEECH = "speech", "Speech impairment"
    MOBILITY = "mobility", "Mobility"
    MENTAL_HEALTH = "mental_health", "Mental health"
    COGNITIVE = "cognitive", "Learning or cognitive difficulty"
    FINANCIAL = "financial", "Financial difficulty"
    BEREAVEMENT = "bereavement", "Bereavement"
    LANGUAGE = "language", "Language support needed"
    LARGE_PRINT = "large_print", "Large print letters"


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


class TimelineEvent(models.Model):
    """Append-only: PostgreSQL refuses UPDATE and DELETE on this table (see migration 0002)."""

    class Kind(models.TextChoices):
        LOGGED = "logged", "Complaint logged"
        CALL = "call", "Phone call"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        NOTE = "note", "Note"
        TECHNICAL_REPORT = "technical_report", "Technical report"
        THIRD_PARTY = "third_party", "Third-party correspondence"
        STATUS_CHANGE = "status_change", "Status change"
        CLOCK_CHANGE = "clock_change", "Clock change"
        IDENTITY_CHECK = "identity_check", "Identity check"
        UPDATE = "update", "Update to the customer"
        FINDINGS = "findings", "Findings"
        RESOLUTION = "resolution", "Resolution"
        ASSIGNMENT = "assignment", "Assignment"
        ESCALATION = "escalation", "Escalation"
        NOTIFICATION = "notification", "Notification"
        REMINDER = "reminder", "Reminder"
        BREACH = "breach", "Breach"
        REFER_BY = "refer_by", "Ombudsman window closed"
        ANONYMISED = "anonymised", "Anonymised"

    class Visibility(models.TextChoices):
        INTERNAL = "internal", "Internal"
        CUSTOMER = "customer", "Customer-visible"

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    occurred_at = models.DateTimeField(help_text="When it happened (a call may be logged later).")
    created_at = models.DateTimeField(auto_now_add=True)
    summary = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    # Sweeps and deliveries record each event once, however often they run.
    # NULL (not "") so the partial unique constraint ignores events without a key.
    dedupe_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001

    class Meta:
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint", "dedupe_key"],
                condition=Q(dedupe_key__isnull=False),
                name="timeline_event_dedupe",
            )
        ]
        indexes = [
            # Complaint page: a complaint's events in order.
            models.Index(fields=["complaint", "occurred_at", "id"], name="timeline_complaint_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.kind} {self.summary}"


class StaffProfile(models.Model):
    """Which team a member of staff works in: their department's complaints are "my team's"."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    department = models.CharField(max_length=16, choices=Department.choices)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_department_display()})"


def _attachment_path(instance: Attachment, filename: str) -> str:
    import secrets

    # Never the customer's filename on disk: it is kept in original_name for display.
    return f"attachments/{instance.complaint_id}/{secrets.token_hex(16)}"


class Attachment(models.Model):
    """A scan, .eml or document. Stored under MEDIA_ROOT (outside the web root), served only
    through a view that checks who is asking."""

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="attachments")
    event = models.ForeignKey(
        TimelineEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    file = models.FileField(upload_to=_attachment_path, max_length=200)
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class AuditEntry(models.Model):
    """Who changed what, before and after. Append-only like the timeline (migration trigger)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()
    object_type = models.CharField(max_length=32)
    object_id = models.BigIntegerField()
    action = models.CharField(max_length=64)
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "audit entries"
        indexes = [
            # Complaint page / customer history: one object's entries in order.
            models.Index(fields=["object_type", "object_id", "at"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type}:{self.object_id} {self.action}"


class WebSubmission(models.Model):
    """Every public form POST, written before anything else is tried: whatever fails later
    (validation aside), the customer's words are here and staff can recover them."""

    class State(models.TextChoices):
        RECEIVED = "received", "Received, not yet processed"
        ACCEPTED = "accepted", "Logged as a complaint"
        HELD = "held", "Held for review (rate limit)"
        SPAM = "spam", "Held for review (honeypot)"
        FAILED = "failed", "Failed while logging: needs a person"

    received_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    email = models.EmailField(blank=True)
    client_key = models.CharField(max_length=64, help_text="Hash of the sender's IP address.")
    payload = models.JSONField(default=dict)
    files = models.JSONField(default=list, blank=True)
    complaint = models.OneToOneField(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="web_submission"
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at"]
        indexes = [
            # Admin review of held / failed submissions.
            models.Index(
                fields=["state", "received_at"],
                condition=~Q(state="accepted"),
                name="websubmission_review_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_at:%Y-%m-%d %H:%M} {self.email} ({self.state})"


def _letter_path(instance: Letter, filename: str) -> str:
    import secrets

    return f"letters/{instance.complaint_id}/{secrets.token_hex(16)}.pdf"


class Letter(models.Model):
    """A letter we sent, kept as the exact PDF with its hash (Ofcom record keeping)."""

    class Kind(models.TextChoices):
        DEADLOCK = "deadlock", "Deadlock letter"
        ADR = "adr", "ADR letter"

    class State(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", "Waiting for a manager's approval"
        PENDING = "pending", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed to render"

    class Delivery(models.TextChoices):
        EMAIL = "email", "Emailed"
        POST = "post", "By post"

    complaint = models.ForeignKey(Complaint, on_delete=models.PROTECT, related_name="letters")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    reason = models.CharField(
        max_length=16,
        choices=LetterReason.choices,
        blank=True,
        help_text="Why this ADR letter was written: the ADR period, or deadlock.",
    )
    large_print = models.BooleanField(default=False, help_text="Rendered in large print.")
    dated = models.DateField()
    body = models.TextField(help_text="Our words in the letter (the final position).")
    context = models.JSONField(default=dict, help_text="Everything the PDF was rendered from.")
    pdf = models.FileField(upload_to=_letter_path, max_length=200, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    rendered_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # How it reached the customer: set when it is sent; a posted letter records the day.
    delivery = models.CharField(max_length=8, choices=Delivery.choices, blank=True)
    posted_on = models.DateField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["complaint", "kind", "dated"], name="letter_once_a_day")
        ]
        indexes = [
            # Staff "to post" list: ready letters for the post that nobody has posted yet.
            models.Index(
                fields=["created_at"],
                condition=Q(delivery="post", posted_on__isnull=True),
                name="letter_to_post_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dated:%d %b %Y}"


class StaffAlert(models.Model):
    """An in-app alert to one member of staff about one clock event on one complaint.

    One row per (person, event): the dedupe key names the event (e.g. `breach:respond_by:<due>`),
    so however often a sweep runs, a person is alerted once. The email copy goes through the
    outbox with the same key.
    """

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder"
        BREACH = "breach", "Breach"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_alerts"
    )
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="staff_alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    clock = models.CharField(max_length=32)
    due_at = models.DateTimeField()
    message = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=120)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="staff_alert_once"),
        ]
        indexes = [
            # The bell: selectors.alerts.staff_alert_unread_count(user).
            models.Index(
                fields=["user", "created_at"],
                condition=Q(read_at__isnull=True),
                name="staff_alert_unread_idx",
            ),
            # The alerts page: selectors.alerts.staff_alerts_for(user), newest first.
            models.Index(fields=["user", "-created_at", "-id"], name="staff_alert_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.kind} {self.clock} {self.complaint_id}"


# Registered with the app here; defined in their own module (API tokens, inbound email).
# The abuse guards' tables live beside the models they guard (complaints/guards.py).
from complaints.guards import FormTokenUse, RateCounter  # noqa: E402, F401
from complaints.models_integrations import ApiToken, InboundEmail  # noqa: E402, F401
from complaints.models_reports import (  # noqa: E402, F401
    ReportBankHoliday,
    ReportClock,
    ReportOpen,
    ReportReceived,
    ReportResolved,
    ReportRootCause,
)

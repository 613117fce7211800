"""What the API says and accepts. Output serializers read what the selectors return; input
serializers only parse and check types: every rule is the workflows' (their ValidationError
becomes a 400 with field errors)."""

from __future__ import annotations

import datetime
import zoneinfo
from typing import Any

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.lifecycle import Status, allowed_actions
from complaints.models import (
    Complaint,
    ContactMethod,
    Customer,
    Department,
    Letter,
    TimelineEvent,
    VulnerabilityFlag,
)
from complaints.selectors.clocks import clock_rows
from complaints.services import CUSTOMER_FIELDS
from complaints.workflows.intake import IDENTITY_QUESTIONS
from escalation.choices import CLOCK_NAMES, Category, Channel, Nation
from escalation.models import CodeOfPractice, CodeVersion
from escalation.roles import staff_roles

IDENTITY_CHOICES = sorted(IDENTITY_QUESTIONS)
CLOCK_STATES = ("met", "pending", "breached", "not_running", "none")


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.get_username()}


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ClockSerializer(serializers.Serializer):
    due = serializers.CharField(
        allow_null=True, help_text="ISO 8601: a date-time, or a date for the ADR clocks."
    )
    state = serializers.ChoiceField(choices=CLOCK_STATES)
    label = serializers.CharField(help_text="Met, Met late, Pending, Breached, Reached, …")
    met_at = serializers.DateTimeField(allow_null=True)
    reason = serializers.CharField(help_text="The rule of the code that produced it.")


class ClocksSerializer(serializers.Serializer):
    """Every canonical clock by name; a clock the code does not have has due = null."""

    def to_representation(self, complaint: Complaint) -> dict[str, Any]:
        return clocks_representation(complaint, self.context.get("now") or timezone.now())


def clocks_representation(complaint: Complaint, now: datetime.datetime) -> dict[str, Any]:
    out = {}
    for clock in clock_rows(complaint, now):
        state = clock.state or ("none" if clock.value is None else "not_running")
        out[clock.name] = {
            "due": clock.value.isoformat() if clock.value is not None else None,
            "state": state,
            "label": clock.state_label or clock.missing,
            "met_at": clock.met_at.isoformat() if clock.met_at else None,
            "reason": clock.reason,
        }
    return out


for _name in CLOCK_NAMES:
    ClocksSerializer._declared_fields[_name] = ClockSerializer()


class AdrSerializer(serializers.Serializer):
    eligible = serializers.BooleanField(source="adr_eligible")
    reason = serializers.CharField(source="adr_ineligible_reason", help_text="Why not, if not.")


class CodeVersionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField(source="code.slug")
    number = serializers.IntegerField()
    label = serializers.CharField(source="__str__")


class ComplaintSerializer(serializers.Serializer):
    reference = serializers.CharField()
    status = serializers.ChoiceField(choices=Status.choices)
    status_label = serializers.CharField(source="get_status_display")
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    department = serializers.CharField(allow_blank=True)
    summary = serializers.CharField()
    details = serializers.CharField(allow_blank=True)
    customer = serializers.SerializerMethodField()
    assignee = serializers.SerializerMethodField()
    tier = serializers.IntegerField()
    register_reference = serializers.CharField(allow_blank=True)
    first_made_at = serializers.DateTimeField()
    received_at = serializers.DateTimeField()
    effective_receipt_at = serializers.DateTimeField()
    code_version = CodeVersionRefSerializer()
    clocks = ClocksSerializer(source="*")
    adr = AdrSerializer(source="*")
    next_due_clock = serializers.CharField(allow_blank=True)
    next_due_at = serializers.DateTimeField(allow_null=True)
    allowed_actions = serializers.SerializerMethodField()
    row_version = serializers.IntegerField(help_text="Also the ETag; send it back as If-Match.")
    updated_at = serializers.DateTimeField()

    @extend_schema_field(PersonSerializer)
    def get_customer(self, c: Complaint) -> dict[str, Any]:
        return {"id": c.customer_id, "name": c.customer.name}

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_assignee(self, c: Complaint) -> dict[str, Any] | None:
        return _person(c.assigned_to) if self.context.get("is_staff") else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_allowed_actions(self, c: Complaint) -> list[str]:
        # The same for every complaint in a status: worked out once per status per response.
        cache = self.context.setdefault("_allowed", {})
        if c.status not in cache:
            roles = self.context.get("roles", set())
            cache[c.status] = [str(a) for a in allowed_actions(c.status, roles=roles)]
        return cache[c.status]

    def to_representation(self, c: Complaint) -> dict[str, Any]:
        """The fields above, built directly: DRF's field-by-field walk cost more than the
        query for a page of 50 (the schema still comes from the declared fields, and
        tests/complaints/api/test_schemathesis.py checks every response against it)."""
        version = c.code_version
        return {
            "reference": c.reference,
            "status": c.status,
            "status_label": c.get_status_display(),
            "channel": c.channel,
            "category": c.category,
            "department": c.department,
            "summary": c.summary,
            "details": c.details,
            "customer": self.get_customer(c),
            "assignee": self.get_assignee(c),
            "tier": c.tier,
            "register_reference": c.register_reference,
            "first_made_at": _INSTANT.to_representation(c.first_made_at),
            "received_at": _INSTANT.to_representation(c.received_at),
            "effective_receipt_at": _INSTANT.to_representation(c.effective_receipt_at),
            "code_version": {
                "id": version.pk,
                "code": version.code.slug,
                "number": version.number,
                "label": str(version),
            },
            "clocks": clocks_representation(c, self.context.get("now") or timezone.now()),
            "adr": {"eligible": c.adr_eligible, "reason": c.adr_ineligible_reason},
            "next_due_clock": c.next_due_clock,
            "next_due_at": _INSTANT.to_representation(c.next_due_at) if c.next_due_at else None,
            "allowed_actions": self.get_allowed_actions(c),
            "row_version": c.row_version,
            "updated_at": _INSTANT.to_representation(c.updated_at),
        }


class _Instant:
    """DRF's DateTimeField output (site time zone, "Z" for +00:00) without its per-call
    time-zone lookups; the equality test with the declared fields keeps them the same."""

    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def to_representation(self, value: datetime.datetime) -> str:
        text = value.astimezone(self.zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text


_INSTANT = _Instant()


class ComplaintCreateSerializer(serializers.Serializer):
    """Log a complaint from any channel, as the console's "Log a call / letter / email"."""

    class IdentitySerializer(serializers.Serializer):
        asked = serializers.ListField(
            child=serializers.ChoiceField(choices=IDENTITY_CHOICES), default=list
        )
        passed = serializers.ListField(
            child=serializers.ChoiceField(choices=IDENTITY_CHOICES), default=list
        )
        override_reason = serializers.CharField(allow_blank=True, default="", max_length=500)

    class OutcomeSerializer(serializers.Serializer):
        resolved = serializers.BooleanField(default=False)
        resolution_summary = serializers.CharField(allow_blank=True, default="", max_length=5000)
        agreed_next_step = serializers.CharField(allow_blank=True, default="", max_length=5000)
        agreed_contact_method = serializers.ChoiceField(
            choices=ContactMethod.choices, allow_blank=True, default=""
        )
        promised_by = serializers.DateTimeField(allow_null=True, default=None)

    customer = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    channel = serializers.ChoiceField(choices=Channel.choices)
    category = serializers.ChoiceField(choices=Category.choices)
    summary = serializers.CharField(max_length=200)
    details = serializers.CharField(allow_blank=True, default="", max_length=20000)
    department = serializers.ChoiceField(choices=Department.choices, allow_blank=True, default="")
    first_made_at = serializers.DateTimeField(allow_null=True, default=None)
    received_at = serializers.DateTimeField(allow_null=True, default=None)
    identity = IdentitySerializer(required=False)
    outcome = OutcomeSerializer(required=False)
    assign_to_self = serializers.BooleanField(default=True)


class ComplaintUpdateSerializer(serializers.Serializer):
    """The fields a member of staff may edit directly; everything else moves by an action."""

    summary = serializers.CharField(max_length=200, required=False)
    details = serializers.CharField(allow_blank=True, max_length=20000, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    department = serializers.ChoiceField(
        choices=Department.choices, allow_blank=True, required=False
    )


class CustomerSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=Customer.Kind.choices, default=Customer.Kind.CONSUMER)
    nation = serializers.ChoiceField(choices=Nation.choices, default=Nation.ENG)
    preferred_contact = serializers.ChoiceField(
        choices=ContactMethod.choices, default=ContactMethod.EMAIL
    )
    vulnerability_flags = serializers.ListField(
        child=serializers.ChoiceField(choices=VulnerabilityFlag.choices), default=list
    )
    employee_count = serializers.IntegerField(
        min_value=0, max_value=2**31 - 1, allow_null=True, required=False
    )

    class Meta:
        model = Customer
        fields = ["id", *CUSTOMER_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class TimelineEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=TimelineEvent.Kind.choices)
    visibility = serializers.ChoiceField(choices=TimelineEvent.Visibility.choices)
    occurred_at = serializers.DateTimeField()
    summary = serializers.CharField()
    body = serializers.CharField(allow_blank=True)
    author = serializers.SerializerMethodField()

    @extend_schema_field(PersonSerializer(allow_null=True))
    def get_author(self, event: TimelineEvent) -> dict[str, Any] | None:
        if not self.context.get("is_staff"):
            return None  # customers see what happened, not which member of staff did it
        return _person(event.author)


class TimelineAddSerializer(serializers.Serializer):
    """Staff add findings, a technical report, correspondence or a note; a customer adds
    information (which stops the auto-close clock)."""

    kind = serializers.ChoiceField(
        choices=[
            TimelineEvent.Kind.NOTE,
            TimelineEvent.Kind.FINDINGS,
            TimelineEvent.Kind.TECHNICAL_REPORT,
            TimelineEvent.Kind.THIRD_PARTY,
        ],
        default=TimelineEvent.Kind.NOTE,
        help_text="Staff only; a customer's entry is always their added information.",
    )
    body = serializers.CharField(max_length=5000, allow_blank=True)


class LetterSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Letter.Kind.choices)
    state = serializers.ChoiceField(choices=Letter.State.choices)
    dated = serializers.DateField()
    download = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_download(self, letter: Letter) -> str | None:
        if letter.state != Letter.State.READY:
            return None
        request = self.context["request"]
        reference = self.context["reference"]
        return request.build_absolute_uri(
            f"/api/v1/complaints/{reference}/letters/{letter.pk}/download/"
        )


class CodeVersionSerializer(serializers.ModelSerializer):
    code = serializers.CharField(source="code.slug", read_only=True)

    class Meta:
        model = CodeVersion
        fields = [
            "id",
            "code",
            "number",
            "status",
            "effective_from",
            "published_at",
            "change_note",
            "opens",
            "closes",
            "resolve_working_days",
            "auto_close_working_days",
            "adr_period_weeks",
            "refer_by_months_after_letter",
            "refer_by_months_after_first_made",
            "adr_employee_threshold",
            "adr_scheme_name",
            "company_name",
        ]
        read_only_fields = fields


class CodeOfPracticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CodeOfPractice
        fields = ["id", "slug", "name", "description", "is_current"]
        read_only_fields = fields


class PublishSerializer(serializers.Serializer):
    effective_from = serializers.DateTimeField()


class DeadlinesQuerySerializer(serializers.Serializer):
    """The same inputs as `manage.py deadlines`."""

    code = serializers.SlugField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    received = serializers.DateTimeField()
    nation = serializers.ChoiceField(choices=Nation.choices, default=Nation.ENG)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    employees = serializers.IntegerField(min_value=0, max_value=10**6, required=False)
    letter_date = serializers.DateField(required=False)
    responded = serializers.DateTimeField(required=False)
    resolution_actioned = serializers.DateTimeField(required=False)


def viewer_context(request: Any, now: datetime.datetime | None = None) -> dict[str, Any]:
    """What every output serializer needs to know about who is asking (looked up once)."""
    roles = staff_roles(request.user) if request.user.is_authenticated else frozenset()
    if not roles and request.user.is_authenticated:
        roles = frozenset({"customer"})
    return {
        "request": request,
        "now": now or timezone.now(),
        "roles": roles,
        "is_staff": "customer" not in roles and bool(roles),
    }

"""The forms of the staff "log a contact" page: new customer, identity check, the complaint.

They parse and say what is missing; the rules (future times, the identity threshold, what an
outcome needs) stay in complaints.workflows.intake and complaints.services, whose errors the view puts
back on these forms' fields.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from complaints.formfields import (
    LondonDateTimeField,
    MultipleFileField,
    london_minute,
)
from complaints.models import ContactMethod, Customer, Department, VulnerabilityFlag
from complaints.workflows.intake import (
    IDENTITY_QUESTIONS,
    IDENTITY_QUESTIONS_NEEDED,
    MAX_ATTACHMENT_BYTES,
    IdentityCheck,
    Outcome,
    attachment_sniff,
    identity_problem,
)
from escalation.choices import Category, Nation

CONVERSATION_CHANNELS = ("phone", "in_person")
# What a letter or an email is matched by; the agent may edit it before continuing.
WRITTEN_MATCH_REASON = {
    "letter": "Matched to the account by the details in the letter",
    "email": "Matched to the account by the details in the email",
}
NEW_CUSTOMER_REASON = "New customer created on this contact"
MAX_ATTACHMENT_MB = MAX_ATTACHMENT_BYTES // (1024 * 1024)
FILES_NOT_KEPT = (
    "Files are not kept when the form is sent back: choose the attachments again before you submit."
)


class StaffForm(forms.Form):
    """Error ids the templates and the error summary share (Django's aria-describedby uses
    `<auto_id>_error` and `<auto_id>_helptext`)."""

    non_field_anchor = "main"

    def anchor(self, name: str | None) -> str:
        """The id the error summary links to; a group of radios or checkboxes by its first."""
        if name is None:
            return self.non_field_anchor
        bound = self[name]
        if bound.field.widget.use_fieldset:
            return f"{bound.auto_id}_0"
        return bound.auto_id

    def error_links(self) -> list[dict[str, str]]:
        links = []
        for message in self.non_field_errors():
            links.append({"href": f"#{self.anchor(None)}", "message": message})
        for name in self.fields:
            for message in self[name].errors:
                links.append({"href": f"#{self.anchor(name)}", "message": message})
        return links

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the matching fields (the rest above the form)."""
        if not hasattr(exc, "error_dict"):
            for message in exc.messages:
                self.add_error(None, message)
            return
        for name, messages in exc.message_dict.items():
            target = name if name in self.fields else None
            for message in messages:
                if target is None or message not in self[target].errors:
                    self.add_error(target, message)


class NewCustomerForm(StaffForm):
    name = forms.CharField(
        error_messages={"required": "Enter the customer's name."},
        label="Full name, or the business's name",
        max_length=200,
    )
    kind = forms.ChoiceField(
        error_messages={"required": "Choose consumer or business."},
        label="Consumer or business",
        choices=Customer.Kind.choices,
        initial=Customer.Kind.CONSUMER,
        widget=forms.RadioSelect,
    )
    employee_count = forms.IntegerField(
        label="Number of employees (businesses only)",
        required=False,
        min_value=0,
        help_text="Decides whether the customer can take the complaint to the ADR scheme.",
    )
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="Needed if they prefer email. Their reference and updates are sent here.",
    )
    phone = forms.CharField(
        label="Phone number",
        required=False,
        max_length=32,
        help_text="Needed if they prefer phone.",
    )
    address = forms.CharField(
        label="Address",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed if they prefer letters.",
    )
    postcode = forms.CharField(label="Postcode", required=False, max_length=10)
    nation = forms.ChoiceField(
        error_messages={"required": "Choose the nation the customer lives in."},
        label="Nation",
        choices=Nation.choices,
        initial=Nation.ENG,
        help_text="Decides which bank holidays are not working days.",
    )
    preferred_contact = forms.ChoiceField(
        error_messages={"required": "Choose how the customer prefers us to keep in touch."},
        label="Preferred way to keep in touch",
        choices=ContactMethod.choices,
        initial=ContactMethod.EMAIL,
        widget=forms.RadioSelect,
    )
    account_reference = forms.CharField(label="Account reference", required=False, max_length=64)
    vulnerability_flags = forms.MultipleChoiceField(
        label="Circumstances that need extra care",
        choices=VulnerabilityFlag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Only what the customer has told us.",
    )
    vulnerability_notes = forms.CharField(
        label="Notes on the support they need",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    non_field_anchor = "new-customer"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "new")
        super().__init__(*args, **kwargs)
        # Someone else's details: the agent's browser should not offer its own.
        for name in ("name", "email", "phone", "postcode", "account_reference"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["phone"].widget.input_type = "tel"

    def clean_postcode(self) -> str:
        compact = re.sub(r"\s+", "", self.cleaned_data["postcode"]).upper()
        # UK inward codes are always three characters: "bs312ug" is stored as "BS31 2UG".
        return f"{compact[:-3]} {compact[-3:]}" if len(compact) >= 5 else compact

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("kind") == Customer.Kind.BUSINESS:
            if data.get("employee_count") is None and "employee_count" not in self.errors:
                self.add_error("employee_count", "Give the number of employees of a business.")
        else:
            data["employee_count"] = None
        needs = {
            ContactMethod.EMAIL: ("email", "an email address"),
            ContactMethod.PHONE: ("phone", "a phone number"),
            ContactMethod.LETTER: ("address", "an address"),
        }.get(data.get("preferred_contact"))
        if needs and not data.get(needs[0]) and needs[0] not in self.errors:
            self.add_error(needs[0], f"Give {needs[1]}, or choose another way to keep in touch.")
        return data


class IdentityForm(StaffForm):
    """Which security questions were asked and passed, or an override with a reason."""

    asked = forms.MultipleChoiceField(
        label="Asked", choices=list(IDENTITY_QUESTIONS.items()), required=False
    )
    passed = forms.MultipleChoiceField(
        label="Passed", choices=list(IDENTITY_QUESTIONS.items()), required=False
    )
    override = forms.BooleanField(label="Override the check", required=False)
    override_reason = forms.CharField(
        label="Reason for the override",
        required=False,
        max_length=250,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Recorded on the complaint's timeline with your name.",
    )

    non_field_anchor = "id_asked_0"

    def __init__(self, *args: Any, channel: str, **kwargs: Any) -> None:
        self.channel = channel
        if channel in WRITTEN_MATCH_REASON:
            kwargs.setdefault(
                "initial", {"override": True, "override_reason": WRITTEN_MATCH_REASON[channel]}
            )
        super().__init__(*args, **kwargs)
        for name in ("asked", "passed"):
            self.fields[name].widget = forms.CheckboxSelectMultiple(
                choices=self.fields[name].choices
            )
        self.identity: IdentityCheck | None = None

    def question_rows(self) -> list[dict[str, Any]]:
        """One row per question: its label and its "asked" and "passed" checkboxes."""
        asked = {w.data["value"]: w for w in self["asked"].subwidgets}
        passed = {w.data["value"]: w for w in self["passed"].subwidgets}
        return [
            {"key": key, "label": label, "asked": asked[key], "passed": passed[key]}
            for key, label in IDENTITY_QUESTIONS.items()
        ]

    @property
    def needed(self) -> int:
        return IDENTITY_QUESTIONS_NEEDED

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        passed = frozenset(data.get("passed") or ())
        # Ticking "passed" alone still means the question was asked.
        asked = frozenset(data.get("asked") or ()) | passed
        reason = (data.get("override_reason") or "").strip()
        if data.get("override") and not reason:
            self.add_error("override_reason", "Say why you are overriding the identity check.")
            return data
        if reason and not data.get("override"):
            self.add_error(
                "override_reason",
                "Tick “Override the check” to override with this reason, or clear the reason.",
            )
            return data
        check = IdentityCheck(
            asked=asked, passed=passed, override_reason=reason if data.get("override") else ""
        )
        if not check.satisfied:
            self.add_error(None, identity_problem(check))
            return data
        self.identity = check
        return data


OUTCOME_CHOICES = [
    ("resolved", "Resolved on the call"),
    ("not_resolved", "Not resolved"),
]


class ComplaintForm(StaffForm):
    category = forms.ChoiceField(
        error_messages={"required": "Choose a category."},
        label="Category",
        choices=[("", "Choose a category")] + Category.choices,
    )
    department = forms.ChoiceField(
        label="Department",
        choices=[("", "Not decided yet")] + Department.choices,
        required=False,
        help_text="The team whose queue it goes to.",
    )
    # No max_length here: complaint_create owns the limit and says what to do instead.
    summary = forms.CharField(
        label="Summary",
        error_messages={"required": "Say in a few words what the complaint is about."},
        widget=forms.TextInput(attrs={"class": "full-width", "maxlength": 200}),
        help_text="A few words, in the customer's terms. Up to 200 characters.",
    )
    details = forms.CharField(
        label="What the customer told us",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    first_made_at = LondonDateTimeField(
        error_messages={"required": "Enter when the customer first made the complaint."},
        label="First made",
        help_text="When the customer first told us about this, London time. "
        "Earlier if they complained before.",
    )
    received_at = LondonDateTimeField(
        error_messages={"required": "Enter when the letter or email reached us."},
        label="Received",
        help_text="When this letter or email reached us, London time.",
    )
    attachments = MultipleFileField(
        label="Attachments",
        help_text=f"A scan, the .eml or a document: PDF, PNG, JPEG, TIFF, Word (.docx), email "
        f"(.eml) or plain text, up to {MAX_ATTACHMENT_MB} MB each. You can choose several.",
    )
    outcome = forms.ChoiceField(
        error_messages={"required": "Say whether it was resolved on the call."},
        label="Outcome of the call",
        choices=OUTCOME_CHOICES,
        widget=forms.RadioSelect,
    )
    resolution_summary = forms.CharField(
        label="What was done",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if resolved on the call. The customer can see this.",
    )
    agreed_next_step = forms.CharField(
        label="The course of action you agreed",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Only if not resolved. Sent to the customer with their reference.",
    )
    agreed_contact_method = forms.ChoiceField(
        label="How we agreed to keep in touch",
        choices=ContactMethod.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Only if not resolved.",
    )
    promised_by = LondonDateTimeField(
        label="The timescale you gave the customer",
        required=False,
        help_text="Only if not resolved: when you told them we would come back to them, "
        "London time.",
    )

    non_field_anchor = "complaint"

    def __init__(self, *args: Any, channel: str, now: datetime.datetime, **kwargs: Any) -> None:
        self.channel = channel
        minute = london_minute(now)
        initial = {"first_made_at": minute}
        if channel in WRITTEN_MATCH_REASON:
            initial["received_at"] = minute
        kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        if channel in CONVERSATION_CHANNELS:
            del self.fields["received_at"], self.fields["attachments"]
            if channel == "in_person":
                self.fields["outcome"].label = "Outcome of the conversation"
                self.fields["outcome"].error_messages["required"] = (
                    "Say whether it was resolved there and then."
                )
                self.fields["outcome"].choices = [
                    ("resolved", "Resolved there and then"),
                    ("not_resolved", "Not resolved"),
                ]
        else:
            for name in (
                "outcome",
                "resolution_summary",
                "agreed_next_step",
                "agreed_contact_method",
                "promised_by",
            ):
                del self.fields[name]

    @property
    def is_conversation(self) -> bool:
        return self.channel in CONVERSATION_CHANNELS

    def clean_attachments(self) -> list[UploadedFile]:
        uploads = self.cleaned_data.get("attachments") or []
        problems = []
        for upload in uploads:
            try:
                attachment_sniff(upload)
            except ValidationError as exc:
                problems.extend(exc.messages)
        if problems:
            raise ValidationError([*problems, FILES_NOT_KEPT])
        return uploads

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not self.is_conversation:
            return data
        if data.get("outcome") == "resolved":
            if not (data.get("resolution_summary") or "").strip():
                self.add_error("resolution_summary", "Say what was done to resolve it.")
        elif data.get("outcome") == "not_resolved":
            if not (data.get("agreed_next_step") or "").strip():
                self.add_error(
                    "agreed_next_step", "Record the course of action you agreed with the customer."
                )
            if not data.get("agreed_contact_method"):
                self.add_error("agreed_contact_method", "Record how we agreed to keep in touch.")
            if data.get("promised_by") is None and "promised_by" not in self.errors:
                self.add_error("promised_by", "Record the timescale you gave the customer.")
        return data

    def files_dropped(self, files: Any) -> None:
        """On a form sent back, files the agent chose are gone: tell them at the field."""
        if "attachments" not in self.fields or not files.getlist("attachments"):
            return
        if FILES_NOT_KEPT not in self["attachments"].errors:
            names = ", ".join(f.name for f in files.getlist("attachments"))
            self.add_error("attachments", f"You had chosen {names}. {FILES_NOT_KEPT}")

    def to_outcome(self) -> Outcome:
        data = self.cleaned_data
        if not self.is_conversation:
            return Outcome(resolved=False)
        if data["outcome"] == "resolved":
            return Outcome(resolved=True, resolution_summary=data["resolution_summary"])
        return Outcome(
            resolved=False,
            agreed_next_step=data["agreed_next_step"],
            agreed_contact_method=data["agreed_contact_method"],
            promised_by=data["promised_by"],
        )

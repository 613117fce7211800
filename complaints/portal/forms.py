"""The customer's small forms on the follow page, the "send me a new link" form, and ACTIONS:
each customer action's form, service, wording and the sentence that introduces it.

They only parse and say what is missing in plain words; the rules (what may happen in which
status, file types) stay in complaints/customer_actions.py, whose ValidationErrors are put back
on the field they are about.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from complaints.lifecycle import Action
from complaints.models import Complaint
from complaints.selectors.follow import FollowPage
from complaints.workflows import customer_actions as services
from complaints.workflows.customer_actions import MAX_UPLOADS

BODY_LIMIT = 5000


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files from one <input type=file multiple>."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _body(label: str, *, required: str = "", help_text: str = "", rows: int = 5) -> forms.CharField:
    """A textarea; `required` is the message when it is left empty (blank: optional)."""
    messages = {"max_length": f"Please keep this under {BODY_LIMIT:,} characters."}
    if required:
        messages["required"] = required
    return forms.CharField(
        label=label,
        required=bool(required),
        max_length=BODY_LIMIT,
        strip=True,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows, "cols": 60}),
        error_messages=messages,
    )


class AccessibleForm(forms.Form):
    """Errors and hints announced with their field; a service's errors put on the right field."""

    # Where a service's ValidationError({"body": ...}) belongs on this form.
    text_field: ClassVar[str] = "body"

    def full_clean(self) -> None:
        super().full_clean()
        self.describe_errors()

    def describe_errors(self) -> None:
        for name, field in self.fields.items():
            ids = []
            if name in self.errors:
                ids.append(f"{self[name].auto_id}_error")
            if field.help_text:
                ids.append(f"{self[name].auto_id}_helptext")
            if ids:
                field.widget.attrs["aria-describedby"] = " ".join(ids)
            if name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
        else:
            for key, messages in exc.message_dict.items():
                field = key if key in self.fields else (self.text_field or None)
                self.add_error(field if field in self.fields else None, messages)
        self.describe_errors()

    def error_links(self) -> list[dict[str, str]]:
        """{href, message} for the error summary: each links to its field."""
        links = []
        for name, errors in self.errors.items():
            anchor = self[name].auto_id if name in self.fields else (self.auto_id_for_top())
            links.extend({"href": f"#{anchor}", "message": str(message)} for message in errors)
        return links

    def auto_id_for_top(self) -> str:
        first = next(iter(self.fields), None)
        return self[first].auto_id if first else ""

    def typed_text(self) -> str:
        """What the customer typed, to show back when their form can no longer be offered."""
        return str(self.data.get(self.add_prefix(self.text_field), "")).strip()

    def service_kwargs(self) -> dict[str, Any]:
        return {"body": self.cleaned_data.get("body", "")}


class AddInformationForm(AccessibleForm):
    body = _body(
        "What would you like to add?",
        help_text="For example something that has happened since, or an answer to our question.",
    )
    attachments = MultipleFileField(
        label="Files (optional)",
        help_text=(
            f"Up to {MAX_UPLOADS} files, 10 MB each: PDF, photos (PNG, JPEG, TIFF), Word (.docx), "
            "emails (.eml) or text files."
        ),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        files = data.get("attachments") or []
        if len(files) > MAX_UPLOADS:
            self.add_error("attachments", f"Choose at most {MAX_UPLOADS} files at a time.")
        if not data.get("body") and not files and "body" not in self.errors:
            self.add_error("body", "Write what you would like to add, or choose a file.")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "body": self.cleaned_data.get("body", ""),
            "uploads": self.cleaned_data.get("attachments") or [],
        }


class AcceptForm(AccessibleForm):
    body = _body("Anything you would like to say (optional)", rows=3)


class RejectForm(AccessibleForm):
    body = _body(
        "Why does our proposed resolution not put things right?",
        required="Tell us why our proposed resolution does not put things right.",
        help_text="Tell us what is still wrong and what would put it right for you.",
    )


class EscalationForm(AccessibleForm):
    body = _body(
        "Why would you like your complaint escalated?",
        required="Tell us why you would like your complaint escalated.",
    )


class DeadlockForm(AccessibleForm):
    body = _body("Anything you would like to say (optional)", rows=3)


class CodeComplaintForm(AccessibleForm):
    body = _body(
        "How have we not kept to our code of practice?",
        required="Tell us how we have not kept to our code of practice.",
        help_text="For example a promise in the code we did not keep.",
    )


class NewLinkForm(AccessibleForm):
    """Ask for a fresh follow link. Says nothing about whether the reference exists."""

    text_field = "reference"

    reference = forms.CharField(
        label="Complaint reference",
        max_length=20,
        help_text="It looks like RD-ABCD-1234 and is in the emails we sent you.",
        error_messages={"required": "Enter your complaint reference."},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "autocapitalize": "characters"}
        ),
    )
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        help_text="The email address you gave us with your complaint.",
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )

    def clean_reference(self) -> str:
        # References are read out over the phone; spaces and lower case are easy mistakes.
        return "".join(self.cleaned_data["reference"].split()).upper()

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip()


# --- the actions a customer can take, as the follow page offers them ----------------------


@dataclass(frozen=True)
class CustomerAction:
    name: str  # the URL's <action>
    lifecycle: Action | None  # None: not a status change (a new complaint about the code)
    service: Callable[..., Complaint]
    form: type[AccessibleForm]
    heading: str
    submit: str
    done: str
    multipart: bool = False
    warning: bool = False


ACTIONS: dict[str, CustomerAction] = {
    a.name: a
    for a in (
        CustomerAction(
            "customer_add_information", Action.CUSTOMER_ADD_INFORMATION,
            services.customer_add_information, AddInformationForm,
            "Add information or files", "Send to us",
            "Thank you: we have added this to your complaint and told the person handling it.",
            multipart=True,
        ),
        CustomerAction(
            "customer_accept", Action.CUSTOMER_ACCEPT, services.customer_accept_resolution,
            AcceptForm, "Accept our proposed resolution", "Accept the resolution",
            "Thank you: you have accepted our proposed resolution and your complaint is resolved.",
        ),
        CustomerAction(
            "customer_reject", Action.CUSTOMER_REJECT, services.customer_reject_resolution,
            RejectForm, "Reject our proposed resolution", "Reject the resolution",
            "We have recorded that you rejected our proposed resolution and told the person "
            "handling your complaint.",
            warning=True,
        ),
        CustomerAction(
            "customer_request_escalation", Action.CUSTOMER_REQUEST_ESCALATION,
            services.customer_request_escalation, EscalationForm,
            "Ask for your complaint to be escalated", "Ask for escalation",
            "We have escalated your complaint as you asked.",
        ),
        CustomerAction(
            "customer_request_deadlock", Action.CUSTOMER_REQUEST_DEADLOCK,
            services.customer_request_deadlock, DeadlockForm,
            "Ask for a deadlock letter", "Ask for a deadlock letter",
            "We have your request for a deadlock letter: a manager will send it to you.",
        ),
        CustomerAction(
            "customer_complain_about_code", None, services.customer_complain_about_code,
            CodeComplaintForm, "Complain about our code of practice", "Send this complaint",
            "",  # names the new complaint: views.follow._code_complaint_message
        ),
    )
}  # fmt: skip


def action_intro(name: str, page: FollowPage) -> str:
    """The sentence above an action's form: what it does for this complaint, now."""
    c = page.complaint
    if name == "customer_reject":
        if c.status == "final_response":
            return (
                "This is our final position. You can still tell us why you disagree, and it "
                "stays on your complaint; you can also ask for a deadlock letter or go to the "
                "ombudsman."
            )
        formal = page.formal_tier_above
        if formal is not None:
            return (
                "If our proposed resolution does not put things right, tell us why. Your "
                "complaint becomes a formal complaint and a senior manager will review it "
                f"({formal.title})."
            )
        if page.next_tier is not None:
            return f"Tell us why, and we will escalate your complaint to {page.next_tier.title}."
        return "Tell us why, and we will look at your complaint again."
    if name == "customer_accept":
        return "If our proposed resolution puts things right, tell us and we will close your complaint."
    if name == "customer_request_escalation" and page.next_tier is not None:
        return f"Ask for your complaint to go to {page.next_tier.title}."
    if name == "customer_request_deadlock":
        then = (
            " It tells you how to take your complaint to the ombudsman."
            if page.adr.eligible and not page.adr.window_closed
            else ""
        )
        return f"A deadlock letter is our final word on your complaint.{then}"
    if name == "customer_complain_about_code":
        tier = page.code_complaint_tier
        who = f", and is handled by {tier.title}" if tier is not None else ""
        return (
            "If you think we have not followed our own code of practice, tell us. This starts "
            f"a new complaint, separate from this one{who}."
        )
    if name == "customer_add_information":
        return "Tell us anything new, or send us documents or photos."
    return ""

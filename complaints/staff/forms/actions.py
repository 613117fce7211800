"""One small form per staff action on a complaint page.

Every form carries the `row_version` of the complaint as the person saw it: the action services
refuse a save made from a stale page (transition.EditConflict) instead of overwriting someone
else's change. The forms only parse; the rules (what may happen, when) stay in the services.
"""

from __future__ import annotations

import datetime
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError

from complaints.lifecycle import Action
from complaints.models import ContactMethod, RootCause, TimelineEvent
from complaints.workflows.actions import assignable_staff
from escalation.calendar import LONDON

_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows, "cols": 60})


class LondonDateTimeField(forms.DateTimeField):
    """A `datetime-local` input read as UK time (Europe/London), whatever the browser's zone.

    Browsers send a naive "2026-11-06T12:00"; staff mean the time on the office clock. A time
    the clocks skip in spring or repeat in autumn is refused rather than guessed.
    """

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME_LOCAL)
    input_formats = [_DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S"]
    default_error_messages = {
        "invalid": "Enter a date and time, for example 6 November 2026 at 12:00.",
        "clock_change": (
            "The clocks change at that time in the UK, so it is ambiguous: choose a time an "
            "hour earlier or later."
        ),
    }

    def to_python(self, value: Any) -> datetime.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            if value.tzinfo is not None:
                return value
            naive = value
        else:
            naive = None
            for fmt in self.input_formats:
                try:
                    naive = datetime.datetime.strptime(str(value).strip(), fmt)
                    break
                except ValueError:
                    continue
            if naive is None:
                raise ValidationError(self.error_messages["invalid"], code="invalid")
        local = naive.replace(tzinfo=LONDON)
        skipped = local.astimezone(datetime.UTC).astimezone(LONDON).replace(tzinfo=None) != naive
        repeated = local.utcoffset() != local.replace(fold=1).utcoffset()
        if skipped or repeated:
            raise ValidationError(self.error_messages["clock_change"], code="clock_change")
        return local


class ActionForm(forms.Form):
    """Base: the hidden version, plus where a service's "body" error belongs on this form."""

    row_version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={
            "required": "This page is out of date: reload the complaint and try again.",
            "invalid": "This page is out of date: reload the complaint and try again.",
        },
    )
    # The textarea a service's ValidationError({"body": ...}) is about, if any.
    text_field: ClassVar[str | None] = "body"

    def service_kwargs(self) -> dict[str, Any]:
        """The action service's own keyword arguments, from cleaned_data."""
        return {}

    def full_clean(self) -> None:
        super().full_clean()
        self._describe_errors()

    def _describe_errors(self) -> None:
        # Screen readers announce a field's error (and hint) with the field itself.
        for name in self.errors:
            field = self.fields.get(name)
            if field is None or field.widget.is_hidden:
                continue
            auto_id = self[name].auto_id
            ids = [f"{auto_id}_error"] + ([f"{auto_id}_helptext"] if field.help_text else [])
            field.widget.attrs["aria-describedby"] = " ".join(ids)

    def add_service_errors(self, exc: ValidationError) -> None:
        """Put a service's ValidationError on the field it is about (or the form as a whole)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for key, messages in exc.message_dict.items():
            if key in self.fields and key != "row_version":
                field = key
            elif key in ("body", "reason") and self.text_field:
                field = self.text_field
            else:
                field = None
            self.add_error(field, messages)
        self._describe_errors()

    def typed_text(self) -> list[tuple[str, str]]:
        """(label, text) of every textarea the person typed into: shown back if the form
        itself cannot be offered any more, so nothing typed is lost."""
        out = []
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.Textarea):
                text = (self.data.get(self.add_prefix(name)) or "").strip()
                if text:
                    out.append((str(field.label), text))
        return out

    def error_links(self) -> list[dict[str, str]]:
        """{href, message} for the error summary: each visible field links to itself;
        whole-form and hidden-field errors link to the form."""
        links = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            if field is not None and not field.widget.is_hidden:
                anchor = self[name].id_for_label
            else:
                anchor = f"action-{self.prefix}"
            links += [{"href": f"#{anchor}", "message": str(message)} for message in errors]
        return links

    def with_version(self, row_version: int) -> ActionForm:
        """The same typed data bound to the complaint's current version (after a conflict)."""
        data = self.data.copy()
        data[self.add_prefix("row_version")] = str(row_version)
        return type(self)(data, prefix=self.prefix)


def _body(label: str, required_message: str, *, help_text: str = "", required: bool = True):
    return forms.CharField(
        label=label,
        widget=_textarea(),
        required=required,
        help_text=help_text,
        error_messages={"required": required_message},
    )


class AcknowledgeForm(ActionForm):
    text_field = None


class SendUpdateForm(ActionForm):
    body = _body(
        "What you told the customer",
        "Write what you told the customer.",
        help_text="The customer can see this.",
    )
    method = forms.ChoiceField(
        label="How the update was sent",
        choices=ContactMethod.choices,
        error_messages={"required": "Choose how the update was sent: phone, email or letter."},
    )
    next_update_by = LondonDateTimeField(
        label="Next update promised by (optional)",
        required=False,
        help_text="UK time. Leave empty if you did not promise a further update.",
    )
    confirm_method = forms.BooleanField(
        label="I confirm the update went by this method, not the one agreed with the customer",
        required=False,
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "body": data["body"],
            "method": data["method"],
            "next_update_by": data["next_update_by"],
            "confirm_method": data["confirm_method"],
        }


FINDINGS_KINDS = [
    (TimelineEvent.Kind.FINDINGS.value, "Findings"),
    (TimelineEvent.Kind.TECHNICAL_REPORT.value, "Technical report"),
    (TimelineEvent.Kind.THIRD_PARTY.value, "Third-party correspondence"),
    (TimelineEvent.Kind.NOTE.value, "Internal note"),
]


class RecordFindingsForm(ActionForm):
    kind = forms.ChoiceField(
        label="What you are recording",
        choices=FINDINGS_KINDS,
        initial=TimelineEvent.Kind.FINDINGS.value,
        error_messages={
            "required": "Choose findings, a technical report, correspondence or a note.",
            "invalid_choice": "Choose findings, a technical report, correspondence or a note.",
        },
    )
    body = _body(
        "Details",
        "Write the findings.",
        help_text="Internal: the customer does not see this.",
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {"body": self.cleaned_data["body"], "kind": self.cleaned_data["kind"]}


class _BodyForm(ActionForm):
    def service_kwargs(self) -> dict[str, Any]:
        return {"body": self.cleaned_data["body"]}


class ProposeResolutionForm(_BodyForm):
    body = _body(
        "The resolution you are proposing",
        "Write the resolution you are proposing.",
        help_text="The customer can see this. Sending it starts the auto-close clock.",
    )


class ConfirmRemediedForm(_BodyForm):
    body = _body(
        "How the problem was remedied",
        "Write how the problem was remedied.",
        help_text="The customer can see this. It starts the auto-close clock.",
    )


class MarkResolvedForm(_BodyForm):
    body = _body(
        "What the customer said (optional)",
        "",
        required=False,
        help_text="The customer can see this.",
    )
    root_cause = forms.ModelChoiceField(
        label="Root cause",
        queryset=RootCause.objects.filter(active=True),
        empty_label="Choose the root cause…",
        error_messages={
            "required": "Choose the root cause: what made the customer complain.",
            "invalid_choice": "Choose one of the listed root causes.",
        },
        help_text="Internal: the dashboard ranks root causes so we learn from complaints.",
    )
    root_cause_detail = forms.CharField(
        label="If other, say what it was",
        required=False,
        max_length=200,
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {
            "body": self.cleaned_data["body"],
            "root_cause_id": self.cleaned_data["root_cause"].pk,
            "root_cause_detail": self.cleaned_data["root_cause_detail"],
        }


class IssueDeadlockForm(_BodyForm):
    body = _body(
        "Our final position, for the deadlock letter",
        "Write our final position for the deadlock letter.",
        help_text="The customer can see this. It starts the 'refer to ADR by' clock.",
    )


class RecordAdrReferralForm(_BodyForm):
    body = _body("Details (optional)", "", required=False, help_text="Internal.")


class _ReasonForm(ActionForm):
    text_field = "reason"

    def service_kwargs(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"]}


class ReopenForm(_ReasonForm):
    reason = _body(
        "Why the complaint is reopened",
        "Write why the complaint is reopened.",
        help_text="The customer can see this.",
    )


class _StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class EscalateForm(_ReasonForm):
    reason = _body(
        "Why the complaint is escalated",
        "Write why the complaint is escalated.",
        help_text="The customer can see this.",
    )
    assignee = _StaffChoiceField(
        label="Who takes it over (optional)",
        queryset=assignable_staff(),
        required=False,
        empty_label="The tier's default owner",
        help_text="Someone of the next tier's group; they will report to the customer directly.",
        error_messages={"invalid_choice": "Choose an active agent or manager."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = assignable_staff()

    def service_kwargs(self) -> dict[str, Any]:
        assignee = self.cleaned_data.get("assignee")
        return {
            "reason": self.cleaned_data["reason"],
            "assignee_id": assignee.pk if assignee is not None else None,
        }


class CustomerRepliedForm(ActionForm):
    body = _body(
        "What the customer said",
        "Write what the customer said.",
        help_text="The customer can see this. It stops the auto-close clock, as a reply on the "
        "complaint page does.",
    )
    method = forms.ChoiceField(
        label="How the customer replied",
        choices=ContactMethod.choices,
        error_messages={"required": "Choose how the customer replied: phone, email or letter."},
    )

    def service_kwargs(self) -> dict[str, Any]:
        return {"body": self.cleaned_data["body"], "method": self.cleaned_data["method"]}


class ApproveAdrLetterForm(ActionForm):
    text_field = None


class AssignForm(ActionForm):
    text_field = None
    assignee = _StaffChoiceField(
        label="Assign to",
        queryset=assignable_staff(),
        required=False,
        empty_label="Nobody (unassigned)",
        error_messages={"invalid_choice": "Choose an active agent or manager."},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A fresh queryset per form: people join and leave the teams.
        self.fields["assignee"].queryset = assignable_staff()

    def service_kwargs(self) -> dict[str, Any]:
        assignee = self.cleaned_data["assignee"]
        return {"assignee_id": assignee.pk if assignee is not None else None}


ACTION_FORMS: dict[Action, type[ActionForm]] = {
    Action.ACKNOWLEDGE: AcknowledgeForm,
    Action.SEND_UPDATE: SendUpdateForm,
    Action.RECORD_FINDINGS: RecordFindingsForm,
    Action.PROPOSE_RESOLUTION: ProposeResolutionForm,
    Action.CONFIRM_REMEDIED: ConfirmRemediedForm,
    Action.MARK_RESOLVED: MarkResolvedForm,
    Action.REOPEN: ReopenForm,
    Action.ESCALATE: EscalateForm,
    Action.ASSIGN: AssignForm,
    Action.ISSUE_DEADLOCK: IssueDeadlockForm,
    Action.RECORD_ADR_REFERRAL: RecordAdrReferralForm,
    Action.CUSTOMER_REPLIED: CustomerRepliedForm,
    Action.ISSUE_ADR_LETTER: ApproveAdrLetterForm,
}

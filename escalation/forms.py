"""The what-if calculator's input, shared by `manage.py deadlines` and the admin page."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.dateparse import parse_datetime

from complaints.workflows.simulator import EVENT_KINDS, ScriptedEvent, complaint_simulate
from escalation.calendar import local_date
from escalation.choices import CLOCK_NAMES, Category, Channel, LetterReason, Nation
from escalation.clocks import ClockInputs, Clocks, compute_clocks
from escalation.models import CodeOfPractice, CodeVersion
from escalation.selectors import NoCodeInForce, code_rules, code_version_in_force


class IsoInstantField(forms.CharField):
    """An ISO-8601 instant. Without an offset it is read as Europe/London local time."""

    default_error_messages = {
        "invalid": "Enter a date and time in ISO-8601, e.g. 2026-11-02T10:00 or "
        "2026-11-02T10:00:00+00:00."
    }

    def to_python(self, value: Any) -> datetime.datetime | None:
        value = super().to_python(value)
        if not value:
            return None
        try:
            parsed = parse_datetime(value.strip().replace(" ", "T", 1))
        except ValueError:
            parsed = None
        if parsed is None:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if parsed.tzinfo is None:
            from escalation.calendar import LONDON

            parsed = parsed.replace(tzinfo=LONDON)
        return parsed


class WhatIfForm(forms.Form):
    code = forms.SlugField(help_text="Code of practice slug, e.g. sovision-it-2016.")
    channel = forms.ChoiceField(choices=Channel.choices)
    received = IsoInstantField(help_text="When the complaint reached us (ISO-8601).")
    nation = forms.ChoiceField(choices=Nation.choices, initial=Nation.ENG, required=False)
    category = forms.ChoiceField(choices=Category.choices, initial=Category.OTHER, required=False)
    employees = forms.IntegerField(
        required=False, help_text="Leave blank for a consumer; a business's head-count otherwise."
    )
    letter_date = forms.DateField(
        required=False,
        input_formats=["%Y-%m-%d"],
        help_text="Date of our deadlock / ADR letter (YYYY-MM-DD).",
    )
    letter_reason = forms.ChoiceField(
        choices=LetterReason.choices,
        initial=LetterReason.DEADLOCK,
        required=False,
        help_text="What the letter was written for: deadlock (default) or the ADR period.",
    )
    responded = IsoInstantField(required=False, help_text="When we responded (ISO-8601).")
    escalated = IsoInstantField(
        required=False, help_text="When the complaint was escalated to a higher tier (ISO-8601)."
    )
    letter_asked = IsoInstantField(
        required=False,
        help_text="When the customer asked for the deadlock / ADR letter, or it was queued for "
        "a manager's approval (ISO-8601).",
    )
    resolution_actioned = IsoInstantField(
        required=False, help_text="When the resolution was actioned (ISO-8601)."
    )

    def clean_code(self) -> CodeOfPractice:
        slug = self.cleaned_data["code"]
        try:
            return CodeOfPractice.objects.get(slug=slug)
        except CodeOfPractice.DoesNotExist:
            known = ", ".join(CodeOfPractice.objects.values_list("slug", flat=True))
            raise forms.ValidationError(f"Unknown code {slug!r}. Known codes: {known}.") from None

    def clean_employees(self) -> int | None:
        employees = self.cleaned_data.get("employees")
        if employees is not None and employees < 0:
            raise forms.ValidationError("The number of employees cannot be negative.")
        return employees

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        received = data.get("received")
        for name in ("responded", "resolution_actioned", "escalated", "letter_asked"):
            if received and data.get(name) and data[name] < received:
                self.add_error(name, "This cannot be before the complaint was received.")
        if received and data.get("letter_date") and data["letter_date"] < local_date(received):
            self.add_error("letter_date", "The letter cannot be dated before the complaint.")
        return data

    def compute(self) -> Clocks:
        """The clocks for the validated input (call after is_valid())."""
        data = self.cleaned_data
        try:
            version = code_version_in_force(at=data["received"], code=data["code"])
        except NoCodeInForce as exc:
            raise forms.ValidationError(str(exc)) from exc
        self.version = version
        return compute_clocks(
            code_rules(version),
            ClockInputs(
                channel=data["channel"],
                received=data["received"],
                first_made=data["received"],
                nation=data.get("nation") or Nation.ENG,
                category=data.get("category") or Category.OTHER,
                employees=data.get("employees"),
                letter_date=data.get("letter_date"),
                responded=data.get("responded"),
                resolution_actioned=data.get("resolution_actioned"),
                letter_reason=data.get("letter_reason") or LetterReason.DEADLOCK,
                escalated=data.get("escalated"),
                adr_letter_asked=data.get("letter_asked"),
            ),
        )


def clocks_as_json(clocks: Clocks) -> dict[str, Any]:
    """Canonical names → ISO-8601 (London offset for instants, plain dates for the ADR dates)."""
    from escalation.calendar import LONDON

    out: dict[str, Any] = {}
    for name in CLOCK_NAMES:
        value = getattr(clocks, name)
        if value is None:
            continue
        if isinstance(value, datetime.datetime):
            out[name] = value.astimezone(LONDON).isoformat()
        else:
            out[name] = value.isoformat()
    out["adr_eligible"] = clocks.adr_eligible
    out["adr_ineligible_reason"] = clocks.adr_ineligible_reason or None
    return out


class SimulateForm(forms.Form):
    """The admin simulator's input: a code version (drafts included), a complaint, events."""

    version = forms.ModelChoiceField(
        queryset=CodeVersion.objects.select_related("code").order_by("code__slug", "-number"),
        help_text="Drafts too: try one before publishing it.",
    )
    channel = forms.ChoiceField(choices=Channel.choices)
    received = IsoInstantField(help_text="When the complaint reached us (ISO-8601).")
    first_made = IsoInstantField(required=False, help_text="Blank: when it was received.")
    nation = forms.ChoiceField(choices=Nation.choices, initial=Nation.ENG)
    category = forms.ChoiceField(choices=Category.choices, initial=Category.OTHER)
    employees = forms.IntegerField(
        required=False, min_value=0, help_text="Blank for a consumer; a business's head-count."
    )
    events = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text="One a line: ISO8601=KIND, e.g. 2026-11-03T10:00=resolution_proposed. Kinds: "
        + ", ".join(EVENT_KINDS)
        + ".",
    )
    until = IsoInstantField(help_text="Simulate up to this instant (ISO-8601).")

    def clean_events(self) -> list[ScriptedEvent]:
        found, problems = [], []
        field = IsoInstantField()
        for number, line in enumerate(self.cleaned_data.get("events", "").splitlines(), 1):
            line = line.strip()
            if not line:
                continue
            when, sep, kind = line.rpartition("=")
            try:
                if not sep:
                    raise forms.ValidationError("write it as ISO8601=KIND")
                found.append(ScriptedEvent(at=field.clean(when.strip()), kind=kind.strip()))
            except forms.ValidationError as exc:
                problems.append(f"Line {number} ({line[:40]}): {' '.join(exc.messages)}")
        if problems:
            raise forms.ValidationError(problems)
        return found

    def simulate(self) -> dict[str, Any]:
        """Run the valid form's simulation (SimulationError on input the rules refuse)."""
        data = self.cleaned_data
        return complaint_simulate(
            version=data["version"], channel=data["channel"], received=data["received"],
            until=data["until"], first_made=data["first_made"], nation=data["nation"],
            category=data["category"], employees=data["employees"], events=data["events"],
        )  # fmt: skip

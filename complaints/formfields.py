"""Form fields the front doors share: London wall-clock times and several files per input."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from escalation.calendar import LONDON

# What the file picker offers; the content is checked again on upload (intake.attachment_sniff).
ATTACHMENT_ACCEPT = ".pdf,.png,.jpg,.jpeg,.tif,.tiff,.docx,.eml,.txt"
_LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def london_minute(instant: datetime.datetime) -> datetime.datetime:
    """`instant` as London wall-clock time to the minute: what a datetime-local input shows."""
    return instant.astimezone(LONDON).replace(second=0, microsecond=0)


class LondonDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format=_LOCAL_FORMAT)

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.datetime):
            if value.tzinfo is not None:
                value = value.astimezone(LONDON)
            return value.strftime(_LOCAL_FORMAT)
        return super().format_value(value)


class LondonDateTimeField(forms.Field):
    """A browser's datetime-local value ("YYYY-MM-DDTHH:MM") read as Europe/London wall time.

    The active time zone is deliberately not used: the code of practice is applied in London
    whatever the agent's machine or a future per-user setting says.
    """

    widget = LondonDateTimeInput
    default_error_messages = {
        "invalid": "Enter a date and time, for example 02/11/2026 10:00.",
        "nonexistent": "That time does not exist in London: the clocks go forward that night.",
    }

    def to_python(self, value: Any) -> datetime.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value if value.tzinfo else value.replace(tzinfo=LONDON)
        text = str(value).strip().replace(" ", "T", 1)
        for fmt in (_LOCAL_FORMAT, "%Y-%m-%dT%H:%M:%S"):
            try:
                wall = datetime.datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
        else:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        instant = wall.replace(tzinfo=LONDON)
        # 01:30 on the last Sunday of March never happens in London; zoneinfo would quietly
        # read it as 02:30 BST, so say so rather than log a time the agent did not mean.
        if instant.astimezone(datetime.UTC).astimezone(LONDON).replace(tzinfo=None) != wall:
            raise ValidationError(self.error_messages["nonexistent"], code="nonexistent")
        return instant


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple>, as a list (empty when none)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ATTACHMENT_ACCEPT}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = data if isinstance(data, list | tuple) else ([data] if data else [])
        return [super(MultipleFileField, self).clean(upload, initial) for upload in uploads]

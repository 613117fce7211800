"""Formatting of clocks for people: always Europe/London, always unambiguous."""

from __future__ import annotations

import datetime

from django import template
from django.utils.dateparse import parse_date, parse_datetime

from escalation.calendar import LONDON

register = template.Library()


@register.filter
def instant(value: str | datetime.datetime | None) -> str:
    """'Monday 9 November 2026 at 5:30pm' in London time; accepts ISO strings (outbox context)."""
    if not value:
        return ""
    if isinstance(value, str):
        value = parse_datetime(value)
    local = value.astimezone(LONDON)
    hour = local.strftime("%I").lstrip("0")
    minute = f":{local:%M}" if local.minute else ""
    return f"{local:%A} {local.day} {local:%B %Y} at {hour}{minute}{local:%p}".replace(
        "AM", "am"
    ).replace("PM", "pm")


@register.filter
def day(value: str | datetime.date | None) -> str:
    if not value:
        return ""
    if isinstance(value, str):
        value = parse_date(value)
    return f"{value:%A} {value.day} {value:%B %Y}"

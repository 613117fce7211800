"""Codes of practice as data. A published version never changes: editing drafts a new one."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from escalation.choices import (
    AdrLetterAtDeadlock,
    AdrLetterAtPeriod,
    AdrLetterPolicy,
    Category,
    Channel,
)


def _default_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


class CodeOfPractice(models.Model):
    """A family of versions, e.g. `sovision-it-2016`. One family is the one this provider runs."""

    slug = models.SlugField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    is_current = models.BooleanField(
        default=False,
        help_text="The code this provider runs: new complaints are governed by its version in force.",
    )

    class Meta:
        verbose_name = "code of practice"
        verbose_name_plural = "codes of practice"
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_code"
            )
        ]

    def __str__(self) -> str:
        return self.slug


class CodeVersion(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    code = models.ForeignKey(CodeOfPractice, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    effective_from = models.DateTimeField(
        help_text="Complaints first made at or after this instant are governed by this version."
    )
    change_note = models.TextField(blank=True)
    source_text = models.TextField(blank=True, help_text="The published wording this was set from.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    # Office hours, Europe/London local time.
    opens = models.TimeField(default=datetime.time(9, 0))
    closes = models.TimeField(default=datetime.time(17, 30))
    office_weekdays = models.JSONField(
        default=_default_weekdays, help_text="Working weekdays, Monday=0 … Sunday=6."
    )

    # Working-day windows that apply whatever the channel. Blank = the code has no such clock.
    resolve_working_days = models.PositiveSmallIntegerField(
        "resolve within (working days)", null=True, blank=True
    )
    auto_close_working_days = models.PositiveSmallIntegerField(
        "auto-close after customer silence (working days)",
        null=True,
        blank=True,
        help_text="Close as resolved this many working days after our response or the actioning "
        "of the resolution, whichever is later, unless the customer replies.",
    )

    # ADR: calendar weeks from first made; Ofcom changed the period for complaints first made
    # on or after a date, so a version can carry both periods.
    adr_period_weeks = models.PositiveSmallIntegerField(
        "ADR period (weeks)", validators=[MinValueValidator(1)]
    )
    adr_period_applies_from = models.DateField(
        "ADR period applies to complaints first made from",
        null=True,
        blank=True,
        help_text="Complaints first made before this date keep the earlier period below.",
    )
    adr_period_weeks_before = models.PositiveSmallIntegerField(
        "earlier ADR period (weeks)", null=True, blank=True
    )
    refer_by_months_after_letter = models.PositiveSmallIntegerField(
        "refer to ADR within (months after our letter)",
        null=True,
        blank=True,
        help_text="Calendar months after our deadlock / ADR letter.",
    )
    refer_by_months_after_first_made = models.PositiveSmallIntegerField(
        "refer to ADR within (months after first made, no letter)",
        null=True,
        blank=True,
        help_text="Calendar months after first made, when we never wrote a deadlock letter.",
    )
    adr_employee_threshold = models.PositiveSmallIntegerField(
        "ADR business size threshold (employees)", default=10
    )
    adr_threshold_inclusive = models.BooleanField(
        "threshold itself is eligible",
        default=True,
        help_text="Ticked: businesses with up to and including the threshold are eligible "
        "(≤ 10). Unticked: fewer than the threshold (< 10).",
    )
    adr_excluded_categories = models.JSONField(
        "categories the ADR scheme excludes",
        default=list,
        blank=True,
        help_text="Categories the ADR scheme does not deal with.",
    )
    # Ofcom (since October 2018) requires the ADR letter unprompted at deadlock and when the
    # ADR period passes unresolved; a seed may say otherwise (soVision: "You should ask us").
    adr_letter_at_deadlock = models.CharField(
        "ADR letter at deadlock",
        max_length=16,
        choices=AdrLetterAtDeadlock.choices,
        default=AdrLetterAtDeadlock.UNPROMPTED,
    )
    adr_letter_at_period = models.CharField(
        "ADR letter at the ADR period",
        max_length=16,
        choices=AdrLetterAtPeriod.choices,
        default=AdrLetterAtPeriod.UNPROMPTED,
    )
    adr_letter_needs_approval = models.BooleanField(
        "a manager approves each ADR letter before it is sent",
        default=False,
        help_text="Unticked: sent at once. Ticked: queued for a manager, with a due clock.",
    )
    adr_letter_due_working_days = models.PositiveSmallIntegerField(
        "send an asked-for or queued ADR letter within (working days)",
        default=2,
        validators=[MinValueValidator(1)],
    )
    deadlock_opens_adr = models.BooleanField(
        "a deadlock letter opens ADR at once",
        default=True,
        help_text="Ticked: the customer may go to the scheme from the deadlock letter's date if "
        "that is before the ADR period ends (Ofcom; soVision). Unticked: only once the period "
        "has passed (Infinity).",
    )
    formal_respond_working_days = models.PositiveSmallIntegerField(
        "respond after escalation to a tier within (working days)",
        null=True,
        blank=True,
        help_text="The escalated (formal) stage's own response clock. Blank = no such clock.",
    )
    adr_scheme_name = models.CharField("ADR scheme name", max_length=200)
    adr_scheme_address = models.TextField("ADR scheme address", blank=True)
    adr_scheme_phone = models.CharField("ADR scheme phone", max_length=100, blank=True)
    adr_scheme_email = models.EmailField("ADR scheme email", blank=True)
    adr_scheme_website = models.URLField("ADR scheme website", blank=True)

    # Company details printed on letters.
    company_name = models.CharField(max_length=200, blank=True)
    company_address = models.TextField(blank=True)
    company_phone = models.CharField(max_length=100, blank=True)
    company_email = models.EmailField(blank=True)
    company_website = models.CharField(max_length=200, blank=True)
    company_registration = models.CharField(max_length=300, blank=True)
    # Enforcement (beat): reminders before each staff-facing clock, escalation on breach.
    reminder_working_days_before = models.PositiveSmallIntegerField(
        "remind staff (working days before each clock)",
        null=True,
        blank=True,
        default=1,
        help_text="Reminders go to the owner, else the team's managers, this many working days "
        "before acknowledge-by, respond-by and resolve-by. Blank = no reminders.",
    )
    escalate_on_breach = models.BooleanField(
        "a breach escalates the complaint",
        default=False,
        help_text="Ticked only where the code's text says a missed window moves the complaint "
        "to the next tier.",
    )
    useful_addresses = models.TextField(
        blank=True,
        help_text="Other addresses the code gives (e.g. Ofcom, a trade body, another team's "
        "email), one per paragraph; shown on the published code of practice.",
    )
    retention_months_after_closure = models.PositiveSmallIntegerField(
        "keep records after closure (months)",
        default=12,
        validators=[MinValueValidator(12)],
        help_text="Ofcom requires at least 12.",
    )

    class Meta:
        ordering = ["code__slug", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["code", "number"], name="code_version_number_unique"),
            # Two published versions of one code may not come into force at the same instant.
            models.UniqueConstraint(
                fields=["code", "effective_from"],
                condition=Q(status="published"),
                name="code_version_effective_unique",
            ),
            models.CheckConstraint(
                condition=Q(closes__gt=models.F("opens")), name="closes_after_opens"
            ),
        ]
        indexes = [
            # code_version_in_force(): latest published version with effective_from <= first made.
            models.Index(
                fields=["code", "status", "-effective_from"], name="code_version_in_force_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code.slug} v{self.number}"

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    @property
    def adr_letter_policy(self) -> str:
        """The two ADR-letter settings in one word (what the public form and follow page say)."""
        if self.adr_letter_at_deadlock == AdrLetterAtDeadlock.ON_REQUEST:
            return AdrLetterPolicy.ON_REQUEST
        if self.adr_letter_at_period == AdrLetterAtPeriod.UNPROMPTED:
            return AdrLetterPolicy.UNPROMPTED
        return AdrLetterPolicy.ON_DEADLOCK

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.opens and self.closes and self.closes <= self.opens:
            errors["closes"] = "Closing time must be after opening time."
        weekdays = self.office_weekdays
        if (
            not isinstance(weekdays, list)
            or not weekdays
            or any(not isinstance(d, int) or d < 0 or d > 6 for d in weekdays)
        ):
            errors["office_weekdays"] = (
                "Give a list of weekday numbers 0–6 (Monday=0), e.g. [0,1,2,3,4]."
            )
        excluded = self.adr_excluded_categories
        if not isinstance(excluded, list) or any(c not in Category.values for c in excluded):
            errors["adr_excluded_categories"] = (
                f"Give a list drawn from: {', '.join(Category.values)}."
            )
        if (self.adr_period_applies_from is None) != (self.adr_period_weeks_before is None):
            errors["adr_period_weeks_before"] = (
                "Give both the date the ADR period applies from and the earlier period, or neither."
            )
        if errors:
            raise ValidationError(errors)


class ChannelWindow(models.Model):
    version = models.ForeignKey(
        CodeVersion, on_delete=models.CASCADE, related_name="channel_windows"
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    acknowledge_working_days = models.PositiveSmallIntegerField(
        "acknowledge within (working days)", null=True, blank=True
    )
    respond_working_days = models.PositiveSmallIntegerField(
        "respond within (working days)", null=True, blank=True
    )
    commitment = models.CharField(
        max_length=300, blank=True, help_text="What the code promises, in its own words."
    )

    class Meta:
        ordering = ["version", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["version", "channel"], name="channel_window_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} window"

    def clean(self) -> None:
        if (
            self.acknowledge_working_days is not None
            and self.respond_working_days is not None
            and self.acknowledge_working_days > self.respond_working_days
        ):
            raise ValidationError(
                {"acknowledge_working_days": "Acknowledgement cannot be due after the response."}
            )


class EscalationTier(models.Model):
    version = models.ForeignKey(CodeVersion, on_delete=models.CASCADE, related_name="tiers")
    level = models.PositiveSmallIntegerField(help_text="0 is frontline; higher levels escalate.")
    title = models.CharField(max_length=200)
    group = models.ForeignKey(Group, on_delete=models.PROTECT, related_name="+")
    is_formal = models.BooleanField(
        default=False, help_text="Complaints at this tier get a complaints register reference."
    )
    handles_code_complaints = models.BooleanField(
        default=False, help_text="Complaints about the code itself are routed here."
    )
    default_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who takes complaints escalated to this tier unless the escalating manager "
        "names someone else of the tier's group.",
    )
    decisions_by_group_only = models.BooleanField(
        "only this tier's group decides",
        default=False,
        help_text="At this tier only members of its group propose a resolution, take the final "
        "position (deadlock letter) or mark the complaint resolved.",
    )

    class Meta:
        ordering = ["version", "level"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "level"], name="escalation_tier_level_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.level}: {self.title}"

    @property
    def deciders(self) -> frozenset[str] | None:
        """The group that alone takes this tier's decisions, or None if anyone may."""
        return frozenset({self.group.name}) if self.decisions_by_group_only else None


class ClosureDay(models.Model):
    version = models.ForeignKey(CodeVersion, on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["version", "date"]
        constraints = [
            models.UniqueConstraint(fields=["version", "date"], name="closure_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.date:%d %b %Y} {self.reason}".strip()

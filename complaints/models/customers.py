"""Customers: who complained, how to reach them, what support they need."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper

from complaints.matching import phone_national_sql
from escalation.choices import Nation


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

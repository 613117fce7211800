"""Vocabulary shared by codes of practice, complaints and the clocks."""

from django.db import models


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    LETTER = "letter", "Letter"
    WEB = "web", "Web form"
    IN_PERSON = "in_person", "In person"


class Category(models.TextChoices):
    SALES = "sales", "Sales"
    BILLING = "billing", "Billing"
    FAULT_REPAIR = "fault_repair", "Fault repair"
    SERVICE = "service", "Service"
    PRICING = "pricing", "Pricing"
    OTHER = "other", "Other"


class Nation(models.TextChoices):
    # Codes are the `holidays` package's UK subdivisions; Wales shares England's bank holidays.
    ENG = "ENG", "England"
    WLS = "WLS", "Wales"
    SCT = "SCT", "Scotland"
    NIR = "NIR", "Northern Ireland"


class AdrLetterPolicy(models.TextChoices):
    ON_DEADLOCK = "on_deadlock", "We write when we cannot resolve the complaint (deadlock)"
    ON_REQUEST = "on_request", "The customer asks for a deadlock letter"
    UNPROMPTED = "unprompted", "Sent unprompted at deadlock and when the ADR period passes"


class AdrLetterAtDeadlock(models.TextChoices):
    UNPROMPTED = "unprompted", "Sent unprompted at deadlock"
    ON_REQUEST = "on_request", "Sent when the customer asks (a manager's due clock starts)"


class AdrLetterAtPeriod(models.TextChoices):
    UNPROMPTED = "unprompted", "Sent unprompted when the ADR period passes unresolved"
    NOT_SENT = "not_sent", "Not sent"


class LetterReason(models.TextChoices):
    """Why an ADR letter was written: the two cases Ofcom requires one (since October 2018)."""

    ADR_PERIOD = "adr_period", "The ADR period passed with the complaint unresolved"
    DEADLOCK = "deadlock", "Deadlock: we will not review the complaint further"


CLOCK_NAMES = (
    "acknowledge_by",
    "respond_by",
    "resolve_by",
    "formal_respond_by",
    "adr_letter_due_by",
    "adr_eligible_from",
    "adr_refer_by",
    "auto_close_at",
    # A customer's request (escalation, deadlock letter, complaint about the code) awaiting a
    # manager: due within the code's web-form response window after the request.
    "customer_request_by",
)


class CustomerRequest(models.TextChoices):
    """What a customer asked for from their follow page that a manager must answer."""

    ESCALATION = "escalation", "Escalation"
    DEADLOCK = "deadlock", "Deadlock letter"
    CODE = "code", "Complaint about the code"

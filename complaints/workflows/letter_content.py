"""What a deadlock or ADR letter prints, as a JSON snapshot taken when it is issued.

Every ADR letter follows the scheme's best-practice guide for communications providers: it is
addressed to the customer by name, gives the complaint's details and our position, names the
complaint's owner, says the scheme is independent and free and that its decision need not be
accepted, gives the scheme's full contact details and the exact refer-by date. The dates are the
complaint's own clocks, so the letter, the follow page and `manage.py deadlines` agree.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser

from complaints.models import Complaint, Letter
from escalation.calendar import local_date, months_after
from escalation.clocks import adr_period_weeks
from escalation.selectors import NoCodeInForce, code_rules, code_version_in_force

KIND_TITLES = {
    Letter.Kind.DEADLOCK: "Deadlock letter",
    Letter.Kind.ADR: "ADR letter",
}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _person(user: AbstractBaseUser | None) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return ""
    return user.get_full_name() or user.get_username()


def letter_context(
    *,
    complaint: Complaint,
    kind: str,
    body: str,
    dated: datetime.date,
    by: Any = None,
    reason: str = "",
    company: Any = None,
) -> dict[str, Any]:
    """Everything printed on the letter, as JSON. `complaint` needs customer and code_version.

    The dates are the complaint's own clocks (refreshed for this letter before it is issued),
    so the letter, the follow page and `manage.py deadlines` always agree.
    """
    customer = complaint.customer
    version = complaint.code_version
    address = _lines(customer.address)
    postcode = (customer.postcode or "").strip().upper()
    if postcode and not any(postcode in line.upper() for line in address):
        address.append(postcode)
    months = version.refer_by_months_after_letter
    if complaint.letter_date == dated or months is None:
        refer_by = complaint.adr_refer_by
    else:
        refer_by = months_after(dated, months)
    # "within N months of this letter" only when that is exactly the date printed.
    if months is not None and refer_by != months_after(dated, months):
        months = None
    first_made = local_date(complaint.first_made_at)
    owner = complaint.assigned_to if complaint.assigned_to_id else None
    return {
        "kind": kind,
        "reason": reason,
        "title": KIND_TITLES[kind],
        "owner": _person(owner) or _person(by),
        "channel": complaint.get_channel_display().lower(),
        "large_print": letter_large_print(customer),
        "reference": complaint.reference,
        "register_reference": complaint.register_reference,
        "dated": dated.isoformat(),
        "summary": complaint.summary,
        "first_made": first_made.isoformat(),
        "body": body,
        "issued_by": _person(by),
        "customer": {
            "name": customer.name,
            "address": address,
            "account_reference": customer.account_reference,
            "email": customer.email,
        },
        "company": letter_company(company or letter_company_source(version, complaint)),
        "scheme": {
            "name": version.adr_scheme_name,
            "address": _lines(version.adr_scheme_address),
            "phone": version.adr_scheme_phone,
            "email": version.adr_scheme_email,
            "website": version.adr_scheme_website,
        },
        "refer_by_months": months,
        "refer_by": refer_by.isoformat() if refer_by else None,
        "adr_eligible": complaint.adr_eligible,
        "adr_ineligible_reason": complaint.adr_ineligible_reason,
        "adr_eligible_from": complaint.adr_eligible_from.isoformat(),
        "adr_period_weeks": adr_period_weeks(code_rules(version), complaint.first_made_at),
        "deadlock_opens_adr": version.deadlock_opens_adr,
        "code": str(version),
    }


def letter_company_source(version: Any, complaint: Complaint) -> Any:
    """Whose details head the letter: the governing version's, or — when it has none, as the
    `ofcom-2026` rules template ships — the provider's own code in force (its letterhead and
    contact details; Ofcom requires them on every letter)."""
    if version.company_name:
        return version
    try:
        provider = code_version_in_force(at=complaint.first_made_at)
    except NoCodeInForce:
        return version
    return provider if provider.company_name else version


def letter_company(version: Any) -> dict[str, Any]:
    return {
        "name": version.company_name or settings.REDRESS_SITE_NAME,
        "address": _lines(version.company_address),
        "phone": version.company_phone,
        "email": version.company_email,
        "website": version.company_website,
        "registration": version.company_registration,
    }


def letter_large_print(customer: Any) -> bool:
    """Letters in large print for a customer who needs them (an accessibility need)."""
    return "large_print" in (customer.vulnerability_flags or [])

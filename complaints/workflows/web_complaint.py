"""A complaint sent through the public web form, checked: what `web_form` produces and the
web-submission workflow logs."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class PublicComplaint:
    """What the public form asks, checked and in the services' words."""

    name: str
    kind: str
    nation: str
    category: str
    summary: str
    details: str
    preferred_contact: str
    employee_count: int | None = None
    email: str = ""
    phone: str = ""
    address: str = ""
    postcode: str = ""
    account_reference: str = ""
    vulnerability_flags: list[str] = field(default_factory=list)
    vulnerability_notes: str = ""

    def customer_fields(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "employee_count": self.employee_count,
            "name": self.name,
            "email": self.email,
            "phone": self.phone,
            "address": self.address,
            "postcode": self.postcode,
            "account_reference": self.account_reference,
            "preferred_contact": self.preferred_contact,
            "nation": self.nation,
            "vulnerability_flags": list(self.vulnerability_flags),
            "vulnerability_notes": self.vulnerability_notes,
        }

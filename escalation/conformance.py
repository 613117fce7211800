"""Where a code version falls short of Ofcom's current rules (General Condition C4 and the 2025
statement effective 8 April 2026), and a draft that meets them.

Shipped seed presets stay as their texts say and show these warnings; `ofcom-2026` is the rules
template that "Draft a version that meets Ofcom's current rules" takes its values from.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from escalation.choices import AdrLetterAtDeadlock, AdrLetterAtPeriod
from escalation.models import CodeVersion

TEMPLATE_SLUG = "ofcom-2026"
# Ofcom's 2025 statement: 6 weeks for complaints first made on or after this date, and both
# schemes accept cases up to 12 months after the ADR letter.
CURRENT_RULES_FROM = datetime.date(2026, 4, 8)
MAX_ADR_PERIOD_WEEKS = 6
MIN_REFER_BY_MONTHS = 12


@dataclass(frozen=True)
class Shortfall:
    setting: str
    message: str


def _periods_from_current_rules(version: CodeVersion) -> list[int]:
    """The ADR periods a complaint first made on or after 8 April 2026 can get."""
    applies_from = version.adr_period_applies_from
    weeks = [version.adr_period_weeks]
    if applies_from is not None and applies_from > CURRENT_RULES_FROM:
        weeks.append(version.adr_period_weeks_before or version.adr_period_weeks)
    return weeks


def code_version_shortfalls(version: CodeVersion) -> list[Shortfall]:
    """Every way `version` falls short of Ofcom's current rules, in words for an admin."""
    out: list[Shortfall] = []
    longest = max(_periods_from_current_rules(version))
    if longest > MAX_ADR_PERIOD_WEEKS:
        out.append(Shortfall("adr_period_weeks", (
            f"ADR period of {longest} weeks for complaints first made on or after "
            f"{CURRENT_RULES_FROM:%-d %B %Y}: Ofcom allows at most {MAX_ADR_PERIOD_WEEKS} weeks."
        )))  # fmt: skip
    months = version.refer_by_months_after_letter
    if months is None or months < MIN_REFER_BY_MONTHS:
        have = f"{months} months" if months is not None else "no time limit counted"
        out.append(Shortfall("refer_by_months_after_letter", (
            f"Refer-by after the ADR letter is {have}: the schemes accept cases up to "
            f"{MIN_REFER_BY_MONTHS} months after it, and the code must not give less."
        )))  # fmt: skip
    if version.adr_letter_at_deadlock != AdrLetterAtDeadlock.UNPROMPTED:
        out.append(Shortfall("adr_letter_at_deadlock", (
            "No unprompted ADR letter at deadlock: Ofcom requires it to be sent without the "
            "customer asking."
        )))  # fmt: skip
    if version.adr_letter_at_period != AdrLetterAtPeriod.UNPROMPTED:
        out.append(Shortfall("adr_letter_at_period", (
            "No unprompted ADR letter when the ADR period passes unresolved: Ofcom requires it."
        )))  # fmt: skip
    if not version.company_name or not (
        version.company_phone or version.company_email or version.company_address
    ):
        out.append(Shortfall("company_name", (
            "No provider name and contact details: every letter and the published code must "
            "say who the provider is and how to reach it."
        )))  # fmt: skip
    if not version.adr_scheme_website or not version.adr_scheme_phone:
        out.append(Shortfall("adr_scheme_website", (
            "The ADR scheme's full contact details (address, phone, email, website) are "
            "incomplete: ADR letters must give them all."
        )))  # fmt: skip
    return out


def conforming_settings(source: CodeVersion, template: CodeVersion) -> dict[str, object]:
    """The settings a copy of `source` needs to meet the current rules, taken from the
    `ofcom-2026` template; everything else (windows, tiers, company details, wording) stays."""
    changes: dict[str, object] = {}
    if max(_periods_from_current_rules(source)) > MAX_ADR_PERIOD_WEEKS:
        changes.update(
            adr_period_weeks=template.adr_period_weeks,
            adr_period_applies_from=template.adr_period_applies_from,
            # Complaints first made before the new rules keep the source's own period.
            adr_period_weeks_before=source.adr_period_weeks,
        )
    months = source.refer_by_months_after_letter
    if months is None or months < MIN_REFER_BY_MONTHS:
        changes["refer_by_months_after_letter"] = template.refer_by_months_after_letter
    if source.adr_letter_at_deadlock != AdrLetterAtDeadlock.UNPROMPTED:
        changes["adr_letter_at_deadlock"] = AdrLetterAtDeadlock.UNPROMPTED
    if source.adr_letter_at_period != AdrLetterAtPeriod.UNPROMPTED:
        changes["adr_letter_at_period"] = AdrLetterAtPeriod.UNPROMPTED
    if not source.deadlock_opens_adr:
        changes["deadlock_opens_adr"] = True  # Ofcom: a deadlock letter gives access at once
    for name in ("adr_scheme_website", "adr_scheme_phone", "adr_scheme_email"):
        if not getattr(source, name) and source.adr_scheme_name == template.adr_scheme_name:
            changes[name] = getattr(template, name)
    return changes

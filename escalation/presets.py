"""The three shipped codes of practice, as data. Used by migration 0002 and by tests.

Where a seed is silent the choice is written down here:
- Web-form complaints follow the email window (both seeds treat written electronic contact as
  email); in-person complaints follow the phone rule.
- soVision promises to acknowledge an email but names no timescale; we acknowledge within
  1 working day so the promise has a clock (admins can change it).
- Above frontline (the director and formal tiers) only the tier's own group proposes a
  resolution, takes the final position or marks a complaint resolved: both seeds hand the
  complaint to a named senior person at those tiers.
- `ofcom-2026` leaves office hours and windows to the provider ("provider's own"): it ships
  with 09:00–17:30 office hours and no response windows, so it has no such clocks until an
  admin drafts a version with the provider's own.
- ADR letters (Ofcom, since October 2018: unprompted at deadlock and at the ADR period). Both
  seeds are silent about a letter at the ADR period, so the current rule applies: unprompted.
  At deadlock Infinity writes unprompted ("we will write to you to say so"), soVision waits to
  be asked ("You should ask us to provide you with a 'deadlock' letter"): a manager then has
  2 working days (seed silent) to send it. Every letter is sent at once (no approval queue).
- A deadlock letter opens ADR at once under soVision ("This confirms that we agree that you
  may refer") and Ofcom, not under Infinity ("can only be accessed once 8 weeks have passed").
- After escalation the escalated tier gives its position within 10 working days (both seeds
  are silent; soVision's own resolution objective is 10 working days).
"""

from __future__ import annotations

import datetime
from typing import Any

OS_COMMUNICATIONS = {
    "adr_scheme_name": "Ombudsman Services: Communications",
    "adr_scheme_address": "PO Box 730\nWarrington\nWA4 6WU",
    "adr_scheme_phone": "0330 440 1614",
    "adr_scheme_email": "enquiries@os-communications.org",
}

PRESETS: list[dict[str, Any]] = [
    {
        "slug": "infinity-group-2016",
        "name": "Infinity Group — Customer Complaints Code (February 2016)",
        "description": "Infinity Technology Solutions Ltd's code, correct as at February 2016.",
        "is_current": False,
        "version": {
            "effective_from": datetime.datetime(2016, 2, 1, 0, 0, tzinfo=datetime.UTC),
            "opens": datetime.time(9, 0),
            "closes": datetime.time(17, 30),
            "adr_period_weeks": 8,
            "refer_by_months_after_letter": 6,
            "refer_by_months_after_first_made": 9,
            "adr_employee_threshold": 10,
            "adr_threshold_inclusive": True,
            "adr_excluded_categories": ["pricing"],
            "adr_letter_at_deadlock": "unprompted",
            "adr_letter_at_period": "unprompted",
            "deadlock_opens_adr": False,
            "formal_respond_working_days": 10,
            **OS_COMMUNICATIONS,
            "company_name": "Infinity Technology Solutions Ltd (Infinity Group)",
            "company_address": "The Coach House\nSpencer Mews\nTunbridge Wells\nKent\nTN1 2PY",
            "company_phone": "0345 450 4600",
            "company_email": "customerservices@infinitygroup.co.uk",
            "company_website": "www.infinitygroup.co.uk",
            "useful_addresses": (
                "Ombudsman Services: Communications: PO Box 730, Warrington, WA4 6WU, "
                "Tel: 0330 440 1614 Fax: 0330 440 1615 Email: enquiries@os-communications.org\n\n"
                "Ofcom: Riverside House, 2A Southwark Bridge Road, London SE1 9HA, "
                "Tel: 020 7981 3000.\n\n"
                "Federation of Communication Services Limited (FCS): Burnhill Business Centre, "
                "Provident House, Burrell Row, Beckenham, Kent BR3 1AT. Tel: 020 8249 6363 "
                "www.fcs.org.uk"
            ),
            "source_text": (
                "We will normally respond to a letter within ten working days, an email within "
                "five working days and, if we can't sort out your complaint when you telephone "
                "us, we will call you back within five working days. … Ombudsman Services: "
                "Communications can only be accessed once 8 weeks have passed since you first "
                "made your complaint … within 6 months of our writing to tell you we are unable "
                "to resolve your complaint. In the unlikely case of our not having written to "
                "you, you will have up to 9 months … do not deal with pricing complaints or with "
                "complaints made by larger businesses with more than 10 employees."
            ),
        },
        "channels": [
            (
                "phone",
                None,
                5,
                "If we can't sort it out on the call, we call back within 5 working days.",
            ),
            ("email", None, 5, "We respond to an email within 5 working days."),
            ("letter", None, 10, "We respond to a letter within 10 working days."),
            ("web", None, 5, "Web-form complaints are answered as emails: within 5 working days."),
            (
                "in_person",
                None,
                5,
                "As a phone call: if not sorted out, we respond within 5 working days.",
            ),
        ],
        "tiers": [
            (0, "Customer Service Team / Account Manager", "agent", False, False),
            (1, "Operations Director", "manager", False, False),
            (2, "Managing Director", "manager", False, False),
        ],
    },
    {
        "slug": "sovision-it-2016",
        "name": "soVision IT Ltd — Customer Complaints Code of Practice (2016)",
        "description": "soVision IT Ltd with Line Business Services Ltd.",
        "is_current": True,
        "version": {
            "effective_from": datetime.datetime(2016, 1, 1, 0, 0, tzinfo=datetime.UTC),
            "opens": datetime.time(9, 0),
            "closes": datetime.time(17, 0),
            "resolve_working_days": 10,
            "auto_close_working_days": 10,
            "adr_period_weeks": 8,
            "refer_by_months_after_letter": 6,
            "refer_by_months_after_first_made": 9,
            "adr_employee_threshold": 10,
            "adr_threshold_inclusive": False,
            "adr_excluded_categories": [],
            "adr_letter_at_deadlock": "on_request",
            "adr_letter_at_period": "unprompted",
            "deadlock_opens_adr": True,
            "formal_respond_working_days": 10,
            **OS_COMMUNICATIONS,
            "adr_scheme_website": "http://www.ombudsman-services.org/communications.html",
            "company_name": "soVision IT Ltd",
            "company_address": (
                "Customer Services - Complaints\nAvon House\nAvon Mill Lane\nKeynsham\n"
                "Bristol\nBS31 2UG"
            ),
            "company_phone": "0117 986 4026",
            "company_email": "support@sovision.com",
            "company_website": "www.sovisionit.com",
            "useful_addresses": (
                "Accounts department: accounts@sovisionit.com (technical support: "
                "support@sovision.com), 0117 986 4026.\n\n"
                "Complaints about this Code: the Company Secretary, soVision IT Ltd, Avon House, "
                "Avon Mill Lane, Keynsham, Bristol BS31 2UG."
            ),
            "company_registration": (
                "soVision IT Ltd is a Company registered in England No 10714018. Line Business "
                "Services Ltd is a Company registered in England No. 5599751."
            ),
            "source_text": (
                "If you email us, we will acknowledge receipt of your email … In the vast "
                "majority of cases we should be able to investigate and respond to you within 2 "
                "working days … Our objective is to provide a resolution for all complaints within "
                "10 working days. Unless we hear from you within 10 working days of our response "
                "to you or our actioning of any such resolution, whichever is the later, we will "
                "assume that the complaint has been resolved … a consumer or small business "
                "employing less than 10 employees … after eight weeks … within 6 months of "
                "receiving our 'deadlock' letter, or 9 months from the time your complaint was "
                "first made to us."
            ),
        },
        "channels": [
            (
                "phone",
                None,
                None,
                "We try to resolve it on the call; if not, we agree a timescale and how we keep in touch.",
            ),
            (
                "email",
                1,
                2,
                "We acknowledge your email, then investigate and respond within 2 working days.",
            ),
            ("letter", None, 2, "We investigate and respond within 2 working days."),
            (
                "web",
                1,
                2,
                "Web-form complaints are handled as emails: acknowledged, then answered within 2 working days.",
            ),
            (
                "in_person",
                None,
                None,
                "As a phone call: we agree a timescale and how we keep in touch.",
            ),
        ],
        "tiers": [
            (0, "Technical support / Accounts", "agent", False, False),
            (1, "Formal review: Technical Director or Company Secretary", "manager", True, True),
        ],
    },
    {
        "slug": "ofcom-2026",
        "name": "Ofcom rules from 8 April 2026 (provider's own windows)",
        "description": (
            "Ofcom's 2025 statement: ADR after 6 weeks for complaints first made on or after "
            "8 April 2026; ADR letter sent unprompted; 12 months to refer after the ADR letter. "
            "Office hours and response windows are the provider's own: draft a version to set them."
        ),
        "is_current": False,
        "version": {
            "effective_from": datetime.datetime(2026, 4, 7, 23, 0, tzinfo=datetime.UTC),
            "opens": datetime.time(9, 0),
            "closes": datetime.time(17, 30),
            "adr_period_weeks": 6,
            "adr_period_applies_from": datetime.date(2026, 4, 8),
            "adr_period_weeks_before": 8,
            "refer_by_months_after_letter": 12,
            "adr_employee_threshold": 10,
            "adr_threshold_inclusive": True,
            "adr_excluded_categories": [],
            "adr_letter_at_deadlock": "unprompted",
            "adr_letter_at_period": "unprompted",
            "deadlock_opens_adr": True,
            "formal_respond_working_days": 10,
            **OS_COMMUNICATIONS,
            "adr_scheme_name": "Communications Ombudsman",
            # Ombudsman Services renamed itself Communications Ombudsman in July 2023 (Ofcom).
            "adr_scheme_website": "https://www.commsombudsman.org",
            "company_name": "",
        },
        "channels": [],
        "tiers": [
            (0, "Frontline customer service", "agent", False, False),
            (1, "Senior complaints review", "manager", True, True),
        ],
    },
]


def presets_install(apps: Any) -> None:
    """Create every preset that is missing (migration-safe: uses historical models)."""
    Group = apps.get_model("auth", "Group")
    CodeOfPractice = apps.get_model("escalation", "CodeOfPractice")
    CodeVersion = apps.get_model("escalation", "CodeVersion")
    ChannelWindow = apps.get_model("escalation", "ChannelWindow")
    EscalationTier = apps.get_model("escalation", "EscalationTier")
    # Migrations before escalation 0004 install the presets on a model without this field.
    has_decisions = any(
        f.name == "decisions_by_group_only" for f in EscalationTier._meta.get_fields()
    )
    for preset in PRESETS:
        code, created = CodeOfPractice.objects.get_or_create(
            slug=preset["slug"],
            defaults={
                "name": preset["name"],
                "description": preset["description"],
                "is_current": preset["is_current"],
            },
        )
        if not created:
            continue
        # Settings added after migration 0002 are set by the later migration that adds them
        # (presets_settings_apply); the historical model here does not have them yet.
        known = {f.name for f in CodeVersion._meta.get_fields()}
        version = CodeVersion.objects.create(
            code=code,
            number=1,
            status="published",
            published_at=preset["version"]["effective_from"],
            change_note="Shipped preset.",
            **{k: v for k, v in preset["version"].items() if k in known},
        )
        ChannelWindow.objects.bulk_create(
            ChannelWindow(
                version=version,
                channel=channel,
                acknowledge_working_days=ack,
                respond_working_days=respond,
                commitment=words,
            )
            for channel, ack, respond, words in preset["channels"]
        )
        for level, title, group_name, formal, code_complaints in preset["tiers"]:
            group, _ = Group.objects.get_or_create(name=group_name)
            EscalationTier.objects.create(
                version=version,
                level=level,
                title=title,
                group=group,
                is_formal=formal,
                handles_code_complaints=code_complaints,
                **({"decisions_by_group_only": level > 0} if has_decisions else {}),
            )


def presets_settings_apply(apps: Any, names: tuple[str, ...]) -> None:
    """Set `names` on each shipped preset's first version from PRESETS (a data migration that
    adds settings calls this: published versions are read-only through the services)."""
    CodeVersion = apps.get_model("escalation", "CodeVersion")
    for preset in PRESETS:
        values = {k: preset["version"][k] for k in names if k in preset["version"]}
        CodeVersion.objects.filter(code__slug=preset["slug"], number=1).update(**values)

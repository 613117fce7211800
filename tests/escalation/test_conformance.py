"""Ofcom conformance of a code version (escalation/conformance.py) and "Draft a version that
meets Ofcom's current rules" (issue 10, item 10). Shipped presets stay as their texts say."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from escalation.conformance import code_version_shortfalls
from escalation.models import CodeVersion
from escalation.services import code_version_draft_conforming

pytestmark = pytest.mark.django_db


def version_1(slug: str) -> CodeVersion:
    return CodeVersion.objects.get(code__slug=slug, number=1)


def settings_short(slug: str) -> set[str]:
    return {s.setting for s in code_version_shortfalls(version_1(slug))}


def test_sovision_as_written_falls_short_in_three_ways():
    """soVision: "You need to allow us up to eight weeks" / "within 6 months of receiving our
    'deadlock' letter" / "You should ask us to provide you with a 'deadlock' letter" """
    assert settings_short("sovision-it-2016") == {
        "adr_period_weeks", "refer_by_months_after_letter", "adr_letter_at_deadlock",
    }  # fmt: skip


def test_infinity_as_written_falls_short_on_the_period_the_deadline_and_the_schemes_website():
    """Infinity: "can only be accessed once 8 weeks have passed … within 6 months of our
    writing" — and its code gives no website for the scheme."""
    assert settings_short("infinity-group-2016") == {
        "adr_period_weeks", "refer_by_months_after_letter", "adr_scheme_website",
    }  # fmt: skip


def test_the_ofcom_template_lacks_only_the_providers_details():
    assert settings_short("ofcom-2026") == {"company_name"}


def test_the_conforming_draft_changes_only_what_the_rules_require(admin_staff):
    source = version_1("sovision-it-2016")
    draft, changes = code_version_draft_conforming(source=source, by=admin_staff)
    assert draft.status == CodeVersion.Status.DRAFT and draft.number == 2
    assert (draft.adr_period_weeks, draft.adr_period_applies_from, draft.adr_period_weeks_before) == (
        6, datetime.date(2026, 4, 8), 8,
    )  # fmt: skip
    assert draft.refer_by_months_after_letter == 12
    assert draft.adr_letter_at_deadlock == "unprompted"
    # Everything else is the source's: windows, tiers, company details, wording.
    assert (draft.resolve_working_days, draft.auto_close_working_days) == (10, 10)
    assert draft.company_name == "soVision IT Ltd" and draft.source_text == source.source_text
    assert draft.tiers.count() == source.tiers.count()
    assert draft.channel_windows.count() == source.channel_windows.count()
    assert code_version_shortfalls(draft) == []
    assert set(changes) == {
        "adr_period_weeks", "adr_period_applies_from", "adr_period_weeks_before",
        "refer_by_months_after_letter", "adr_letter_at_deadlock",
    }  # fmt: skip
    # The shipped preset stays as its text says.
    assert version_1("sovision-it-2016").adr_period_weeks == 8


def test_the_admin_page_lists_the_shortfalls_and_drafts_the_conforming_version(admin_client):
    source = version_1("sovision-it-2016")
    url = reverse("admin:escalation_codeversion_conformance", args=[source.pk])
    page = admin_client.get(url).content.decode()
    assert "ADR period of 8 weeks for complaints first made on or after 8 April 2026" in page
    assert 'value="Draft a version that meets Ofcom\'s current rules"' in page

    response = admin_client.post(
        reverse("admin:escalation_codeversion_draft_conforming", args=[source.pk])
    )
    draft = CodeVersion.objects.get(code=source.code, number=2)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:escalation_codeversion_change", args=[draft.pk])
    assert "meet Ofcom's current rules" in draft.change_note


def test_publishing_shows_the_check(admin_client, admin_staff):
    draft, _ = code_version_draft_conforming(
        source=version_1("infinity-group-2016"), by=admin_staff
    )
    page = admin_client.get(
        reverse("admin:escalation_codeversion_publish", args=[draft.pk])
    ).content.decode()
    assert "falls short of Ofcom" in page
    assert "full contact details" in page

"""What issue 10 adds, seen as a person sees it: a formal complaint's page with its named owner,
its own response clock and the asked-for letter's due clock; and the admin's Ofcom check with
"Draft a version that meets Ofcom's current rules". Screenshots go to artifacts/."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.workflows import actions
from complaints.workflows.customer_actions import customer_request_deadlock
from escalation.models import CodeVersion
from tests.factories import ComplaintFactory, CustomerFactory


@pytest.mark.browser
def test_a_formal_complaint_shows_its_owner_and_new_clocks(
    page: Page, live_url, login, manager, screenshot, assert_no_serious_axe_violations
):
    now = timezone.now()
    complaint = ComplaintFactory(customer=CustomerFactory(name="Carys Jones",
                                                          vulnerability_flags=["large_print"]),
                                 now=now)  # fmt: skip
    actions.complaint_escalate(complaint_id=complaint.pk, by=manager, now=now,
                               expected_version=None, reason="Unhappy with our answer")  # fmt: skip
    customer_request_deadlock(complaint_id=complaint.pk, now=now)
    login(page, live_url, manager)
    page.goto(f"{live_url}/staff/complaints/{complaint.reference}/")
    expect(page.get_by_role("rowheader", name="Formal response by")).to_be_visible()
    # Asked for a deadlock letter: that is what is due next, in the header and the clocks.
    expect(page.get_by_role("rowheader", name="ADR letter due by")).to_be_visible()
    expect(page.get_by_text("Large print letters").first).to_be_visible()
    assert_no_serious_axe_violations(page, "formal complaint page")
    screenshot(page, "issue10-formal-complaint")


@pytest.mark.browser
def test_the_admin_sees_the_ofcom_check_and_drafts_a_conforming_version(
    page: Page, live_url, login, admin_staff, screenshot
):
    admin_staff.is_superuser = True
    admin_staff.save()
    version = CodeVersion.objects.get(code__slug="sovision-it-2016", number=1)
    login(page, live_url, admin_staff)
    page.goto(f"{live_url}/admin/escalation/codeversion/{version.pk}/conformance/")
    expect(page.get_by_text("ADR period of 8 weeks")).to_be_visible()
    screenshot(page, "issue10-conformance")
    page.get_by_role("button", name="Draft a version that meets Ofcom's current rules").click()
    expect(page.get_by_text("to meet Ofcom's current rules (changed:")).to_be_visible()
    screenshot(page, "issue10-conforming-draft")

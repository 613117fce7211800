"""The alerts bell and page, and the admin simulator, as a person sees them (axe, screenshots)."""

from __future__ import annotations

import datetime

import pytest
from playwright.sync_api import expect

from complaints.workflows.enforcement.jobs import enforce
from escalation.calendar import LONDON
from escalation.models import CodeVersion
from tests.factories import ComplaintFactory, CustomerFactory


@pytest.fixture
def breached(transactional_db, use_code, agent):
    use_code("infinity-group-2016")
    received = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)
    for name in ("Carys Jones", "Oscar Smith"):
        ComplaintFactory(customer=CustomerFactory(name=name), received_at=received, now=received,
                         assigned_to=agent)  # fmt: skip
    enforce(now=datetime.datetime(2026, 11, 6, 17, 30, tzinfo=LONDON))
    enforce(now=datetime.datetime(2026, 11, 9, 17, 30, tzinfo=LONDON))
    return agent


def test_the_bell_leads_to_the_alerts_and_mark_all_read_clears_it(
    page, live_url, login, breached, assert_no_serious_axe_violations, screenshot
):
    login(page, live_url, breached)
    page.goto(live_url + "/staff/queue/mine/")
    bell = page.get_by_role("link", name="Alerts 4 unread")
    expect(bell).to_be_visible()

    bell.click()
    expect(page.get_by_role("heading", name="Alerts")).to_be_visible()
    assert_no_serious_axe_violations(page, "staff alerts")
    screenshot(page, "staff-alerts")

    page.get_by_role("button", name="Mark all as read").click()
    expect(page.get_by_role("link", name="Alerts", exact=True)).to_be_visible()


def test_the_admin_simulator_tells_the_story_in_plain_words(
    page, live_url, login, admin_staff, assert_no_serious_axe_violations, screenshot
):
    version = CodeVersion.objects.get(code__slug="sovision-it-2016", number=1)
    login(page, live_url, admin_staff)
    page.goto(live_url + f"/admin/escalation/codeversion/simulate/?version={version.pk}")
    page.get_by_label("Channel").select_option("email")
    page.get_by_label("Received").fill("2026-11-02T10:00")
    page.get_by_label("Events").fill("2026-11-03T10:00=resolution_proposed")
    page.get_by_label("Until").fill("2026-12-01T00:00")
    page.get_by_role("button", name="Show what would happen").click()
    screenshot(page, "admin-simulator")

    expect(
        page.get_by_text("Closed as resolved: the customer did not reply in time")
    ).to_be_visible()
    assert_no_serious_axe_violations(page, "admin simulator")
    screenshot(page, "admin-simulator")

"""A manager's morning at the desk, in the real Chromium: open the dashboard, filter it,
download its figures, work the breach board, and build a case file for the ombudsman.
axe-core checks each new page; screenshots go to artifacts/ for a person to look at.
"""

from __future__ import annotations

import datetime
import hashlib

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import expect

from complaints.models import Attachment, Complaint, RootCause, Status
from tests.factories import ComplaintFactory, CustomerFactory


@pytest.fixture
def desk(transactional_db, agent, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    now = timezone.now()
    made = []
    for n, (channel, days_ago) in enumerate(
        [("email", 9), ("phone", 8), ("letter", 6), ("email", 3), ("web", 1), ("email", 20)]
    ):
        received = now - datetime.timedelta(days=days_ago)
        made.append(
            ComplaintFactory(
                customer=CustomerFactory(name=f"Customer {n}"),
                channel=channel,
                now=received,
                received_at=received,
                category="billing",
            )  # fmt: skip
        )
    cause = RootCause.objects.get(name="Billing error")
    Complaint.objects.filter(pk=made[-1].pk).update(
        status=Status.RESOLVED, resolved_at=now - datetime.timedelta(days=10), next_due_at=None,
        first_response_at=now - datetime.timedelta(days=19), root_cause=cause,
    )  # fmt: skip
    Complaint.objects.filter(pk=made[1].pk).update(assigned_to=agent, tier=1, status="escalated")
    content = b"%PDF-1.4 scan of the bill"
    Attachment.objects.create(
        complaint=made[0], file=ContentFile(content, name="upload"), original_name="bill.pdf",
        content_type="application/pdf", size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )  # fmt: skip
    return made


def test_a_manager_reads_the_dashboard_filters_downloads_and_builds_a_case_file(
    page, live_url, login, manager, agent, desk, assert_no_serious_axe_violations, screenshot
):
    problems: list[str] = []

    def check_axe(name: str) -> None:
        try:
            assert_no_serious_axe_violations(page, name)
        except pytest.fail.Exception as exc:
            problems.append(str(exc))

    login(page, live_url, manager)
    page.get_by_role("link", name="Dashboard", exact=True).click()
    expect(page.get_by_role("heading", name="Dashboard", level=1)).to_be_visible()
    expect(page.locator(".desk-figures")).to_contain_text("6 received in the range")
    check_axe("the dashboard")
    screenshot(page, "desk-dashboard")
    page.screenshot(path="artifacts/desk-dashboard-top.png")

    page.get_by_label("Channel", exact=True).select_option("email")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".desk-figures")).to_contain_text("3 received in the range")
    assert "channel=email" in page.url

    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures (CSV)").click()
    csv_text = open(download.value.path(), encoding="utf-8").read()
    assert csv_text.startswith("section,measure,period,value")
    assert "received,total,,3" in csv_text

    page.get_by_role("link", name="Reports", exact=True).click()
    check_axe("the reports page")
    screenshot(page, "desk-reports")

    page.get_by_role("link", name="Breached", exact=True).click()
    expect(page.get_by_role("heading", name="Breach board")).to_be_visible()
    check_axe("the breach board")
    screenshot(page, "desk-breach-board")
    first = desk[0]
    page.get_by_label(f"Reassign {first.reference} to").select_option(str(agent.pk))
    page.get_by_role("button", name=f"Reassign {first.reference}").click()
    expect(page.locator(".messages")).to_contain_text("Reassigned 1 complaint to")
    assert Complaint.objects.get(pk=first.pk).assigned_to_id == agent.pk

    page.get_by_role("link", name="Escalated & formal").click()
    expect(page.get_by_role("link", name=desk[1].reference)).to_be_visible()
    check_axe("the escalated queue")

    page.get_by_role("link", name="Letters to post").click()
    check_axe("the letters to post")

    page.goto(f"{live_url}/staff/complaints/{first.reference}/")
    expect(page.get_by_role("heading", name="Letters sent")).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the case file (PDF)").click()
    assert open(download.value.path(), "rb").read(4) == b"%PDF"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the attachments (zip)").click()
    assert open(download.value.path(), "rb").read(2) == b"PK"
    page.locator("#letters-heading").scroll_into_view_if_needed()
    screenshot(page, "desk-complaint-case-file")

    if problems:
        pytest.fail("\n".join(problems), pytrace=False)

"""An agent's day in the staff console, driven through the real pages as a person would.

Only the customer (and, for the keyboard test, one complaint in the queue) is made directly;
everything else is typed, ticked and clicked: sign in, log a call resolved on the call, log one
that is not, find it in "My queue", send an update, escalate it. axe-core checks the call form,
the queue and the complaint page; screenshots go to artifacts/ for a person to look at.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from complaints.models import Department, StaffProfile
from escalation.calendar import LONDON
from tests.factories import ComplaintFactory, CustomerFactory

QUEUE_PATH = "/staff/queue/mine/"
CARYS = {
    "name": "Carys Jones",
    "postcode": "BS31 2UG",
    "email": "carys.jones@example.com",
    "phone": "0117 496 0123",
    "account_reference": "ACC314159",
}
FORMAL_TIER = "Formal review: Technical Director or Company Secretary"
# How many Tab presses a page may take before we call its control unreachable by keyboard.
MAX_TABS = 80


@pytest.fixture
def carys(transactional_db):
    return CustomerFactory(**CARYS, nation="ENG")


@pytest.fixture
def technical_agent(agent):
    StaffProfile.objects.create(user=agent, department=Department.TECHNICAL)
    return agent


def fact(page: Page, term: str) -> Locator:
    """The <dd> of a <dt> with exactly this text, in the complaint page's facts."""
    return page.locator(f"dt:text-is('{term}') + dd")


def complaint_reference(page: Page) -> str:
    match = re.search(r"/staff/complaints/([^/]+)/$", page.url)
    assert match, f"not on a complaint page: {page.url}"
    return match.group(1)


def find_and_select(page: Page, query: str) -> None:
    """Step 1 of logging a contact: search, check only the name shows, select Carys."""
    finder = page.get_by_role("search", name="Find a customer")
    finder.get_by_label("Name, account reference, phone number, email address or postcode").fill(
        query
    )
    finder.get_by_role("button", name="Search").click()
    expect(page.get_by_role("heading", name=re.compile(r"1 customer found"))).to_be_visible()
    # The results show the name and the outward postcode only.
    expect(page.get_by_role("cell", name="BS31 ***", exact=True)).to_be_visible()
    page.get_by_role("button", name="Select Carys Jones").click()


def assert_no_contact_details(page: Page) -> None:
    text = page.locator("main").inner_text()
    for secret in (CARYS["email"], CARYS["phone"], CARYS["account_reference"], "2UG"):
        assert secret not in text, f"{secret!r} shown before the identity check passed"


def tab_to(page: Page, target: Locator, limit: int = MAX_TABS) -> int:
    """Press Tab until `target` has the focus; the number of presses it took."""
    for presses in range(1, limit + 1):
        page.keyboard.press("Tab")
        if target.evaluate("el => el === document.activeElement"):
            return presses
    focused = page.evaluate(
        "() => { const el = document.activeElement;"
        " return el ? el.outerHTML.slice(0, 200) : 'nothing'; }"
    )
    pytest.fail(f"{limit} Tab presses never reached {target}; focus ended on {focused}")


def tomorrow_in_london() -> datetime.date:
    return timezone.now().astimezone(LONDON).date() + datetime.timedelta(days=1)


def test_an_agent_logs_two_calls_works_the_queue_updates_and_escalates(
    page, live_url, login, technical_agent, carys, assert_no_serious_axe_violations, screenshot
):
    # axe's findings fail the test at the end, so one run reports every page's problems and
    # still walks (and screenshots) the rest of the day.
    axe_problems: list[str] = []

    def check_axe(name: str) -> None:
        try:
            assert_no_serious_axe_violations(page, name)
        except pytest.fail.Exception as exc:
            axe_problems.append(str(exc))

    # 1. Sign in and land on my queue.
    login(page, live_url, technical_agent)
    assert page.url == f"{live_url}{QUEUE_PATH}"
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    # 2. A call resolved on the call.
    page.get_by_role("link", name="Log a call").click()
    expect(page.get_by_role("heading", name="Log a call", level=1)).to_be_visible()
    find_and_select(page, "bs312ug")
    expect(page.get_by_role("heading", name="Check the caller's identity")).to_be_visible()
    assert_no_contact_details(page)

    page.get_by_role("group", name="Full name", exact=True).get_by_label("Asked").check()
    page.get_by_role("group", name="Full name", exact=True).get_by_label("Passed").check()
    postcode = page.get_by_role("group", name="Postcode of the account address")
    postcode.get_by_label("Asked").check()
    postcode.get_by_label("Passed").check()
    page.get_by_role("button", name="Continue").click()

    # The check passed: now the account is shown.
    expect(page.get_by_role("heading", name="The complaint")).to_be_visible()
    details = page.get_by_label("Customer details")
    expect(details).to_contain_text(CARYS["email"])
    expect(details).to_contain_text(CARYS["account_reference"])

    page.get_by_label("Category").select_option(label="Billing")
    page.get_by_label("Department").select_option(label="Technical support")
    page.get_by_label("Summary", exact=True).fill("Charged twice for October")
    page.get_by_label("What the customer told us").fill(
        "Two direct debits of £32.50 went out in October."
    )
    page.get_by_role("radio", name="Resolved on the call").check()
    page.get_by_label("What was done").fill("Refunded the duplicate £32.50 to her card.")
    page.get_by_role("button", name="Log the complaint").click()

    expect(page.get_by_role("heading", name=re.compile(r"^Complaint RD-"), level=1)).to_be_visible()
    expect(fact(page, "Status")).to_have_text("Resolved")
    expect(page.get_by_role("heading", name="Resolved at first contact")).to_be_visible()
    screenshot(page, "staff-call-resolved")

    # 3. A second call, not resolved: she is still verified, so the form comes straight up.
    page.get_by_role("link", name="Log a call").click()
    find_and_select(page, "Carys")
    expect(page.get_by_role("heading", name="The complaint")).to_be_visible()
    page.get_by_label("Category").select_option(label="Fault repair")
    page.get_by_label("Department").select_option(label="Technical support")
    page.get_by_label("Summary", exact=True).fill("Broadband drops every evening")
    page.get_by_label("What the customer told us").fill(
        "The line drops between 7pm and 10pm most evenings since the engineer visit."
    )
    page.get_by_role("radio", name="Not resolved").check()
    page.get_by_label("The course of action you agreed").fill(
        "We run a line test tonight and email her the result."
    )
    page.get_by_role("group", name="How we agreed to keep in touch").get_by_label(
        "Email", exact=True
    ).check()
    # Noon tomorrow, London time: soVision sets no respond_by on a call, so any near promise
    # is within the code (the server refuses one later than respond_by where there is one).
    promised = tomorrow_in_london()
    page.get_by_label("The timescale you gave the customer").fill(f"{promised:%Y-%m-%d}T12:00")
    check_axe("the call form (complaint step)")
    screenshot(page, "staff-call-form")
    page.get_by_role("button", name="Log the complaint").click()

    expect(fact(page, "Status")).to_have_text("Acknowledged")
    expect(page.get_by_role("heading", name="Clocks", exact=True)).to_be_visible()
    clocks = page.get_by_role("table", name=re.compile("Every clock of the governing code"))
    expect(clocks.get_by_role("rowheader", name=re.compile("^Acknowledge by"))).to_be_visible()
    expect(fact(page, "Promised contact by")).to_have_text(
        f"{promised:%A} {promised.day} {promised:%B %Y} at 12pm"
    )
    reference = complaint_reference(page)

    # 4. My queue lists it, with a due badge.
    page.get_by_role("link", name="My queue").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=reference))
    expect(row).to_have_count(1)
    expect(row.get_by_text(re.compile(r"^(Due today|Due soon|Breached)$"))).to_be_visible()
    expect(row).to_contain_text("Broadband drops every evening")
    check_axe("my queue")
    screenshot(page, "staff-queue")

    # 5. Open it and send an update by email.
    row.get_by_role("link", name=reference).click()
    expect(page.get_by_role("heading", name=f"Complaint {reference}")).to_be_visible()
    update = page.locator("form").filter(has=page.get_by_role("heading", name="Send an update"))
    update.get_by_label("What you told the customer").fill(
        "The line test found a fault at the cabinet; an engineer is booked for Tuesday."
    )
    update.get_by_label("How the update was sent").select_option(label="Email")
    update.get_by_role("button", name="Record the update").click()

    expect(page.get_by_role("status")).to_contain_text("Update recorded.")
    timeline = page.get_by_role("region", name="Timeline")
    expect(timeline.get_by_role("heading", name="Update sent by email")).to_be_visible()
    expect(timeline).to_contain_text("an engineer is booked for Tuesday")
    check_axe("the complaint page")
    screenshot(page, "staff-complaint")

    # 6. Escalate it to soVision's formal tier.
    escalate = page.locator("form").filter(
        has=page.get_by_role("heading", name=f"Escalate to {FORMAL_TIER}")
    )
    escalate.get_by_label("Why the complaint is escalated").fill(
        "She asked for a formal review: third evening outage this week."
    )
    escalate.get_by_role("button", name="Escalate").click()

    expect(page.get_by_role("status")).to_contain_text("Complaint escalated.")
    expect(fact(page, "Status")).to_have_text("Escalated (formal)")
    expect(fact(page, "Tier")).to_have_text(f"{FORMAL_TIER} (formal complaint)")
    expect(fact(page, "Complaints register reference")).to_have_text(re.compile(r"^CR-\d{4}-\d+$"))
    expect(
        page.get_by_role("region", name="Timeline").get_by_role(
            "heading", name=re.compile(f"^Escalated to {FORMAL_TIER}")
        )
    ).to_be_visible()
    screenshot(page, "staff-escalated")

    if axe_problems:
        pytest.fail("\n".join(axe_problems), pytrace=False)


def test_keyboard_alone_opens_a_complaint_from_the_queue_and_reaches_its_first_action(
    page, live_url, login, technical_agent, carys
):
    complaint = ComplaintFactory(
        customer=carys,
        channel="email",
        category="service",
        summary="No dial tone since Monday",
        now=timezone.now(),
        by=technical_agent,
        assigned_to=technical_agent,
    )
    login(page, live_url, technical_agent)
    assert page.url == f"{live_url}{QUEUE_PATH}"

    first_link = page.locator("table tbody tr").first.get_by_role("link")
    expect(first_link).to_have_text(complaint.reference)
    tab_to(page, first_link)
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_url}/staff/complaints/{complaint.reference}/")
    first_action = page.locator("#actions form").first
    first_control = first_action.locator("input:not([type=hidden]), select, textarea, button").first
    expect(first_control).to_be_visible()
    tab_to(page, first_control)
    expect(first_control).to_be_focused()

    # The shortcut: "Go to an action" links jump to the form, and one Tab lands in it.
    page.reload()
    shortcut = page.get_by_role("navigation", name="Actions on this complaint").get_by_role("link")
    tab_to(page, shortcut.first)
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    expect(first_control).to_be_focused()

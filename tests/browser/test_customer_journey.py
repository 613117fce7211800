"""A customer's journey on the public side, driven through the real pages as a person would.

From the home page's "Make a complaint" link: the form sent once with "What went wrong?" left
empty (the error summary takes the focus, links to the field, and nothing typed is lost), then
corrected and sent; the thanks page; the acknowledgement email from the test mailbox and its
follow link; adding information on the follow page; and, once the staff side has proposed a
resolution (a direct service call: the customer's journey is what is under test), rejecting it,
which makes it a formal complaint under soVision's code. axe-core checks the form (empty and
with its error), the thanks page and the follow page; screenshots go to artifacts/.
"""

from __future__ import annotations

import re
import time

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect

from complaints.models import Complaint, Status, TimelineEvent
from complaints.templatetags.redress import instant
from complaints.tokens import follow_token_make
from complaints.workflows.actions import complaint_propose_resolution, complaint_record_findings
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, CustomerFactory

REFERENCE = re.compile(r"RD-[0-9A-Z]{4}-[0-9A-Z]{4}")
FORMAL_TIER = "Formal review: Technical Director or Company Secretary"
DETAILS = (
    "My broadband has dropped every evening since the engineer visit on 12 October.\n"
    "It goes off between 7pm and 10pm and I have restarted the router many times."
)
REMEDY = "Fix the line for good, and refund the days it has not worked."
ADDED = "It dropped again last night at 8:15pm, and twice on Sunday afternoon."
PROPOSAL = "We will credit £15 for the lost days and an engineer will check the cabinet."
REJECTION = "A £15 credit does not cover six weeks without a working line in the evenings."
CUSTOMER = {
    "name": "Carys Jones",
    "email": "carys.jones@example.com",
    "phone": "0117 496 0123",
    "postcode": "BS31 2UG",
    "account": "ACC314159",
}
# The mail outbox fills after the server thread's transaction commits; allow it this long.
MAIL_WAIT_S = 5.0


def _poll_mail(subject_has: str, timeout: float = MAIL_WAIT_S) -> mail.EmailMessage:
    deadline = time.monotonic() + timeout
    while True:
        found = [m for m in mail.outbox if subject_has in m.subject]
        if found:
            return found[-1]
        if time.monotonic() > deadline:
            subjects = [m.subject for m in mail.outbox]
            pytest.fail(f"no email with {subject_has!r} in its subject; the outbox has {subjects}")
        time.sleep(0.1)


def _body_text(message: mail.EmailMessage) -> str:
    return str(message.body)


def fill_the_form(page: Page, *, details: str) -> None:
    """Everything a customer types, found by its label, as they would see it."""
    page.get_by_label("Your full name").fill(CUSTOMER["name"])
    page.get_by_role("group", name="Who are you complaining for?").get_by_label(
        "For myself or my household"
    ).check()
    page.get_by_label("Account number (optional)", exact=True).fill(CUSTOMER["account"])
    page.get_by_label("Email address").fill(CUSTOMER["email"])
    page.get_by_label("Phone number").fill(CUSTOMER["phone"])
    page.get_by_label("Postcode (optional)", exact=True).fill(CUSTOMER["postcode"])
    page.get_by_role("group", name="How should we contact you about your complaint?").get_by_label(
        "Email", exact=True
    ).check()
    page.get_by_role("group", name="What is your complaint about?").get_by_label(
        "A fault, or a repair that has not fixed it"
    ).check()
    page.get_by_label("What went wrong?").fill(details)
    page.get_by_label("What would put it right?").fill(REMEDY)


@pytest.fixture
def staff(transactional_db, agent, manager):
    """An agent to propose the resolution, and a manager to be told (nobody is assigned)."""
    return {"agent": agent, "manager": manager}


def test_a_customer_complains_follows_adds_information_and_rejects_our_proposal(
    page, live_url, settings, staff, assert_no_serious_axe_violations, screenshot
):
    # The emailed follow link must point at the live server, not at http://testserver.
    settings.REDRESS_BASE_URL = live_url
    # axe's findings fail the test at the end, so one run reports every page's problems and
    # still walks (and screenshots) the rest of the journey.
    axe_problems: list[str] = []

    def check_axe(name: str) -> None:
        try:
            assert_no_serious_axe_violations(page, name)
        except pytest.fail.Exception as exc:
            axe_problems.append(str(exc))

    # 1. From the home page to the form.
    page.goto(f"{live_url}/")
    page.get_by_role("link", name="Make a complaint").click()
    expect(page).to_have_url(f"{live_url}/complain/")
    expect(page.get_by_role("heading", name="Make a complaint", level=1)).to_be_visible()
    check_axe("the complaint form (empty)")

    # Everything but "What went wrong?", then send.
    fill_the_form(page, details="")
    page.get_by_role("button", name="Send complaint").click()

    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(summary.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(summary).to_be_focused()
    error_link = summary.get_by_role("link", name="Tell us what went wrong.")
    expect(error_link).to_have_count(1)
    expect(summary.get_by_role("link")).to_have_count(1)  # only the one mistake
    details_box = page.get_by_label("What went wrong?")
    expect(error_link).to_have_attribute("href", f"#{details_box.get_attribute('id')}")
    # The field says what is wrong with it, and says so to a screen reader too.
    expect(page.locator("#id_details_error")).to_contain_text("Tell us what went wrong.")
    expect(details_box).to_have_attribute("aria-describedby", re.compile(r"\bid_details_error\b"))
    # Nothing typed is lost.
    expect(page.get_by_label("Your full name")).to_have_value(CUSTOMER["name"])
    expect(page.get_by_label("Account number (optional)", exact=True)).to_have_value(
        CUSTOMER["account"]
    )
    expect(page.get_by_label("Email address")).to_have_value(CUSTOMER["email"])
    expect(page.get_by_label("Phone number")).to_have_value(CUSTOMER["phone"])
    expect(page.get_by_label("Postcode (optional)", exact=True)).to_have_value(CUSTOMER["postcode"])
    expect(page.get_by_label("What would put it right?")).to_have_value(REMEDY)
    expect(
        page.get_by_role("group", name="What is your complaint about?").get_by_label(
            "A fault, or a repair that has not fixed it"
        )
    ).to_be_checked()
    expect(
        page.get_by_role(
            "group", name="How should we contact you about your complaint?"
        ).get_by_label("Email", exact=True)
    ).to_be_checked()
    check_axe("the complaint form (with an error)")
    screenshot(page, "customer-form-error")

    # The link takes the customer to the field; fix it and send again.
    error_link.click()
    expect(details_box).to_be_focused()
    details_box.fill(DETAILS)
    page.get_by_role("button", name="Send complaint").click()

    # 2. The thanks page: the reference and when we will respond.
    expect(page.get_by_role("heading", name="Complaint received", level=1)).to_be_visible()
    expect(page).to_have_url(f"{live_url}/complain/thanks/")
    shown = page.locator(".reference").inner_text().strip()
    assert REFERENCE.fullmatch(shown), f"not a complaint reference: {shown!r}"
    complaint = Complaint.objects.select_related("customer").get(reference=shown)
    assert complaint.customer.email == CUSTOMER["email"]
    assert complaint.summary.startswith("My broadband has dropped every evening")
    # soVision: the automatic acknowledgement email, once delivered, is the acknowledgement.
    assert complaint.status == Status.ACKNOWLEDGED and complaint.acknowledged_at is not None
    assert complaint.respond_by is not None, "soVision's web window sets a respond-by clock"
    main = page.locator("main")
    respond_by = instant(complaint.respond_by)  # e.g. "Wednesday 25 November 2026 at 5pm"
    expect(main).to_contain_text(f"We will reply to you by {respond_by}.")
    expect(main).to_contain_text(CUSTOMER["email"])
    check_axe("the thanks page")
    screenshot(page, "customer-thanks")

    # 3. The acknowledgement email: the reference, and a follow link to this site.
    email = _poll_mail(shown)
    assert email.to == [CUSTOMER["email"]]
    body = _body_text(email)
    assert shown in body
    assert f"We will respond by {respond_by}." in body
    links = re.findall(rf"{re.escape(live_url)}/follow/\S+", body)
    assert links, f"no follow link to {live_url} in the email:\n{body}"
    follow_url = links[0]
    assert f"/follow/{shown}/" in follow_url

    # 4. The follow page: status, what we promised, the ombudsman.
    page.goto(follow_url)
    expect(page.get_by_role("heading", name=f"Your complaint {shown}", level=1)).to_be_visible()
    status = page.get_by_role("region", name="Where your complaint is")
    expect(status).to_contain_text("Status: Acknowledged")  # the delivered email acknowledged it
    promised = page.get_by_role("region", name="What we promised")
    expect(promised).to_contain_text(f"We said we would respond by {respond_by}.")
    adr = page.get_by_role("region", name="Going to the ombudsman")
    expect(adr).to_contain_text(complaint.code_version.adr_scheme_name)
    expect(adr).to_contain_text(re.compile(r"You can take your complaint to .+ from "))
    timeline = page.get_by_role("region", name="What has happened")
    expect(timeline.get_by_role("heading", name="We received your complaint")).to_be_visible()
    check_axe("the follow page")
    screenshot(page, "customer-follow")

    # Add information.
    add = page.locator("#act-customer_add_information")
    add.get_by_label("What would you like to add?").fill(ADDED)
    add.get_by_role("button", name="Send to us").click()
    expect(page.get_by_role("status")).to_contain_text(
        "Thank you: we have added this to your complaint"
    )
    timeline = page.get_by_role("region", name="What has happened")
    expect(timeline.get_by_role("heading", name="You added information")).to_be_visible()
    expect(timeline).to_contain_text(ADDED)

    # 5. The staff side proposes a resolution.
    complaint_propose_resolution(
        complaint_id=complaint.pk,
        by=staff["agent"],
        now=timezone.now(),
        expected_version=None,
        body=PROPOSAL,
    )
    page.reload()
    status = page.get_by_role("region", name="Where your complaint is")
    expect(status).to_contain_text("Status: Waiting for your reply")
    expect(status).to_contain_text(PROPOSAL)
    actions = page.get_by_role("region", name="What you can do")
    expect(actions.get_by_role("button", name="Accept the resolution")).to_be_visible()
    reject = page.locator("#act-customer_reject")
    expect(reject.get_by_role("button", name="Reject the resolution")).to_be_visible()
    expect(reject).to_contain_text(f"a senior manager will review it ({FORMAL_TIER})")
    check_axe("the follow page (a resolution proposed)")

    reject.get_by_label("Why does our proposed resolution not put things right?").fill(REJECTION)
    reject.get_by_role("button", name="Reject the resolution").click()
    expect(page.get_by_role("status")).to_contain_text(
        "We have recorded that you rejected our proposed resolution"
    )
    status = page.get_by_role("region", name="Where your complaint is")
    expect(status).to_contain_text("Status: With a senior manager")
    expect(status).to_contain_text(
        f"Your complaint has been escalated to {FORMAL_TIER} as a formal complaint."
    )
    expect(status).to_contain_text(re.compile(r"Your complaints register reference is CR-\d{4}-"))
    timeline = page.get_by_role("region", name="What has happened")
    expect(timeline.get_by_role("heading", name="You rejected the resolution")).to_be_visible()
    expect(timeline).to_contain_text(REJECTION)
    expect(
        timeline.get_by_role("heading", name=re.compile(f"^Escalated to {re.escape(FORMAL_TIER)}"))
    ).to_be_visible()
    screenshot(page, "customer-rejected")

    # In the database: a formal complaint at tier 1 with a register reference...
    complaint.refresh_from_db()
    assert complaint.status == Status.ESCALATED
    assert complaint.tier == 1
    assert re.fullmatch(r"CR-\d{4}-\d+", complaint.register_reference)
    assert complaint.events.filter(
        kind=TimelineEvent.Kind.RESOLUTION, summary="The customer rejected the resolution"
    ).exists()
    # ...and the people handling it were told, through the outbox: nobody was assigned to a
    # web complaint, so the managers.
    told = OutboxMessage.objects.filter(
        complaint=complaint,
        template="staff_customer_action",
        context__what="rejected the proposed resolution",
    )
    assert {m.recipient for m in told} == {staff["manager"].email}
    assert OutboxMessage.objects.filter(
        complaint=complaint,
        template="staff_customer_action",
        context__what="added information to their complaint",
        recipient=staff["manager"].email,
    ).exists()

    if axe_problems:
        pytest.fail("\n".join(axe_problems), pytrace=False)


SECRET = "PINEAPPLE-7731"


def test_an_internal_staff_note_never_reaches_the_follow_page(page, live_url, agent):
    customer = CustomerFactory(name="Oscar Smith", email="oscar@example.com", nation="ENG")
    complaint = ComplaintFactory(
        customer=customer, channel="web", category="billing", summary="Charged twice",
        now=timezone.now(),
    )  # fmt: skip
    complaint_record_findings(
        complaint_id=complaint.pk,
        by=agent,
        now=timezone.now(),
        expected_version=None,
        body=f"Internal only: the customer's account is flagged {SECRET} by the fraud team.",
        kind=TimelineEvent.Kind.NOTE,
    )
    assert complaint.events.filter(body__contains=SECRET).exists()

    path = reverse("complaints:follow", args=[complaint.reference, follow_token_make(complaint)])
    page.goto(f"{live_url}{path}")

    expect(
        page.get_by_role("heading", name=f"Your complaint {complaint.reference}")
    ).to_be_visible()
    timeline = page.get_by_role("region", name="What has happened")
    expect(timeline.get_by_role("heading", name="We received your complaint")).to_be_visible()
    assert SECRET not in page.content()
    assert "Internal note" not in page.locator("main").inner_text()

"""ADR letters when Ofcom requires them (complaints/workflows/adr_letters.py): at deadlock and
at the ADR period, per code version (unprompted, on request, or queued for a manager), with an
explicit reason, one letter only, and none for customers the scheme cannot help.

Deadlock here is the customer rejecting the final position taken at the code's last tier.
Unless a test says otherwise complaints are email complaints logged Monday 2 November 2026
at 10:00; the final position is given on Monday 9 November and rejected on Monday 16 November.
"""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest

from complaints.models import Complaint, Letter, Status, TimelineEvent
from complaints.workflows import actions, letters
from complaints.workflows.adr_letters import adr_letter_approve
from complaints.workflows.customer_actions import (
    customer_reject_resolution,
    customer_request_deadlock,
)
from escalation.calendar import LONDON
from escalation.models import CodeVersion
from escalation.sweeps import complaints_adr_period_sweep
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db

FINAL_AT = datetime.datetime(2026, 11, 9, 11, 0, tzinfo=LONDON)
REJECTED_AT = datetime.datetime(2026, 11, 16, 10, 0, tzinfo=LONDON)
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def customer(db):
    return CustomerFactory(
        name="Carys Jones", email="carys@example.com", address="12 Harbour Road\nBristol",
        postcode="BS1 4QA",
    )  # fmt: skip


def pdf_text(letter: Letter) -> str:
    out = subprocess.run(
        ["pdftotext", letter.pdf.path, "-"], capture_output=True, check=True, text=True
    )
    return " ".join(out.stdout.split())


def final_position_at_last_tier(complaint: Complaint, manager) -> Complaint:
    """Escalate to the code's last tier, where whatever we propose is our final position."""
    tiers = complaint.code_version.tiers.count()
    for n in range(tiers - 1):
        actions.complaint_escalate(
            complaint_id=complaint.pk, by=manager, now=FINAL_AT - datetime.timedelta(hours=n + 1),
            expected_version=None, reason="The customer is still unhappy.",
        )  # fmt: skip
    return actions.complaint_propose_resolution(
        complaint_id=complaint.pk, by=manager, now=FINAL_AT, expected_version=None,
        body="We have credited £20. We cannot offer more.",
    )  # fmt: skip


def reject(complaint: Complaint, capture) -> Complaint:
    with capture(execute=True):
        return customer_reject_resolution(
            complaint_id=complaint.pk, now=REJECTED_AT, body="£20 is not enough."
        )


def deadlocked(slug, use_code, customer, manager, capture, *, approval=False) -> Complaint:
    use_code(slug)
    if approval:
        CodeVersion.objects.filter(code__slug=slug).update(adr_letter_needs_approval=True)
    complaint = ComplaintFactory(customer=customer, summary="Broadband drops every evening")
    final_position_at_last_tier(complaint, manager)
    return reject(complaint, capture)


def test_infinity_writes_the_adr_letter_unprompted_at_deadlock(
    use_code, customer, manager, django_capture_on_commit_callbacks
):
    """Infinity: "If we cannot resolve the problem, then we will write to you to say so." """
    done = deadlocked("infinity-group-2016", use_code, customer, manager,
                      django_capture_on_commit_callbacks)  # fmt: skip
    assert done.status == Status.DEADLOCK
    letter = Letter.objects.get(complaint=done)
    assert (letter.kind, letter.reason, letter.state) == ("adr", "deadlock", Letter.State.READY)
    assert (done.letter_date, done.letter_reason) == (datetime.date(2026, 11, 16), "deadlock")
    # "can only be accessed once 8 weeks have passed": the letter says so, and the clock agrees.
    assert done.adr_eligible_from == datetime.date(2026, 12, 28)
    text = pdf_text(letter)
    assert "you can go to it from Monday 28 December 2026, 8 weeks after" in text
    assert "by Sunday 16 May 2027" in text  # 6 months of our writing


def test_ofcom_2026_writes_the_adr_letter_unprompted_at_deadlock_and_opens_adr_at_once(
    use_code, customer, manager, django_capture_on_commit_callbacks
):
    """Ofcom: the ADR letter is sent unprompted at deadlock, and gives access to ADR at once."""
    done = deadlocked("ofcom-2026", use_code, customer, manager,
                      django_capture_on_commit_callbacks)  # fmt: skip
    letter = Letter.objects.get(complaint=done)
    assert (letter.kind, letter.reason) == ("adr", "deadlock")
    assert done.adr_eligible_from == datetime.date(2026, 11, 16)
    assert done.adr_refer_by == datetime.date(2027, 11, 16)
    text = pdf_text(letter)
    assert "You can go to it now" in text
    assert "by Tuesday 16 November 2027" in text


def test_sovision_waits_to_be_asked_for_the_deadlock_letter_and_says_so(
    customer, manager, django_capture_on_commit_callbacks
):
    """soVision: "You should ask us to provide you with a 'deadlock' letter if we have
    intimated that we are unable to deal with your complaint further." """
    complaint = ComplaintFactory(customer=customer)
    final_position_at_last_tier(complaint, manager)
    done = reject(complaint, django_capture_on_commit_callbacks)
    assert done.status == Status.FINAL_RESPONSE
    assert not Letter.objects.filter(complaint=done).exists()
    told = done.events.get(data__deadlock="on_request")
    assert told.visibility == TimelineEvent.Visibility.CUSTOMER
    assert "you can ask us for a deadlock letter" in told.summary
    # and by email, the method agreed with them
    emailed = OutboxMessage.objects.get(complaint=done, template="customer_update",
                                        idempotency_key__contains=":deadlock:")  # fmt: skip
    assert "you can ask us for a deadlock letter" in emailed.context["summary"]


def test_sovision_asked_for_letter_starts_a_managers_clock_that_the_letter_meets(
    customer, manager, django_capture_on_commit_callbacks
):
    """soVision: "You should ask us to provide you with a 'deadlock' letter" — once asked, a
    manager has 2 working days (the seed is silent about how long)."""
    complaint = ComplaintFactory(customer=customer)
    final_position_at_last_tier(complaint, manager)
    reject(complaint, django_capture_on_commit_callbacks)
    asked = customer_request_deadlock(complaint_id=complaint.pk, now=REJECTED_AT)
    due = datetime.datetime(2026, 11, 18, 17, 0, tzinfo=LONDON)
    assert (asked.adr_letter_due_by, asked.next_due_clock, asked.next_due_at) == (
        due, "adr_letter_due_by", due,
    )  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        done = actions.complaint_issue_deadlock(
            complaint_id=complaint.pk, by=manager, now=REJECTED_AT + datetime.timedelta(days=1),
            expected_version=None, body="We cannot offer more than the £20 credit.",
        )  # fmt: skip
    assert done.adr_letter_issued_at == REJECTED_AT + datetime.timedelta(days=1)
    assert done.next_due_at is None
    letter = Letter.objects.get(complaint=done)
    assert (letter.kind, letter.reason) == ("deadlock", "deadlock")


def test_a_queued_letter_waits_for_a_manager_with_a_due_clock_then_is_sent(
    use_code, customer, manager, django_capture_on_commit_callbacks
):
    """Per code version: an ADR letter is sent at once, or queued for a manager's approval with
    a due clock that gets reminders and breaches like any other."""
    done = deadlocked("ofcom-2026", use_code, customer, manager,
                      django_capture_on_commit_callbacks, approval=True)  # fmt: skip
    letter = Letter.objects.get(complaint=done)
    assert (letter.state, letter.reason) == (Letter.State.AWAITING_APPROVAL, "deadlock")
    assert done.status == Status.FINAL_RESPONSE and done.letter_date is None
    assert done.next_due_clock == "adr_letter_due_by"
    assert done.adr_letter_due_by == datetime.datetime(2026, 11, 18, 17, 30, tzinfo=LONDON)

    approved_at = REJECTED_AT + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        adr_letter_approve(letter_id=letter.pk, by=manager, now=approved_at)
    letter.refresh_from_db()
    done.refresh_from_db()
    assert (letter.state, letter.dated, letter.issued_by) == (
        Letter.State.READY, datetime.date(2026, 11, 17), manager,
    )  # fmt: skip
    assert (done.status, done.letter_date, done.adr_letter_issued_at) == (
        Status.DEADLOCK, datetime.date(2026, 11, 17), approved_at,
    )  # fmt: skip
    assert done.next_due_at is None


def test_a_customer_the_scheme_cannot_help_gets_no_adr_letter_and_is_told_why(
    use_code, manager, django_capture_on_commit_callbacks
):
    """Infinity: "Ombudsman Services: Communications do not deal with pricing complaints" """
    use_code("infinity-group-2016")
    complaint = ComplaintFactory(customer=CustomerFactory(), category="pricing")
    final_position_at_last_tier(complaint, manager)
    done = reject(complaint, django_capture_on_commit_callbacks)
    assert not Letter.objects.filter(complaint=done).exists()
    told = done.events.get(data__deadlock="none")
    assert told.visibility == TimelineEvent.Visibility.CUSTOMER
    assert "The ombudsman cannot look at it" in told.summary
    assert "pricing" in told.summary


def test_no_second_letter_at_the_period_after_the_letter_at_deadlock(
    use_code, customer, manager, django_capture_on_commit_callbacks
):
    """One letter is enough if the deadlock letter came first."""
    done = deadlocked("infinity-group-2016", use_code, customer, manager,
                      django_capture_on_commit_callbacks)  # fmt: skip
    Complaint.objects.filter(pk=done.pk).update(status=Status.FINAL_RESPONSE)  # still open
    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=datetime.datetime(2026, 12, 29, 9, 0, tzinfo=LONDON))
    assert Letter.objects.filter(complaint=done).count() == 1


def test_the_period_letter_under_infinity_keeps_the_nine_months(
    use_code, customer, django_capture_on_commit_callbacks
):
    """Infinity is silent about a letter at 8 weeks (Ofcom's rule fills the gap), and says "In
    the unlikely case of our not having written to you, you will have up to 9 months" """
    use_code("infinity-group-2016")
    complaint = ComplaintFactory(customer=customer)
    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=datetime.datetime(2026, 12, 28, 9, 0, tzinfo=LONDON))
    complaint.refresh_from_db()
    letter = Letter.objects.get(complaint=complaint)
    assert (letter.kind, letter.reason) == ("adr", "adr_period")
    assert complaint.adr_refer_by == datetime.date(2027, 8, 2)
    text = pdf_text(letter)
    assert "by Monday 2 August 2027" in text
    assert "within 6 months" not in text


# --- what each letter says (its PDF), and how it looks -------------------------------------


def png(letter: Letter, name: str) -> Path:
    """Page one of the letter as a PNG under artifacts/, for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    stem = ARTIFACTS / name
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                    letter.pdf.path, str(stem)], check=True)  # fmt: skip
    return stem.with_suffix(".png")


def test_the_adr_period_letter_follows_the_schemes_best_practice_guide(
    customer, agent, django_capture_on_commit_callbacks
):
    """soVision: "OSComs can review your complaint independently … This service is free to you
    … You are not obliged to accept any decision made by OSComs" — and the scheme's guide:
    name, complaint details, our position, the owner, full contact details, exact date."""
    complaint = ComplaintFactory(customer=customer, summary="Broadband drops every evening",
                                 assigned_to=agent)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=datetime.datetime(2026, 12, 28, 9, 0, tzinfo=LONDON))
    letter = Letter.objects.get(complaint=complaint)
    text = pdf_text(letter)
    for words in (
        "Dear Carys Jones",
        complaint.reference,
        "Broadband drops every evening",
        "First made 2 November 2026, email",
        "We have not yet been able to resolve your complaint",
        f"Dealt with by {agent.get_full_name()}",
        "independent alternative dispute resolution",
        "free of charge",
        "You do not have to accept its decision",
        "Ombudsman Services: Communications",
        "PO Box 730, Warrington, WA4 6WU",
        "0330 440 1614",
        "enquiries@os-communications.org",
        "http://www.ombudsman-services.org/communications.html",
        "by Monday 2 August 2027",
    ):
        assert words in text, words
    assert png(letter, "letter-adr-period").exists()


def test_the_adr_letter_at_deadlock_gives_our_final_position(
    use_code, customer, manager, django_capture_on_commit_callbacks
):
    done = deadlocked("infinity-group-2016", use_code, customer, manager,
                      django_capture_on_commit_callbacks)  # fmt: skip
    letter = Letter.objects.get(complaint=done)
    text = pdf_text(letter)
    assert "Our final position: you can take your complaint to" in text
    assert "we will not review it further" in text
    assert f"Dealt with by {manager.get_full_name()}" in text
    assert "Infinity Technology Solutions Ltd" in text
    assert png(letter, "letter-adr-deadlock").exists()


def test_the_managers_deadlock_letter_under_sovision_opens_adr_at_once(
    customer, manager, django_capture_on_commit_callbacks
):
    """soVision: "This confirms that we agree that you may refer your complaint to our ADR
    scheme." """
    complaint = ComplaintFactory(customer=customer, assigned_to=manager)
    with django_capture_on_commit_callbacks(execute=True):
        actions.complaint_issue_deadlock(complaint_id=complaint.pk, by=manager, now=REJECTED_AT,
                                         expected_version=None,
                                         body="We cannot offer more than the £20 credit.")  # fmt: skip
    letter = Letter.objects.get(complaint=complaint)
    text = pdf_text(letter)
    assert "You can contact it now." in text
    assert "by Sunday 16 May 2027" in text
    assert png(letter, "letter-deadlock").exists()


def test_a_customer_who_needs_large_print_gets_a_large_print_letter(
    agent, django_capture_on_commit_callbacks
):
    """Alternative formats: a customer with a large-print need gets letters in large print, and
    staff posting it are told."""
    customer = CustomerFactory(name="Carys Jones", email="", address="12 Harbour Road\nBristol",
                               vulnerability_flags=["large_print"])  # fmt: skip
    complaint = ComplaintFactory(customer=customer, assigned_to=agent)
    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=datetime.datetime(2026, 12, 28, 9, 0, tzinfo=LONDON))
    letter = Letter.objects.get(complaint=complaint)
    assert letter.large_print and letter.context["large_print"]
    html = letters.letter_html(letter.context)
    assert 'class="large-print"' in html
    post = complaint.events.get(data__task="post")
    assert "in large print" in post.summary
    assert png(letter, "letter-large-print").exists()


def test_a_queued_adr_period_letter_is_sent_once_a_manager_approves_it(
    customer, manager, django_capture_on_commit_callbacks
):
    """The ADR period passes unresolved under a version that queues each letter: the letter
    waits for a manager, with its due clock, and the complaint stays where it is."""
    CodeVersion.objects.filter(code__slug="sovision-it-2016").update(adr_letter_needs_approval=True)
    complaint = ComplaintFactory(customer=customer)
    sweep_at = datetime.datetime(2026, 12, 28, 9, 0, tzinfo=LONDON)
    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=sweep_at)
    queued = Letter.objects.get(complaint=complaint)
    complaint.refresh_from_db()
    assert (queued.state, queued.reason) == (Letter.State.AWAITING_APPROVAL, "adr_period")
    assert complaint.letter_date is None
    # Monday 28 December 2026 is a bank holiday (for Boxing Day): 2 working days from the 29th.
    assert complaint.adr_letter_due_by == datetime.datetime(2026, 12, 31, 17, 0, tzinfo=LONDON)

    with django_capture_on_commit_callbacks(execute=True):
        adr_letter_approve(letter_id=queued.pk, by=manager, now=sweep_at)
    queued.refresh_from_db()
    complaint.refresh_from_db()
    assert queued.state == Letter.State.READY
    assert (complaint.letter_date, complaint.letter_reason) == (sweep_at.date(), "adr_period")
    assert complaint.status != Status.DEADLOCK
    assert complaint.next_due_clock != "adr_letter_due_by"


def test_a_larger_business_gets_no_adr_letter_at_the_period_and_is_told_why(
    django_capture_on_commit_callbacks,
):
    """soVision: "and you are a consumer or small business employing less than 10 employees,
    you will be able to contact an independent arbitrator" """
    business = CustomerFactory(business=True, employee_count=10, name="Bristol Widgets Ltd")
    complaint = ComplaintFactory(customer=business)
    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=datetime.datetime(2026, 12, 29, 9, 0, tzinfo=LONDON))
    assert not Letter.objects.filter(complaint=complaint).exists()
    told = complaint.events.get(dedupe_key="adr_period_reached")
    assert told.visibility == TimelineEvent.Visibility.CUSTOMER
    assert "not eligible for ADR" in told.summary and "fewer than 10" in told.summary

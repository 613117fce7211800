"""Deadlock and ADR letters (complaints/letters.py): issued with the business transaction,
rendered to PDF after commit, kept with their hash, emailed, and downloaded only by the
customer they were sent to (follow link or portal account) and by staff.

Unless a test says otherwise: a soVision email complaint logged Monday 2 November 2026 at
10:00, deadlocked by a manager on Monday 30 November 2026 at 15:00, so the letter is dated
30 November 2026 and the customer must refer to Ombudsman Services: Communications within
6 months: by Sunday 30 May 2027.
"""

from __future__ import annotations

import datetime
import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, Customer, Letter, TimelineEvent
from complaints.tokens import follow_token_make
from complaints.workflows import actions, letters
from complaints.workflows.letters import letter_issue, letter_render, letters_render_stale
from escalation.calendar import LONDON
from escalation.models import CodeVersion
from escalation.sweeps import complaints_adr_period_sweep
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

DEADLOCK_AT = datetime.datetime(2026, 11, 30, 15, 0, tzinfo=LONDON)
FINAL_POSITION = (
    "Our engineer tested your line on 12 November and found the fault in your home wiring, "
    "which your contract does not cover.\n\nWe have credited £20 to your account for the time "
    "it took us to find this. We cannot offer more."
)
# Monday 14 September 2026, 10:00: an ofcom-2026 complaint made then reaches its 6-week ADR
# period on Monday 26 October, so the sweep on 2 November writes the ADR letter.
SEVEN_WEEKS_EARLIER = datetime.datetime(2026, 9, 14, 10, 0, tzinfo=LONDON)
ARTIFACTS = Path(__file__).resolve().parents[3] / "artifacts"


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def customer(db) -> Customer:
    return CustomerFactory(
        name="Carys Jones",
        email="carys@example.com",
        address="Flat 3\n12 Harbour Road\nBristol",
        postcode="BS1 4QA",
    )


@pytest.fixture
def complaint(customer, now) -> Complaint:
    return ComplaintFactory(customer=customer, now=now, summary="Broadband drops every evening")


@pytest.fixture
def other_complaint(other_customer, now) -> Complaint:
    return ComplaintFactory(customer=other_customer, now=now)


def deadlock(complaint: Complaint, manager, capture, *, render: bool = True) -> Letter:
    """The manager issues the deadlock letter; with render, the after-commit work runs too."""
    with capture(execute=render):
        actions.complaint_issue_deadlock(
            complaint_id=complaint.pk, by=manager, now=DEADLOCK_AT, expected_version=None,
            body=FINAL_POSITION,
        )  # fmt: skip
    return Letter.objects.get(complaint=complaint, kind=Letter.Kind.DEADLOCK)


def pdf_text(path: str | Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)
    return " ".join(out.stdout.split())


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in media.rglob("*.pdf"))


# --- issuing -------------------------------------------------------------------------------


def test_deadlock_records_a_pending_letter_with_everything_it_prints(
    complaint, manager, django_capture_on_commit_callbacks
):
    # When the manager issues the deadlock letter (nothing after commit has run yet)
    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks, render=False)

    # Then a pending letter exists, dated today, with a full snapshot of what it will say
    assert (letter.state, letter.dated, letter.issued_by) == (
        Letter.State.PENDING, datetime.date(2026, 11, 30), manager,
    )  # fmt: skip
    assert letter.body == FINAL_POSITION and not letter.pdf
    ctx = letter.context
    assert ctx["reference"] == complaint.reference
    assert ctx["customer"]["name"] == "Carys Jones"
    assert ctx["customer"]["address"] == ["Flat 3", "12 Harbour Road", "Bristol", "BS1 4QA"]
    assert ctx["company"]["name"] == "soVision IT Ltd"
    assert "10714018" in ctx["company"]["registration"]
    assert ctx["scheme"]["name"] == "Ombudsman Services: Communications"
    assert ctx["scheme"]["phone"] == "0330 440 1614"
    assert (ctx["refer_by_months"], ctx["refer_by"]) == (6, "2027-05-30")
    assert ctx["adr_eligible"] is True
    assert ctx["first_made"] == "2026-11-02"


def test_the_letter_agrees_with_the_complaint_clock(
    complaint, manager, django_capture_on_commit_callbacks
):
    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks, render=False)
    complaint.refresh_from_db()
    assert letter.context["refer_by"] == complaint.adr_refer_by.isoformat()
    assert letter.dated == complaint.letter_date


def test_a_refused_deadlock_leaves_no_letter(complaint, agent, django_capture_on_commit_callbacks):
    with pytest.raises(actions.TransitionRefused):
        deadlock(complaint, agent, django_capture_on_commit_callbacks)
    assert not Letter.objects.exists()


def test_the_same_letter_cannot_be_issued_twice_on_one_day(complaint, manager):
    complaint = Complaint.objects.select_related("customer", "code_version").get(pk=complaint.pk)
    with transaction.atomic():
        letter_issue(complaint=complaint, kind="deadlock", body="x", by=manager, now=DEADLOCK_AT)
    with pytest.raises(ValidationError, match="already issued"):
        letter_issue(complaint=complaint, kind="deadlock", body="y", by=manager, now=DEADLOCK_AT)
    assert Letter.objects.count() == 1


# --- rendering and sending -----------------------------------------------------------------


def test_after_commit_the_letter_is_rendered_hashed_and_emailed_with_the_pdf(
    complaint, manager, media, mailoutbox, django_capture_on_commit_callbacks
):
    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks)

    letter.refresh_from_db()
    assert letter.state == Letter.State.READY and letter.rendered_at is not None
    assert letter.pdf.name.startswith(f"letters/{complaint.pk}/")
    data = (media / letter.pdf.name).read_bytes()
    assert data.startswith(b"%PDF-")
    assert letter.sha256 == hashlib.sha256(data).hexdigest()

    message = OutboxMessage.objects.get(template="letter_sent", complaint=complaint)
    assert message.state == OutboxMessage.State.SENT
    assert message.idempotency_key == f"letter:{letter.pk}:sent"
    (email,) = [m for m in mailoutbox if "deadlock letter" in m.subject]
    assert email.to == ["carys@example.com"]
    (attachment,) = email.attachments
    assert attachment[0] == f"{complaint.reference}-deadlock-letter-2026-11-30.pdf"
    assert attachment[2] == "application/pdf"
    assert hashlib.sha256(attachment[1]).hexdigest() == letter.sha256
    assert "Sunday 30 May 2027" in email.body


def test_the_customer_sees_that_the_letter_was_sent(
    complaint, manager, django_capture_on_commit_callbacks
):
    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks)

    event = complaint.events.get(dedupe_key=f"letter:{letter.pk}:ready")
    assert (event.kind, event.visibility, event.summary) == (
        TimelineEvent.Kind.LETTER, TimelineEvent.Visibility.CUSTOMER, "Deadlock letter sent (PDF)",
    )  # fmt: skip
    assert event.data["letter_id"] == letter.pk and event.data["emailed"] is True


def test_the_pdf_says_what_the_code_of_practice_requires(
    complaint, manager, media, django_capture_on_commit_callbacks
):
    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks)

    text = pdf_text(media / letter.pdf.name)
    assert complaint.reference in text
    assert "Carys Jones" in text and "BS1 4QA" in text
    assert "unable to resolve your complaint further" in text
    assert "you may refer your complaint to Ombudsman Services: Communications" in text
    assert "within 6 months of the date of this letter" in text
    assert "Sunday 30 May 2027" in text
    assert "free of charge" in text
    assert "You do not have to accept its decision" in text
    assert "0330 440 1614" in text and "enquiries@os-communications.org" in text
    assert "We have credited £20 to your account" in text
    assert "Company registered in England No 10714018" in text
    assert "Page 1 of" in text


def test_an_ineligible_customer_is_told_the_scheme_may_not_take_the_case(
    business_customer, manager, now, media, django_capture_on_commit_callbacks
):
    complaint = ComplaintFactory(customer=business_customer, now=now)
    assert not complaint.adr_eligible

    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks)

    text = pdf_text(media / letter.pdf.name)
    assert "may not be able to look at yours" in text
    assert complaint.adr_ineligible_reason.split()[0] in text


def test_the_adr_letter_tells_the_customer_they_can_go_now_with_12_months(
    customer, now, use_code, media, django_capture_on_commit_callbacks
):
    # Given an ofcom-2026 complaint whose 6-week ADR period has passed
    use_code("ofcom-2026")
    complaint = ComplaintFactory(customer=customer, now=SEVEN_WEEKS_EARLIER)
    assert complaint.adr_eligible_from == datetime.date(2026, 10, 26)

    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=now)

    letter = Letter.objects.get(complaint=complaint, kind=Letter.Kind.ADR)
    text = pdf_text(media / letter.pdf.name)
    assert complaint.reference in text
    assert "you can now go to Communications Ombudsman" in text
    assert "We have not been able to resolve it within 6 weeks" in text
    assert "You can go to it now" in text
    assert "within 12 months of the date of this letter" in text
    assert "Tuesday 2 November 2027" in text
    assert complaint.events.filter(summary="ADR letter sent (PDF)").exists()


def test_a_customer_without_email_gets_a_letter_for_staff_to_post(
    manager, now, django_capture_on_commit_callbacks
):
    complaint = ComplaintFactory(customer=CustomerFactory(email="", preferred_contact="letter"))

    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks)

    letter.refresh_from_db()
    assert letter.state == Letter.State.READY
    assert not OutboxMessage.objects.filter(template="letter_sent").exists()
    assert complaint.events.filter(summary="Deadlock letter ready to post (PDF)").exists()
    note = complaint.events.get(dedupe_key=f"letter:{letter.pk}:post")
    assert note.visibility == TimelineEvent.Visibility.INTERNAL


def test_rendering_twice_keeps_one_file_and_one_email(
    complaint, manager, media, django_capture_on_commit_callbacks
):
    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks)
    letter.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        assert letter_render(letter.pk) is None

    again = Letter.objects.get(pk=letter.pk)
    assert (again.pdf.name, again.sha256, again.rendered_at) == (
        letter.pdf.name, letter.sha256, letter.rendered_at,
    )  # fmt: skip
    assert stored_files(media) == [media / letter.pdf.name]
    assert OutboxMessage.objects.filter(template="letter_sent").count() == 1


def test_a_worker_does_not_render_a_letter_another_worker_has_claimed(
    complaint, manager, media, django_capture_on_commit_callbacks
):
    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks, render=False)
    # Another worker claimed it a minute ago and is still rendering.
    Letter.objects.filter(pk=letter.pk).update(
        rendered_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    assert letter_render(letter.pk) is None

    assert Letter.objects.get(pk=letter.pk).state == Letter.State.PENDING
    assert stored_files(media) == []


def test_a_claim_that_lost_the_race_leaves_no_file(complaint, manager, media, monkeypatch):
    # Given the first worker's claim expires while it renders and a second one finishes first
    with transaction.atomic():
        letter = letter_issue(
            complaint=Complaint.objects.select_related("customer", "code_version").get(
                pk=complaint.pk
            ),
            kind="deadlock", body=FINAL_POSITION, by=manager, now=DEADLOCK_AT,
        )  # fmt: skip
    real_pdf = letters.letter_pdf
    overtaken = []

    def slow_pdf(snapshot):
        if not overtaken:  # the first worker, overtaken mid-render by a second one
            overtaken.append(True)
            later = timezone.now() + letters.RENDER_LEASE + datetime.timedelta(seconds=1)
            assert letter_render(letter.pk, now=later) is not None
        return real_pdf(snapshot)

    monkeypatch.setattr(letters, "letter_pdf", slow_pdf)

    # When the first worker comes back
    assert letter_render(letter.pk) is None

    # Then only the second worker's file and hash are kept
    kept = Letter.objects.get(pk=letter.pk)
    assert kept.state == Letter.State.READY
    assert stored_files(media) == [media / kept.pdf.name]


def test_a_render_failure_is_recorded_and_the_stale_sweep_retries_it(
    complaint, manager, media, monkeypatch, django_capture_on_commit_callbacks
):
    # Given rendering fails (a broken template, a full disk…)
    def broken(snapshot):
        raise OSError("No space left on device")

    monkeypatch.setattr(letters, "letter_pdf", broken)
    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks)

    letter.refresh_from_db()
    assert letter.state == Letter.State.FAILED
    assert letter.error == "OSError: No space left on device"
    assert not letter.pdf and stored_files(media) == []
    assert not OutboxMessage.objects.filter(template="letter_sent").exists()

    # When the sweep runs before the retry delay, nothing happens
    monkeypatch.undo()
    soon = timezone.now() + datetime.timedelta(minutes=1)
    assert letters_render_stale(now=soon) == 0

    # and after it, the letter is rendered and sent
    later = timezone.now() + letters.RETRY_AFTER + datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert letters_render_stale(now=later) == 1
    letter.refresh_from_db()
    assert (letter.state, letter.error) == (Letter.State.READY, "")
    assert OutboxMessage.objects.filter(template="letter_sent").count() == 1


def test_the_stale_sweep_renders_a_letter_no_worker_ever_got(
    complaint, manager, django_capture_on_commit_callbacks
):
    # Given the broker was down at commit: the letter is pending and unclaimed
    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks, render=False)

    # A freshly issued letter is left to its worker
    assert letters_render_stale(now=timezone.now()) == 0
    later = timezone.now() + letters.STALE_AFTER + datetime.timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert letters_render_stale(now=later) == 1

    assert Letter.objects.get(pk=letter.pk).state == Letter.State.READY


# --- downloads -----------------------------------------------------------------------------


@pytest.fixture
def sent(complaint, manager, django_capture_on_commit_callbacks) -> Letter:
    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks)
    letter.refresh_from_db()
    return letter


@pytest.fixture
def others(other_complaint, manager, django_capture_on_commit_callbacks) -> Letter:
    letter = deadlock(other_complaint, manager, django_capture_on_commit_callbacks)
    letter.refresh_from_db()
    return letter


@pytest.fixture
def portal_user(customer):
    user = UserFactory(username="carys")
    Customer.objects.filter(pk=customer.pk).update(portal_user=user)
    return user


def token_url(complaint: Complaint, letter: Letter, token: str | None = None) -> str:
    token = token or follow_token_make(complaint)
    return reverse("complaints:letter_by_token", args=[complaint.reference, token, letter.pk])


def my_url(complaint: Complaint, letter: Letter) -> str:
    return reverse("complaints:my_letter", args=[complaint.reference, letter.pk])


def staff_url(complaint: Complaint, letter: Letter) -> str:
    return reverse("staff:letter", args=[complaint.reference, letter.pk])


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


def assert_is_the_letter(response, complaint: Complaint, letter: Letter) -> None:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{complaint.reference}-deadlock-letter-2026-11-30.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert hashlib.sha256(body_of(response)).hexdigest() == letter.sha256


def test_the_customer_downloads_the_letter_from_the_follow_link(client, complaint, sent):
    response = client.get(token_url(complaint, sent))

    assert_is_the_letter(response, complaint, sent)
    assert response["Cache-Control"] == "private, no-store"


def test_the_signed_in_customer_downloads_the_letter(client, complaint, sent, portal_user):
    client.force_login(portal_user)

    response = client.get(my_url(complaint, sent))

    assert_is_the_letter(response, complaint, sent)
    assert response["Cache-Control"] == "private, no-store"


def test_staff_download_the_letter(client, agent, complaint, sent):
    client.force_login(agent)

    assert_is_the_letter(client.get(staff_url(complaint, sent)), complaint, sent)


def test_another_complaints_letter_under_my_reference_is_not_found(
    client, complaint, sent, others, portal_user
):
    client.force_login(portal_user)
    guessed = reverse("complaints:my_letter", args=[complaint.reference, others.pk])
    missing = reverse("complaints:my_letter", args=[complaint.reference, others.pk + 1000])

    assert client.get(guessed).status_code == 404
    # the same answer as for a letter that does not exist at all
    assert client.get(missing).content == client.get(guessed).content


def test_my_token_with_another_complaints_letter_is_not_found(
    client, complaint, sent, other_complaint, others
):
    url = reverse(
        "complaints:letter_by_token",
        args=[complaint.reference, follow_token_make(complaint), others.pk],
    )
    assert client.get(url).status_code == 404


def test_a_token_for_one_complaint_does_not_open_another(
    client, complaint, sent, other_complaint, others
):
    url = reverse(
        "complaints:letter_by_token",
        args=[other_complaint.reference, follow_token_make(complaint), others.pk],
    )
    assert client.get(url).status_code == 404


def test_a_tampered_token_is_not_found(client, complaint, sent):
    token = follow_token_make(complaint)
    assert client.get(token_url(complaint, sent, token[:-2] + "xx")).status_code == 404


def test_another_signed_in_customer_cannot_download_my_letter(client, complaint, sent, now):
    stranger = UserFactory(username="oscar")
    CustomerFactory(name="Oscar Smith", portal_user=stranger)
    client.force_login(stranger)

    assert client.get(my_url(complaint, sent)).status_code == 404


def test_anonymous_portal_download_goes_to_the_login_page(client, complaint, sent):
    response = client.get(my_url(complaint, sent))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_customer_cannot_use_the_staff_download(client, complaint, sent, portal_user):
    client.force_login(portal_user)
    assert client.get(staff_url(complaint, sent)).status_code == 403
    client.logout()
    assert client.get(staff_url(complaint, sent)).status_code == 302


def test_staff_url_with_another_complaints_letter_is_not_found(
    client, agent, complaint, sent, others
):
    client.force_login(agent)
    url = reverse("staff:letter", args=[complaint.reference, others.pk])
    assert client.get(url).status_code == 404


def test_a_letter_still_being_prepared_is_not_found_and_says_so(
    client, complaint, manager, django_capture_on_commit_callbacks
):
    letter = deadlock(complaint, manager, django_capture_on_commit_callbacks, render=False)

    response = client.get(token_url(complaint, letter))

    assert response.status_code == 404
    assert "being prepared" in response.content.decode()


# --- what the letters look like ------------------------------------------------------------


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_letters_are_written_to_artifacts_for_a_person_to_look_at(
    complaint, manager, now, use_code, media, django_capture_on_commit_callbacks
):
    """artifacts/letter-deadlock.pdf and letter-adr.pdf, with a PNG per page."""
    deadlock_letter = deadlock(complaint, manager, django_capture_on_commit_callbacks)
    deadlock_letter.refresh_from_db()

    # An ADR letter from a provider that moved to the current (Ofcom 2026) rules.
    use_code("ofcom-2026")
    sovision = CodeVersion.objects.get(code__slug="sovision-it-2016")
    company = {f: getattr(sovision, f) for f in ("company_name", "company_address",
               "company_phone", "company_email", "company_website", "company_registration")}  # fmt: skip
    CodeVersion.objects.filter(code__slug="ofcom-2026").update(**company)
    customer = CustomerFactory(
        name="Bethan Morgan", address="2 Quay Street\nCardiff", postcode="CF10 1EA", nation="WLS"
    )
    adr = ComplaintFactory(
        customer=customer, now=SEVEN_WEEKS_EARLIER, summary="Charged twice for August"
    )
    with django_capture_on_commit_callbacks(execute=True):
        complaints_adr_period_sweep(now=now)
    adr_letter = Letter.objects.get(complaint=adr, kind=Letter.Kind.ADR)

    ARTIFACTS.mkdir(exist_ok=True)
    for name, letter in (("deadlock", deadlock_letter), ("adr", adr_letter)):
        assert letter.state == Letter.State.READY
        target = ARTIFACTS / f"letter-{name}.pdf"
        shutil.copyfile(media / letter.pdf.name, target)
        for old in ARTIFACTS.glob(f"letter-{name}-*.png"):
            old.unlink()
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", str(target), str(ARTIFACTS / f"letter-{name}")],
            check=True,
        )
        pages = sorted(ARTIFACTS.glob(f"letter-{name}-*.png"))
        # A letter a customer can read in one sitting: one sheet, printed on both sides.
        assert 1 <= len(pages) <= 2
        assert f"Page {len(pages)} of {len(pages)}" in pdf_text(target)

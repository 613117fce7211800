"""Every ADR date agrees everywhere: `manage.py deadlines --letter-date`, the admin's what-if
calculator, the deadlock letter (its PDF) and the customer's follow page, for the same complaint
under each shipped code — first made Wednesday 4 November 2026 at 10:00 by email, deadlock
letter dated Monday 16 November 2026 (issue 10, item 1)."""

from __future__ import annotations

import datetime
import json
import subprocess
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse

from complaints.models import Letter
from complaints.templatetags.redress import day
from complaints.tokens import follow_token_make
from complaints.workflows import actions
from escalation.calendar import LONDON
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db

FIRST_MADE = datetime.datetime(2026, 11, 4, 10, 0, tzinfo=LONDON)
LETTER_AT = datetime.datetime(2026, 11, 16, 12, 0, tzinfo=LONDON)
LETTER_DAY = datetime.date(2026, 11, 16)

# code → (adr_eligible_from, adr_refer_by) after that letter, as each seed's sentence says.
EXPECTED = {
    # "can only be accessed once 8 weeks have passed" / "within 6 months of our writing"
    "infinity-group-2016": (datetime.date(2026, 12, 30), datetime.date(2027, 5, 16)),
    # "This confirms that we agree that you may refer" / "within 6 months of receiving our
    # 'deadlock' letter"
    "sovision-it-2016": (LETTER_DAY, datetime.date(2027, 5, 16)),
    # Ofcom: the letter gives access at once; 12 months after the ADR letter
    "ofcom-2026": (LETTER_DAY, datetime.date(2027, 11, 16)),
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def deadlines(slug: str) -> dict:
    out = StringIO()
    call_command("deadlines", code=slug, channel="email", received="2026-11-04T10:00",
                 letter_date="2026-11-16", stdout=out)  # fmt: skip
    return json.loads(out.getvalue())


def what_if_page(client, slug: str) -> str:
    url = reverse("admin:escalation_codeversion_what_if")
    response = client.get(url, {"code": slug, "channel": "email", "received": "2026-11-04T10:00",
                                "nation": "ENG", "category": "other",
                                "letter_date": "2026-11-16"})  # fmt: skip
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def pdf_text(letter: Letter) -> str:
    out = subprocess.run(["pdftotext", letter.pdf.path, "-"], capture_output=True, check=True,
                         text=True)  # fmt: skip
    return " ".join(out.stdout.split())


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_the_adr_dates_agree_everywhere(
    slug, use_code, manager, admin_client, client, django_capture_on_commit_callbacks
):
    eligible_from, refer_by = EXPECTED[slug]
    use_code(slug)

    # The command
    computed = deadlines(slug)
    assert (computed["adr_eligible_from"], computed["adr_refer_by"]) == (
        eligible_from.isoformat(), refer_by.isoformat(),
    )  # fmt: skip

    # The admin's what-if page
    page = what_if_page(admin_client, slug)
    assert day(eligible_from) in page and day(refer_by) in page

    # The complaint, its deadlock letter and the PDF
    complaint = ComplaintFactory(customer=CustomerFactory(address="1 High St\nBath"),
                                 now=FIRST_MADE)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        done = actions.complaint_issue_deadlock(
            complaint_id=complaint.pk, by=manager, now=LETTER_AT, expected_version=None,
            body="We cannot do more.",
        )  # fmt: skip
    assert (done.adr_eligible_from, done.adr_refer_by) == (eligible_from, refer_by)
    letter = Letter.objects.get(complaint=done)
    text = pdf_text(letter)
    assert f"by {refer_by:%A} {refer_by.day} {refer_by:%B %Y}" in text
    if eligible_from <= LETTER_DAY:
        assert "You can contact it now." in text
    else:
        assert f"you can contact it from {day(eligible_from)}" in text

    # The follow page, the day after the letter
    url = reverse("complaints:follow", args=[done.reference, follow_token_make(done)])
    with time_machine.travel(LETTER_AT + datetime.timedelta(days=1), tick=False):
        follow = " ".join(client.get(url).content.decode().split())
    assert f"You must contact them by {day(refer_by)}." in follow
    scheme = done.code_version.adr_scheme_name
    if eligible_from <= LETTER_DAY:
        assert f"You can take your complaint to {scheme} from today." in follow
    else:
        assert f"You can take your complaint to {scheme} from {day(eligible_from)}." in follow

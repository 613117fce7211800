"""The simulator on the seeds' rules: the real services and beat jobs, rolled back after."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from complaints.models import Complaint, Customer, StaffAlert, TimelineEvent
from escalation.services import code_version_draft
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def simulate(*argv: str) -> dict:
    out = io.StringIO()
    call_command("simulate", *argv, stdout=out)
    return json.loads(out.getvalue())


def whats(result: dict, what: str) -> list[dict]:
    return [h for h in result["happened"] if h["what"] == what]


def test_an_infinity_email_breaches_at_closing_time_on_the_fifth_working_day():
    result = simulate("--code", "infinity-group-2016", "--channel", "email",
                      "--received", "2026-11-02T10:00", "--until", "2026-11-12T00:00")  # fmt: skip

    assert whats(result, "breach") == [
        {"at": "2026-11-09T17:30:00+00:00", "what": "breach", "clock": "respond_by"}
    ]
    assert whats(result, "reminder")[0]["at"] == "2026-11-06T17:30:00+00:00"


def test_sovision_auto_closes_ten_working_days_after_the_later_of_response_and_resolution():
    # Responded Tue 3 Nov, remedied Thu 5 Nov: 10 working days after the 5th is Thu 19 Nov 17:00
    result = simulate("--code", "sovision-it-2016", "--channel", "email",
                      "--received", "2026-11-02T10:00",
                      "--event", "2026-11-03T10:00=resolution_proposed",
                      "--event", "2026-11-05T15:00=remedied",
                      "--until", "2026-12-01T00:00")  # fmt: skip

    assert whats(result, "auto_closed") == [
        {"at": "2026-11-19T17:00:00+00:00", "what": "auto_closed"}
    ]
    assert result["complaint"]["status"] == "closed"
    assert result["complaint"]["clocks"]["auto_close_at"] == "2026-11-19T17:00:00+00:00"


def test_sovision_a_customer_reply_stops_the_auto_close():
    result = simulate("--code", "sovision-it-2016", "--channel", "email",
                      "--received", "2026-11-02T10:00",
                      "--event", "2026-11-03T10:00=resolution_proposed",
                      "--event", "2026-11-10T12:00=customer_replied",
                      "--until", "2026-12-01T00:00")  # fmt: skip

    assert whats(result, "auto_closed") == []
    assert result["complaint"]["status"] != "closed"
    kinds = [h["kind"] for h in whats(result, "event")]
    assert kinds == ["resolution_proposed", "customer_replied"]


def test_the_ofcom_adr_letter_is_reported_with_its_reason():
    result = simulate("--code", "ofcom-2026", "--channel", "email",
                      "--received", "2026-11-02T10:00", "--until", "2026-12-20T00:00")  # fmt: skip

    letters = whats(result, "adr_letter")
    assert [(h["at"], h["reason"]) for h in letters] == [
        ("2026-12-14T00:00:00+00:00", "adr_period")
    ]


def test_the_happened_list_is_in_time_order():
    result = simulate("--code", "sovision-it-2016", "--channel", "letter",
                      "--received", "2026-11-02T10:00", "--until", "2027-03-01T00:00")  # fmt: skip

    ats = [h["at"] for h in result["happened"]]
    assert ats == sorted(ats)


def test_the_database_is_left_as_it_was():
    before = (Complaint.objects.count(), Customer.objects.count(), TimelineEvent.objects.count(),
              OutboxMessage.objects.count(), StaffAlert.objects.count())  # fmt: skip

    simulate("--code", "infinity-group-2016", "--channel", "email",
             "--received", "2026-11-02T10:00", "--until", "2026-12-01T00:00")  # fmt: skip

    after = (Complaint.objects.count(), Customer.objects.count(), TimelineEvent.objects.count(),
             OutboxMessage.objects.count(), StaffAlert.objects.count())  # fmt: skip
    assert after == before


def test_a_draft_version_can_be_tried_before_publishing(admin_staff):
    from escalation.models import CodeVersion

    source = CodeVersion.objects.get(code__slug="infinity-group-2016", number=1)
    draft = code_version_draft(source=source, by=admin_staff)
    draft.channel_windows.filter(channel="email").update(respond_working_days=2)

    result = simulate("--code", "infinity-group-2016", "--code-version", str(draft.number),
                      "--channel", "email", "--received", "2026-11-02T10:00",
                      "--until", "2026-11-12T00:00")  # fmt: skip

    assert whats(result, "breach")[0]["at"] == "2026-11-04T17:30:00+00:00"


@pytest.mark.parametrize(
    "argv",
    [
        ["--code", "no-such-code", "--channel", "email", "--received", "2026-11-02T10:00",
         "--until", "2026-11-12T00:00"],
        ["--code", "sovision-it-2016", "--channel", "email", "--received", "yesterday",
         "--until", "2026-11-12T00:00"],
        ["--code", "sovision-it-2016", "--channel", "email", "--received", "2026-11-02T10:00",
         "--event", "2026-12-01T10:00=acknowledged", "--until", "2026-11-12T00:00"],
        ["--code", "sovision-it-2016", "--channel", "email", "--received", "2026-11-02T10:00",
         "--event", "2026-11-03T10:00=danced", "--until", "2026-11-12T00:00"],
    ],
    ids=["unknown-code", "malformed-instant", "event-after-until", "unknown-kind"],
)  # fmt: skip
def test_bad_input_is_a_clear_error_with_exit_code_2(argv):
    with pytest.raises(CommandError) as caught:
        call_command("simulate", *argv)

    assert caught.value.returncode == 2
    assert str(caught.value)

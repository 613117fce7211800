"""`manage.py deadlines`: the what-if calculator, checked against the DOMAIN.md worked examples.

Expected values were counted by hand on a calendar (November 2026: Mon 2, 9, 16, 23, 30;
England has no bank holiday in November, Scotland has St Andrew's Day on Monday 30 November),
not copied from the command's output.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from complaints.models import Complaint, Customer, TimelineEvent
from escalation.models import CodeOfPractice, CodeVersion
from notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db

INFINITY = "infinity-group-2016"
SOVISION = "sovision-it-2016"
OFCOM = "ofcom-2026"


def deadlines(*argv: str) -> dict[str, Any]:
    """Run the command as from a shell (argv strings, so argparse validates) and parse its JSON."""
    out = io.StringIO()
    call_command("deadlines", *argv, stdout=out)
    return json.loads(out.getvalue())


def row_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (
            Complaint,
            Customer,
            TimelineEvent,
            OutboxMessage,
            CodeOfPractice,
            CodeVersion,
        )
    }


# --- DOMAIN.md clock 2: "within N working days" ----------------------------------------------


def test_infinity_email_received_in_office_hours_is_due_at_closing_on_fifth_working_day():
    # Given an email reaching Infinity on Monday 2 Nov 2026 at 10:00 (GMT)
    # When the clocks are computed
    result = deadlines("--code", INFINITY, "--channel", "email", "--received", "2026-11-02T10:00")
    # Then Tue 3, Wed 4, Thu 5, Fri 6, Mon 9 are the five working days: due Mon 9 Nov 17:30
    assert result["respond_by"] == "2026-11-09T17:30:00+00:00"


def test_infinity_email_received_after_closing_counts_from_next_opening():
    # Given the same email arriving at 17:45, after Infinity's 17:30 close
    result = deadlines("--code", INFINITY, "--channel", "email", "--received", "2026-11-02T17:45")
    # Then effective receipt is Tue 3 Nov 09:00, and the fifth working day after it is Tue 10
    assert result["respond_by"] == "2026-11-10T17:30:00+00:00"


def test_infinity_letter_is_due_in_ten_working_days():
    result = deadlines("--code", INFINITY, "--channel", "letter", "--received", "2026-11-02T10:00")
    # 3,4,5,6, 9,10,11,12,13, 16 November
    assert result["respond_by"] == "2026-11-16T17:30:00+00:00"


def test_infinity_has_no_acknowledge_resolve_or_auto_close_clocks():
    result = deadlines("--code", INFINITY, "--channel", "email", "--received", "2026-11-02T10:00")
    assert "acknowledge_by" not in result
    assert "resolve_by" not in result
    assert "auto_close_at" not in result


def test_scottish_customer_skips_st_andrews_day():
    # Given an Infinity email on Monday 23 Nov 2026; St Andrew's Day (Mon 30 Nov) is a Scottish
    # bank holiday only
    argv = ("--code", INFINITY, "--channel", "email", "--received", "2026-11-23T10:00")
    # When computed for England and for Scotland
    england = deadlines(*argv, "--nation", "ENG")
    scotland = deadlines(*argv, "--nation", "SCT")
    # Then England counts 24,25,26,27,30 and Scotland 24,25,26,27, 1 December
    assert england["respond_by"] == "2026-11-30T17:30:00+00:00"
    assert scotland["respond_by"] == "2026-12-01T17:30:00+00:00"


def test_summer_time_deadline_is_printed_with_the_bst_offset():
    # Given an email on Monday 1 June 2026 10:00 BST (no bank holiday that week)
    result = deadlines("--code", INFINITY, "--channel", "email", "--received", "2026-06-01T10:00")
    # Then due Monday 8 June 17:30 London time, which is +01:00
    assert result["respond_by"] == "2026-06-08T17:30:00+01:00"


def test_received_with_an_explicit_utc_offset_is_the_same_instant():
    # 09:00Z on 1 June is 10:00 BST: same as the previous example
    result = deadlines(
        "--code", INFINITY, "--channel", "email", "--received", "2026-06-01T09:00:00+00:00"
    )
    assert result["respond_by"] == "2026-06-08T17:30:00+01:00"


# --- soVision: acknowledgement, 2 / 10 working days, auto-close ---------------------------------


def test_sovision_email_has_acknowledge_respond_and_resolve_clocks():
    result = deadlines("--code", SOVISION, "--channel", "email", "--received", "2026-11-02T10:00")
    # soVision closes at 17:00: 1 wd = Tue 3, 2 wd = Wed 4, 10 wd = Mon 16 November
    assert result["acknowledge_by"] == "2026-11-03T17:00:00+00:00"
    assert result["respond_by"] == "2026-11-04T17:00:00+00:00"
    assert result["resolve_by"] == "2026-11-16T17:00:00+00:00"


def test_sovision_auto_close_runs_from_resolution_when_it_is_later_than_response():
    # Given we responded Wed 4 Nov and actioned the resolution Fri 6 Nov
    result = deadlines(
        "--code", SOVISION, "--channel", "email", "--received", "2026-11-02T10:00",
        "--responded", "2026-11-04T12:00",
        "--resolution-actioned", "2026-11-06T15:00",
    )  # fmt: skip
    # Then ten working days after Fri 6 Nov: 9..13, 16..20 → Fri 20 Nov at 17:00
    assert result["auto_close_at"] == "2026-11-20T17:00:00+00:00"


def test_sovision_auto_close_runs_from_response_when_it_is_later_than_resolution():
    # Given the resolution was actioned Wed 4 Nov but our response went out Fri 6 Nov
    result = deadlines(
        "--code", SOVISION, "--channel", "email", "--received", "2026-11-02T10:00",
        "--responded", "2026-11-06T15:00",
        "--resolution-actioned", "2026-11-04T12:00",
    )  # fmt: skip
    assert result["auto_close_at"] == "2026-11-20T17:00:00+00:00"


def test_sovision_auto_close_with_only_a_response():
    result = deadlines(
        "--code", SOVISION, "--channel", "email", "--received", "2026-11-02T10:00",
        "--responded", "2026-11-04T12:00",
    )  # fmt: skip
    # 10 working days after Wed 4 Nov: 5,6, 9..13, 16,17,18 → Wed 18 Nov
    assert result["auto_close_at"] == "2026-11-18T17:00:00+00:00"


def test_sovision_has_no_auto_close_before_we_respond():
    result = deadlines("--code", SOVISION, "--channel", "email", "--received", "2026-11-02T10:00")
    assert "auto_close_at" not in result


def test_sovision_phone_complaint_has_no_response_window():
    # soVision agrees a timescale on the call rather than promising one
    result = deadlines("--code", SOVISION, "--channel", "phone", "--received", "2026-11-02T10:00")
    assert "respond_by" not in result
    assert "acknowledge_by" not in result
    assert result["resolve_by"] == "2026-11-16T17:00:00+00:00"


# --- DOMAIN.md clocks 3 and 4: ADR period and refer-by --------------------------------------------


def test_adr_eligible_eight_calendar_weeks_after_first_made():
    result = deadlines("--code", INFINITY, "--channel", "email", "--received", "2026-02-03T10:00")
    # 3 Feb + 56 days: 25 days left in February, 31 in March → 31 March
    assert result["adr_eligible_from"] == "2026-03-31"


def test_refer_by_six_months_after_letter_clamped_to_end_of_february():
    result = deadlines(
        "--code", INFINITY, "--channel", "email", "--received", "2026-08-03T10:00",
        "--letter-date", "2026-08-31",
    )  # fmt: skip
    assert result["adr_refer_by"] == "2027-02-28"


def test_sovision_refer_by_six_months_after_letter():
    result = deadlines(
        "--code", SOVISION, "--channel", "email", "--received", "2026-08-03T10:00",
        "--letter-date", "2026-08-31",
    )  # fmt: skip
    assert result["adr_refer_by"] == "2027-02-28"


def test_ofcom_2026_refer_by_twelve_months_after_letter():
    result = deadlines(
        "--code", OFCOM, "--channel", "email", "--received", "2026-08-03T10:00",
        "--letter-date", "2026-08-31",
    )  # fmt: skip
    assert result["adr_refer_by"] == "2027-08-31"


@pytest.mark.parametrize("code", [INFINITY, SOVISION])
def test_refer_by_nine_months_after_first_made_when_we_never_wrote(code):
    result = deadlines("--code", code, "--channel", "email", "--received", "2026-11-02T10:00")
    assert result["adr_refer_by"] == "2027-08-02"


def test_ofcom_2026_has_no_refer_by_until_we_write():
    result = deadlines("--code", OFCOM, "--channel", "email", "--received", "2026-11-02T10:00")
    assert "adr_refer_by" not in result


def test_ofcom_2026_adr_period_is_six_weeks_from_8_april_2026():
    result = deadlines("--code", OFCOM, "--channel", "email", "--received", "2026-04-08T10:00")
    # 8 April + 42 days: 22 left in April, 20 in May → 20 May
    assert result["adr_eligible_from"] == "2026-05-20"


def test_ofcom_2026_adr_period_is_eight_weeks_before_8_april_2026():
    result = deadlines("--code", OFCOM, "--channel", "email", "--received", "2026-04-07T10:00")
    # 7 April + 56 days: 23 left in April, 31 in May, 2 in June → 2 June
    assert result["adr_eligible_from"] == "2026-06-02"


def test_ofcom_2026_period_switch_uses_the_london_date():
    # 23:30Z on 7 April is 00:30 BST on 8 April: the new 6-week period applies
    result = deadlines(
        "--code", OFCOM, "--channel", "email", "--received", "2026-04-07T23:30:00+00:00"
    )
    assert result["adr_eligible_from"] == "2026-05-20"


def test_ofcom_2026_ships_without_response_windows():
    result = deadlines("--code", OFCOM, "--channel", "email", "--received", "2026-11-02T10:00")
    for name in ("acknowledge_by", "respond_by", "resolve_by", "auto_close_at"):
        assert name not in result


# --- ADR eligibility ---------------------------------------------------------------------------


def test_consumer_is_adr_eligible():
    result = deadlines("--code", INFINITY, "--channel", "email", "--received", "2026-11-02T10:00")
    assert result["adr_eligible"] is True
    assert result["adr_ineligible_reason"] is None


def test_infinity_business_with_ten_employees_is_adr_eligible():
    result = deadlines(
        "--code", INFINITY, "--channel", "email", "--received", "2026-11-02T10:00",
        "--employees", "10",
    )  # fmt: skip
    assert result["adr_eligible"] is True


def test_infinity_business_with_eleven_employees_is_not_adr_eligible():
    result = deadlines(
        "--code", INFINITY, "--channel", "email", "--received", "2026-11-02T10:00",
        "--employees", "11",
    )  # fmt: skip
    assert result["adr_eligible"] is False
    assert "10 or fewer" in result["adr_ineligible_reason"]
    assert "11" in result["adr_ineligible_reason"]


def test_sovision_business_with_nine_employees_is_adr_eligible():
    result = deadlines(
        "--code", SOVISION, "--channel", "email", "--received", "2026-11-02T10:00",
        "--employees", "9",
    )  # fmt: skip
    assert result["adr_eligible"] is True


def test_sovision_business_with_ten_employees_is_not_adr_eligible():
    result = deadlines(
        "--code", SOVISION, "--channel", "email", "--received", "2026-11-02T10:00",
        "--employees", "10",
    )  # fmt: skip
    assert result["adr_eligible"] is False
    assert "fewer than 10" in result["adr_ineligible_reason"]


def test_infinity_pricing_complaint_is_not_adr_eligible():
    result = deadlines(
        "--code", INFINITY, "--channel", "email", "--received", "2026-11-02T10:00",
        "--category", "pricing",
    )  # fmt: skip
    assert result["adr_eligible"] is False
    assert "pricing" in result["adr_ineligible_reason"]


def test_sovision_pricing_complaint_is_adr_eligible():
    result = deadlines(
        "--code", SOVISION, "--channel", "email", "--received", "2026-11-02T10:00",
        "--category", "pricing",
    )  # fmt: skip
    assert result["adr_eligible"] is True


# --- Bad input: a clear CommandError, nothing written -------------------------------------------


INFINITY_EMAIL = ["--code", INFINITY, "--channel", "email", "--received", "2026-11-02T10:00"]
SOVISION_EMAIL = ["--code", SOVISION, "--channel", "email", "--received", "2026-11-02T10:00"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        pytest.param(
            ["--code", "no-such-code", "--channel", "email", "--received", "2026-11-02T10:00"],
            "Unknown code 'no-such-code'",
            id="unknown-code",
        ),
        pytest.param(
            ["--code", INFINITY, "--channel", "email", "--received", "next tuesday"],
            "--received: Enter a date and time in ISO-8601",
            id="malformed-received",
        ),
        pytest.param(
            ["--code", INFINITY, "--channel", "email", "--received", "2026-13-45T10:00"],
            "--received: Enter a date and time in ISO-8601",
            id="impossible-received",
        ),
        pytest.param(
            [*INFINITY_EMAIL, "--employees", "-3"],
            "--employees: The number of employees cannot be negative",
            id="negative-employees",
        ),
        pytest.param(
            [*INFINITY_EMAIL, "--employees", "a dozen"],
            "--employees: Enter a whole number",
            id="non-numeric-employees",
        ),
        pytest.param(
            [*SOVISION_EMAIL, "--responded", "2026-11-01T10:00"],
            "--responded: This cannot be before the complaint was received",
            id="responded-before-received",
        ),
        pytest.param(
            [*SOVISION_EMAIL, "--resolution-actioned", "2026-11-02T09:59"],
            "--resolution-actioned: This cannot be before the complaint was received",
            id="resolution-before-received",
        ),
        pytest.param(
            [*INFINITY_EMAIL, "--letter-date", "31/08/2026"],
            "--letter-date: Enter a valid date",
            id="bad-letter-date",
        ),
        pytest.param(
            ["--code", INFINITY, "--channel", "fax", "--received", "2026-11-02T10:00"],
            "invalid choice: 'fax'",
            id="unknown-channel",
        ),
        pytest.param(
            [*INFINITY_EMAIL, "--nation", "XX"],
            "invalid choice: 'XX'",
            id="unknown-nation",
        ),
    ],
)
def test_bad_input_is_a_command_error_and_writes_nothing(argv, message):
    before = row_counts()
    with pytest.raises(CommandError) as excinfo:
        deadlines(*argv)
    assert message in str(excinfo.value)
    assert row_counts() == before


def test_letter_dated_before_the_complaint_is_refused():
    with pytest.raises(CommandError, match="--letter-date: The letter cannot be dated before"):
        deadlines(
            "--code", INFINITY, "--channel", "email", "--received", "2026-11-02T10:00",
            "--letter-date", "2026-11-01",
        )  # fmt: skip


def test_letter_dated_before_the_london_date_of_receipt_is_refused():
    # 23:30Z on 31 Aug 2026 is 00:30 BST on 1 September: a letter of 31 August predates it
    with pytest.raises(CommandError, match="--letter-date"):
        deadlines(
            "--code", INFINITY, "--channel", "email", "--received", "2026-08-31T23:30:00+00:00",
            "--letter-date", "2026-08-31",
        )  # fmt: skip

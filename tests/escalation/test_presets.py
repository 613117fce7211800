"""The three shipped codes match the seed texts (shared/seeds) and DOMAIN.md's table."""

from __future__ import annotations

import datetime

import pytest

from escalation.models import CodeOfPractice, CodeVersion

pytestmark = pytest.mark.django_db

SLUGS = ("infinity-group-2016", "sovision-it-2016", "ofcom-2026")


def version_1(slug: str) -> CodeVersion:
    return CodeVersion.objects.get(code__slug=slug, number=1)


def windows(version: CodeVersion) -> dict[str, tuple[int | None, int | None]]:
    return {
        w.channel: (w.acknowledge_working_days, w.respond_working_days)
        for w in version.channel_windows.all()
    }


def tiers(version: CodeVersion) -> list[tuple[int, str, str, bool, bool]]:
    return [
        (t.level, t.title, t.group.name, t.is_formal, t.handles_code_complaints)
        for t in version.tiers.select_related("group").order_by("level")
    ]


@pytest.mark.parametrize("slug", SLUGS)
def test_preset_has_a_published_version_1(slug):
    version = version_1(slug)
    assert version.is_published
    assert version.published_at is not None
    assert version.full_clean() is None  # shipped data passes the admin's own validation


def test_exactly_one_code_is_current_and_it_is_sovision():
    assert list(CodeOfPractice.objects.filter(is_current=True).values_list("slug", flat=True)) == [
        "sovision-it-2016"
    ]


def test_current_code_fixture_is_the_current_code(current_code):
    assert current_code.slug == "sovision-it-2016"


def test_use_code_switches_the_current_code(use_code):
    use_code("infinity-group-2016")
    assert list(CodeOfPractice.objects.filter(is_current=True).values_list("slug", flat=True)) == [
        "infinity-group-2016"
    ]


# --- Infinity Group, February 2016 ------------------------------------------------------------


def test_infinity_office_hours_are_nine_to_half_past_five_monday_to_friday():
    version = version_1("infinity-group-2016")
    assert (version.opens, version.closes) == (datetime.time(9, 0), datetime.time(17, 30))
    assert version.office_weekdays == [0, 1, 2, 3, 4]


def test_infinity_windows_letter_ten_email_five_phone_call_back_five():
    assert windows(version_1("infinity-group-2016")) == {
        "phone": (None, 5),
        "email": (None, 5),
        "letter": (None, 10),
        "web": (None, 5),  # written electronic contact is treated as email
        "in_person": (None, 5),  # as a phone call
    }


def test_infinity_has_no_resolution_objective_or_auto_close():
    version = version_1("infinity-group-2016")
    assert version.resolve_working_days is None
    assert version.auto_close_working_days is None


def test_infinity_adr_rules():
    version = version_1("infinity-group-2016")
    assert version.adr_period_weeks == 8
    assert version.adr_period_applies_from is None
    assert version.refer_by_months_after_letter == 6
    assert version.refer_by_months_after_first_made == 9
    # "do not deal with … larger businesses with more than 10 employees": 10 is still eligible
    assert (version.adr_employee_threshold, version.adr_threshold_inclusive) == (10, True)
    assert version.adr_excluded_categories == ["pricing"]
    # "If we cannot resolve the problem, then we will write to you to say so."
    assert version.adr_letter_at_deadlock == "unprompted"
    # Silent about a letter at 8 weeks: Ofcom's rule (since October 2018) fills the gap.
    assert version.adr_letter_at_period == "unprompted"
    # "can only be accessed once 8 weeks have passed since you first made your complaint"
    assert version.deadlock_opens_adr is False


def test_infinity_company_details():
    version = version_1("infinity-group-2016")
    assert "Infinity" in version.company_name
    assert version.company_address.split("\n") == [
        "The Coach House",
        "Spencer Mews",
        "Tunbridge Wells",
        "Kent",
        "TN1 2PY",
    ]
    assert version.company_phone == "0345 450 4600"
    assert version.company_email == "customerservices@infinitygroup.co.uk"
    assert version.company_website == "www.infinitygroup.co.uk"


def test_infinity_escalates_to_operations_then_managing_director():
    assert tiers(version_1("infinity-group-2016")) == [
        (0, "Customer Service Team / Account Manager", "agent", False, False),
        (1, "Operations Director", "manager", False, False),
        (2, "Managing Director", "manager", False, False),
    ]


# --- soVision IT Ltd ---------------------------------------------------------------------------


def test_sovision_office_hours_are_nine_to_five_monday_to_friday():
    version = version_1("sovision-it-2016")
    assert (version.opens, version.closes) == (datetime.time(9, 0), datetime.time(17, 0))
    assert version.office_weekdays == [0, 1, 2, 3, 4]


def test_sovision_windows_acknowledge_email_then_respond_in_two_days():
    assert windows(version_1("sovision-it-2016")) == {
        "phone": (None, None),  # a timescale is agreed on the call
        "email": (1, 2),
        "letter": (None, 2),
        "web": (1, 2),
        "in_person": (None, None),
    }


def test_sovision_resolves_in_ten_and_auto_closes_ten_working_days_after_response():
    version = version_1("sovision-it-2016")
    assert version.resolve_working_days == 10
    assert version.auto_close_working_days == 10


def test_sovision_adr_rules():
    version = version_1("sovision-it-2016")
    assert version.adr_period_weeks == 8
    assert version.refer_by_months_after_letter == 6
    assert version.refer_by_months_after_first_made == 9
    # "a consumer or small business employing less than 10 employees"
    assert (version.adr_employee_threshold, version.adr_threshold_inclusive) == (10, False)
    assert version.adr_excluded_categories == []
    # "You should ask us to provide you with a 'deadlock' letter"
    assert version.adr_letter_at_deadlock == "on_request"
    assert version.adr_letter_at_period == "unprompted"  # silent: Ofcom's rule
    # "This confirms that we agree that you may refer your complaint to our ADR scheme."
    assert version.deadlock_opens_adr is True


def test_sovision_company_details():
    version = version_1("sovision-it-2016")
    assert version.company_name == "soVision IT Ltd"
    assert "Avon House" in version.company_address
    assert "Keynsham" in version.company_address
    assert version.company_address.endswith("BS31 2UG")
    assert version.company_phone == "0117 986 4026"
    assert version.company_email == "support@sovision.com"
    assert version.company_website == "www.sovisionit.com"
    assert "10714018" in version.company_registration
    assert "5599751" in version.company_registration


def test_sovision_formal_review_by_technical_director_or_company_secretary():
    assert tiers(version_1("sovision-it-2016")) == [
        (0, "Technical support / Accounts", "agent", False, False),
        (1, "Formal review: Technical Director or Company Secretary", "manager", True, True),
    ]


# --- Both seeds name Ombudsman Services: Communications ---------------------------------------


@pytest.mark.parametrize("slug", ["infinity-group-2016", "sovision-it-2016"])
def test_seed_codes_name_ombudsman_services_communications(slug):
    version = version_1(slug)
    assert version.adr_scheme_name == "Ombudsman Services: Communications"
    assert version.adr_scheme_address.split("\n") == ["PO Box 730", "Warrington", "WA4 6WU"]
    assert version.adr_scheme_phone == "0330 440 1614"
    assert version.adr_scheme_email == "enquiries@os-communications.org"


# --- ofcom-2026 -------------------------------------------------------------------------------


def test_ofcom_2026_in_force_from_8_april_2026_london_time():
    version = version_1("ofcom-2026")
    assert version.effective_from == datetime.datetime(2026, 4, 7, 23, 0, tzinfo=datetime.UTC)


def test_ofcom_2026_adr_period_six_weeks_from_8_april_2026_else_eight():
    version = version_1("ofcom-2026")
    assert version.adr_period_weeks == 6
    assert version.adr_period_applies_from == datetime.date(2026, 4, 8)
    assert version.adr_period_weeks_before == 8


def test_ofcom_2026_refer_by_twelve_months_after_the_adr_letter_only():
    version = version_1("ofcom-2026")
    assert version.refer_by_months_after_letter == 12
    assert version.refer_by_months_after_first_made is None


def test_ofcom_2026_eligibility_and_unprompted_letter():
    version = version_1("ofcom-2026")
    assert (version.adr_employee_threshold, version.adr_threshold_inclusive) == (10, True)
    assert version.adr_excluded_categories == []
    assert (version.adr_letter_at_deadlock, version.adr_letter_at_period) == (
        "unprompted", "unprompted"
    )  # fmt: skip
    assert version.deadlock_opens_adr is True
    assert version.adr_scheme_name == "Communications Ombudsman"


def test_ofcom_2026_leaves_windows_to_the_provider():
    version = version_1("ofcom-2026")
    assert windows(version) == {}
    assert version.resolve_working_days is None
    assert version.auto_close_working_days is None


def test_ofcom_2026_has_frontline_and_formal_review_tiers():
    assert [
        (level, group, formal) for level, _, group, formal, _ in tiers(version_1("ofcom-2026"))
    ] == [
        (0, "agent", False),
        (1, "manager", True),
    ]

"""Code versions: drafting, publishing, and which version governs a complaint (DOMAIN clock 6)."""

from __future__ import annotations

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from escalation.calendar import LONDON
from escalation.models import ChannelWindow, ClosureDay, CodeVersion
from escalation.services import code_version_draft, code_version_publish
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def london(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def sovision_v1() -> CodeVersion:
    return CodeVersion.objects.get(code__slug="sovision-it-2016", number=1)


@pytest.fixture
def draft(sovision_v1, admin_staff) -> CodeVersion:
    return code_version_draft(source=sovision_v1, by=admin_staff)


def window_rows(version: CodeVersion) -> list[tuple]:
    return list(
        version.channel_windows.order_by("channel").values_list(
            "channel", "acknowledge_working_days", "respond_working_days", "commitment"
        )
    )


def tier_rows(version: CodeVersion) -> list[tuple]:
    return list(
        version.tiers.order_by("level").values_list(
            "level", "title", "group", "is_formal", "handles_code_complaints"
        )
    )


def closure_rows(version: CodeVersion) -> list[tuple]:
    return list(version.closure_days.order_by("date").values_list("date", "reason"))


# --- drafting ------------------------------------------------------------------------------------


def test_draft_copies_windows_tiers_and_closure_days(sovision_v1, admin_staff):
    # Given a published version with a company closure day
    ClosureDay.objects.create(
        version=sovision_v1, date=datetime.date(2026, 12, 24), reason="Xmas Eve"
    )
    # When an admin drafts from it
    draft = code_version_draft(source=sovision_v1, by=admin_staff)
    # Then the draft is the next number, unpublished, with copies of every child row
    assert draft.pk != sovision_v1.pk
    assert draft.number == 2
    assert draft.status == CodeVersion.Status.DRAFT
    assert draft.published_at is None
    assert draft.created_by == admin_staff
    assert window_rows(draft) == window_rows(sovision_v1)
    assert tier_rows(draft) == tier_rows(sovision_v1)
    assert closure_rows(draft) == [(datetime.date(2026, 12, 24), "Xmas Eve")]
    assert draft.closes == sovision_v1.closes
    assert draft.auto_close_working_days == sovision_v1.auto_close_working_days


def test_draft_leaves_the_source_untouched(sovision_v1, admin_staff):
    before = (window_rows(sovision_v1), tier_rows(sovision_v1), sovision_v1.status)
    draft = code_version_draft(source=sovision_v1, by=admin_staff)
    ChannelWindow.objects.filter(version=draft, channel="email").update(respond_working_days=3)
    sovision_v1.refresh_from_db()
    assert (window_rows(sovision_v1), tier_rows(sovision_v1), sovision_v1.status) == before


def test_drafts_take_successive_numbers(sovision_v1):
    first = code_version_draft(source=sovision_v1, by=None)
    second = code_version_draft(source=sovision_v1, by=None)
    assert (first.number, second.number) == (2, 3)


def test_draft_by_anonymous_has_no_author(sovision_v1):
    draft = code_version_draft(source=sovision_v1, by=AnonymousUser())
    assert draft.created_by is None


# --- publishing ------------------------------------------------------------------------------------


def test_publish_puts_a_draft_in_force_from_the_given_instant(draft, now):
    effective = now + datetime.timedelta(days=1)
    published = code_version_publish(version=draft, effective_from=effective, now=now)
    draft.refresh_from_db()
    assert published.pk == draft.pk
    assert draft.status == CodeVersion.Status.PUBLISHED
    assert draft.effective_from == effective
    assert draft.published_at == now


def test_publish_refuses_an_already_published_version(sovision_v1, now):
    with pytest.raises(ValidationError, match="already published"):
        code_version_publish(
            version=sovision_v1, effective_from=now + datetime.timedelta(days=1), now=now
        )


def test_publish_refuses_an_effective_date_in_the_past(draft, now):
    with pytest.raises(ValidationError) as excinfo:
        code_version_publish(
            version=draft, effective_from=now - datetime.timedelta(hours=1), now=now
        )
    assert "in the past" in str(excinfo.value.message_dict["effective_from"])
    draft.refresh_from_db()
    assert draft.status == CodeVersion.Status.DRAFT


def test_publish_refuses_a_version_starting_before_the_latest_published(sovision_v1, now):
    # Given version 2 in force from tomorrow
    v2 = code_version_draft(source=sovision_v1, by=None)
    code_version_publish(version=v2, effective_from=now + datetime.timedelta(days=1), now=now)
    v3 = code_version_draft(source=sovision_v1, by=None)
    # When version 3 is published to start before it
    with pytest.raises(ValidationError) as excinfo:
        code_version_publish(version=v3, effective_from=now + datetime.timedelta(hours=12), now=now)
    # Then it is refused as overlapping and stays a draft
    assert "overlap" in str(excinfo.value.message_dict["effective_from"])
    v3.refresh_from_db()
    assert v3.status == CodeVersion.Status.DRAFT


def test_publish_refuses_a_version_starting_at_the_same_instant_as_the_latest(sovision_v1, now):
    at = now + datetime.timedelta(days=1)
    v2 = code_version_draft(source=sovision_v1, by=None)
    code_version_publish(version=v2, effective_from=at, now=now)
    v3 = code_version_draft(source=sovision_v1, by=None)
    with pytest.raises(ValidationError, match="overlap"):
        code_version_publish(version=v3, effective_from=at, now=now)


def test_publish_refuses_a_draft_with_invalid_office_weekdays(draft, now):
    CodeVersion.objects.filter(pk=draft.pk).update(office_weekdays=[0, 1, 7])
    with pytest.raises(ValidationError) as excinfo:
        code_version_publish(
            version=draft, effective_from=now + datetime.timedelta(days=1), now=now
        )
    assert "office_weekdays" in excinfo.value.message_dict
    draft.refresh_from_db()
    assert draft.status == CodeVersion.Status.DRAFT


def test_publish_refuses_a_draft_with_unknown_excluded_categories(draft, now):
    CodeVersion.objects.filter(pk=draft.pk).update(adr_excluded_categories=["roaming"])
    with pytest.raises(ValidationError) as excinfo:
        code_version_publish(
            version=draft, effective_from=now + datetime.timedelta(days=1), now=now
        )
    assert "adr_excluded_categories" in excinfo.value.message_dict


def test_database_refuses_a_version_closing_before_it_opens(draft):
    # The check constraint backs CodeVersion.clean: even a raw write cannot store it
    with pytest.raises(IntegrityError), transaction.atomic():
        CodeVersion.objects.filter(pk=draft.pk).update(
            opens=datetime.time(17, 0), closes=datetime.time(9, 0)
        )


# --- which version governs a complaint ---------------------------------------------------------


@pytest.fixture
def v2_from_tuesday(sovision_v1, now) -> CodeVersion:
    """soVision v2: email answered in 3 working days, in force from Tue 3 Nov 2026 00:00."""
    v2 = code_version_draft(source=sovision_v1, by=None)
    ChannelWindow.objects.filter(version=v2, channel="email").update(respond_working_days=3)
    return code_version_publish(version=v2, effective_from=london(2026, 11, 3, 0, 0), now=now)


def test_existing_complaint_keeps_its_version_and_clocks_after_a_new_version(
    customer, now, sovision_v1, draft
):
    # Given a complaint logged under v1 on Monday 2 Nov
    complaint = ComplaintFactory(customer=customer, now=now)
    clocks_before = (complaint.respond_by, complaint.acknowledge_by, complaint.resolve_by)
    # When v2 (3-day email window) is published from Tuesday
    ChannelWindow.objects.filter(version=draft, channel="email").update(respond_working_days=3)
    code_version_publish(version=draft, effective_from=london(2026, 11, 3, 0, 0), now=now)
    # Then the complaint still has v1 and its clocks
    complaint.refresh_from_db()
    assert complaint.code_version == sovision_v1
    assert (complaint.respond_by, complaint.acknowledge_by, complaint.resolve_by) == clocks_before
    assert complaint.respond_by == datetime.datetime(2026, 11, 4, 17, 0, tzinfo=UTC)


def test_complaint_first_made_after_the_new_version_starts_is_governed_by_it(
    customer, v2_from_tuesday
):
    wednesday = london(2026, 11, 4, 10, 0)
    complaint = ComplaintFactory(customer=customer, now=wednesday)
    assert complaint.code_version == v2_from_tuesday
    # 3 working days after Wed 4 Nov: Thu 5, Fri 6, Mon 9
    assert complaint.respond_by == datetime.datetime(2026, 11, 9, 17, 0, tzinfo=UTC)


def test_complaint_first_made_at_the_instant_a_version_starts_is_governed_by_it(
    customer, v2_from_tuesday
):
    start = london(2026, 11, 3, 0, 0)
    complaint = ComplaintFactory(customer=customer, now=start)
    assert complaint.code_version == v2_from_tuesday


def test_complaint_first_made_before_the_new_version_is_governed_by_the_old_one(
    customer, sovision_v1, v2_from_tuesday
):
    # Given a customer who first complained on Monday but whose email is logged on Wednesday
    wednesday = london(2026, 11, 4, 10, 0)
    complaint = ComplaintFactory(
        customer=customer, now=wednesday, first_made_at=london(2026, 11, 2, 11, 0)
    )
    # Then v1 governs: 2 working days from Wednesday's receipt → Fri 6 Nov
    assert complaint.code_version == sovision_v1
    assert complaint.respond_by == datetime.datetime(2026, 11, 6, 17, 0, tzinfo=UTC)


# --- model validation --------------------------------------------------------------------------


def test_clean_refuses_closing_at_or_before_opening(sovision_v1):
    sovision_v1.opens, sovision_v1.closes = datetime.time(17, 0), datetime.time(17, 0)
    with pytest.raises(ValidationError) as excinfo:
        sovision_v1.clean()
    assert set(excinfo.value.message_dict) == {"closes"}


@pytest.mark.parametrize("weekdays", [[], [0, 7], [-1], "0,1,2,3,4", [0, "1"], None])
def test_clean_refuses_bad_office_weekdays(sovision_v1, weekdays):
    sovision_v1.office_weekdays = weekdays
    with pytest.raises(ValidationError) as excinfo:
        sovision_v1.clean()
    assert set(excinfo.value.message_dict) == {"office_weekdays"}


@pytest.mark.parametrize("excluded", [["roaming"], "pricing", ["pricing", "PRICING"], None])
def test_clean_refuses_bad_excluded_categories(sovision_v1, excluded):
    sovision_v1.adr_excluded_categories = excluded
    with pytest.raises(ValidationError) as excinfo:
        sovision_v1.clean()
    assert set(excinfo.value.message_dict) == {"adr_excluded_categories"}


def test_clean_refuses_an_adr_switch_date_without_the_earlier_period(sovision_v1):
    sovision_v1.adr_period_applies_from = datetime.date(2026, 4, 8)
    sovision_v1.adr_period_weeks_before = None
    with pytest.raises(ValidationError) as excinfo:
        sovision_v1.clean()
    assert set(excinfo.value.message_dict) == {"adr_period_weeks_before"}


def test_clean_accepts_a_weekend_office_and_known_categories(sovision_v1):
    sovision_v1.office_weekdays = [0, 1, 2, 3, 4, 5]
    sovision_v1.adr_excluded_categories = ["pricing", "sales"]
    sovision_v1.clean()


def test_channel_window_refuses_acknowledgement_due_after_response(sovision_v1):
    window = ChannelWindow(
        version=sovision_v1, channel="email", acknowledge_working_days=3, respond_working_days=2
    )
    with pytest.raises(ValidationError) as excinfo:
        window.clean()
    assert set(excinfo.value.message_dict) == {"acknowledge_working_days"}


@pytest.mark.parametrize(("ack", "respond"), [(2, 2), (1, None), (None, 5)])
def test_channel_window_accepts_acknowledgement_not_after_response(sovision_v1, ack, respond):
    ChannelWindow(
        version=sovision_v1,
        channel="email",
        acknowledge_working_days=ack,
        respond_working_days=respond,
    ).clean()

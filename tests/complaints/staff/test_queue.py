"""Staff queues: membership, order, badges, filters, search, pagination, permissions, bulk
reassignment. Selector tests use the fixed `now`; view tests place clocks around the real time.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from complaints.models import Complaint, StaffProfile, Status
from complaints.selectors.queue import QueueFilters, complaint_queue, due_badge, reference_normalise
from complaints.staff.views import queue as queue_views
from escalation.calendar import LONDON
from tests.factories import ComplaintFactory, CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def make(**fields: Any) -> Complaint:
    """A complaint logged through the services, then given `fields` as they would be later."""
    create = {
        k: fields.pop(k)
        for k in ("customer", "summary", "channel", "category", "department", "assigned_to")
        if k in fields
    }
    complaint = ComplaintFactory(**create)
    if fields:
        Complaint.objects.filter(pk=complaint.pk).update(**fields)
    return Complaint.objects.get(pk=complaint.pk)


def refs(page) -> list[str]:
    return [row.complaint.reference for row in page.rows]


def queue(user, name: str, now, **kwargs: Any):
    filters = kwargs.pop("filters", QueueFilters())
    return complaint_queue(user=user, queue=name, filters=filters, now=now, **kwargs)


def url(name: str = "mine", **params: Any) -> str:
    base = reverse("staff:queue", args=[name])
    if not params:
        return base
    from urllib.parse import urlencode

    return f"{base}?{urlencode(params)}"


def texts(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def layperson(db):
    """Someone signed in without any staff role: a customer using the portal."""
    user = UserFactory(username="portal_customer")
    CustomerFactory(name="Portal Person", portal_user=user)
    return user


# --- queue membership and order ---------------------------------------------------------------


def test_mine_lists_only_my_open_complaints(agent, other_agent, now):
    # Given complaints of mine (open and closed), a colleague's and an unassigned one
    mine = make(assigned_to=agent)
    make(assigned_to=agent, status=Status.CLOSED, next_due_at=None)
    make(assigned_to=other_agent)
    make()

    # When I open my queue
    page = queue(agent, "mine", now)

    # Then I see only my open complaint
    assert refs(page) == [mine.reference]


def test_team_lists_open_complaints_of_my_department_whoever_holds_them(agent, other_agent, now):
    # Given I work in technical support
    StaffProfile.objects.create(user=agent, department="technical")
    ours = make(department="technical", assigned_to=other_agent)
    unassigned_ours = make(department="technical")
    make(department="technical", status=Status.RESOLVED, next_due_at=None)
    make(department="accounts", assigned_to=agent)

    # When I open my team's queue
    page = queue(agent, "team", now)

    # Then I see technical's open complaints only
    assert set(refs(page)) == {ours.reference, unassigned_ours.reference}


def test_team_queue_without_a_department_is_empty_and_says_why(agent, now):
    # Given I have no staff profile, and there are open complaints
    make(department="technical")

    # When I open my team's queue
    page = queue(agent, "team", now)

    # Then it is empty, with a message telling me how to join a team
    assert page.rows == []
    assert any("not in a team" in notice for notice in page.notices)


def test_unassigned_lists_open_complaints_nobody_holds(agent, now):
    # Given an unassigned open complaint, an assigned one and an unassigned closed one
    nobodys = make()
    make(assigned_to=agent)
    make(status=Status.CLOSED, next_due_at=None)

    # When I open the unassigned queue
    page = queue(agent, "unassigned", now)

    # Then I see only the open one nobody holds
    assert refs(page) == [nobodys.reference]


def test_all_lists_every_complaint_open_or_not(agent, other_agent, now):
    # Given complaints in every state of assignment and lifecycle
    made = [
        make(assigned_to=agent),
        make(assigned_to=other_agent),
        make(),
        make(status=Status.CLOSED, next_due_at=None),
        make(status=Status.DEADLOCK, next_due_at=None),
    ]

    # When I open "all"
    page = queue(agent, "all", now)

    # Then every one is listed
    assert set(refs(page)) == {c.reference for c in made}


@pytest.mark.parametrize("name", ["mine", "team", "unassigned", "all"])
def test_queues_are_ordered_by_next_due_then_id_with_nothing_due_last(agent, now, name):
    # Given four complaints in my team and my queue: two due on the same instant
    StaffProfile.objects.create(user=agent, department="technical")
    assignee = None if name == "unassigned" else agent

    def due(at):
        return make(department="technical", assigned_to=assignee, next_due_at=at)

    later = due(now + 3 * DAY)
    nothing_due = due(None)
    first = due(now + DAY)
    same_instant = due(now + DAY)

    # When the queue is listed
    page = queue(agent, name, now)

    # Then soonest first, ties by id, nothing due at the end
    expected = [first, same_instant, later, nothing_due]
    assert refs(page) == [c.reference for c in expected]


# --- badges -----------------------------------------------------------------------------------


def test_a_clock_in_the_past_is_breached(now):
    assert due_badge(now - datetime.timedelta(minutes=1), now) == ("breached", "Breached")


def test_a_clock_later_today_is_due_today(now):
    assert due_badge(now + 7 * HOUR, now) == ("due-today", "Due today")


@pytest.mark.parametrize("days", [1, 2])
def test_a_clock_in_the_next_two_calendar_days_is_due_soon(now, days):
    assert due_badge(now + days * DAY, now) == ("due-soon", "Due soon")


def test_a_clock_three_days_away_has_no_badge(now):
    assert due_badge(now + 3 * DAY, now) == ("", "")


def test_no_clock_has_no_badge(now):
    assert due_badge(None, now) == ("", "")


def test_today_means_the_london_date_not_the_utc_date():
    # Given 23:30 in London in summer (22:30 UTC) and a clock at 00:30 London the next day,
    # which is still the same UTC date
    now = datetime.datetime(2026, 6, 1, 23, 30, tzinfo=LONDON)
    due = datetime.datetime(2026, 6, 2, 0, 30, tzinfo=LONDON)
    assert now.astimezone(datetime.UTC).date() == due.astimezone(datetime.UTC).date()

    # Then it is due tomorrow in London: soon, not today
    assert due_badge(due, now) == ("due-soon", "Due soon")


def test_queue_rows_carry_the_badge_and_which_clock_is_due(agent, now):
    # Given one breached acknowledgement and one respond-by due later today
    make(assigned_to=agent, next_due_at=now - HOUR, next_due_clock="acknowledge_by")
    make(assigned_to=agent, next_due_at=now + HOUR, next_due_clock="respond_by")

    # When my queue is listed
    rows = queue(agent, "mine", now).rows

    # Then each row says what is due and how urgent it is
    assert [(r.badge.css, r.clock_label) for r in rows] == [
        ("breached", "Acknowledge"),
        ("due-today", "Respond"),
    ]


def test_queue_page_shows_badge_text_clock_and_instant(client, agent):
    # Given a promised contact that was due an hour ago
    due_at = timezone.now() - HOUR
    make(assigned_to=agent, next_due_at=due_at, next_due_clock="promised_by")
    client.force_login(agent)

    # When I open my queue
    response = client.get(url("mine"))

    # Then the badge is written out, with the clock and the London instant
    html = response.content.decode()
    assert 'class="badge breached">Breached</span>' in html
    local = due_at.astimezone(LONDON)
    assert "Promised contact by" in html
    assert f"{local:%A} {local.day} {local:%B %Y}" in html


# --- filters ----------------------------------------------------------------------------------


def filtered(user, now, **params: str) -> list[str]:
    filters, problems = QueueFilters.from_params(params)
    assert problems == []
    return refs(queue(user, "all", now, filters=filters))


def test_status_filter(agent, now):
    wanted = make(status=Status.INVESTIGATING)
    make(status=Status.ACKNOWLEDGED)
    assert filtered(agent, now, status="investigating") == [wanted.reference]


def test_channel_filter(agent, now):
    wanted = make(channel="letter")
    make(channel="email")
    assert filtered(agent, now, channel="letter") == [wanted.reference]


def test_category_filter(agent, now):
    wanted = make(category="billing")
    make(category="service")
    assert filtered(agent, now, category="billing") == [wanted.reference]


def test_tier_filter(agent, now):
    wanted = make(tier=1)
    make(tier=0)
    assert filtered(agent, now, tier="1") == [wanted.reference]


def test_nation_filter_is_the_customers_nation(agent, now):
    wanted = make(customer=CustomerFactory(nation="SCT"))
    make(customer=CustomerFactory(nation="ENG"))
    assert filtered(agent, now, nation="SCT") == [wanted.reference]


def test_assignee_filter_by_person(agent, other_agent, now):
    wanted = make(assigned_to=other_agent)
    make(assigned_to=agent)
    make()
    assert filtered(agent, now, assignee=str(other_agent.pk)) == [wanted.reference]


def test_assignee_filter_none_means_unassigned(agent, now):
    wanted = make()
    make(assigned_to=agent)
    assert filtered(agent, now, assignee="none") == [wanted.reference]


def test_filters_combine(agent, now):
    wanted = make(channel="letter", category="billing", assigned_to=agent)
    make(channel="letter", category="service", assigned_to=agent)
    make(channel="email", category="billing", assigned_to=agent)
    make(channel="letter", category="billing")
    assert filtered(agent, now, channel="letter", category="billing", assignee=str(agent.pk)) == [
        wanted.reference
    ]


def test_invalid_filter_values_are_ignored_with_a_message(client, agent):
    # Given complaints in the queue
    made = make(assigned_to=agent)
    client.force_login(agent)

    # When the filters are nonsense
    response = client.get(
        url("mine", status="lost", channel="pigeon", tier="-1", nation="XX", assignee="bob")
    )

    # Then the page still answers, unfiltered, and names every ignored filter
    assert response.status_code == 200
    html = response.content.decode()
    assert made.reference in html
    for name in ("status", "channel", "tier", "nation", "assignee"):
        assert f"Ignored the {name} filter" in html


def test_filters_are_kept_in_the_form(client, agent):
    make(assigned_to=agent, channel="letter")
    client.force_login(agent)
    html = client.get(url("mine", channel="letter", q="broadband")).content.decode()
    assert '<option value="letter" selected>' in html
    assert 'value="broadband"' in html


# --- search -----------------------------------------------------------------------------------


def searched(user, now, q: str, name: str = "all") -> list[str]:
    return refs(queue(user, name, now, q=q))


def test_search_by_reference_with_dashes(agent, now):
    wanted, _ = make(), make()
    assert searched(agent, now, wanted.reference) == [wanted.reference]


def test_search_by_reference_without_dashes_in_lower_case(agent, now):
    wanted, _ = make(), make()
    assert searched(agent, now, wanted.reference.replace("-", "").lower()) == [wanted.reference]


def test_reference_read_over_the_phone_is_normalised():
    assert reference_normalise("rd 7k3m 9qx2") == "RD-7K3M-9QX2"
    assert reference_normalise("rdo1l2-abcd") == "RD-0112-ABCD"
    assert reference_normalise("Rhodri Davies") is None


def test_search_by_customer_name_fragment(agent, now):
    wanted = make(customer=CustomerFactory(name="Bethan Pritchard"))
    make(customer=CustomerFactory(name="Oscar Smith"))
    assert searched(agent, now, "pritch") == [wanted.reference]


def test_search_by_summary_fragment(agent, now):
    wanted = make(summary="Engineer never turned up for the appointment")
    make(summary="Billed twice in October")
    assert searched(agent, now, "NEVER TURNED") == [wanted.reference]


def test_search_by_account_reference(agent, now):
    wanted = make(customer=CustomerFactory(account_reference="ACC-777001"))
    make(customer=CustomerFactory(account_reference="ACC-777002"))
    assert searched(agent, now, "ACC-777001") == [wanted.reference]


def test_search_by_email(agent, now):
    wanted = make(customer=CustomerFactory(email="dai.jones@example.com"))
    make(customer=CustomerFactory(email="other@example.com"))
    assert searched(agent, now, "dai.jones@example.com") == [wanted.reference]


def test_search_by_phone(agent, now):
    wanted = make(customer=CustomerFactory(phone="029 2018 0000"))
    make(customer=CustomerFactory(phone="0117 496 0000"))
    assert searched(agent, now, "029 2018 0000") == [wanted.reference]


def test_a_complaint_matching_name_and_summary_is_listed_once(agent, now):
    wanted = make(customer=CustomerFactory(name="Fibre Jones"), summary="Fibre install late")
    assert searched(agent, now, "fibre") == [wanted.reference]


def test_search_stays_within_the_queue(agent, other_agent, now):
    mine = make(assigned_to=agent, summary="Router keeps rebooting")
    make(assigned_to=other_agent, summary="Router keeps rebooting")
    assert searched(agent, now, "router", name="mine") == [mine.reference]


def test_search_respects_the_filters(agent, now):
    wanted = make(summary="Router keeps rebooting", channel="letter")
    make(summary="Router keeps rebooting", channel="email")
    filters = QueueFilters(channel="letter")
    assert refs(queue(agent, "all", now, q="router", filters=filters)) == [wanted.reference]


def test_a_two_letter_search_matches_exact_fields_only_and_says_so(agent, now):
    make(customer=CustomerFactory(name="Al Evans"))
    page = queue(agent, "all", now, q="Al")
    assert page.rows == []
    assert any("at least 3 characters" in notice for notice in page.notices)


def test_search_box_in_the_nav_finds_by_reference(client, agent):
    wanted = make()
    client.force_login(agent)
    response = client.get(url("all", q=wanted.reference.lower()))
    assert wanted.reference in response.content.decode()
    assert response.context["result"].rows[0].complaint == wanted


# --- pagination -------------------------------------------------------------------------------


def test_page_two_has_the_rest(agent, now):
    # Given five complaints due one day after another
    made = [make(next_due_at=now + i * DAY) for i in range(1, 6)]

    # When listed two to a page
    first = queue(agent, "all", now, page_size=2)
    third = queue(agent, "all", now, page=3, page_size=2)

    # Then page one is the soonest two and knows there is more; page three the last one
    assert refs(first) == [c.reference for c in made[:2]] and first.has_next
    assert refs(third) == [made[4].reference] and not third.has_next and third.has_previous


def test_page_out_of_range_is_empty_with_a_message(agent, now):
    make()
    page = queue(agent, "all", now, page=7)
    assert page.rows == [] and not page.has_next
    assert any("no page 7" in notice for notice in page.notices)


def test_next_and_previous_links_keep_the_filters(client, agent, monkeypatch):
    # Given three letters in my queue and two to a page
    monkeypatch.setattr(queue_views, "PAGE_SIZE", 2)
    for _ in range(3):
        make(assigned_to=agent, channel="letter")
    client.force_login(agent)

    # When I open page 1 of the letters, then follow "Next"
    first = client.get(url("mine", channel="letter", q="broadband"))
    second = client.get(url("mine", channel="letter", q="broadband", page="2"))

    # Then the links carry the filters and the search
    assert 'href="?channel=letter&amp;q=broadband&amp;page=2"' in first.content.decode()
    assert 'href="?channel=letter&amp;q=broadband&amp;page=1"' in second.content.decode()
    assert len(second.context["result"].rows) == 1


def test_a_nonsense_page_number_shows_the_first_page_with_a_message(client, agent):
    make(assigned_to=agent)
    client.force_login(agent)
    response = client.get(url("mine", page="last"))
    assert response.status_code == 200
    assert "Ignored the page number" in response.content.decode()


# --- permissions ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(url("mine"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_customer_is_refused(client, layperson):
    client.force_login(layperson)
    assert client.get(url("all")).status_code == 403


@pytest.mark.parametrize("persona", ["agent", "manager", "admin_staff"])
def test_staff_see_the_queues(client, request, persona):
    client.force_login(request.getfixturevalue(persona))
    for name in ("mine", "team", "unassigned", "all"):
        assert client.get(url(name)).status_code == 200


def test_an_unknown_queue_is_not_found(client, agent):
    client.force_login(agent)
    assert client.get(url("everyone")).status_code == 404


def test_the_selector_refuses_someone_without_a_staff_role(layperson, now):
    with pytest.raises(PermissionDenied):
        queue(layperson, "all", now)


def test_managers_get_checkboxes_and_the_bulk_form_agents_do_not(client, agent, manager):
    make(assigned_to=agent)
    make(assigned_to=manager)
    client.force_login(manager)
    html = client.get(url("all")).content.decode()
    assert 'name="complaint"' in html and "Reassign selected" in html
    client.force_login(agent)
    html = client.get(url("all")).content.decode()
    assert 'name="complaint"' not in html and "Reassign selected" not in html


# --- bulk reassignment ------------------------------------------------------------------------


def bulk(client, complaints, assignee, next_url: str | None = None):
    data: dict[str, Any] = {"complaint": [str(c.pk) for c in complaints]}
    if assignee is not None:
        data["assignee"] = assignee
    if next_url is not None:
        data["next"] = next_url
    return client.post(reverse("staff:bulk_assign"), data)


def test_manager_reassigns_ticked_complaints(client, manager, agent):
    # Given two unassigned complaints
    one, two = make(), make()
    client.force_login(manager)

    # When the manager reassigns both to the agent
    response = bulk(client, [one, two], str(agent.pk), next_url=url("unassigned", channel="email"))

    # Then both are the agent's, the manager is back on the queue they came from, told so
    assert response.status_code == 302
    assert response["Location"] == url("unassigned", channel="email")
    assert set(Complaint.objects.values_list("assigned_to", flat=True)) == {agent.pk}
    assert texts(response) == ["Reassigned 2 complaints to Alex Tester."]


def test_bulk_unassign(client, manager, agent):
    held = make(assigned_to=agent)
    client.force_login(manager)
    response = bulk(client, [held], "none")
    held.refresh_from_db()
    assert held.assigned_to is None
    assert "Reassigned 1 complaint to nobody" in texts(response)[0]


def test_closed_complaint_is_reported_and_the_others_move(client, manager, agent):
    # Given one open and one closed complaint
    open_one = make()
    closed = make(status=Status.CLOSED, next_due_at=None)
    client.force_login(manager)

    # When both are ticked
    response = bulk(client, [open_one, closed], str(agent.pk))

    # Then the open one moved and the closed one is named as not moved, with the reason
    open_one.refresh_from_db()
    closed.refresh_from_db()
    assert open_one.assigned_to == agent
    assert closed.assigned_to is None
    success, problem = texts(response)
    assert success == "Reassigned 1 complaint to Alex Tester."
    assert closed.reference in problem and "closed" in problem.lower()


def test_an_agent_cannot_bulk_reassign(client, agent, other_agent):
    held = make(assigned_to=other_agent)
    client.force_login(agent)
    response = bulk(client, [held], str(agent.pk))
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.assigned_to == other_agent


def test_missing_assignee_changes_nothing_and_says_so(client, manager):
    nobodys = make()
    client.force_login(manager)
    response = bulk(client, [nobodys], None)
    nobodys.refresh_from_db()
    assert nobodys.assigned_to is None
    assert any("Choose who to reassign" in m for m in texts(response))


def test_an_assignee_who_is_not_staff_changes_nothing(client, manager, layperson):
    nobodys = make()
    client.force_login(manager)
    response = bulk(client, [nobodys], str(layperson.pk))
    nobodys.refresh_from_db()
    assert nobodys.assigned_to is None
    assert any("active agent or manager" in m for m in texts(response))


def test_nothing_ticked_changes_nothing_and_says_so(client, manager, agent):
    client.force_login(manager)
    response = bulk(client, [], str(agent.pk))
    assert response.status_code == 302
    assert any("Tick at least one complaint" in m for m in texts(response))


def test_bulk_reassign_never_redirects_off_site(client, manager, agent):
    nobodys = make()
    client.force_login(manager)
    response = bulk(client, [nobodys], str(agent.pk), next_url="https://evil.example/")
    assert response["Location"] == url("unassigned")


def test_bulk_reassign_is_post_only(client, manager):
    client.force_login(manager)
    assert client.get(reverse("staff:bulk_assign")).status_code == 405

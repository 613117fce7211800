"""The manager's desk pages: who gets them, what the navigation offers, what they show."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import ComplaintFactory, UserFactory

MANAGER_PAGES = [
    ("staff:queue", ["escalated"]),
    ("staff:queue", ["breached"]),
    ("staff:queue", ["due_today"]),
    ("staff:breach_board", []),
    ("staff:dashboard", []),
    ("staff:reports", []),
    ("staff:letters_to_post", []),
    ("staff:figures_csv", []),
    ("staff:complaints_csv", []),
]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize(("name", "args"), MANAGER_PAGES)
def test_an_agent_gets_no_manager_page(client, agent, name, args):
    client.force_login(agent)
    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), MANAGER_PAGES)
def test_a_customer_gets_no_manager_page(client, customer, name, args):
    user = UserFactory(username="portal")
    customer.portal_user = user
    customer.save()
    client.force_login(user)
    assert client.get(reverse(name, args=args)).status_code == 403


@pytest.mark.parametrize(("name", "args"), MANAGER_PAGES)
def test_a_manager_gets_every_manager_page(client, manager, name, args):
    client.force_login(manager)
    assert client.get(reverse(name, args=args)).status_code == 200


@pytest.mark.parametrize("suffix", ["case_file_pdf", "case_file_zip"])
def test_an_agent_cannot_build_a_case_file(client, agent, customer, now, suffix):
    complaint = ComplaintFactory(customer=customer, now=now)
    client.force_login(agent)
    url = reverse(f"staff:{suffix}", args=[complaint.reference])
    assert client.get(url).status_code == 403
    assert not complaint.events.filter(data__has_key="case_file").exists()


def test_the_quarterly_return_is_refused_to_an_agent(client, agent):
    client.force_login(agent)
    response = client.get(reverse("staff:quarterly_csv"), {"quarter": "2026-4"})
    assert response.status_code == 403


def test_the_manager_navigation_lists_the_desk(client, manager):
    client.force_login(manager)
    html = client.get(reverse("staff:queue", args=["mine"])).content.decode()
    for label in ("Escalated &amp; formal", "Breached", "Due today", ">All<", "Dashboard",
                  "Reports", "Letters to post"):  # fmt: skip
        assert label in html


def test_an_agent_navigation_has_no_desk(client, agent):
    client.force_login(agent)
    html = client.get(reverse("staff:queue", args=["mine"])).content.decode()
    assert "Dashboard" not in html and "Escalated &amp; formal" not in html


def test_a_bad_quarter_gets_a_clear_message(client, manager):
    client.force_login(manager)
    response = client.get(reverse("staff:quarterly_csv"), {"quarter": "2026-5"})
    assert response.status_code == 400
    assert "is not a quarter" in response.content.decode()


def test_a_bad_report_filter_is_ignored_with_a_message(client, manager):
    client.force_login(manager)
    response = client.get(reverse("staff:dashboard"), {"channel": "pigeon", "start": "yesterday"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Ignored the channel filter: “pigeon” is not a channel." in html
    assert "Ignored the “from” date: “yesterday” is not a date." in html

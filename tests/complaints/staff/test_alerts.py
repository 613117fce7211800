"""Staff alerts: the bell's unread count, the list (each person sees only theirs), mark read."""

from __future__ import annotations

import datetime

import pytest

from complaints.models import StaffAlert
from complaints.workflows.enforcement.jobs import enforce
from escalation.calendar import LONDON
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def alerted(use_code, agent):
    """An Infinity email owned by the agent, breached: one alert for the agent."""
    use_code("infinity-group-2016")
    received = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)
    complaint = ComplaintFactory(customer=CustomerFactory(), received_at=received, now=received,
                                 assigned_to=agent)  # fmt: skip
    enforce(now=datetime.datetime(2026, 11, 9, 17, 30, tzinfo=LONDON), jobs=["breaches"])
    return complaint


def test_the_bell_shows_the_unread_count(client, agent, alerted):
    client.force_login(agent)

    page = client.get("/staff/queue/mine/").content.decode()

    assert 'class="alert-count">1<' in page


def test_the_list_links_each_alert_to_its_complaint(client, agent, alerted):
    client.force_login(agent)

    page = client.get("/staff/alerts/").content.decode()

    assert f'href="/staff/complaints/{alerted.reference}/"' in page
    assert "Respond by" in page


def test_another_person_does_not_see_my_alerts(client, other_agent, alerted):
    client.force_login(other_agent)

    page = client.get("/staff/alerts/").content.decode()

    assert alerted.reference not in page
    assert "No alerts" in page


def test_marking_one_read_clears_it_from_the_count(client, agent, alerted):
    client.force_login(agent)
    alert = StaffAlert.objects.get(user=agent)

    response = client.post("/staff/alerts/read/", {"alert": alert.pk})

    assert response.status_code == 303
    alert.refresh_from_db()
    assert alert.read_at is not None
    assert 'class="alert-count"' not in client.get("/staff/queue/mine/").content.decode()


def test_marking_read_cannot_touch_someone_elses_alert(client, other_agent, agent, alerted):
    client.force_login(other_agent)
    alert = StaffAlert.objects.get(user=agent)

    client.post("/staff/alerts/read/", {"alert": alert.pk})

    alert.refresh_from_db()
    assert alert.read_at is None


def test_customers_cannot_see_the_alerts_page(client, alerted):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="portal"))

    assert client.get("/staff/alerts/").status_code == 403

"""Follow-page actions are rate limited (item 6 of issue 14), the limits and the double-submit
guard hold with Redis down (item 9), and a fresh link is sent after the answer (item 11)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Complaint, WebSubmission
from complaints.portal.views import follow as follow_views
from complaints.tokens import follow_token_make
from escalation.calendar import LONDON
from notifications.models import OutboxMessage
from tests.complaints.portal.test_public_form import answers
from tests.factories import ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def looking_on_tuesday():
    with time_machine.travel(datetime.datetime(2026, 11, 3, 12, tzinfo=LONDON), tick=False):
        yield


@pytest.fixture
def complaint(customer, agent, now) -> Complaint:
    return ComplaintFactory(customer=customer, now=now, assigned_to=agent, summary="Broadband down")


@pytest.fixture
def redis_down(monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("redis is down")

    for method in ("add", "incr", "get", "set", "get_many", "set_many", "delete"):
        monkeypatch.setattr(cache, method, down)


def code_complaint(client, complaint: Complaint):
    url = reverse(
        "complaints:follow_act",
        args=[complaint.reference, follow_token_make(complaint), "customer_complain_about_code"],
    )
    return client.post(url, {"customer_complain_about_code-body": "You broke your code."})


def test_code_complaints_past_the_limit_create_nothing_and_say_so(client, settings, complaint):
    # Given a limit of 3 actions an hour on one complaint
    settings.REDRESS_CUSTOMER_ACTION_LIMIT_PER_COMPLAINT = "3/h"
    # When the follow link posts "complain about the code" 6 times
    answers = [code_complaint(client, complaint).status_code for _ in range(6)]
    # Then 3 complaints are made, the rest are refused with a message, and no more mail goes
    assert answers == [303, 303, 303, 429, 429, 429]
    assert Complaint.objects.count() == 1 + 3
    refused = code_complaint(client, complaint)
    assert "a lot of requests about this complaint" in refused.content.decode()
    assert "You broke your code." in refused.content.decode()  # what they typed is kept


def test_the_per_address_limit_spans_complaints(client, settings, customer, now):
    # Given a limit of 2 actions an hour per client address
    settings.REDRESS_CUSTOMER_ACTION_LIMIT_PER_IP = "2/h"
    first, second, third = (ComplaintFactory(customer=customer, now=now) for _ in range(3))
    # When one address acts on three different complaints
    answers = [code_complaint(client, c).status_code for c in (first, second, third)]
    # Then the third is refused
    assert answers == [303, 303, 429]


def test_the_action_limit_holds_with_redis_down(client, settings, complaint, redis_down):
    settings.REDRESS_CUSTOMER_ACTION_LIMIT_PER_COMPLAINT = "1/h"
    assert code_complaint(client, complaint).status_code == 303
    assert code_complaint(client, complaint).status_code == 429


def test_the_same_form_posted_twice_with_redis_down_makes_one_complaint(client, redis_down):
    # Given one filled-in public form (one form token)
    form = answers()
    # When it is posted twice while Redis is unreachable
    first = client.post(reverse("complaints:complain"), form)
    second = client.post(reverse("complaints:complain"), form)
    # Then there is one complaint and the second answer is the first one's
    assert first.status_code == second.status_code == 303
    assert Complaint.objects.count() == 1
    assert WebSubmission.objects.filter(state=WebSubmission.State.ACCEPTED).count() == 1


def new_link(client, reference: str, email: str):
    return client.post(reverse("complaints:new_link"), {"reference": reference, "email": email})


def test_a_matching_new_link_request_does_its_writes_after_the_answer(
    client, complaint, monkeypatch
):
    # Given a reference and email that match, and a look at the outbox when the answer is done
    rows_when_answered = []
    original = follow_views.after_response

    def spy(response, work):
        rows_when_answered.append(OutboxMessage.objects.filter(template="follow_link").count())
        return original(response, work)

    monkeypatch.setattr(follow_views, "after_response", spy)
    # When the fresh link is asked for
    response = new_link(client, complaint.reference, "carys@example.com")
    # Then nothing was written while the answer was built; the email follows once it was sent
    assert response.status_code == 200
    assert rows_when_answered == [0]
    assert OutboxMessage.objects.filter(template="follow_link").count() == 1


def test_matching_and_unknown_new_link_answers_run_the_same_queries(complaint, monkeypatch):
    # Given the work after the answer is held back, so only the answer itself is measured
    monkeypatch.setattr(follow_views, "after_response", lambda response, work: response)

    def statements(reference: str, email: str) -> list[str]:
        with CaptureQueriesContext(connection) as during:
            assert new_link(Client(), reference, email).status_code == 200
        return [q["sql"].split(" WHERE")[0] for q in during.captured_queries]

    # When one request matches and one does not, then the answers run the same statements
    assert statements(complaint.reference, "carys@example.com") == statements(
        "RD-ZZZZ-9999", "nobody@example.com"
    )

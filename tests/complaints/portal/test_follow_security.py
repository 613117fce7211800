"""A customer reaches only their own complaint, and the pages never say whether a reference
exists. Three personas: Carys (the owner), Oscar (another customer) and a stranger.

Every "not yours" answer (unknown reference, another customer's, a tampered or misplaced
token) is the very same 404 page; only a genuine link that is merely old says "expired".
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import signing
from django.core.cache import cache
from django.urls import reverse

from complaints.lifecycle import Action
from complaints.models import AuditEntry, Complaint, Letter, TimelineEvent
from complaints.tokens import FOLLOW_MAX_AGE, FOLLOW_SALT, follow_token_make
from escalation.calendar import LONDON
from notifications.models import OutboxMessage
from tests.factories import ComplaintFactory, TimelineEventFactory, UserFactory

pytestmark = pytest.mark.django_db


def london(month: int, day: int, hour: int, minute: int = 0, year: int = 2026):
    return datetime.datetime(year, month, day, hour, minute, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def looking_on_tuesday():
    with time_machine.travel(london(11, 3, 12), tick=False):
        yield


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def complaint(customer, now) -> Complaint:
    return ComplaintFactory(customer=customer, now=now, summary="Carys's broadband")


@pytest.fixture
def others(other_customer, now) -> Complaint:
    return ComplaintFactory(customer=other_customer, now=now,
                            summary="Oscar's private matter")  # fmt: skip


@pytest.fixture
def carys(customer):
    user = UserFactory(username="carys")
    customer.portal_user = user
    customer.save(update_fields=["portal_user"])
    return user


@pytest.fixture
def oscar(other_customer):
    user = UserFactory(username="oscar")
    other_customer.portal_user = user
    other_customer.save(update_fields=["portal_user"])
    return user


def follow(reference: str, token: str) -> str:
    return reverse("complaints:follow", args=[reference, token])


def follow_act(reference: str, token: str, action: str) -> str:
    return reverse("complaints:follow_act", args=[reference, token, action])


def without_csrf(response) -> str:
    """The page without its CSRF token, which Django masks afresh in every response."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", response.content.decode())


def nothing_changes(*complaints: Complaint):
    """A snapshot of everything a customer action could change; call it again to compare."""

    def take():
        return [
            (
                c.pk,
                Complaint.objects.get(pk=c.pk).row_version,
                Complaint.objects.get(pk=c.pk).status,
                TimelineEvent.objects.filter(complaint=c).count(),
                AuditEntry.objects.filter(object_type="complaint", object_id=c.pk).count(),
            )
            for c in complaints
        ] + [Complaint.objects.count(), OutboxMessage.objects.count()]

    before = take()
    return lambda: take() == before


@pytest.fixture
def not_found_page(client) -> str:
    """What an unknown reference looks like: the yardstick for every refusal."""
    response = client.get(follow("RD-0000-0000", "whatever"))
    assert response.status_code == 404
    return without_csrf(response)


# --- signed links --------------------------------------------------------------------------


def test_the_owners_link_opens_the_complaint(client, complaint):
    response = client.get(follow(complaint.reference, follow_token_make(complaint)))
    assert response.status_code == 200
    assert "Carys&#x27;s broadband" in response.content.decode()


def test_another_customers_reference_with_your_token_is_not_found(
    client, complaint, others, not_found_page
):
    response = client.get(follow(others.reference, follow_token_make(complaint)))
    assert response.status_code == 404
    assert without_csrf(response) == not_found_page
    assert "Oscar" not in response.content.decode()


def test_a_token_for_one_complaint_does_not_open_another(client, complaint, others):
    # Oscar's genuine token on Carys's URL: the token names another complaint.
    response = client.get(follow(complaint.reference, follow_token_make(others)))
    assert response.status_code == 404
    assert "Carys" not in response.content.decode()


def test_a_tampered_token_is_the_same_as_not_found(client, complaint, not_found_page):
    token = follow_token_make(complaint)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    response = client.get(follow(complaint.reference, tampered))
    assert response.status_code == 404
    assert without_csrf(response) == not_found_page


def test_a_token_with_a_forged_payload_is_refused(client, complaint, others):
    token = follow_token_make(complaint)
    payload, rest = token.split(":", 1)
    forged = signing.dumps({"c": others.pk, "r": others.reference}, salt=FOLLOW_SALT,
                           compress=True).split(":", 1)[0] + ":" + rest  # fmt: skip
    assert client.get(follow(others.reference, forged)).status_code == 404


def test_a_token_signed_for_another_purpose_is_refused(client, complaint):
    other_purpose = signing.dumps(
        {"c": complaint.pk, "r": complaint.reference}, salt="redress.something-else", compress=True
    )
    assert client.get(follow(complaint.reference, other_purpose)).status_code == 404


def test_an_expired_link_says_so_and_offers_a_new_one_without_the_complaint(client, complaint):
    token = follow_token_make(complaint)
    later = london(11, 3, 12) + datetime.timedelta(seconds=FOLLOW_MAX_AGE + 60)
    with time_machine.travel(later, tick=False):
        response = client.get(follow(complaint.reference, token))
    assert response.status_code == 410
    body = response.content.decode()
    assert "This link has expired" in body
    assert reverse("complaints:new_link") + f"?reference={complaint.reference}" in body
    assert "Carys" not in body and "broadband" not in body


def test_an_expired_link_on_another_complaints_url_is_just_not_found(
    client, complaint, others, not_found_page
):
    token = follow_token_make(complaint)
    with time_machine.travel(london(12, 31, 12), tick=False):
        response = client.get(follow(others.reference, token))
    assert response.status_code == 404
    assert without_csrf(response) == not_found_page


def test_an_expired_or_invalid_link_cannot_act(client, complaint, others):
    unchanged = nothing_changes(complaint, others)
    token = follow_token_make(complaint)
    data = {"customer_add_information-body": "Hello"}
    with time_machine.travel(london(12, 31, 12), tick=False):
        assert client.post(follow_act(complaint.reference, token, "customer_add_information"),
                           data).status_code == 410  # fmt: skip
    assert client.post(follow_act(others.reference, token, "customer_add_information"),
                       data).status_code == 404  # fmt: skip
    assert client.post(follow_act(complaint.reference, token + "x", "customer_add_information"),
                       data).status_code == 404  # fmt: skip
    assert unchanged()


def test_pages_with_a_secret_in_the_url_are_never_cached_or_indexed(client, complaint):
    response = client.get(follow(complaint.reference, follow_token_make(complaint)))
    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    # Never sent to another site (the ombudsman's is linked); "no-referrer" would make
    # browsers post the page's forms with `Origin: null`, which the CSRF check refuses.
    assert response["Referrer-Policy"] == "same-origin"


# --- staff actions through the customer's door ---------------------------------------------

STAFF_ACTIONS = [a.value for a in Action if not a.value.startswith("customer_")]


@pytest.mark.parametrize("action", [*STAFF_ACTIONS, "customer_mark_resolved", "delete"])
def test_staff_actions_cannot_be_posted_through_a_follow_link(client, complaint, action):
    unchanged = nothing_changes(complaint)
    token = follow_token_make(complaint)
    response = client.post(follow_act(complaint.reference, token, action),
                           {f"{action}-body": "x", f"{action}-reason": "x"})  # fmt: skip
    assert response.status_code == 404
    assert unchanged()


@pytest.mark.parametrize("action", STAFF_ACTIONS)
def test_staff_actions_cannot_be_posted_through_the_portal(client, complaint, carys, action):
    unchanged = nothing_changes(complaint)
    client.force_login(carys)
    url = reverse("complaints:my_complaint_act", args=[complaint.reference, action])
    assert client.post(url, {f"{action}-body": "x"}).status_code == 404
    assert unchanged()


def test_the_follow_pages_need_the_csrf_token(complaint):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    token = follow_token_make(complaint)
    unchanged = nothing_changes(complaint)
    response = strict.post(follow_act(complaint.reference, token, "customer_add_information"),
                           {"customer_add_information-body": "Hi"})  # fmt: skip
    assert response.status_code == 403
    assert unchanged()


# --- the portal ----------------------------------------------------------------------------


def test_a_portal_user_cannot_open_another_customers_complaint(client, complaint, others, carys):
    client.force_login(carys)
    mine = client.get(reverse("complaints:my_complaint", args=[complaint.reference]))
    theirs = client.get(reverse("complaints:my_complaint", args=[others.reference]))
    unknown = client.get(reverse("complaints:my_complaint", args=["RD-0000-0000"]))
    assert mine.status_code == 200
    assert theirs.status_code == unknown.status_code == 404
    assert without_csrf(theirs) == without_csrf(unknown)
    assert "Oscar" not in theirs.content.decode()


def test_a_portal_user_cannot_act_on_another_customers_complaint(client, complaint, others, carys):
    unchanged = nothing_changes(others)
    client.force_login(carys)
    url = reverse("complaints:my_complaint_act", args=[others.reference,
                                                      "customer_add_information"])  # fmt: skip
    assert client.post(url, {"customer_add_information-body": "Hi"}).status_code == 404
    assert unchanged()


def test_a_portal_list_has_only_your_own_complaints(client, complaint, others, carys, oscar):
    client.force_login(oscar)
    body = client.get(reverse("complaints:my_complaints")).content.decode()
    assert others.reference in body
    assert complaint.reference not in body


def test_staff_are_not_customers_in_the_portal(client, complaint, agent):
    client.force_login(agent)
    response = client.get(reverse("complaints:my_complaint", args=[complaint.reference]))
    assert response.status_code == 404


def test_an_anonymous_visitor_is_asked_to_sign_in_for_the_portal(client, complaint):
    response = client.get(reverse("complaints:my_complaint", args=[complaint.reference]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    act = reverse("complaints:my_complaint_act", args=[complaint.reference, "customer_accept"])
    assert client.post(act, {}).status_code == 302


def test_a_portal_user_with_a_link_to_someone_elses_complaint_still_needs_the_link(
    client, complaint, others, carys
):
    # Signing in does not widen what a link opens: Oscar's reference with Carys's token.
    client.force_login(carys)
    assert client.get(follow(others.reference, follow_token_make(complaint))).status_code == 404


# --- what the page may show ----------------------------------------------------------------


def test_internal_events_never_show_on_any_customer_page(client, complaint, carys, agent):
    TimelineEventFactory(complaint=complaint, summary="Internal", body="Secret PINEAPPLE",
                         author=agent)  # fmt: skip
    token = follow_token_make(complaint)
    pages = [
        client.get(follow(complaint.reference, token)),
        # re-rendered after a refusal (409) and a validation error (400)
        client.post(follow_act(complaint.reference, token, "customer_accept"), {}),
        client.post(follow_act(complaint.reference, token, "customer_request_escalation"), {}),
    ]
    client.force_login(carys)
    pages.append(client.get(reverse("complaints:my_complaint", args=[complaint.reference])))
    assert [p.status_code for p in pages] == [200, 409, 400, 200]
    for page in pages:
        assert "PINEAPPLE" not in page.content.decode()


def test_the_page_never_links_letters_of_other_complaints(client, complaint, others, carys):
    mine = Letter.objects.create(complaint=complaint, kind="deadlock", state="ready",
                                 dated=datetime.date(2026, 11, 3), body="Mine")  # fmt: skip
    theirs = Letter.objects.create(complaint=others, kind="deadlock", state="ready",
                                   dated=datetime.date(2026, 11, 3), body="Theirs")  # fmt: skip
    token = follow_token_make(complaint)
    bodies = [client.get(follow(complaint.reference, token)).content.decode()]
    client.force_login(carys)
    bodies.append(
        client.get(reverse("complaints:my_complaint", args=[complaint.reference])).content.decode()
    )
    for body in bodies:
        letter_links = re.findall(r'href="([^"]*/letters/(\d+)/)"', body)
        assert [int(pk) for _, pk in letter_links] == [mine.pk]
        assert all(complaint.reference in href for href, _ in letter_links)
        assert f"/letters/{theirs.pk}/" not in body


# --- a fresh link never reveals a reference ------------------------------------------------


def new_link(client, reference, email):
    return client.post(reverse("complaints:new_link"), {"reference": reference, "email": email})


def test_the_answer_is_the_same_whether_or_not_the_complaint_exists(client, complaint, others):
    answers = [
        new_link(client, complaint.reference, "carys@example.com"),  # matches
        new_link(client, complaint.reference, "oscar@example.com"),  # another's email
        new_link(client, others.reference, "carys@example.com"),  # another's reference
        new_link(client, "RD-0000-0000", "carys@example.com"),  # no such reference
    ]
    assert {a.status_code for a in answers} == {200}
    assert len({without_csrf(a) for a in answers}) == 1
    queued = OutboxMessage.objects.filter(template="follow_link")
    assert [(m.complaint_id, m.recipient) for m in queued] == [(complaint.pk, "carys@example.com")]


def test_a_customer_without_an_email_never_matches_an_empty_one(client, now):
    from tests.factories import CustomerFactory

    silent = ComplaintFactory(customer=CustomerFactory(email=""), now=now)
    response = new_link(client, silent.reference, "")
    assert response.status_code == 400  # an email address is required
    assert not OutboxMessage.objects.filter(template="follow_link").exists()


def test_too_many_requests_get_the_same_answer_and_send_nothing(client, complaint, settings):
    settings.REDRESS_NEW_LINK_LIMIT = "2/h"
    new_link(client, "RD-0000-0000", "someone@example.com")
    new_link(client, "RD-0000-0001", "someone@example.com")
    limited = new_link(client, complaint.reference, "carys@example.com")
    allowed = new_link(client.__class__(REMOTE_ADDR="10.0.0.9"), complaint.reference,
                       "carys@example.com")  # fmt: skip
    assert limited.status_code == 200
    assert without_csrf(limited) == without_csrf(allowed)
    # Only the request from another address was sent.
    assert OutboxMessage.objects.filter(template="follow_link").count() == 1


def test_the_limit_resets_after_its_window(client, complaint, settings):
    settings.REDRESS_NEW_LINK_LIMIT = "1/h"
    new_link(client, "RD-0000-0000", "someone@example.com")
    new_link(client, complaint.reference, "carys@example.com")
    assert not OutboxMessage.objects.filter(template="follow_link").exists()
    with time_machine.travel(london(11, 3, 13, 1), tick=False):
        new_link(client, complaint.reference, "carys@example.com")
    assert OutboxMessage.objects.filter(template="follow_link").count() == 1


def test_the_emailed_link_is_built_from_settings_not_the_host_header(client, complaint, settings):
    settings.REDRESS_BASE_URL = "https://complaints.example.co.uk"
    client.post(
        reverse("complaints:new_link"),
        {"reference": complaint.reference, "email": "carys@example.com"},
        HTTP_HOST="localhost",  # an allowed host, but not the site customers use
    )
    (message,) = OutboxMessage.objects.filter(template="follow_link")
    assert message.context["follow_url"].startswith(
        f"https://complaints.example.co.uk/follow/{complaint.reference}/"
    )
    assert "localhost" not in str(message.context)

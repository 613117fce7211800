"""/code-of-practice/: the current code version's settings, published in plain words."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.portal.views.complain import office_days
from escalation.models import ClosureDay, CodeOfPractice
from escalation.selectors import code_version_in_force

URL = reverse("complaints:code_of_practice")


def page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_the_shipped_current_code_is_published_with_all_its_settings(client, db):
    html = page(client)
    # how to complain
    assert "soVision IT Ltd" in html
    assert "0117 986 4026" in html
    assert "support@sovision.com" in html
    assert "Avon House<br>Avon Mill Lane" in html
    assert "09:00 to 17:00, Monday to Friday" in html
    assert f'href="{reverse("complaints:complain")}"' in html
    # what we promise, per channel
    assert "Web-form complaints are handled as emails" in html
    assert "We acknowledge within 1 working day and respond within 2 working days." in html
    assert "resolve every complaint within 10 working days" in html
    assert "unless we hear from you within 10 working days of our response" in html
    # escalation
    assert "Formal review: Technical Director or Company Secretary" in html
    assert "complaints register" in html
    # the ADR scheme
    assert "Ombudsman Services: Communications" in html
    assert "PO Box 730<br>Warrington<br>WA4 6WU" in html
    assert "0330 440 1614" in html
    assert "enquiries@os-communications.org" in html
    assert "http://www.ombudsman-services.org/communications.html" in html
    assert "When 8 weeks have passed since you first made your complaint" in html
    assert "within 6 months of the date of our letter" in html
    assert "up to 9 months from when you first made your complaint" in html
    assert "businesses with fewer than 10 employees" in html
    assert "you can ask us for a “deadlock letter”" in html
    # complaints about the code itself
    assert (
        "complaints about the code go to Formal review: Technical Director or Company "
        "Secretary" in html
    )
    assert "at least 12 months after it is closed" in html


def test_switching_to_infinitys_code_changes_the_page(client, use_code):
    use_code("infinity-group-2016")
    html = page(client)
    assert "Operations Director" in html
    assert "Managing Director" in html
    assert "0345 450 4600" in html
    assert "09:00 to 17:30" in html
    assert "We respond to a letter within 10 working days." in html
    assert "businesses with 10 or fewer employees" in html
    assert "does not deal with complaints about pricing" in html
    assert "we write to tell you so (a “deadlock letter”)" in html
    # no tier takes complaints about the code: they escalate like any other, to the top
    assert "escalated up to Managing Director" in html
    assert "soVision" not in html
    assert "resolve every complaint within" not in html


def test_switching_to_ofcoms_2026_rules_shows_6_weeks_and_their_nuance(client, use_code):
    use_code("ofcom-2026")
    html = page(client)
    assert "When 6 weeks have passed since you first made your complaint" in html
    assert "first made on or after Wednesday 8 April 2026" in html
    assert "for complaints first made before then, it is 8 weeks" in html
    assert "within 12 months of the date of our letter" in html
    assert "Communications Ombudsman" in html
    assert "we also send you an ADR letter without you having to ask" in html
    # no response windows in this preset: no table of promises, but still a promise
    assert "We respond to every complaint as soon as we can" in html
    assert "complaints about the code go to Senior complaints review" in html


def test_upcoming_closure_days_are_listed_and_past_ones_are_not(client, db):
    version = code_version_in_force(at=timezone.now())
    today = timezone.localdate()
    ClosureDay.objects.create(
        version=version, date=today + datetime.timedelta(days=10), reason="Office move"
    )
    ClosureDay.objects.create(
        version=version, date=today - datetime.timedelta(days=10), reason="Stocktake"
    )
    html = page(client)
    assert "Office move" in html
    assert "Stocktake" not in html


def test_without_a_current_code_the_page_says_so(client, db):
    CodeOfPractice.objects.update(is_current=False)
    response = client.get(URL)
    assert response.status_code == 503
    assert "cannot be shown just now" in response.content.decode()


def test_the_form_and_the_home_page_link_to_the_code(client, db):
    for url in (reverse("complaints:complain"), reverse("complaints:home")):
        assert f'href="{URL}"' in client.get(url).content.decode()


@pytest.mark.parametrize(
    "weekdays,words",
    [
        ([0, 1, 2, 3, 4], "Monday to Friday"),
        ([0, 1, 2, 3, 4, 5], "Monday to Saturday"),
        ([0, 2, 4], "Monday, Wednesday and Friday"),
        ([0, 1], "Monday and Tuesday"),
        ([5], "Saturday"),
    ],
)
def test_office_days_in_words(weekdays, words):
    assert office_days(weekdays) == words

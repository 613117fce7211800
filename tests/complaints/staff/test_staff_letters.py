"""Letters on the staff side: the complaint page lists them; the "to post" list and posting."""

from __future__ import annotations

import datetime
import functools

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from complaints.models import Customer, Letter
from tests.factories import ComplaintFactory, CustomerFactory

DATED = datetime.date(2026, 11, 2)


@functools.cache
def small_pdf(text: str = "Deadlock letter") -> bytes:
    from weasyprint import HTML

    return HTML(string=f"<p>{text}</p>").write_pdf()


def ready_letter(complaint, *, delivery: str, kind: str = "deadlock") -> Letter:
    letter = Letter(complaint=complaint, kind=kind, state="ready", dated=DATED, body="Position",
                    sha256="ab" * 32, delivery=delivery)  # fmt: skip
    letter.pdf.save("letter.pdf", ContentFile(small_pdf()), save=False)
    letter.save()
    return letter


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def by_post(db) -> Customer:
    return CustomerFactory(
        name="Percy Post", email="", address="1 High Street\nBath", postcode="BA1 1AA"
    )


@pytest.fixture
def posted_complaint(by_post, now):
    return ComplaintFactory(customer=by_post, now=now)


def test_the_complaint_page_lists_every_letter_with_hash_delivery_and_download(
    client, agent, customer, now
):
    complaint = ComplaintFactory(customer=customer, now=now)
    letter = ready_letter(complaint, delivery="email")
    client.force_login(agent)
    html = client.get(reverse("staff:complaint", args=[complaint.reference])).content.decode()
    assert "Letters sent" in html and "Deadlock letter" in html
    assert "ab" * 32 in html and "Emailed" in html
    assert reverse("staff:letter", args=[complaint.reference, letter.pk]) in html


def test_a_letter_for_the_post_is_on_the_to_post_list(client, manager, posted_complaint):
    ready_letter(posted_complaint, delivery="post")
    client.force_login(manager)
    html = client.get(reverse("staff:letters_to_post")).content.decode()
    assert posted_complaint.reference in html and "Percy Post" in html and "BA1 1AA" in html


def test_an_emailed_letter_is_not_on_the_to_post_list(client, manager, customer, now):
    complaint = ComplaintFactory(customer=customer, now=now)
    ready_letter(complaint, delivery="email")
    client.force_login(manager)
    assert complaint.reference not in client.get(reverse("staff:letters_to_post")).content.decode()


def test_recording_posted_on_takes_it_off_the_list_and_onto_the_timeline(
    client, manager, posted_complaint
):
    letter = ready_letter(posted_complaint, delivery="post")
    client.force_login(manager)
    response = client.post(reverse("staff:letter_posted", args=[letter.pk]),
                           {"posted_on": "2026-11-02"}, follow=True)  # fmt: skip
    letter.refresh_from_db()
    assert (letter.posted_on, letter.posted_by) == (DATED, manager)
    assert "was posted on 02 November 2026" in response.content.decode()
    assert posted_complaint.events.filter(
        summary="Deadlock letter posted on 02 November 2026"
    ).exists()
    assert "No letters are waiting to be posted." in response.content.decode()


def test_a_posting_date_in_the_future_is_refused_and_changes_nothing(
    client, manager, posted_complaint
):
    letter = ready_letter(posted_complaint, delivery="post")
    client.force_login(manager)
    response = client.post(reverse("staff:letter_posted", args=[letter.pk]),
                           {"posted_on": "2099-01-01"}, follow=True)  # fmt: skip
    letter.refresh_from_db()
    assert letter.posted_on is None
    assert "cannot be posted in the future" in response.content.decode()


def test_a_letter_is_recorded_as_posted_once(client, manager, posted_complaint):
    letter = ready_letter(posted_complaint, delivery="post")
    client.force_login(manager)
    url = reverse("staff:letter_posted", args=[letter.pk])
    client.post(url, {"posted_on": "2026-11-02"})
    response = client.post(url, {"posted_on": "2026-11-02"}, follow=True)
    assert "already recorded as posted" in response.content.decode()


def test_an_agent_cannot_record_posting(client, agent, posted_complaint):
    letter = ready_letter(posted_complaint, delivery="post")
    client.force_login(agent)
    response = client.post(
        reverse("staff:letter_posted", args=[letter.pk]), {"posted_on": "2026-11-02"}
    )
    assert response.status_code == 403

"""Staff review web submissions that were held, caught or failed, and log them from the admin."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints.models import WebSubmission

pytestmark = pytest.mark.django_db

PAYLOAD = {
    "name": "Carys Jones",
    "email": "carys@example.com",
    "postcode": "BS31 2UG",
    "kind": "consumer",
    "nation": "",
    "category": "billing",
    "details": "Charged twice for October",
    "remedy": "A refund",
    "preferred_contact": "email",
}


def _held(**payload: str) -> WebSubmission:
    return WebSubmission.objects.create(
        received_at=timezone.now(),
        state=WebSubmission.State.HELD,
        email="carys@example.com",
        client_key="k",
        payload={**PAYLOAD, **payload},
    )


def _release(client, *submissions: WebSubmission):
    return client.post(
        reverse("admin:complaints_websubmission_changelist"),
        {"action": "release", "_selected_action": [s.pk for s in submissions]},
        follow=True,
    )


def test_a_manager_logs_a_held_submission_as_a_complaint(client, manager):
    held = _held()
    client.force_login(manager)

    response = _release(client, held)

    held.refresh_from_db()
    assert held.state == WebSubmission.State.ACCEPTED
    assert held.complaint is not None
    assert f"Logged: {held.complaint.reference}." in response.content.decode()


def test_an_incomplete_submission_is_reported_and_left_for_a_person(client, manager):
    broken = _held(details="")
    client.force_login(manager)

    response = _release(client, broken)

    broken.refresh_from_db()
    assert broken.state == WebSubmission.State.HELD
    assert f"#{broken.pk}:" in response.content.decode()


def test_submissions_cannot_be_edited_or_deleted_in_the_admin(client, admin_staff):
    held = _held()
    client.force_login(admin_staff)

    page = client.get(reverse("admin:complaints_websubmission_change", args=[held.pk]))
    deleted = client.post(
        reverse("admin:complaints_websubmission_delete", args=[held.pk]), {"post": "yes"}
    )

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert deleted.status_code == 403
    assert WebSubmission.objects.filter(pk=held.pk).exists()

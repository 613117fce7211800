"""The admin face of codes of practice: what-if page, drafting and publishing, who may do what."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from escalation.models import CodeVersion

WHAT_IF = reverse("admin:escalation_codeversion_what_if")


def _version(slug: str) -> CodeVersion:
    return CodeVersion.objects.get(code__slug=slug, number=1)


@pytest.mark.django_db
def test_what_if_page_shows_the_clocks_and_the_rule_behind_each(client, admin_staff):
    client.force_login(admin_staff)

    response = client.get(
        WHAT_IF,
        {"code": "infinity-group-2016", "channel": "email", "received": "2026-11-02T17:45"},
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "Tuesday 10 November 2026 at 5:30pm" in html
    assert "within 5 working days from effective receipt Tue 03 Nov 2026 09:00" in html
    assert "Monday 28 December 2026" in html


@pytest.mark.django_db
def test_what_if_page_explains_bad_input_and_shows_no_result(client, admin_staff):
    client.force_login(admin_staff)

    response = client.get(
        WHAT_IF, {"code": "nope", "channel": "email", "received": "soon", "employees": "-1"}
    )

    html = response.content.decode()
    assert "Unknown code" in html
    assert "Enter a date and time in ISO-8601" in html
    assert "cannot be negative" in html
    assert "Under " not in html


@pytest.mark.django_db
def test_what_if_page_opens_empty_with_the_current_code_selected(client, admin_staff):
    client.force_login(admin_staff)

    response = client.get(WHAT_IF)

    assert response.status_code == 200
    assert 'value="sovision-it-2016" selected' in response.content.decode()


@pytest.mark.django_db
def test_what_if_page_is_for_signed_in_staff_only(client, customer):
    response = client.get(WHAT_IF)

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


@pytest.mark.django_db
def test_published_version_cannot_be_changed_through_the_admin(client, admin_staff):
    client.force_login(admin_staff)
    version = _version("sovision-it-2016")
    url = reverse("admin:escalation_codeversion_change", args=[version.pk])

    page = client.get(url)
    client.post(url, {"closes": "18:00", "code": version.code_id})

    assert 'name="_save"' not in page.content.decode()
    version.refresh_from_db()
    assert version.closes == datetime.time(17, 0)


@pytest.mark.django_db
def test_drafting_copies_the_version_and_leaves_the_original_alone(client, admin_staff):
    client.force_login(admin_staff)
    version = _version("infinity-group-2016")

    response = client.post(reverse("admin:escalation_codeversion_draft", args=[version.pk]))

    draft = CodeVersion.objects.get(code=version.code, number=2)
    assert response["Location"] == reverse("admin:escalation_codeversion_change", args=[draft.pk])
    assert draft.status == CodeVersion.Status.DRAFT
    assert draft.created_by == admin_staff
    assert draft.channel_windows.count() == version.channel_windows.count() == 5
    assert draft.tiers.count() == 3
    assert CodeVersion.objects.get(pk=version.pk).status == CodeVersion.Status.PUBLISHED


@pytest.mark.django_db
def test_publishing_a_draft_puts_it_in_force_from_the_date_given(client, admin_staff):
    client.force_login(admin_staff)
    version = _version("sovision-it-2016")
    client.post(reverse("admin:escalation_codeversion_draft", args=[version.pk]))
    draft = CodeVersion.objects.get(code=version.code, number=2)

    client.post(
        reverse("admin:escalation_codeversion_publish", args=[draft.pk]),
        {"effective_from": "2099-01-04T00:00"},
    )

    draft.refresh_from_db()
    assert draft.status == CodeVersion.Status.PUBLISHED
    assert draft.effective_from == datetime.datetime(2099, 1, 4, tzinfo=datetime.UTC)


@pytest.mark.django_db
def test_publishing_in_the_past_is_refused_with_a_reason(client, admin_staff):
    client.force_login(admin_staff)
    version = _version("sovision-it-2016")
    client.post(reverse("admin:escalation_codeversion_draft", args=[version.pk]))
    draft = CodeVersion.objects.get(code=version.code, number=2)

    response = client.post(
        reverse("admin:escalation_codeversion_publish", args=[draft.pk]),
        {"effective_from": "2020-01-01T00:00"},
    )

    assert "cannot come into force in the past" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == CodeVersion.Status.DRAFT


@pytest.mark.django_db
def test_draft_with_closing_before_opening_is_refused_on_save(client, admin_staff):
    client.force_login(admin_staff)
    version = _version("sovision-it-2016")
    client.post(reverse("admin:escalation_codeversion_draft", args=[version.pk]))
    draft = CodeVersion.objects.get(code=version.code, number=2)
    url = reverse("admin:escalation_codeversion_change", args=[draft.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "effective_from"}
    data.update(
        {
            "effective_from_0": "2099-01-04",
            "effective_from_1": "00:00:00",
            "opens": "09:00",
            "closes": "08:00",
            "office_weekdays": "[0, 1, 2, 3, 4]",
            "adr_excluded_categories": "[]",
        }
    )
    for prefix in ("channel_windows", "tiers", "closure_days"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})

    response = client.post(url, data)

    assert "Closing time must be after opening time." in response.content.decode()
    draft.refresh_from_db()
    assert draft.closes == datetime.time(17, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["agent", "manager"])
def test_agents_and_managers_can_read_but_not_draft_codes(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    version = _version("sovision-it-2016")

    view = client.get(reverse("admin:escalation_codeversion_change", args=[version.pk]))
    client.post(reverse("admin:escalation_codeversion_draft", args=[version.pk]))

    assert view.status_code == 200
    assert not CodeVersion.objects.filter(code=version.code, number=2).exists()


@pytest.mark.django_db
def test_complaints_are_read_only_in_the_admin(client, admin_staff, customer, now):
    from complaints.services import complaint_create

    complaint = complaint_create(
        customer=customer, channel="email", category="billing", summary="Double charge", now=now
    )
    client.force_login(admin_staff)

    page = client.get(reverse("admin:complaints_complaint_change", args=[complaint.pk]))
    client.post(
        reverse("admin:complaints_complaint_change", args=[complaint.pk]), {"summary": "changed"}
    )

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    complaint.refresh_from_db()
    assert complaint.summary == "Double charge"


SIMULATE = "/admin/escalation/codeversion/simulate/"


@pytest.mark.django_db
def test_simulate_page_shows_what_would_happen_in_plain_words(client, admin_staff):
    from escalation.models import CodeVersion

    client.force_login(admin_staff)
    version = CodeVersion.objects.get(code__slug="infinity-group-2016", number=1)

    response = client.get(
        SIMULATE,
        {"version": version.pk, "channel": "email", "received": "2026-11-02T10:00",
         "nation": "ENG", "category": "other", "until": "2026-11-12T00:00", "events": ""},
    )  # fmt: skip

    html = response.content.decode()
    assert response.status_code == 200
    assert "Breach recorded: respond by passed unmet" in html
    assert "Monday 9 November 2026 at 5:30pm" in html


@pytest.mark.django_db
def test_simulate_page_explains_a_bad_event_line_and_shows_no_result(client, admin_staff):
    from escalation.models import CodeVersion

    client.force_login(admin_staff)
    version = CodeVersion.objects.get(code__slug="sovision-it-2016", number=1)

    response = client.get(
        SIMULATE,
        {"version": version.pk, "channel": "email", "received": "2026-11-02T10:00",
         "nation": "ENG", "category": "other", "until": "2026-11-12T00:00",
         "events": "2026-11-03T10:00=danced"},
    )  # fmt: skip

    html = response.content.decode()
    assert "Unknown event kind" in html
    assert "What Redress would do" not in html


@pytest.mark.django_db
def test_a_drafts_page_offers_the_enforcement_settings(client, admin_staff):
    from escalation.services import code_version_draft

    client.force_login(admin_staff)
    draft = code_version_draft(
        source=CodeVersion.objects.get(code__slug="sovision-it-2016", number=1), by=admin_staff
    )

    html = client.get(f"/admin/escalation/codeversion/{draft.pk}/change/").content.decode()

    assert 'name="reminder_working_days_before"' in html
    assert 'name="escalate_on_breach"' in html

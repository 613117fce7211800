"""Bad input never gives a 5xx (issue 14, item 10): hypothesis sends arbitrary text, control
characters included, into the public form, the fresh-link form, the staff search and a
reference in the path, as a customer and as an agent would."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.complaints.portal.test_public_form import answers

pytestmark = pytest.mark.django_db
ANYTHING = st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
FUZZ = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
FORM_FIELDS = ["name", "email", "phone", "postcode", "kind", "category", "details", "remedy",
               "preferred_contact", "employee_count", "nation", "form_token"]  # fmt: skip


@FUZZ
@given(field=st.sampled_from(FORM_FIELDS), value=ANYTHING, urlencoded=st.booleans())
def test_the_public_form_never_answers_5xx(client, field, value, urlencoded):
    data = answers(**{field: value})
    url = reverse("complaints:complain")
    if urlencoded:
        response = client.post(
            url, urlencode(data), content_type="application/x-www-form-urlencoded"
        )
    else:
        response = client.post(url, data)
    assert response.status_code < 500


@FUZZ
@given(reference=ANYTHING, email=ANYTHING)
def test_the_new_link_form_never_answers_5xx(client, reference, email):
    response = client.post(reverse("complaints:new_link"), {"reference": reference, "email": email})
    assert response.status_code < 500


@FUZZ
@given(query=ANYTHING)
def test_the_staff_search_never_answers_5xx(client, agent, query):
    client.force_login(agent)
    assert client.get("/staff/queue/all/?q=" + quote(query)).status_code < 500


@FUZZ
@given(reference=ANYTHING.filter(lambda s: "/" not in s and s not in ("", ".", "..")))
def test_a_reference_in_the_path_never_answers_5xx(client, customer, reference):
    assert client.get("/my/complaints/" + quote(reference, safe="") + "/").status_code < 500
    assert client.get("/follow/" + quote(reference, safe="") + "/x/").status_code < 500

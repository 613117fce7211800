"""The queue page runs the same, small number of SQL queries however many complaints it lists,
and never counts the whole set (no COUNT(*): pages fetch page_size + 1 rows instead).
"""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from complaints.models import Complaint, StaffProfile
from tests.factories import ComplaintFactory, CustomerFactory

pytestmark = pytest.mark.django_db

# session, user; staff_required's roles (looked up twice there); complaint_queue's own roles
# check; the team's department (team queue only); THE page of complaints, with customer and
# assignee joined; the staff for the assignee menus; base.html's `perms` check (user and group
# permissions). Nothing here depends on how many complaints there are.
MAX_QUERIES = 10


def seed(count: int, *, agent, other_agent) -> None:
    """`count` complaints spread over people, nations and channels, all in agent's team."""
    StaffProfile.objects.get_or_create(user=agent, defaults={"department": "technical"})
    for i in range(count):
        ComplaintFactory(
            customer=CustomerFactory(nation=("ENG", "SCT", "WLS", "NIR")[i % 4]),
            department="technical",
            channel=("email", "letter", "phone")[i % 3],
            assigned_to=(agent, other_agent, None)[i % 3],
        )


def page_queries(client, user, name: str, **params: Any) -> list[str]:
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("staff:queue", args=[name]), params)
    assert response.status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


SHAPES = [
    ("mine", {}),
    ("team", {}),
    ("unassigned", {}),
    ("all", {}),
    ("all", {"q": "broadband"}),
    ("all", {"channel": "letter", "nation": "SCT", "status": "new"}),
    ("team", {"q": "Customer", "page": "2"}),
]


@pytest.mark.parametrize("persona", ["agent", "manager"])
@pytest.mark.parametrize(("name", "params"), SHAPES)
def test_query_count_is_the_same_for_5_and_60_complaints(
    client, request, agent, other_agent, persona, name, params
):
    user = request.getfixturevalue(persona)
    if persona == "manager":
        StaffProfile.objects.create(user=user, department="technical")

    # Given 5 complaints, then 60
    seed(5, agent=agent, other_agent=other_agent)
    few = page_queries(client, user, name, **params)
    seed(55, agent=agent, other_agent=other_agent)
    assert Complaint.objects.count() == 60
    many = page_queries(client, user, name, **params)

    # Then the page ran the same number of queries both times, and few of them
    assert len(many) == len(few) <= MAX_QUERIES, "\n".join(many)


@pytest.mark.parametrize("count", [5, 60])
def test_query_ceiling_holds_for_a_full_page(
    client, agent, other_agent, django_assert_max_num_queries, count
):
    seed(count, agent=agent, other_agent=other_agent)
    client.force_login(agent)
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(reverse("staff:queue", args=["all"]))
    assert len(response.context["result"].rows) == min(count, 50)


def test_no_page_counts_the_whole_set(client, agent, other_agent):
    # Given more complaints than fit on a page
    seed(60, agent=agent, other_agent=other_agent)

    # When pages one and two of "all", a search and the team queue are read
    sql = (
        page_queries(client, agent, "all")
        + page_queries(client, agent, "all", page="2")
        + page_queries(client, agent, "all", q="broadband")
        + page_queries(client, agent, "team")
    )

    # Then nothing was counted, and page one knew there was a page two anyway
    assert not [s for s in sql if "COUNT(" in s.upper()]


def test_page_two_holds_the_rest_without_counting(client, agent, other_agent):
    seed(60, agent=agent, other_agent=other_agent)
    client.force_login(agent)
    first = client.get(reverse("staff:queue", args=["all"]))
    second = client.get(reverse("staff:queue", args=["all"]), {"page": "2"})
    assert first.context["result"].has_next
    assert len(second.context["result"].rows) == 10 and not second.context["result"].has_next
    seen = {r.complaint.pk for r in first.context["result"].rows} | {
        r.complaint.pk for r in second.context["result"].rows
    }
    assert seen == set(Complaint.objects.values_list("pk", flat=True))


def test_a_queue_page_reads_only_the_columns_its_rows_show(client, agent, other_agent, manager):
    # Given a full page of complaints (a complaint row has ~70 columns, two of them JSON)
    seed(55, agent=agent, other_agent=other_agent)
    client.force_login(manager)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("staff:queue", args=["all"]))
    # Then the page's complaint query names no column the rows do not print
    [page] = [q["sql"] for q in captured if 'FROM "complaints_complaint"' in q["sql"]]
    for unread in ("clock_reasons", "enforced", "details", "resolution_summary"):
        assert unread not in page
    # and every row still shows its customer and owner (no query per row: the ceiling holds)
    assert response.content.decode().count('class="reference"') == 50
    assert len(captured) <= MAX_QUERIES


def test_a_queue_row_escapes_what_people_typed_and_links_its_complaint(client, manager):
    customer = CustomerFactory(name='Ann "A&B" <Ltd>')
    complaint = ComplaintFactory(customer=customer, summary="<script>alert(1)</script> & more")
    client.force_login(manager)
    page = client.get(reverse("staff:queue", args=["all"])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in page
    assert "Ann &quot;A&amp;B&quot; &lt;Ltd&gt;" in page
    assert f'href="{reverse("staff:complaint", args=[complaint.reference])}"' in page

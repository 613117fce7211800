"""Server-side timings of the staff console pages on the seeded bench database.

Requests go through Django's full stack in-process (middleware, session, view, template), so a
figure is what the server spends per request, without network or browser. Each page is asked
for REQUESTS times after a warm-up; we print p50 / p95 / max in milliseconds and the number of
SQL queries one request ran (which must not depend on the data size).
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

REQUESTS = 200
WARMUP = 10


def _percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _client_for(user: Any) -> Any:
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    client.force_login(user)
    return client


def _time(client: Any, urls: Callable[[int], str], requests: int) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for i in range(WARMUP):
        client.get(urls(i))
    samples = []
    for i in range(requests):
        began = time.perf_counter()
        response = client.get(urls(i))
        samples.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{urls(i)} answered {response.status_code}")
    with CaptureQueriesContext(connection) as captured:
        client.get(urls(0))
    return samples, len(captured.captured_queries)


def _figures(
    name: str, samples: list[float], queries: int, figure: Callable[..., Any]
) -> list[Any]:
    return [
        figure(f"{name} p50", statistics.median(samples), "ms"),
        figure(f"{name} p95", _percentile(samples, 0.95), "ms"),
        figure(f"{name} max", max(samples), "ms"),
        figure(f"{name} queries", queries, "per request"),
    ]


def _busiest_agent() -> Any:
    """The agent with the most open complaints: the slowest 'mine' queue there is."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count, Q

    from complaints.models import OPEN_STATUSES, StaffProfile

    User = get_user_model()
    user = (
        User.objects.filter(groups__name="agent")
        .annotate(
            n=Count("assigned_complaints", filter=Q(assigned_complaints__status__in=OPEN_STATUSES))
        )
        .order_by("-n")
        .first()
    )
    if user is None:
        raise RuntimeError("no agent in the bench database: run the seed benchmark first")
    StaffProfile.objects.get_or_create(user=user, defaults={"department": "technical"})
    return user


def _sample_references(requests: int) -> tuple[list[int], list[str]]:
    from complaints.models import Complaint

    rng = random.Random(7)
    top = Complaint.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ids = [rng.randint(1, top) for _ in range(requests * 3)]
    references = list(Complaint.objects.filter(pk__in=ids).values_list("reference", flat=True))
    if not references:
        raise RuntimeError("no complaints in the bench database")
    return ids, references


def staff_pages(figure: Callable[..., Any], requests: int = REQUESTS) -> list[Any]:
    """The queues and the complaint page (`--only pages`)."""
    from django.urls import reverse

    client = _client_for(_busiest_agent())
    figures: list[Any] = []
    for queue in ("mine", "team", "unassigned", "all"):
        url = reverse("staff:queue", args=[queue])
        samples, queries = _time(client, lambda i, url=url: f"{url}?page={1 + i % 3}", requests)
        figures += _figures(f"queue {queue}", samples, queries, figure)

    # Complaint pages of random complaints across the whole table.
    _, references = _sample_references(requests)
    samples, queries = _time(
        client,
        lambda i: reverse("staff:complaint", args=[references[i % len(references)]]),
        requests,
    )
    figures += _figures("complaint page", samples, queries, figure)
    return figures


# Surnames that only one nation's customers have are shared by few enough customers that the
# search once walked the queue's index a long way for them (issue 11): always measured.
HARD_SURNAMES = ("Paterson", "McLaughlin", "Pritchard", "Thomas")


def staff_search(figure: Callable[..., Any], requests: int = REQUESTS) -> list[Any]:
    """The queue search (`--only search`): by reference, by customer surname, by summary word."""
    from django.urls import reverse

    from complaints.models import Complaint

    client = _client_for(_busiest_agent())
    ids, references = _sample_references(requests)
    # Surnames as staff meet them: those of random complaints' customers, so common names
    # weigh as much as they are common, and the hard ones.
    names = list(Complaint.objects.filter(pk__in=ids[:50]).values_list("customer__name", flat=True))
    surnames = [n.split()[0 if n.split()[-1] in _BUSINESS_WORDS else -1] for n in names if n]
    searches = {
        "search reference": lambda i: references[i % len(references)],
        "search customer": lambda i: surnames[i % len(surnames)],
        "search hard surnames": lambda i: HARD_SURNAMES[i % len(HARD_SURNAMES)],
        "search summary": lambda i: ("broadband", "bill", "engineer", "refund")[i % 4],
    }
    queue_all = reverse("staff:queue", args=["all"])
    figures: list[Any] = []
    for name, term in searches.items():
        samples, queries = _time(
            client, lambda i, term=term: f"{queue_all}?q={term(i)}", requests // 2
        )
        figures += _figures(name, samples, queries, figure)
    return figures


# The last word of a business customer's name ("Smith Plumbing", "Jones & Co") is not a surname.
_BUSINESS_WORDS = frozenset({"Ltd", "Co", "Plumbing", "Cafe", "Accountants", "Garage", "Florists",
                             "Solicitors", "Practice", "Studio"})  # fmt: skip

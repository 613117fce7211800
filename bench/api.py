"""The API and email intake on the seeded bench database.

- Listing 50 complaints with their clocks (GET /api/v1/complaints/, token auth, in-process
  through Django's full stack): first pages in each ordering, and pages deep in the cursor
  chain; p50 / p95 / max in ms and the SQL queries per request (constant in the data size).
- Ingesting 1,000 emails through email_ingest (write-ahead, parse, new complaint awaiting
  triage with its acknowledgement, or a customer reply): messages per second, and how many
  were lost (a message whose raw bytes are not stored, or stored but left unprocessed).
"""

from __future__ import annotations

import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from bench.pages import _percentile

REQUESTS = 200
WARMUP = 3
EMAILS = 1000


def _token_client() -> Any:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.test import APIClient

    from complaints.api_tokens import api_token_create

    settings.ALLOWED_HOSTS = ["*"]
    user, _ = get_user_model().objects.get_or_create(username="bench-api-agent")
    user.groups.add(Group.objects.get(name="agent"))
    _, key = api_token_create(user=user, name="bench")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


def _timed(client: Any, urls: list[str]) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in urls[:WARMUP]:
        client.get(url)
    samples = []
    for url in urls:
        began = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - began) * 1000)
        if response.status_code != 200 or len(response.json()["results"]) != 50:
            raise RuntimeError(f"{url} answered {response.status_code} / not 50 rows")
    with CaptureQueriesContext(connection) as captured:
        client.get(urls[0])
    return samples, len(captured.captured_queries)


def _figures(name: str, samples: list[float], queries: int, figure: Callable[..., Any]) -> list:
    return [
        figure(f"{name} p50", statistics.median(samples), "ms"),
        figure(f"{name} p95", _percentile(samples, 0.95), "ms"),
        figure(f"{name} max", max(samples), "ms"),
        figure(f"{name} queries", queries, "per request"),
    ]


def api_list(figure: Callable[..., Any], requests: int = REQUESTS) -> list[Any]:
    client = _token_client()
    figures: list[Any] = []
    base = "/api/v1/complaints/"
    # The list as an integration polls it: the queue's order (next clock due), first page.
    samples, queries = _timed(client, [base] * requests)
    figures += _figures("api list 50", samples, queries, figure)
    # Filtered, and ordered by another clock (no index of its own: a sort of the matches).
    for name, url in (
        ("api list 50 status=investigating", f"{base}?status=investigating"),
        ("api list 50 ordering=respond_by", f"{base}?ordering=respond_by"),
    ):
        samples, queries = _timed(client, [url] * (requests // 10))
        figures += _figures(name, samples, queries, figure)
    # Deep pages: follow the cursor chain, then time requests of those later pages.
    url, deep = base, []
    for _ in range(40):
        url = client.get(url).json()["next"]
        deep.append(url.removeprefix("http://testserver"))
    samples, queries = _timed(client, [deep[i % len(deep)] for i in range(requests)])
    figures += _figures("api list 50 (page 2-41)", samples, queries, figure)
    return figures


def _message(i: int, run: str, reply_to: tuple[str, str] | None) -> bytes:
    if reply_to is not None:
        reference, address = reply_to
        sender, subject = address, f"Re: Your complaint {reference}"
    else:
        sender, subject = f"bench-{run}-{i}@example.com", f"Broadband fault number {i}"
    return (
        f"Received: by mx.bench.test; Mon, 2 Nov 2026 10:00:00 +0000\r\n"
        f"From: Bench Customer {i} <{sender}>\r\nTo: support@redress.test\r\n"
        f"Subject: {subject}\r\nMessage-ID: <{run}-{i}@bench.test>\r\n"
        f"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n"
        f"My line has been down since Friday (message {i}).\r\n"
    ).encode()


def email_ingest_throughput(figure: Callable[..., Any], count: int = EMAILS) -> list[Any]:
    from django.db.models import Count, Q
    from django.utils import timezone

    from complaints.models import Complaint, InboundEmail
    from complaints.workflows.email_intake import email_ingest

    # Under the bench settings Celery is eager: each acknowledgement is also delivered
    # in-process (locmem email), so the figure includes work a worker would do.
    run = uuid.uuid4().hex[:12]
    # One in five is a reply from the customer of an existing complaint.
    targets = list(
        Complaint.objects.filter(status__in=["investigating", "awaiting_customer"])
        .exclude(customer__email="")
        .values_list("reference", "customer__email")[: count // 5]
    )
    messages = [
        _message(i, run, targets[i // 5] if i % 5 == 0 and i // 5 < len(targets) else None)
        for i in range(count)
    ]
    began = time.perf_counter()
    for raw in messages:
        email_ingest(raw=raw, now=timezone.now(), source="bench")
    seconds = time.perf_counter() - began
    mine = InboundEmail.objects.filter(message_id__startswith=f"<{run}-")
    stored = mine.count()
    unsettled = mine.filter(Q(state__in=["received", "failed"])).count()
    states = {
        row["state"]: row["n"] for row in mine.values("state").order_by().annotate(n=Count("id"))
    }
    print(f"email ingest states: {states}")
    return [
        figure("email ingest", count / seconds, "messages/s"),
        figure("email ingest lost", (count - stored) + unsettled, "messages"),
    ]

"""The manager's desk at the seeded size: dashboard figures cold, manager queue pages p95 with
their query counts, a year's complaints CSV streamed (peak RSS), and an ombudsman case file for a
complaint with 50 events and 5 letters.

"Cold" = the first computation on a new database connection with the process's rules caches
cleared (PostgreSQL's shared buffers are whatever the machine has; the load average is printed
beside every figure by bench/run.py).
"""

from __future__ import annotations

import datetime
import resource
import tempfile
import time
from collections.abc import Callable
from typing import Any

from bench.pages import REQUESTS, _client_for, _figures, _time


def _rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _manager() -> Any:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    User = get_user_model()
    user, _ = User.objects.get_or_create(username="bench-manager", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="manager"))
    return user


def _dashboard(manager: Any, figure: Callable[..., Any]) -> list[Any]:
    from django.db import connection
    from django.utils import timezone

    from complaints.selectors.report_filters import ReportFilters
    from complaints.selectors.reports import dashboard_figures
    from escalation.calendar import local_date
    from escalation.selectors import code_rules_cache_clear

    filters = ReportFilters.default(local_date(timezone.now()))
    out = []
    for label in ("cold", "warm"):
        if label == "cold":
            connection.close()
            code_rules_cache_clear()
        began = time.perf_counter()
        result = dashboard_figures(user=manager, filters=filters, now=timezone.now())
        out.append(figure(f"dashboard figures {label}", (time.perf_counter() - began), "s"))
    out.append(figure("dashboard received (12 months)", result.received, "complaints"))
    # The filters of item 7 read the per-combination rows, not the totals: two of them, each
    # on a new connection.
    from dataclasses import replace

    from complaints.models import Complaint

    assignee = (
        Complaint.objects.exclude(assigned_to=None).values_list("assigned_to_id", flat=True).first()
    )
    for label, extra in (
        ("phone, Scotland", {"channel": "phone", "nation": "SCT"}),
        ("one assignee, tier 0", {"assignee": assignee, "tier": 0}),
    ):
        connection.close()
        began = time.perf_counter()
        dashboard_figures(user=manager, filters=replace(filters, **extra), now=timezone.now())
        out.append(figure(f"dashboard figures, {label}", time.perf_counter() - began, "s"))
    return out


def _queues(manager: Any, figure: Callable[..., Any], requests: int) -> list[Any]:
    from django.urls import reverse

    client = _client_for(manager)
    out: list[Any] = []
    for queue in ("escalated", "breached", "due_today", "all"):
        url = reverse("staff:queue", args=[queue])
        samples, queries = _time(client, lambda i, url=url: f"{url}?page={1 + i % 3}", requests)
        out += _figures(f"queue {queue}", samples, queries, figure)
    samples, queries = _time(client, lambda i: reverse("staff:breach_board"), 10)
    out += _figures("breach board", samples, queries, figure)
    samples, queries = _time(client, lambda i: reverse("staff:dashboard"), 3)
    out += _figures("dashboard page", samples, queries, figure)
    return out


def _export(manager: Any, figure: Callable[..., Any]) -> list[Any]:
    from django.urls import reverse
    from django.utils import timezone

    from escalation.calendar import local_date

    client = _client_for(manager)
    end = local_date(timezone.now())
    start = end - datetime.timedelta(days=365)
    began, before = time.perf_counter(), _rss_mib()
    response = client.get(reverse("staff:complaints_csv"), {"start": start, "end": end})
    size = rows = 0
    low = high = _rss_mib()
    for chunk in response.streaming_content:
        size += len(chunk)
        rows += 1
        if rows % 20_000 == 0:
            now_rss = _rss_mib()
            low, high = min(low, now_rss), max(high, now_rss)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return [
        figure("export year rows", rows - 1, "rows"),
        figure("export year size", size / 2**20, "MiB"),
        figure("export year time", seconds, "s"),
        figure("export RSS before", before, "MiB"),
        figure("export RSS growth while streaming", high - low, "MiB"),
        figure("process peak RSS", peak, "MiB"),
    ]


def _case_file(manager: Any, figure: Callable[..., Any]) -> list[Any]:
    from django.conf import settings
    from django.core.files.base import ContentFile
    from django.db import transaction
    from django.utils import timezone
    from weasyprint import HTML

    from complaints.models import Complaint, Letter, TimelineEvent
    from complaints.workflows.case_file import case_file_pdf

    settings.MEDIA_ROOT = tempfile.mkdtemp(prefix="redress-bench-media-")
    now = timezone.now()
    # A complaint with no letters yet, so a re-run measures 50 events and 5 letters again.
    complaint = Complaint.objects.filter(letters__isnull=True).order_by("-pk").first()
    letter_pdf = HTML(string="<h1>Deadlock letter</h1>" + "<p>Our position.</p>" * 40).write_pdf()
    already = complaint.letters.count()  # a re-run adds five more, on later dates
    with transaction.atomic():
        events = [
            TimelineEvent(complaint=complaint, kind="note", summary=f"Bench note {n}",
                          body="Checked the line again. " * 8, occurred_at=now)
            for n in range(50)
        ]  # fmt: skip
        TimelineEvent.objects.bulk_create(events)
        for n in range(5):
            letter = Letter(complaint=complaint, kind="deadlock", state="ready", body="Position",
                            dated=datetime.date(2020, 1, 1) + datetime.timedelta(days=already + n),
                            sha256="0" * 64, delivery="email")  # fmt: skip
            letter.pdf.save("letter.pdf", ContentFile(letter_pdf), save=False)
            letter.save()
    count = complaint.events.count()  # 50 of ours plus the seeded timeline
    out = [
        figure("case file events", count, "events"),
        figure("case file letters", complaint.letters.count(), "letters"),
    ]
    # The first build in a process also pays for importing pypdf and WeasyPrint's first use of
    # each font face; a web worker pays that once. Both are printed, with the CPU time (what
    # the load average does not inflate) beside the wall time.
    for label in ("first in process", "warm"):
        began, cpu = time.perf_counter(), time.process_time()
        built = case_file_pdf(complaint_id=complaint.pk, by=manager, now=now)
        seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
        out.append(figure(f"case file build ({label})", seconds, "s"))
        out.append(figure(f"case file build CPU ({label})", cpu, "s"))
    return out + [figure("case file size", len(built.content) / 1024, "KiB")]


def managers_desk(figure: Callable[..., Any], requests: int = REQUESTS) -> list[Any]:
    manager = _manager()
    return (
        _dashboard(manager, figure)
        + _queues(manager, figure, requests)
        + _export(manager, figure)
        + _case_file(manager, figure)
    )

"""The manager's dashboard and reports: figures on screen, as CSV, as a one-page PDF, the
quarterly return and the streamed complaints export. Thin: parse filters, call the selectors."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_GET

from complaints.models import Department
from complaints.permissions import manager_required
from complaints.selectors.quarterly import (
    EXPORT_HEADER,
    complaints_export_rows,
    quarterly_return_rows,
)
from complaints.selectors.quarterly import HEADER as QUARTERLY_HEADER
from complaints.selectors.report_filters import ReportFilters
from complaints.selectors.report_rows import HEADER, figure_rows
from complaints.selectors.reports import dashboard_figures, reports_check
from complaints.staff.dashboard import dashboard_charts
from escalation.calendar import local_date
from escalation.choices import Category, Channel, Nation
from escalation.models import CodeVersion


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(header: Iterable[str], rows: Iterable[Iterable[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def _csv_response(filename: str, header: Iterable[str], rows: Iterable) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        _csv_stream(header, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _filters(request: HttpRequest) -> tuple[ReportFilters, list[str]]:
    return ReportFilters.from_params(request.GET, today=local_date(timezone.now()))


def _choices() -> dict:
    User = get_user_model()
    return {
        "versions": CodeVersion.objects.filter(status=CodeVersion.Status.PUBLISHED)
        .select_related("code")
        .order_by("code__slug", "number"),
        "channels": Channel.choices,
        "categories": Category.choices,
        "departments": Department.choices,
        "nations": Nation.choices,
        "staff": User.objects.filter(is_active=True, groups__name__in=["agent", "manager"])
        .distinct()
        .order_by("first_name", "username"),
    }


def _context(request: HttpRequest, active: str) -> dict:
    filters, problems = _filters(request)
    return {
        "active": active,
        "filters": filters,
        "problems": problems,
        "query": urlencode(filters.as_params()),
        **_choices(),
    }


@require_GET
@manager_required
def dashboard(request: HttpRequest) -> HttpResponse:
    context = _context(request, "dashboard")
    figures = dashboard_figures(user=request.user, filters=context["filters"], now=timezone.now())
    context |= {"figures": figures, "charts": dashboard_charts(figures)}
    return render(request, "staff/dashboard.html", context)


@require_GET
@manager_required
def reports(request: HttpRequest) -> HttpResponse:
    context = _context(request, "reports")
    today = local_date(timezone.now())
    quarter = (today.month - 1) // 3 + 1
    previous = (today.year, quarter - 1) if quarter > 1 else (today.year - 1, 4)
    context["quarters"] = [
        (f"{y}-{q}", f"{y} Q{q}", (y, q) == previous)
        for y in range(today.year - 2, today.year + 1) for q in (1, 2, 3, 4)
        if (y, q) <= (today.year, quarter)
    ][::-1]  # fmt: skip
    return render(request, "staff/reports.html", context)


@require_GET
@manager_required
def figures_csv(request: HttpRequest) -> HttpResponse:
    filters, _ = _filters(request)
    figures = dashboard_figures(user=request.user, filters=filters, now=timezone.now())
    name = f"complaint-figures-{filters.start}-to-{filters.end}.csv"
    return _csv_response(name, HEADER, figure_rows(figures))


@require_GET
@manager_required
def summary_pdf(request: HttpRequest) -> HttpResponse:
    from weasyprint import HTML  # heavy import: only this download pays for it

    filters, _ = _filters(request)
    now = timezone.now()
    figures = dashboard_figures(user=request.user, filters=filters, now=now)
    html = render_to_string(
        "staff/reports/summary_pdf.html",
        {"figures": figures, "charts": dashboard_charts(figures), "now": now},
    )
    pdf = HTML(string=html, url_fetcher=_refuse_fetch).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="complaints-summary-{filters.start}-to-{filters.end}.pdf"'
    )
    response["Cache-Control"] = "private, no-store"
    return response


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict:
    raise ValueError(f"the summary PDF fetches nothing: {url}")


@require_GET
@manager_required
def quarterly_csv(request: HttpRequest) -> HttpResponse:
    filters, _ = _filters(request)
    raw = request.GET.get("quarter", "")
    year, _, quarter = raw.partition("-")
    if not (year.isdigit() and quarter in ("1", "2", "3", "4") and 2000 <= int(year) <= 2100):
        return HttpResponse(
            f"“{raw[:20]}” is not a quarter: choose one such as 2026-4 (October to December).",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    reports_check(request.user)
    rows = quarterly_return_rows(year=int(year), quarter=int(quarter), filters=filters)
    return _csv_response(f"complaints-return-{year}-Q{quarter}.csv", QUARTERLY_HEADER, rows)


@require_GET
@manager_required
def complaints_csv(request: HttpRequest) -> HttpResponse:
    reports_check(request.user)
    filters, _ = _filters(request)
    name = f"complaints-{filters.start}-to-{filters.end}.csv"
    return _csv_response(name, EXPORT_HEADER, complaints_export_rows(filters))

"""The home page, the health checks, and where each person lands after signing in."""

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from kombu import Connection

from complaints.permissions import is_staff_member
from complaints.selectors.access import portal_customer
from escalation.models import CodeOfPractice
from escalation.selectors import NoCodeInForce, code_version_in_force


def home(request: HttpRequest) -> HttpResponse:
    code = CodeOfPractice.objects.filter(is_current=True).first()
    version = None
    if code is not None:
        try:
            version = code_version_in_force(at=timezone.now(), code=code)
        except NoCodeInForce:
            version = None
    return render(request, "complaints/home.html", {"code": code, "version": version})


logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: this process answers. It touches nothing else, so a database or broker outage
    never gets healthy web processes restarted (that is /readyz's question)."""
    return JsonResponse({"status": "ok"})


def _database_ready() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", said in the JSON
        logger.warning("readyz: database unavailable: %s", exc)
        return f"unavailable: {type(exc).__name__}"
    return "ok"


def _broker_ready() -> str:
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as broker:
            broker.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:  # noqa: BLE001 - any failure means "not ready", said in the JSON
        logger.warning("readyz: broker unavailable: %s", exc)
        return f"unavailable: {type(exc).__name__}"
    return "ok"


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database and the broker both answer (503 and which one, if not)."""
    checks = {"database": _database_ready(), "broker": _broker_ready()}
    ready = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **checks}, status=200 if ready else 503
    )


def after_login(request: HttpRequest) -> HttpResponse:
    """Staff land on their queue; customers with a portal account on their complaints;
    anyone else on the home page."""
    if is_staff_member(request.user):
        return redirect("staff:queue", queue="mine")
    if portal_customer(user=request.user) is not None:
        return redirect("complaints:my_complaints")
    return redirect("complaints:home")

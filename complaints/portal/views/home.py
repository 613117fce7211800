"""The home page, the health check, and where each person lands after signing in."""

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone

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


def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness for docker-compose: the process answers and the database does too."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def after_login(request: HttpRequest) -> HttpResponse:
    """Staff land on their queue; customers with a portal account on their complaints;
    anyone else on the home page."""
    if is_staff_member(request.user):
        return redirect("staff:queue", queue="mine")
    if portal_customer(user=request.user) is not None:
        return redirect("complaints:my_complaints")
    return redirect("complaints:home")

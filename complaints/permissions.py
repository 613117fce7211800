"""Who may use the staff console: people in the agent, manager or admin role. Customers never."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from escalation.roles import staff_roles


def request_roles(request: HttpRequest) -> frozenset[str]:
    """The signed-in person's staff roles, looked up once per request."""
    roles = getattr(request, "staff_roles", None)
    if roles is None:
        user = request.user
        roles = staff_roles(user) if user.is_authenticated and user.is_active else frozenset()
        request.staff_roles = roles
    return roles


def is_staff_member(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and staff_roles(user))


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request_roles(request):
            raise PermissionDenied("The staff console is for support staff only.")
        return view(request, *args, **kwargs)

    return wrapped


def manager_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @staff_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not ({"manager", "admin"} & request.staff_roles):
            raise PermissionDenied("Only managers can do that.")
        return view(request, *args, **kwargs)

    return wrapped

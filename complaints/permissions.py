"""Who may use the staff console: people in the agent, manager or admin role. Customers never."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from complaints.actions import staff_roles


def is_staff_member(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and staff_roles(user))


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_staff_member(request.user):
            raise PermissionDenied("The staff console is for support staff only.")
        request.staff_roles = staff_roles(request.user)
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

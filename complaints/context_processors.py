"""What every template may read about the person asking (their staff roles)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from complaints.permissions import request_roles


def staff(request: HttpRequest) -> dict[str, Any]:
    """Which navigation to show: staff roles, computed once per request and shared with views."""
    roles = request_roles(request) if hasattr(request, "user") else frozenset()
    return {"staff_roles": roles, "is_staff_member": bool(roles), "is_admin_role": "admin" in roles}

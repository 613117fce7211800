"""What every template may read about the person asking (their staff roles)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from complaints.permissions import request_roles
from complaints.selectors.alerts import staff_alert_unread_count


def staff(request: HttpRequest) -> dict[str, Any]:
    """Which navigation to show: staff roles, computed once per request and shared with views."""
    roles = request_roles(request) if hasattr(request, "user") else frozenset()
    return {
        "staff_roles": roles,
        "is_staff_member": bool(roles),
        "is_admin_role": "admin" in roles,
        # A callable: the count is queried only by pages that show the bell (the console).
        "staff_alerts_unread": (lambda: staff_alert_unread_count(request.user)) if roles else 0,
    }

"""One endpoint per lifecycle action: POST /api/v1/complaints/{reference}/actions/{action}/.

Generated, not written out: every entry of the staff's ACTION_SERVICES and the customer's
CUSTOMER_ACTION_SERVICES becomes a view whose request body is read from the workflow's keyword
arguments (str → text, datetime → date-time, int → integer; `…_id` is exposed without it). A new
action in the lifecycle needs only its entry in one of those tables.
"""

from __future__ import annotations

import datetime
import inspect
import types
import typing
from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.errors import ActionNotAllowed
from complaints.api.serializers import ComplaintSerializer, viewer_context
from complaints.api.views.common import (
    IF_MATCH,
    complaint_response,
    errors,
    if_match,
    visible_complaint,
)
from complaints.lifecycle import RULES, Action, Status, TransitionRefused, allowed_actions
from complaints.workflows.action_services import ACTION_SERVICES
from complaints.workflows.customer_actions import CUSTOMER_ACTION_SERVICES

# Supplied by the view, never by the client.
CONTEXT_ARGUMENTS = frozenset(
    {"complaint_id", "by", "now", "expected_version", "portal_user", "uploads"}
)
TEXT_LIMIT = 5000


def _field(annotation: Any, *, required: bool, default: Any) -> serializers.Field:
    args = set(typing.get_args(annotation)) if isinstance(annotation, types.UnionType) else set()
    nullable = type(None) in args
    base = next((a for a in args if a is not type(None)), annotation) if args else annotation
    options: dict[str, Any] = {"required": required}
    if not required:
        options["default"] = default
    if nullable:
        options["allow_null"] = True
    if base is datetime.datetime:
        return serializers.DateTimeField(**options)
    if base is int:
        return serializers.IntegerField(min_value=1, max_value=2**31 - 1, **options)
    if base is bool:
        return serializers.BooleanField(**options)
    return serializers.CharField(allow_blank=True, max_length=TEXT_LIMIT, **options)


def body_serializer(action: Action, service: Callable[..., Any]) -> type[serializers.Serializer]:
    """The request body of `action`, from the keyword arguments of its workflow."""
    hints = typing.get_type_hints(service)
    fields: dict[str, serializers.Field] = {}
    renames: dict[str, str] = {}
    for name, parameter in inspect.signature(service).parameters.items():
        if name in CONTEXT_ARGUMENTS or parameter.kind is not parameter.KEYWORD_ONLY:
            continue
        public = name.removesuffix("_id")
        renames[public] = name
        required = parameter.default is inspect.Parameter.empty
        fields[public] = _field(hints.get(name, str), required=required, default=parameter.default)
    camel = "".join(part.capitalize() for part in action.value.split("_"))
    return type(
        f"{camel}ActionSerializer",
        (serializers.Serializer,),
        {**fields, "renames": renames, "__doc__": RULES[action].label},
    )


class ActionView(APIView):
    action: Action
    service: Callable[..., Any]
    body: type[serializers.Serializer]
    as_customer: bool

    def post(self, request: Request, reference: str) -> Response:
        complaint = visible_complaint(request, reference)
        context = viewer_context(request)
        roles = context["roles"]
        if not (RULES[self.action].roles & roles):
            raise PermissionDenied(f"Your role cannot {RULES[self.action].label.lower()}.")
        body = self.body(data=request.data)
        body.is_valid(raise_exception=True)
        arguments = {self.body.renames[k]: v for k, v in body.validated_data.items()}
        now = timezone.now()
        try:
            if self.as_customer:
                if_match(request, complaint)
                updated = self.service(
                    complaint_id=complaint.pk, now=now, portal_user=request.user, **arguments
                )
            else:
                updated = self.service(
                    complaint_id=complaint.pk, by=request.user, now=now,
                    expected_version=if_match(request), **arguments,
                )  # fmt: skip
        except TransitionRefused as exc:
            complaint.refresh_from_db(fields=["status"])
            allowed = [str(a) for a in allowed_actions(complaint.status, roles=roles)]
            raise ActionNotAllowed(str(exc), allowed) from exc
        return complaint_response(request, updated)


def action_urlpatterns() -> list[URLPattern]:
    """One URL (and one documented operation) per action."""
    patterns = []
    tables = ((ACTION_SERVICES, False), (CUSTOMER_ACTION_SERVICES, True))
    for table, as_customer in tables:
        for action, service in table.items():
            body = body_serializer(action, service)
            who = "customer" if as_customer else ", ".join(sorted(RULES[action].roles))
            rule_moves = RULES[action].moves
            # In the Status order: the rules' dicts are built from sets (no stable order).
            moves = ", ".join(f"{s} → {rule_moves[s]}" for s in Status if s in rule_moves)
            view = type(
                f"{body.__name__.removesuffix('Serializer')}View",
                (ActionView,),
                {"action": action, "service": staticmethod(service), "body": body,
                 "as_customer": as_customer},
            )  # fmt: skip

            def post(self: ActionView, request: Request, reference: str) -> Response:
                return ActionView.post(self, request, reference)

            # A function of its own per view: the schema annotation is stored on it.
            view.post = extend_schema(
                operation_id=f"complaints_action_{action.value}",
                summary=RULES[action].label,
                description=f"Who: {who}. Moves: {moves}.",
                tags=["actions"],
                request=body,
                parameters=[IF_MATCH],
                responses={200: ComplaintSerializer, **errors(400, 401, 403, 404, 409, 412, 429)},
            )(post)
            patterns.append(
                path(
                    f"complaints/<str:reference>/actions/{action.value}/",
                    view.as_view(),
                    name=f"complaint-action-{action.value}",
                )
            )
    return patterns

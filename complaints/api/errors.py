"""Every API error is JSON of one shape: `{"code", "message", "errors"}` (+ `allowed_actions`
on 409). Bad input is a 400 with field errors, never a 500.

The workflows raise Django's ValidationError, the lifecycle's TransitionRefused and the
console's EditConflict; they are translated here, once, for every view.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from complaints.lifecycle import TransitionRefused
from complaints.workflows.transition import EditConflict

NON_FIELD = "non_field_errors"


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable, machine-readable: e.g. invalid, not_found.")
    message = serializers.CharField(help_text="Fit to show a person.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field name → messages; non_field_errors for the request as a whole.",
    )
    allowed_actions = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="409 only: what is allowed now."
    )
    row_version = serializers.IntegerField(required=False, help_text="412 only: the current one.")


class ActionNotAllowed(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "action_not_allowed"

    def __init__(self, message: str, allowed: list[str]) -> None:
        super().__init__(message)
        self.allowed = allowed


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "stale"

    def __init__(self, message: str, row_version: int | None = None) -> None:
        super().__init__(message)
        self.row_version = row_version


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_code = "precondition_required"
    default_detail = "Send If-Match with the complaint's ETag (from a GET) to change it."


def _field_errors(detail: Any) -> dict[str, list[str]]:
    if isinstance(detail, dict):
        return {
            str(k): [str(m) for m in (v if isinstance(v, list) else [v])]
            if not isinstance(v, dict)
            else [f"{kk}: {m}" for kk, vv in _field_errors(v).items() for m in vv]
            for k, v in detail.items()
        }
    if isinstance(detail, list):
        return {NON_FIELD: [str(m) for m in detail]}
    return {NON_FIELD: [str(detail)]}


def body(code: str, message: str, errors: dict[str, list[str]] | None = None, **extra: Any) -> dict:
    return {"code": code, "message": message, "errors": errors or {}, **extra}


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, ValidationError):
        errors = (
            {(NON_FIELD if k == "__all__" else k): v for k, v in exc.message_dict.items()}
            if hasattr(exc, "error_dict")
            else {NON_FIELD: exc.messages}
        )
        return Response(
            body("invalid", "The request has errors: see the fields.", errors), status=400
        )
    if isinstance(exc, TransitionRefused):
        exc = ActionNotAllowed(str(exc), getattr(exc, "allowed", []))
    elif isinstance(exc, EditConflict):
        exc = PreconditionFailed(str(exc), exc.complaint.row_version)
    elif isinstance(exc, ObjectDoesNotExist):
        exc = exceptions.NotFound("There is no such thing here, or you may not see it.")
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("There is no such thing here, or you may not see it.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)

    response = exception_handler(exc, context)
    if response is None:
        return None
    detail = exc.detail if isinstance(exc, exceptions.APIException) else str(exc)
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.ValidationError):
        response.data = body(
            "invalid", "The request has errors: see the fields.", _field_errors(detail)
        )
        return response
    if isinstance(detail, dict | list):
        message, errors = "The request has errors.", _field_errors(detail)
    else:
        message, errors = str(detail), {}
        code = getattr(detail, "code", None) or code
    extra: dict[str, Any] = {}
    if isinstance(exc, ActionNotAllowed):
        extra["allowed_actions"] = exc.allowed
    if isinstance(exc, PreconditionFailed) and exc.row_version is not None:
        extra["row_version"] = exc.row_version
        response["ETag"] = f'"{exc.row_version}"'
    response.data = body(str(code), message, errors, **extra)
    return response

"""What every API view shares: who is asking, the complaint they may see, ETag / If-Match."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api.errors import ErrorSerializer, PreconditionFailed
from complaints.api.serializers import ComplaintSerializer, viewer_context
from complaints.models import Complaint
from complaints.selectors.visible import complaint_visible

IF_MATCH = OpenApiParameter(
    "If-Match",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description='The ETag from a GET ("<row_version>"). A stale one is refused with 412.',
)


def _error(code: str, message: str, **extra: Any) -> OpenApiExample:
    return OpenApiExample(
        code, value={"code": code, "message": message, "errors": {}, **extra}, response_only=True
    )


ERRORS = {
    400: OpenApiResponse(
        ErrorSerializer,
        "Bad input: field errors.",
        [
            OpenApiExample(
                "invalid",
                value={
                    "code": "invalid",
                    "message": "The request has errors: see the fields.",
                    "errors": {"summary": ["Say in a few words what the complaint is about."]},
                },
                response_only=True,
            )
        ],
    ),
    401: OpenApiResponse(
        ErrorSerializer,
        "Not signed in.",
        [_error("not_authenticated", "Authentication credentials were not provided.")],
    ),
    403: OpenApiResponse(
        ErrorSerializer,
        "Your role may not do this.",
        [_error("permission_denied", "Only managers can do that.")],
    ),
    404: OpenApiResponse(
        ErrorSerializer,
        "No such thing, or not yours to see.",
        [_error("not_found", "There is no such thing here, or you may not see it.")],
    ),
    429: OpenApiResponse(
        ErrorSerializer,
        "Too many requests for this token or client.",
        [_error("throttled", "Request was throttled. Expected available in 12 seconds.")],
    ),
}
CONFLICT = {
    409: OpenApiResponse(
        ErrorSerializer,
        "The action is not allowed in the complaint's status.",
        [
            _error(
                "action_not_allowed",
                "A complaint that is resolved cannot be acknowledged.",
                allowed_actions=["reopen"],
            )
        ],
    ),
    412: OpenApiResponse(
        ErrorSerializer,
        "Someone changed the complaint since your GET (If-Match is stale).",
        [
            _error(
                "stale",
                "Morgan changed this complaint while you were working on it (Assigned to Alex).",
                row_version=7,
            )
        ],
    ),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    table = {**ERRORS, **CONFLICT}
    return {code: table[code] for code in codes}


def visible_complaint(request: Request, reference: str) -> Complaint:
    return complaint_visible(user=request.user, reference=reference)


def etag(complaint: Complaint) -> str:
    return f'"{complaint.row_version}"'


def if_match(request: Request, complaint: Complaint | None = None) -> int | None:
    """The row_version the client last saw (If-Match), or None when it sent none / `*`.

    With `complaint`, a stale one is refused here (for workflows that take no version)."""
    raw = request.headers.get("If-Match", "").strip()
    if not raw or raw == "*":
        return None
    value = raw.removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit()) or len(value) > 9:
        raise PreconditionFailed("If-Match must be an ETag this API gave (a quoted number).")
    version = int(value)
    if complaint is not None and complaint.row_version != version:
        raise PreconditionFailed(
            "The complaint changed since you fetched it: GET it again, then retry.",
            complaint.row_version,
        )
    return version


def complaint_response(request: Request, complaint: Complaint, status: int = 200) -> Response:
    fresh = Complaint.objects.select_related("customer", "assigned_to", "code_version__code").get(
        pk=complaint.pk
    )
    data = ComplaintSerializer(fresh, context=viewer_context(request, timezone.now())).data
    response = Response(data, status=status)
    response["ETag"] = etag(fresh)
    return response


class NotFoundView(APIView):
    """Any /api/v1/ path no route matches (e.g. text where an id belongs): the JSON 404 of
    every other API error, not the site's HTML page."""

    permission_classes: list = []

    def _missing(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotFound("There is no such thing here, or you may not see it.")

    get = post = put = patch = delete = extend_schema(exclude=True)(_missing)


class ApiCursorPagination(CursorPagination):
    """DRF's cursor pages by id (or the view's ordering); a cursor we did not give is a 400."""

    ordering = "id"
    page_size = 50
    max_page_size = 200
    page_size_query_param = "page_size"

    def decode_cursor(self, request: Request) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound:
            raise ValidationError({"cursor": ["That cursor is not one this API gave."]}) from None

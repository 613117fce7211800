"""/api/v1/complaints/: list (filtered, cursor-paginated by a clock), log one, read, edit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from complaints.api.pagination import ClockCursorPagination
from complaints.api.serializers import (
    ComplaintCreateSerializer,
    ComplaintSerializer,
    ComplaintUpdateSerializer,
    viewer_context,
)
from complaints.api.views.common import (
    IF_MATCH,
    complaint_response,
    errors,
    if_match,
    visible_complaint,
)
from complaints.lifecycle import Status
from complaints.selectors.visible import (
    ComplaintFilters,
    complaints_filter,
    complaints_visible,
    customers_visible,
    is_staff_reader,
)
from complaints.workflows.edits import complaint_edit
from complaints.workflows.intake import IdentityCheck, Outcome, complaint_log_contact
from escalation.choices import Category, Channel


class ComplaintFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Status.choices, required=False)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)
    category = serializers.ChoiceField(choices=Category.choices, required=False)
    tier = serializers.IntegerField(min_value=0, max_value=99, required=False)
    assignee = serializers.RegexField(
        r"^(none|[1-9][0-9]{0,8})$", required=False, help_text="A user id, or `none`."
    )
    breached = serializers.BooleanField(
        required=False, default=None, allow_null=True,
        help_text="The next clock waiting on us has passed.",
    )  # fmt: skip
    due_before = serializers.DateTimeField(required=False, help_text="Next clock due before.")
    due_after = serializers.DateTimeField(required=False, help_text="Next clock due at or after.")
    code_version = serializers.IntegerField(min_value=1, max_value=2**31 - 1, required=False)

    def filters(self) -> ComplaintFilters:
        data = dict(self.validated_data)
        assignee = data.pop("assignee", None)
        if assignee is not None and assignee != "none":
            assignee = int(assignee)
        return ComplaintFilters(**data, assignee=assignee)


CREATE_EXAMPLE = OpenApiExample(
    "an email complaint",
    value={
        "customer": 42,
        "channel": "email",
        "category": "billing",
        "summary": "Charged twice for October",
        "details": "My bank statement shows two payments.",
        "received_at": "2026-11-02T10:00:00Z",
    },
    request_only=True,
)


class ComplaintListView(GenericAPIView):
    serializer_class = ComplaintSerializer
    pagination_class = ClockCursorPagination

    @extend_schema(
        operation_id="complaints_list",
        summary="List the complaints you may see, with their clocks",
        parameters=[ComplaintFilterSerializer],
        responses={200: ComplaintSerializer(many=True), **errors(400, 401, 429)},
    )
    def get(self, request: Request) -> Response:
        now = timezone.now()
        params = ComplaintFilterSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        complaints = complaints_filter(
            complaints_visible(user=request.user), params.filters(), now=now
        )
        page = self.paginate_queryset(complaints)
        data = ComplaintSerializer(page, many=True, context=viewer_context(request, now)).data
        return self.get_paginated_response(data)

    @extend_schema(
        operation_id="complaints_create",
        summary="Log a complaint from any channel (staff)",
        request=ComplaintCreateSerializer,
        examples=[CREATE_EXAMPLE],
        responses={201: ComplaintSerializer, **errors(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        if not is_staff_reader(request.user):
            raise PermissionDenied("Only support staff log complaints here.")
        body = ComplaintCreateSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        customer = customers_visible(user=request.user).filter(pk=data.pop("customer")).first()
        if customer is None:
            raise ValidationError({"customer": "There is no such customer."})
        identity = data.pop("identity", None) or {}
        outcome = data.pop("outcome", None) or {}
        complaint = complaint_log_contact(
            customer=customer,
            by=request.user,
            now=timezone.now(),
            identity=IdentityCheck(
                asked=frozenset(identity.get("asked", ())),
                passed=frozenset(identity.get("passed", ())),
                override_reason=identity.get("override_reason", ""),
            ),
            outcome=Outcome(**outcome),
            **data,
        )
        return complaint_response(request, complaint, status=201)


class ComplaintDetailView(GenericAPIView):
    serializer_class = ComplaintSerializer

    @extend_schema(
        operation_id="complaints_retrieve",
        summary="One complaint with its clocks (ETag = its row version)",
        responses={200: ComplaintSerializer, **errors(401, 404, 429)},
    )
    def get(self, request: Request, reference: str) -> Response:
        return complaint_response(request, visible_complaint(request, reference))

    @extend_schema(
        operation_id="complaints_partial_update",
        summary="Edit the summary, details, category or department (agents, managers)",
        request=ComplaintUpdateSerializer,
        parameters=[IF_MATCH],
        responses={200: ComplaintSerializer, **errors(400, 401, 403, 404, 412, 429)},
    )
    def patch(self, request: Request, reference: str) -> Response:
        complaint = visible_complaint(request, reference)
        body = ComplaintUpdateSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        complaint = complaint_edit(
            complaint_id=complaint.pk,
            by=request.user,
            now=timezone.now(),
            expected_version=if_match(request),
            fields=dict(body.validated_data),
        )
        return complaint_response(request, complaint)

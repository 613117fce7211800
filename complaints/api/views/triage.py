"""/api/v1/triage/: emailed complaints awaiting a person; confirm or discard each."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from complaints.api.views.common import ApiCursorPagination, errors
from complaints.models.integrations import InboundEmail
from complaints.selectors.triage import triage_queue
from complaints.workflows.email_intake import email_triage_confirm, email_triage_discard


class TriageItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=InboundEmail.State.choices)
    received_at = serializers.DateTimeField()
    from_address = serializers.CharField()
    subject = serializers.CharField(allow_blank=True)
    complaint = serializers.CharField(source="complaint.reference", allow_null=True)
    customer = serializers.CharField(source="complaint.customer.name", allow_null=True)


class DiscardSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, allow_blank=True)


class TriagePagination(ApiCursorPagination):
    ordering = ("received_at", "id")


class TriageListView(GenericAPIView):
    serializer_class = TriageItemSerializer
    pagination_class = TriagePagination

    @extend_schema(
        operation_id="triage_list",
        summary="Emailed complaints awaiting triage, oldest first (staff)",
        responses={200: TriageItemSerializer(many=True), **errors(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(triage_queue(user=request.user))
        return self.get_paginated_response(TriageItemSerializer(page, many=True).data)


class TriageConfirmView(GenericAPIView):
    serializer_class = TriageItemSerializer

    @extend_schema(
        operation_id="triage_confirm",
        summary="It is a complaint (agents, managers)",
        request=None,
        responses={200: TriageItemSerializer, **errors(400, 401, 403, 404, 429)},
    )
    def post(self, request: Request, pk: int) -> Response:
        item = triage_queue(user=request.user).get(pk=pk)
        done = email_triage_confirm(inbound_id=item.pk, by=request.user, now=timezone.now())
        return Response(TriageItemSerializer(done).data)


class TriageDiscardView(GenericAPIView):
    serializer_class = TriageItemSerializer

    @extend_schema(
        operation_id="triage_discard",
        summary="Not a complaint: close it, keep the message (agents, managers)",
        request=DiscardSerializer,
        responses={200: TriageItemSerializer, **errors(400, 401, 403, 404, 429)},
    )
    def post(self, request: Request, pk: int) -> Response:
        item = triage_queue(user=request.user).get(pk=pk)
        body = DiscardSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        done = email_triage_discard(
            inbound_id=item.pk, by=request.user, now=timezone.now(),
            reason=body.validated_data["reason"],
        )  # fmt: skip
        return Response(TriageItemSerializer(done).data)

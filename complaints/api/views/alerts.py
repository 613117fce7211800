"""/api/v1/alerts/: the signed-in member of staff's alerts (the console's bell), and marking
them read; /api/v1/simulate/: what would happen to a complaint under a code version."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from complaints.alerts import staff_alert_mark_read
from complaints.api.views.common import ApiCursorPagination, errors
from complaints.models import StaffAlert
from complaints.selectors.alerts import staff_alerts_for
from complaints.workflows.simulator import EVENT_KINDS, SimulationError
from escalation.choices import Category, Channel, Nation
from escalation.forms import SimulateForm
from escalation.roles import simulator_allowed, staff_roles


def _staff_only(request: Request) -> None:
    # As the console: alerts are for support staff (complaints.permissions.staff_required).
    if not staff_roles(request.user):
        raise PermissionDenied("Alerts are for support staff only.")


class AlertSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=StaffAlert.Kind.choices)
    clock = serializers.CharField()
    due_at = serializers.DateTimeField()
    message = serializers.CharField()
    created_at = serializers.DateTimeField()
    read_at = serializers.DateTimeField(allow_null=True)
    complaint = serializers.CharField(source="complaint.reference")


class AlertPagination(ApiCursorPagination):
    ordering = ("-created_at", "-id")


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        allow_empty=False,
        max_length=500,
        help_text="The alerts to mark read; leave out to mark all of yours read.",
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()


class AlertListView(GenericAPIView):
    serializer_class = AlertSerializer
    pagination_class = AlertPagination

    @extend_schema(
        operation_id="alerts_list",
        summary="Your alerts, newest first (staff); `unread=1` for unread only",
        responses={200: AlertSerializer(many=True), **errors(400, 401, 403, 429)},
    )
    def get(self, request: Request) -> Response:
        _staff_only(request)
        unread = request.query_params.get("unread", "") in ("1", "true", "yes")
        page = self.paginate_queryset(staff_alerts_for(request.user, unread_only=unread))
        return self.get_paginated_response(AlertSerializer(page, many=True).data)


class AlertMarkReadView(GenericAPIView):
    serializer_class = MarkReadSerializer

    @extend_schema(
        operation_id="alerts_mark_read",
        summary="Mark your alerts read (the given ones, or all); others' are never touched",
        request=MarkReadSerializer,
        responses={200: MarkedSerializer, **errors(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        _staff_only(request)
        given = MarkReadSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        marked = staff_alert_mark_read(
            user=request.user, now=timezone.now(), alert_ids=given.validated_data.get("ids")
        )
        return Response({"marked": marked})


class SimulateEventSerializer(serializers.Serializer):
    at = serializers.CharField(help_text="ISO-8601; without an offset, Europe/London.")
    kind = serializers.ChoiceField(choices=[(k, k) for k in EVENT_KINDS])


class SimulateSerializer(serializers.Serializer):
    version = serializers.IntegerField(help_text="A code version's id: drafts too.")
    channel = serializers.ChoiceField(choices=Channel.choices)
    received = serializers.CharField(help_text="ISO-8601; without an offset, Europe/London.")
    first_made = serializers.CharField(required=False, allow_blank=True)
    nation = serializers.ChoiceField(choices=Nation.choices, default=Nation.ENG)
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER)
    employees = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    events = SimulateEventSerializer(many=True, required=False, max_length=200)
    until = serializers.CharField()


class SimulateView(GenericAPIView):
    serializer_class = SimulateSerializer

    @extend_schema(
        operation_id="simulate",
        summary="What would happen to a complaint under this code? (`manage.py simulate`'s "
        "JSON; managers and admins; nothing is kept)",
        request=SimulateSerializer,
        examples=[
            OpenApiExample(
                "soVision email, resolution proposed",
                value={
                    "version": 2,
                    "channel": "email",
                    "received": "2026-11-02T10:00",
                    "events": [{"at": "2026-11-03T10:00", "kind": "resolution_proposed"}],
                    "until": "2026-12-01T00:00",
                },
                request_only=True,
            )
        ],
        responses={200: dict, **errors(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        if not simulator_allowed(request.user):
            raise PermissionDenied("The simulator is for managers and admins.")
        given = SimulateSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        data = dict(given.validated_data)
        # The admin page's form does the parsing and the checks: one set of rules and words.
        data["events"] = "\n".join(f"{e['at']}={e['kind']}" for e in data.get("events", []))
        form = SimulateForm(data={k: "" if v is None else v for k, v in data.items()})
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        try:
            result = form.simulate()
        except SimulationError as exc:
            raise ValidationError(str(exc)) from exc
        return Response(result)

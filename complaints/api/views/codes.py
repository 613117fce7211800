"""Codes of practice (everyone signed in reads; admins draft and publish) and the clock
calculator (`manage.py deadlines` as an endpoint)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from complaints.api.serializers import (
    CodeOfPracticeSerializer,
    CodeVersionSerializer,
    DeadlinesQuerySerializer,
    PublishSerializer,
)
from complaints.api.views.common import errors
from escalation.choices import CLOCK_NAMES
from escalation.forms import WhatIfForm, clocks_as_json
from escalation.models import CodeOfPractice, CodeVersion
from escalation.roles import ADMIN, staff_roles
from escalation.services import code_version_draft, code_version_publish


def _admin_only(request: Request) -> None:
    if ADMIN not in staff_roles(request.user):
        raise PermissionDenied("Only admins edit codes of practice.")


class CodeListView(GenericAPIView):
    serializer_class = CodeOfPracticeSerializer
    pagination_class = None

    @extend_schema(
        operation_id="codes_list",
        responses={200: CodeOfPracticeSerializer(many=True), **errors(401, 429)},
    )
    def get(self, request: Request) -> Response:
        codes = CodeOfPractice.objects.order_by("slug")
        return Response(CodeOfPracticeSerializer(codes, many=True).data)


class CodeVersionListView(GenericAPIView):
    serializer_class = CodeVersionSerializer
    pagination_class = None

    @extend_schema(
        operation_id="codes_versions_list",
        summary="A code's versions (drafts only for admins)",
        responses={200: CodeVersionSerializer(many=True), **errors(401, 404, 429)},
    )
    def get(self, request: Request, slug: str) -> Response:
        code = CodeOfPractice.objects.get(slug=slug)
        versions = code.versions.select_related("code").order_by("number")
        if ADMIN not in staff_roles(request.user):
            versions = versions.filter(status=CodeVersion.Status.PUBLISHED)
        return Response(CodeVersionSerializer(versions, many=True).data)


class CodeVersionDraftView(GenericAPIView):
    serializer_class = CodeVersionSerializer

    @extend_schema(
        operation_id="codes_versions_draft",
        summary="Draft a new version from this one (admins)",
        request=None,
        responses={201: CodeVersionSerializer, **errors(401, 403, 404, 429)},
    )
    def post(self, request: Request, pk: int) -> Response:
        _admin_only(request)
        source = CodeVersion.objects.get(pk=pk)
        draft = code_version_draft(source=source, by=request.user)
        return Response(CodeVersionSerializer(draft).data, status=201)


class CodeVersionPublishView(GenericAPIView):
    serializer_class = CodeVersionSerializer

    @extend_schema(
        operation_id="codes_versions_publish",
        summary="Publish a draft from an instant (admins; versions cannot overlap)",
        request=PublishSerializer,
        responses={200: CodeVersionSerializer, **errors(400, 401, 403, 404, 429)},
    )
    def post(self, request: Request, pk: int) -> Response:
        _admin_only(request)
        body = PublishSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        version = CodeVersion.objects.get(pk=pk)
        published = code_version_publish(
            version=version,
            effective_from=body.validated_data["effective_from"],
            now=timezone.now(),
        )
        return Response(CodeVersionSerializer(published).data)


class DeadlinesSerializer(serializers.Serializer):
    adr_eligible = serializers.BooleanField()
    adr_ineligible_reason = serializers.CharField(allow_null=True)


for _name in CLOCK_NAMES:
    DeadlinesSerializer._declared_fields[_name] = serializers.CharField(
        required=False, help_text="ISO 8601; absent when the code has no such clock."
    )


class DeadlinesView(GenericAPIView):
    serializer_class = DeadlinesSerializer
    pagination_class = None

    @extend_schema(
        operation_id="deadlines",
        summary="What would the clocks be? (the same JSON as `manage.py deadlines`)",
        parameters=[DeadlinesQuerySerializer],
        examples=[
            OpenApiExample(
                "Infinity, email after closing",
                value={
                    "respond_by": "2026-11-10T17:30:00+00:00",
                    "adr_eligible_from": "2026-12-28",
                    "adr_refer_by": "2027-08-02",
                    "adr_eligible": True,
                    "adr_ineligible_reason": None,
                },
                response_only=True,
            )
        ],
        responses={200: DeadlinesSerializer, **errors(400, 401, 429)},
    )
    def get(self, request: Request) -> Response:
        form = WhatIfForm(data=request.query_params)
        if not form.is_valid():
            raise ValidationError({k: list(v) for k, v in form.errors.items()})
        try:
            clocks = form.compute()
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        return Response(clocks_as_json(clocks))

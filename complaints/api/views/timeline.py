"""A complaint's timeline (list, add) and its letters (list, download the exact PDF)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from complaints.api.errors import ActionNotAllowed
from complaints.api.serializers import (
    LetterSerializer,
    TimelineAddSerializer,
    TimelineEventSerializer,
    viewer_context,
)
from complaints.api.views.common import IF_MATCH, errors, if_match, visible_complaint
from complaints.downloads import letter_download
from complaints.lifecycle import TransitionRefused, allowed_actions
from complaints.models import Letter
from complaints.selectors.visible import (
    is_staff_reader,
    letter_visible,
    letters_visible,
    timeline_visible,
)
from complaints.workflows.actions import complaint_record_findings
from complaints.workflows.customer_actions import customer_add_information


class TimelineView(GenericAPIView):
    serializer_class = TimelineEventSerializer
    pagination_class = None

    @extend_schema(
        operation_id="complaints_timeline_list",
        summary="The timeline (customers see only what is shown to them)",
        responses={200: TimelineEventSerializer(many=True), **errors(401, 404, 429)},
    )
    def get(self, request: Request, reference: str) -> Response:
        complaint = visible_complaint(request, reference)
        events = timeline_visible(user=request.user, complaint=complaint)
        return Response(
            TimelineEventSerializer(events, many=True, context=viewer_context(request)).data
        )

    @extend_schema(
        operation_id="complaints_timeline_create",
        summary="Add to the timeline: staff findings / notes; a customer's added information",
        request=TimelineAddSerializer,
        parameters=[IF_MATCH],
        responses={
            201: TimelineEventSerializer,
            **errors(400, 401, 403, 404, 409, 412, 429),
        },
    )
    def post(self, request: Request, reference: str) -> Response:
        complaint = visible_complaint(request, reference)
        body = TimelineAddSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        now = timezone.now()
        context = viewer_context(request, now)
        text = body.validated_data["body"].strip()
        try:
            if is_staff_reader(request.user):
                complaint = complaint_record_findings(
                    complaint_id=complaint.pk, by=request.user, now=now,
                    expected_version=if_match(request), body=text,
                    kind=body.validated_data["kind"],
                )  # fmt: skip
            else:
                if_match(request, complaint)
                complaint = customer_add_information(
                    complaint_id=complaint.pk, now=now, body=text,
                    portal_user=request.user,
                )  # fmt: skip
        except TransitionRefused as exc:
            complaint.refresh_from_db(fields=["status"])
            allowed = [str(a) for a in allowed_actions(complaint.status, roles=context["roles"])]
            raise ActionNotAllowed(str(exc), allowed) from exc
        # The entry itself (a status change may follow it on the timeline).
        events = timeline_visible(user=request.user, complaint=complaint)
        event = next(e for e in reversed(events) if e.body == text)
        return Response(TimelineEventSerializer(event, context=context).data, status=201)


class LetterListView(GenericAPIView):
    serializer_class = LetterSerializer
    pagination_class = None

    @extend_schema(
        operation_id="complaints_letters_list",
        responses={200: LetterSerializer(many=True), **errors(401, 404, 429)},
    )
    def get(self, request: Request, reference: str) -> Response:
        complaint = visible_complaint(request, reference)
        letters = letters_visible(user=request.user, complaint=complaint)
        context = {"request": request, "reference": complaint.reference}
        return Response(LetterSerializer(letters, many=True, context=context).data)


class LetterDownloadView(GenericAPIView):
    pagination_class = None

    @extend_schema(
        operation_id="complaints_letters_download",
        summary="The exact PDF we sent",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, "The letter."),
            **errors(401, 404, 429),
        },
    )
    def get(self, request: Request, reference: str, letter_id: int) -> HttpResponse:
        complaint = visible_complaint(request, reference)
        letter = letter_visible(user=request.user, complaint=complaint, letter_id=letter_id)
        if letter.state != Letter.State.READY:
            raise NotFound("The letter is still being prepared: try again in a minute.")
        return letter_download(complaint.pk, letter.pk)

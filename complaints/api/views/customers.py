"""/api/v1/customers/: staff list, find, create and update customers; a portal customer reads
only their own record."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from complaints.api.serializers import CustomerSerializer
from complaints.api.views.common import ApiCursorPagination, errors
from complaints.selectors.customers import customers_find
from complaints.selectors.visible import customers_visible, is_staff_reader
from complaints.services import customer_create, customer_update

FIND_LIMIT = 50


class CustomerListView(GenericAPIView):
    serializer_class = CustomerSerializer
    pagination_class = ApiCursorPagination

    @extend_schema(
        operation_id="customers_list",
        summary="Customers you may see; `q` finds by name, account, phone, email or postcode",
        parameters=[OpenApiParameter("q", str, required=False)],
        responses={200: CustomerSerializer(many=True), **errors(400, 401, 429)},
    )
    def get(self, request: Request) -> Response:
        q = " ".join(request.query_params.get("q", "").split())[:200]
        if q and is_staff_reader(request.user):
            found = customers_find(q, limit=FIND_LIMIT)
            return Response({"next": None, "results": CustomerSerializer(found, many=True).data})
        page = self.paginate_queryset(customers_visible(user=request.user))
        return self.get_paginated_response(CustomerSerializer(page, many=True).data)

    @extend_schema(
        operation_id="customers_create",
        summary="Create a customer (staff)",
        request=CustomerSerializer,
        responses={201: CustomerSerializer, **errors(400, 401, 403, 429)},
    )
    def post(self, request: Request) -> Response:
        if not is_staff_reader(request.user):
            raise PermissionDenied("Only support staff create customers.")
        body = CustomerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer = customer_create(by=request.user, now=timezone.now(), **body.validated_data)
        return Response(CustomerSerializer(customer).data, status=201)


class CustomerDetailView(GenericAPIView):
    serializer_class = CustomerSerializer

    @extend_schema(
        operation_id="customers_retrieve",
        responses={200: CustomerSerializer, **errors(401, 404, 429)},
    )
    def get(self, request: Request, pk: int) -> Response:
        customer = customers_visible(user=request.user).get(pk=pk)
        return Response(CustomerSerializer(customer).data)

    @extend_schema(
        operation_id="customers_partial_update",
        summary="Change a customer's details (staff; open complaints keep their clocks)",
        request=CustomerSerializer,
        responses={200: CustomerSerializer, **errors(400, 401, 403, 404, 429)},
    )
    def patch(self, request: Request, pk: int) -> Response:
        customer = customers_visible(user=request.user).get(pk=pk)
        if not is_staff_reader(request.user):
            raise PermissionDenied("Only support staff change customer records.")
        body = CustomerSerializer(customer, data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        updated = customer_update(
            customer_id=customer.pk, by=request.user, now=timezone.now(), **body.validated_data
        )
        return Response(CustomerSerializer(updated).data)

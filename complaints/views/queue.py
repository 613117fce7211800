"""Scaffolding: replaced by the real views."""
from django.http import HttpResponse


def queue_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def bulk_assign(request, *args, **kwargs):
    return HttpResponse(status=501)

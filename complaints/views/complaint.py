"""Scaffolding: replaced by the real views."""
from django.http import HttpResponse


def complaint_view(request, *args, **kwargs):
    return HttpResponse(status=501)


def complaint_act(request, *args, **kwargs):
    return HttpResponse(status=501)


def attachment_download(request, *args, **kwargs):
    return HttpResponse(status=501)

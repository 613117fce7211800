"""Scaffolding: replaced by the real views."""

from django.http import HttpResponse


def complain(request, *args, **kwargs):
    return HttpResponse(status=501)


def thanks(request, *args, **kwargs):
    return HttpResponse(status=501)


def code_of_practice(request, *args, **kwargs):
    return HttpResponse(status=501)

"""Scaffolding: replaced by the real views."""

from django.http import HttpResponse


def customer_letter_by_token(request, *args, **kwargs):
    return HttpResponse(status=501)


def customer_letter(request, *args, **kwargs):
    return HttpResponse(status=501)


def staff_letter(request, *args, **kwargs):
    return HttpResponse(status=501)

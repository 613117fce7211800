"""Scaffolding: replaced by the real views."""
from django.http import HttpResponse


def log_contact(request, *args, **kwargs):
    return HttpResponse(status=501)

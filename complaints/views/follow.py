"""Scaffolding: replaced by the real views."""

from django.http import HttpResponse


def new_link(request, *args, **kwargs):
    return HttpResponse(status=501)


def follow(request, *args, **kwargs):
    return HttpResponse(status=501)


def follow_act(request, *args, **kwargs):
    return HttpResponse(status=501)


def my_complaints(request, *args, **kwargs):
    return HttpResponse(status=501)


def my_complaint(request, *args, **kwargs):
    return HttpResponse(status=501)


def my_complaint_act(request, *args, **kwargs):
    return HttpResponse(status=501)

"""What every request carries and every log line shows: a request id; the client's address;
and bad bytes refused.

`ClientAddressMiddleware`, behind the proxy (REDRESS_CLIENT_ADDRESS_HEADER set, as
docker-compose.yml does), puts the address the proxy saw into REMOTE_ADDR, so every per-address
limit (the form, follow-page actions, fresh links, password resets, django-axes) counts each
client, not the proxy.

`RequestIdMiddleware` takes a sane `X-Request-ID` from the proxy (or makes one), keeps it in a
context variable for the log filter, and returns it in the response. `JsonFormatter` writes one
JSON object per log line. `ControlCharactersMiddleware` answers 400 with a plain message to any
path, query string or urlencoded form field holding NUL or another control character (multipart
fields are checked by the forms: Django's CharField refuses NUL), before a view can trip on it.
"""

from __future__ import annotations

import contextvars
import datetime
import ipaddress
import json
import logging
import re
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

_SANE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# C0 controls and DEL. In form fields a person may type tab, newline and carriage return.
_CONTROL_ANYWHERE = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ClientAddressMiddleware:
    """REMOTE_ADDR := the address the proxy puts in its header, when one is configured.

    Trusted whoever connects, so set the header only where gunicorn is reachable through the
    proxy alone (compose publishes no web port) and the proxy overwrites the header (it does:
    docker/nginx/templates/default.conf.template). A value that is not one IP address is
    ignored, and REMOTE_ADDR stays the peer's.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = getattr(settings, "REDRESS_CLIENT_ADDRESS_HEADER", "")
        if header:
            offered = request.META.get("HTTP_" + header.upper().replace("-", "_"), "").strip()
            try:
                request.META["REMOTE_ADDR"] = str(ipaddress.ip_address(offered))
            except ValueError:
                pass
        return self.get_response(request)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        offered = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = offered if _SANE_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Puts the current request's id (or "-") on every record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _has_control(values: Iterable[str], pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(value) for value in values)


class ControlCharactersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._refused(request):
            if request.path.startswith("/api/"):
                # The API's one error shape (complaints.api.errors), documented on every
                # operation (complaints.api.schema).
                return JsonResponse(
                    {
                        "code": "bad_input",
                        "message": "The request contains control characters; remove them.",
                        "errors": {},
                    },
                    status=400,
                )
            return render(request, "bad_input.html", status=400)
        return self.get_response(request)

    @staticmethod
    def _refused(request: HttpRequest) -> bool:
        if _CONTROL_ANYWHERE.search(request.path):
            return True
        for key, values in request.GET.lists():
            if _has_control([key, *values], _CONTROL_IN_TEXT):
                return True
        # Only urlencoded bodies here: reading a multipart body now would run the uploads
        # before the view's own upload handlers are in place (the public form caps them).
        if request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
            try:
                fields = list(request.POST.lists())
            except (RequestDataTooBig, TooManyFieldsSent):
                return False  # the view answers these in its own words
            for key, values in fields:
                if _has_control([key, *values], _CONTROL_IN_TEXT):
                    return True
        return False


def after_response(response: HttpResponse, work: Callable[[], object]) -> HttpResponse:
    """Run `work` once the response has been sent, so how long it takes is not in the answer.

    The WSGI server calls `response.close()` after the last byte (the test client does too);
    Django runs the response's closers there before `request_finished` closes the database
    connection. A failure is logged, never shown: the customer already has their answer.
    """

    def run() -> None:
        try:
            work()
        except Exception:  # noqa: BLE001 - after the response there is no one to tell but the log
            logging.getLogger(__name__).exception("work after the response failed")

    response._resource_closers.append(run)
    return response

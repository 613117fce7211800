"""The public complaint form, its thanks page, and the code of practice as published.

The order of a POST is the point (complaints.workflows.submissions explains the states): keep it first,
then check it, then log it. No outcome, however a POST ends, loses what the customer typed.
"""

from __future__ import annotations

import datetime
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.db import DatabaseError, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.multipartparser import MultiPartParserError
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from complaints.models import WebSubmission
from complaints.portal.uploads import CappedUploadHandler
from complaints.tokens import FOLLOW_MAX_AGE, follow_token_make
from complaints.workflows.rate_limits import submission_rate_limited
from complaints.workflows.spool import spool_write
from complaints.workflows.submissions import (
    form_token_clean,
    form_token_new,
    web_submission_complaint,
    web_submission_fail,
    web_submission_hold,
    web_submission_note,
    web_submission_prior,
    web_submission_process,
    web_submission_receive,
    web_submission_spam,
    web_submission_unreadable,
)
from complaints.workflows.web_form import (
    HONEYPOT_FIELD,
    TOKEN_FIELD,
    PublicComplaintForm,
)
from escalation.choices import AdrLetterAtDeadlock, AdrLetterAtPeriod, Category, Channel
from escalation.models import CodeVersion
from escalation.selectors import (
    NoCodeInForce,
    code_version_in_force_at_generation,
    rules_generation,
)

logger = logging.getLogger(__name__)

# Where a successful POST leaves the complaint for the thanks page: only that browser sees it.
# A signed cookie, not the session: the session cost a SELECT, an INSERT and a third COMMIT on
# every submission (issue 11). The signature (SECRET_KEY, this salt) means nobody can put
# another complaint's id in it; HttpOnly keeps it from scripts; it lasts a day.
THANKS_COOKIE = "redress_thanks"
_THANKS_SALT = "complaints.thanks"
THANKS_MAX_AGE = 24 * 60 * 60


def _client_ip(request: HttpRequest) -> str:
    # The client's: behind the proxy, config.request_context.ClientAddressMiddleware has put
    # the address the proxy saw here.
    return request.META.get("REMOTE_ADDR") or "unknown"


def _version_now() -> CodeVersion | None:
    """The version whose phone number and hours the public pages show; None if there is none
    (or the database is what just failed: the page that says so must still render)."""
    try:
        # One small statement when this process's copy of the versions is current (issue 11).
        return code_version_in_force_at_generation(at=timezone.now(), generation=rules_generation())
    except (NoCodeInForce, DatabaseError):
        return None


def _csrf_rejected(request: HttpRequest) -> bool:
    """Django's CSRF check, run after the write-ahead instead of before the view: an expired
    or blocked cookie must not throw away a complaint someone has just typed."""
    check = CsrfViewMiddleware(lambda r: HttpResponse())
    return check.process_view(request, None, (), {}) is not None


def _form_page(
    request: HttpRequest,
    form: PublicComplaintForm,
    *,
    token: str,
    files_dropped: bool = False,
    status: int = 200,
) -> HttpResponse:
    context = {
        "form": form,
        "form_token": token,
        "token_field": TOKEN_FIELD,
        "honeypot_field": HONEYPOT_FIELD,
        "error_links": form.error_links() if form.is_bound else [],
        "files_dropped": files_dropped,
        "version": _version_now(),
    }
    return render(request, "complaints/complain.html", context, status=status)


def _kept_page(
    request: HttpRequest, kind: str, *, submission: WebSubmission | None = None, status: int = 200
) -> HttpResponse:
    """Every outcome other than "logged" or "please correct": what happened, in plain words."""
    context = {"kind": kind, "submission": submission, "version": _version_now()}
    return render(request, "complaints/form/kept.html", context, status=status)


def _to_thanks(request: HttpRequest, complaint_id: int) -> HttpResponse:
    # 303: the browser fetches the thanks page with GET; reloading it sends nothing again.
    response = HttpResponseRedirect(reverse("complaints:thanks"), status=303)
    response.set_signed_cookie(
        THANKS_COOKIE,
        str(complaint_id),
        salt=_THANKS_SALT,
        max_age=THANKS_MAX_AGE,
        path=reverse("complaints:thanks"),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    return response


def _thanks_complaint_id(request: HttpRequest) -> int | None:
    """The complaint this browser sent, from its signed cookie; None if absent or tampered."""
    value = request.get_signed_cookie(
        THANKS_COOKIE, default=None, salt=_THANKS_SALT, max_age=THANKS_MAX_AGE
    )
    return int(value) if value and value.isascii() and value.isdigit() else None


def _prior_outcome(request: HttpRequest, prior: WebSubmission) -> HttpResponse:
    """The same form sent again: the answer the first one got, and nothing new."""
    if prior.state == WebSubmission.State.ACCEPTED and prior.complaint_id:
        return _to_thanks(request, prior.complaint_id)
    if prior.state == WebSubmission.State.HELD:
        return _kept_page(request, "held", submission=prior, status=429)
    if prior.state == WebSubmission.State.FAILED:
        return _kept_page(request, "failed", submission=prior, status=503)
    return _kept_page(request, "received")


@csrf_exempt  # checked by hand once the submission is kept (see _csrf_rejected)
@transaction.non_atomic_requests  # the write-ahead must commit even if logging fails
@require_http_methods(["GET", "HEAD", "POST"])
def complain(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _form_page(request, PublicComplaintForm(), token=form_token_new())

    # Must be in place before anything reads the body.
    uploads_cap = CappedUploadHandler(request)
    request.upload_handlers.insert(0, uploads_cap)
    now = timezone.now()
    try:
        data = request.POST
        uploads = request.FILES.getlist("attachments")
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError) as exc:
        web_submission_unreadable(ip=_client_ip(request), now=now, reason=repr(exc))
        return _kept_page(request, "unreadable", status=413)

    try:
        submission = web_submission_receive(
            data=data, uploads=uploads, skipped=uploads_cap.skipped, ip=_client_ip(request), now=now
        )
    except DatabaseError:  # PostgreSQL unreachable: keep it on local disk, replayed by beat
        spool_write(data=data, uploads=uploads, ip=_client_ip(request), now=now)
        return render(request, "complaints/form/spooled.html", status=202)
    token = form_token_clean(data.get(TOKEN_FIELD))

    if data.get(HONEYPOT_FIELD, "").strip():
        web_submission_spam(submission)
        return _kept_page(request, "received")

    prior = web_submission_prior(token=token, submission=submission)
    if prior is not None:
        web_submission_note(submission, f"Sent twice: the same form as submission {prior.pk}.")
        return _prior_outcome(request, prior)

    form = PublicComplaintForm(data, request.FILES, skipped_uploads=uploads_cap.skipped)
    csrf_rejected = _csrf_rejected(request)
    if csrf_rejected or not form.is_valid():
        problems = "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
        if csrf_rejected:
            problems = f"CSRF check failed, form shown again. {problems}"
            form.add_error(
                None,
                "For your security we could not accept the form this time. Check your answers "
                "and send it again.",
            )
        web_submission_note(submission, f"Invalid: {problems}".strip())
        return _form_page(
            request,
            form,
            token=token or form_token_new(),
            files_dropped=bool(uploads or uploads_cap.skipped),
            status=403 if csrf_rejected else 200,
        )

    attachments = form.cleaned_data["attachments"]
    limit = submission_rate_limited(
        client_key=submission.client_key, email=form.cleaned_data["email"], now=now
    )
    if limit is not None:
        web_submission_hold(submission=submission, uploads=attachments, limit=limit, token=token)
        return _kept_page(request, "held", submission=submission, status=429)

    try:
        complaint = web_submission_process(
            submission=submission,
            complaint=form.public_complaint(),
            uploads=attachments,
            token=token,
            now=now,
        )
    except Exception as exc:  # noqa: BLE001 - whatever it was, the submission is kept for a person
        logger.exception("web submission %s could not be logged", submission.pk)
        try:
            web_submission_fail(submission=submission, uploads=attachments, error=exc, token=token)
        except Exception:  # noqa: BLE001 - it is still kept, as received, from the write-ahead
            logger.exception("web submission %s could not be marked failed", submission.pk)
        return _kept_page(request, "failed", submission=submission, status=503)
    return _to_thanks(request, complaint.pk)


@never_cache  # it carries the follow link
@require_GET
def thanks(request: HttpRequest) -> HttpResponse:
    complaint = web_submission_complaint(_thanks_complaint_id(request))
    if complaint is None:
        return render(request, "complaints/thanks.html", {"complaint": None}, status=404)
    follow_url = reverse(
        "complaints:follow", args=[complaint.reference, follow_token_make(complaint)]
    )
    window = complaint.code_version.channel_windows.filter(channel=complaint.channel).first()
    context = {
        "complaint": complaint,
        "customer": complaint.customer,
        "version": complaint.code_version,
        "window": window,
        "follow_url": follow_url,
        "follow_days": FOLLOW_MAX_AGE // (24 * 60 * 60),
    }
    return render(request, "complaints/thanks.html", context)


# -- the code of practice, in words --------------------------------------------------------------

_DAY_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
_CHANNEL_ORDER = {value: i for i, value in enumerate(Channel.values)}


def letter_policy_words(version: Any) -> str:
    """When we send the deadlock / ADR letter under this code version, in the customer's words."""
    if version.adr_letter_at_deadlock == AdrLetterAtDeadlock.ON_REQUEST:
        words = (
            "If you feel we cannot resolve your complaint further, you can ask us for a "
            f"“deadlock letter”; we send it within {version.adr_letter_due_working_days} "
            "working days."
        )
    else:
        words = (
            "If we cannot resolve your complaint, we write to tell you so (a “deadlock letter”) "
            "without you having to ask."
        )
    if version.deadlock_opens_adr:
        words += " It confirms that you may take your complaint to the ombudsman straight away."
    else:
        words += " You can take it to the ombudsman once the ADR period above has passed."
    if version.adr_letter_at_period == AdrLetterAtPeriod.UNPROMPTED:
        words += (
            " If your complaint is still not resolved when the ADR period has passed, we also "
            "send you an ADR letter without you having to ask, telling you how to go to the "
            "ombudsman."
        )
    return words


def office_days(weekdays: list[int]) -> str:
    days = sorted(set(weekdays))
    if len(days) > 2 and days == list(range(days[0], days[-1] + 1)):
        return f"{_DAY_NAMES[days[0]]} to {_DAY_NAMES[days[-1]]}"
    names = [_DAY_NAMES[d] for d in days]
    return ", ".join(names[:-1]) + (" and " if len(names) > 1 else "") + names[-1]


def working_days(n: int) -> str:
    return f"{n} working day{'s' if n != 1 else ''}"


def code_page_context(version: CodeVersion, today: datetime.date) -> dict[str, Any]:
    windows = sorted(version.channel_windows.all(), key=lambda w: _CHANNEL_ORDER[w.channel])
    promises = []
    for window in windows:
        parts = []
        if window.acknowledge_working_days is not None:
            parts.append(f"acknowledge within {working_days(window.acknowledge_working_days)}")
        if window.respond_working_days is not None:
            parts.append(f"respond within {working_days(window.respond_working_days)}")
        promises.append(
            {
                "channel": window.get_channel_display(),
                "commitment": window.commitment,
                "windows": " and ".join(parts),
            }
        )
    tiers = list(version.tiers.all())
    threshold = version.adr_employee_threshold
    return {
        "version": version,
        "code": version.code,
        "office_days": office_days(version.office_weekdays),
        "promises": promises,
        "tiers": tiers,
        "code_complaints_tier": next((t for t in tiers if t.handles_code_complaints), None),
        "top_tier": tiers[-1] if tiers else None,
        "business_limit": (
            f"{threshold} or fewer employees"
            if version.adr_threshold_inclusive
            else f"fewer than {threshold} employees"
        ),
        "excluded_categories": [Category(c).label.lower() for c in version.adr_excluded_categories],
        "letter_policy": letter_policy_words(version),
        "useful_addresses": [
            p.strip() for p in (version.useful_addresses or "").split("\n\n") if p.strip()
        ],
        "closure_days": [d for d in version.closure_days.all() if d.date >= today],
    }


@require_GET
def code_of_practice(request: HttpRequest) -> HttpResponse:
    version = _version_now()
    if version is None:
        return render(request, "complaints/code_of_practice.html", {"version": None}, status=503)
    version = (
        CodeVersion.objects.select_related("code")
        .prefetch_related("channel_windows", "tiers", "closure_days")
        .get(pk=version.pk)
    )
    today = timezone.localdate()
    return render(request, "complaints/code_of_practice.html", code_page_context(version, today))

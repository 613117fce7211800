"""The public complaint form: write ahead, guard, then log.

Every POST is saved as a WebSubmission before anything else is tried, in its own transaction.
Whatever happens next, the customer's words are kept and a person can find them:

    received ──▶ spam      honeypot filled: staff review it in the admin
             ──▶ held      over a rate limit: a person logs it within one working day
             ──▶ accepted  one transaction: customer, complaint, attachments, outbox row
             ──▶ failed    anything unexpected: a person logs it by hand
             (stays received with a note: invalid, sent twice, or the CSRF check failed)

Every state change is a compare-and-set from `received`, so a submission is settled once.
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
import traceback
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction

from complaints.guards import FormTokenUse
from complaints.models import Complaint, TimelineEvent, WebSubmission
from complaints.services import complaint_create, customer_create
from complaints.timeline import records_batched, timeline_record
from complaints.workflows.held_files import held_files_dropped_note, held_files_keep
from complaints.workflows.intake import attachments_store
from complaints.workflows.rate_limits import client_key_make
from complaints.workflows.web_complaint import PublicComplaint
from complaints.workflows.web_form import TOKEN_FIELD, PublicComplaintForm
from escalation.choices import Channel
from escalation.models import CodeVersion
from escalation.selectors import RULES_GENERATION_SQL, code_version_in_force_at_generation

logger = logging.getLogger(__name__)

State = WebSubmission.State

# Fields of the form that are not the customer's words: never copied into the payload.
_NOT_KEPT = frozenset({"csrfmiddlewaretoken"})
# Fields that are lists however many boxes were ticked.
_MULTI_VALUED = frozenset({"vulnerability_flags"})
# How long a form token remembers what became of its submission (double clicks, reloads).
FORM_TOKEN_TTL = 60 * 60 * 24
_FORM_TOKEN = re.compile(r"^[0-9a-f]{32}$")
# A submission made here carries which submission its token became; one from elsewhere does not.
_UNREAD = object()


# -- who is asking ------------------------------------------------------------------------------


def form_token_new() -> str:
    return secrets.token_hex(16)


def form_token_clean(value: str | None) -> str:
    """The token if it is one we could have issued; "" otherwise (no double-submit guard)."""
    value = (value or "").strip().lower()
    return value if _FORM_TOKEN.match(value) else ""


# -- the submission's life ----------------------------------------------------------------------


def _clean_text(value: str) -> str:
    # PostgreSQL's jsonb refuses NUL; nothing a person types contains one.
    return value.replace("\x00", "")


def upload_descriptions(uploads: Iterable[UploadedFile]) -> list[dict[str, Any]]:
    return [
        {"name": _clean_text(u.name or "")[:255], "size": u.size, "claimed_type": u.content_type}
        for u in uploads
    ]


def web_submission_receive(
    *,
    data: Mapping[str, Any],
    uploads: Sequence[UploadedFile],
    skipped: Sequence[dict[str, Any]] = (),
    ip: str,
    now: datetime.datetime,
) -> WebSubmission:
    """Save the POST as it came, committed on its own, before it is checked or acted on.

    `data` is the request's QueryDict (or any mapping of lists via `.lists()`)."""
    payload: dict[str, Any] = {}
    items = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    for key, values in items:
        if key in _NOT_KEPT:
            continue
        values = [_clean_text(str(v)) for v in values]
        payload[_clean_text(key)] = values if key in _MULTI_VALUED else values[-1]
    email = str(payload.get("email", "")).strip()[:254]
    submission = WebSubmission(
        received_at=now,
        state=State.RECEIVED,
        email=email,
        client_key=client_key_make(ip),
        payload=payload,
        files=upload_descriptions(uploads) + [dict(s) for s in skipped],
    )
    token = form_token_clean(str(payload.get(TOKEN_FIELD, "")))
    _write_ahead(submission, token=token)
    return submission


def _write_ahead(submission: WebSubmission, *, token: str) -> None:
    """INSERT the submission and, in the same statement, read which submission its form token
    already became (complaints.guards.FormTokenUse), if any, and the codes' generation.

    One statement in autocommit mode (the view is non_atomic_requests): committed on its own,
    as BEGIN + INSERT + COMMIT was, in one round trip instead of three, with the double-submit
    guard's early look-up and the generation that tells whether this process's copy of the
    version in force is current (escalation.selectors) in the same trip (issue 11). They are
    left on the submission as `token_prior_id` and `rules_generation`.
    """
    fields = [f for f in WebSubmission._meta.concrete_fields if not f.primary_key]
    params = [f.get_db_prep_save(f.pre_save(submission, add=True), connection) for f in fields]
    table = WebSubmission._meta.db_table
    tokens = FormTokenUse._meta.db_table
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH kept AS (INSERT INTO {table} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * len(fields))}) RETURNING id) "
            f"SELECT kept.id, (SELECT submission_id FROM {tokens} WHERE token = %s), "
            f"{RULES_GENERATION_SQL} FROM kept",
            [*params, token],
        )
        submission.pk, prior_id, generation = cursor.fetchone()
    submission._state.adding = False
    submission._state.db = connection.alias
    submission.token_prior_id = prior_id if token else None
    submission.rules_generation = generation


def web_submission_unreadable(*, ip: str, now: datetime.datetime, reason: str) -> WebSubmission:
    """A POST too big or malformed to parse: nothing to keep but the fact that it came."""
    return WebSubmission.objects.create(
        received_at=now,
        state=State.RECEIVED,
        client_key=client_key_make(ip),
        payload={},
        note=f"unreadable: {reason}"[:2000],
    )


def _settle(
    submission: WebSubmission, *, from_states: Sequence[str] = (State.RECEIVED,), **fields: Any
) -> bool:
    """Compare-and-set from `received` (or the given states): settled once, whoever races."""
    changed = WebSubmission.objects.filter(pk=submission.pk, state__in=from_states).update(**fields)
    if changed:
        for name, value in fields.items():
            setattr(submission, name, value)
    return bool(changed)


def web_submission_note(submission: WebSubmission, note: str) -> None:
    """Leave a received submission received, saying why nothing was made of it."""
    _settle(submission, note=_clean_text(note)[:2000])


def web_submission_spam(submission: WebSubmission) -> None:
    _settle(submission, state=State.SPAM, note="The hidden honeypot field was filled in.")


def _token_remember(token: str, submission: WebSubmission) -> None:
    """Remember which submission this form became, in PostgreSQL (complaints.guards): with
    Redis down the guard still holds, and inside web_submission_process it commits or rolls
    back with the complaint itself."""
    if not token:
        return
    # One upsert, not update_or_create's two savepoints, a SELECT and an INSERT (issue 11:
    # the submit path's round trips); the caller holds the token's lock.
    table = FormTokenUse._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (token, submission_id, created_at) VALUES (%s, %s, %s) "  # noqa: S608
            "ON CONFLICT (token) DO UPDATE SET submission_id = EXCLUDED.submission_id, "
            "created_at = EXCLUDED.created_at",
            [token, submission.pk, submission.received_at],
        )


def web_submission_prior(*, token: str, submission: WebSubmission) -> WebSubmission | None:
    """The settled submission an earlier POST of the same form became, if any: same token,
    same sender. A token someone else replays shows them nothing.

    Which submission the token became was read with the write-ahead (`token_prior_id`); only
    a form sent again costs a query."""
    if not token:
        return None
    prior_id = getattr(submission, "token_prior_id", _UNREAD)
    if prior_id is _UNREAD:
        prior_id = (
            FormTokenUse.objects.filter(token=token).values_list("submission_id", flat=True).first()
        )
    return _prior_settled(prior_id, submission)


def _prior_settled(prior_id: int | None, submission: WebSubmission) -> WebSubmission | None:
    if prior_id is None or prior_id == submission.pk:
        return None
    return (
        WebSubmission.objects.filter(pk=prior_id, client_key=submission.client_key)
        .exclude(state=State.RECEIVED)
        .select_related("complaint")
        .first()
    )


def _kept_files_store(submission: WebSubmission, uploads: Sequence[UploadedFile]) -> None:
    """Keep the files of a submission a person will log by hand, within the disk bounds."""
    held_files_keep(submission, uploads, clean=_clean_text)


def web_submission_hold(
    *, submission: WebSubmission, uploads: Sequence[UploadedFile], limit: str, token: str
) -> None:
    """Over a rate limit: keep it, files too, for a person to log within one working day."""
    _kept_files_store(submission, uploads)
    which = "this sender's address" if limit == "ip" else "this email address"
    note = f"Held: rate limit for {which} reached." + held_files_dropped_note(submission)
    _settle(submission, state=State.HELD, note=note)
    _token_remember(token, submission)


def web_submission_fail(
    *,
    submission: WebSubmission,
    uploads: Sequence[UploadedFile],
    error: BaseException,
    token: str,
) -> None:
    """Logging it went wrong: say what, keep the files, and leave it for a person."""
    _kept_files_store(submission, uploads)
    summary = "".join(traceback.format_exception(error, limit=-4))
    _settle(
        submission, state=State.FAILED, note=summary[-3000:] + held_files_dropped_note(submission)
    )
    _token_remember(token, submission)


def _token_claim(token: str, submission: WebSubmission) -> int | None:
    """Claim the form token for `submission`, first thing in its transaction; the id of the
    submission that held it before, or None if the token is new.

    The upsert serialises two POSTs of one form (a double click): the second waits on the
    first's uncommitted row until it commits (then it sees the first's submission, and holds
    the row's lock) or rolls back (then the token is its own). One statement instead of an
    advisory lock, a look-up and an upsert at the end (issue 11).
    """
    if not token:
        return None
    table = FormTokenUse._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} AS used (token, submission_id, created_at) "  # noqa: S608
            "VALUES (%s, %s, %s) ON CONFLICT (token) DO UPDATE SET token = used.token "
            "RETURNING submission_id",
            [token, submission.pk, submission.received_at],
        )
        (holder,) = cursor.fetchone()
    return None if holder == submission.pk else holder


def _web_complaint_log(
    *,
    answers: PublicComplaint,
    uploads: Sequence[File],
    received_at: datetime.datetime,
    now: datetime.datetime,
    by: AbstractBaseUser | None,
    code_version: CodeVersion | None = None,
) -> Complaint:
    """The step both paths share: a new customer, the complaint (acknowledged by email) with
    clocks from when the customer sent it, and the files they sent with it.

    The web is not an identity check, so every submission is a new customer record: staff
    link it to an existing account, never the form.
    """
    # The customer's audit entry joins the complaint's events and entry in one INSERT per
    # table (issue 11: the submit path's round trips). The files' note comes after: their
    # attachments refer to it, so it must have its id.
    with records_batched():
        customer = customer_create(by=by, now=now, **answers.customer_fields())
        logged = complaint_create(
            customer=customer,
            channel=Channel.WEB,
            category=answers.category,
            summary=answers.summary,
            details=answers.details,
            received_at=received_at,
            now=now,
            by=by,
            acknowledge=True,
            code_version=code_version,
        )
    if uploads:
        event = timeline_record(
            complaint=logged,
            kind=TimelineEvent.Kind.NOTE,
            summary=f"{len(uploads)} file(s) sent with the web form",
            occurred_at=received_at,
            visibility=TimelineEvent.Visibility.CUSTOMER,
            author=by,
        )
        attachments_store(complaint=logged, uploads=list(uploads), by=by, event=event)
    return logged


def web_submission_process(
    *,
    submission: WebSubmission,
    complaint: PublicComplaint,
    uploads: Sequence[UploadedFile],
    token: str,
    now: datetime.datetime,
) -> Complaint:
    """Log a checked submission: all of it in one transaction, or none of it.

    Returns the complaint; if the same form was already logged (a double click that raced
    this one) it is that complaint.
    """
    with transaction.atomic():
        holder = _token_claim(token, submission)
        prior = _prior_settled(holder, submission)
        if prior is not None and prior.complaint is not None:
            web_submission_note(submission, f"Sent twice: already logged as submission {prior.pk}.")
            return prior.complaint
        # The version in force when it was sent, from this process's copy if the codes have
        # not changed since the write-ahead read their generation.
        version = code_version_in_force_at_generation(
            at=now, generation=getattr(submission, "rules_generation", None)
        )
        logged = _web_complaint_log(
            answers=complaint,
            uploads=uploads,
            received_at=now,
            now=now,
            by=None,
            code_version=version,
        )
        if not _settle(submission, state=State.ACCEPTED, complaint=logged, note=""):
            raise RuntimeError(f"web submission {submission.pk} was settled by someone else")
        if holder is not None:
            # The token was an earlier submission's (held, failed, or another sender's): it is
            # this one's now. Inside the transaction and the row's lock, as the claim is: the
            # next POST of this form, waiting on it, finds this one; a rollback undoes both.
            _token_remember(token, submission)
    return logged


# States a person may turn into a complaint from the admin: kept, never logged.
RELEASABLE = (State.HELD, State.FAILED, State.SPAM)


def web_submission_release(
    *, submission_id: int, now: datetime.datetime, by: AbstractBaseUser | None = None
) -> Complaint:
    """A person logs a held, failed (or wrongly caught) submission: the same checks as the
    form, the files that were kept, and the clocks from when the customer sent it.

    ValidationError if what was sent is not a complete complaint (staff then log it through
    the staff console instead) or the submission is not waiting for a person.
    """
    with transaction.atomic():
        submission = WebSubmission.objects.select_for_update().get(pk=submission_id)
        if submission.state not in RELEASABLE:
            raise ValidationError(f"This submission is {submission.get_state_display().lower()}.")
        form = PublicComplaintForm(submission.payload)
        if not form.is_valid():
            raise ValidationError(
                "; ".join(f"{name}: {' '.join(errs)}" for name, errs in form.errors.items())
            )
        kept = [f for f in submission.files if f.get("path")]
        uploads = [File(default_storage.open(f["path"]), name=f["name"]) for f in kept]
        try:
            logged = _web_complaint_log(
                answers=form.public_complaint(),
                uploads=uploads,
                received_at=submission.received_at,
                now=now,
                by=by,
            )
        finally:
            for upload in uploads:
                upload.close()
        _settle(
            submission,
            from_states=RELEASABLE,
            state=State.ACCEPTED,
            complaint=logged,
            note=f"{submission.note}\nLogged by hand.".strip(),
        )
    return logged


def web_submission_complaint(complaint_id: Any) -> Complaint | None:
    """The complaint a thanks page shows (the id comes from the sender's own signed cookie)."""
    if not isinstance(complaint_id, int):
        return None
    return (
        Complaint.objects.select_related("customer", "code_version")
        .filter(pk=complaint_id, web_submission__isnull=False)
        .first()
    )

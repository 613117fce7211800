"""Deadlock and ADR letters: issued in the business transaction, rendered to PDF afterwards.

Ofcom record keeping: a letter is kept as the exact PDF that was sent, with its SHA-256. So the
Letter row carries a full snapshot (`context`) of everything printed on it, taken when it is
issued; rendering reads only that snapshot, never the live complaint or code version, and a
retry after a failure prints the same letter.

Rendering (WeasyPrint, ~0.5 s) never runs inside a business transaction or a sweep's lock: the
issuing transaction enqueues `letter_render_task` on commit, and `letters_render_stale` (beat)
re-enqueues letters nobody rendered (broker down at commit, worker died) or that failed.

While a letter is not ready, `rendered_at` holds when the current render attempt started: it is
the claim. A worker takes a pending letter with a compare-and-set on (state, rendered_at) so two
workers never render the same letter at once, and a claim older than RENDER_LEASE is presumed
dead and may be taken over. Once ready, `rendered_at` is when the PDF was stored.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
from collections.abc import Iterable
from typing import Any

from celery import shared_task
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.dateparse import parse_date

from complaints.models import Complaint, ContactMethod, Letter, TimelineEvent
from complaints.timeline import timeline_record
from complaints.workflows.letter_content import KIND_TITLES, letter_company_source, letter_context
from escalation.calendar import local_date
from notifications.services import notification_enqueue

log = logging.getLogger(__name__)

# A pending letter nobody has claimed for this long was never handed to a worker.
STALE_AFTER = datetime.timedelta(minutes=3)
# A render takes about a second; a claim this old belongs to a worker that died.
RENDER_LEASE = datetime.timedelta(minutes=10)
# A failed letter is tried again this long after its last attempt (broken template, full disk).
RETRY_AFTER = datetime.timedelta(minutes=10)
STALE_BATCH = 50


# --- issuing (inside the business transaction) -------------------------------------------


def letter_issue(
    *,
    complaint: Complaint,
    kind: str,
    body: str,
    by: AbstractBaseUser | None,
    now: datetime.datetime,
    reason: str = "",
) -> Letter:
    """Record the letter (pending) with its snapshot; it is rendered and sent after commit.

    Call inside the business transaction that decided to write, with the complaint locked.
    """
    dated = local_date(now)
    if Letter.objects.filter(complaint=complaint, kind=kind, dated=dated).exists():
        raise ValidationError(
            f"A {KIND_TITLES[kind].lower()} dated {dated:%d %B %Y} was already issued for this "
            "complaint today."
        )
    context = letter_context(
        complaint=complaint, kind=kind, body=body, dated=dated, by=by, reason=reason
    )
    letter = Letter.objects.create(
        complaint=complaint,
        kind=kind,
        reason=reason,
        large_print=context["large_print"],
        dated=dated,
        body=body,
        context=context,
        issued_by=by if by is not None and by.is_authenticated else None,
    )
    transaction.on_commit(lambda: letter_render_enqueue(letter.pk))
    return letter


def letters_issue_bulk(
    *, complaint_ids: Iterable[int], kind: str, body: str, dated: datetime.date, reason: str = ""
) -> int:
    """A sweep's letters for many complaints at once, in a constant number of queries.

    A complaint that already has this letter for this date keeps it (the sweep ran twice).
    Returns how many letters are waiting to be rendered.
    """
    ids = sorted(set(complaint_ids))
    if not ids:
        return 0
    complaints = Complaint.objects.filter(pk__in=ids).select_related(
        "customer", "code_version__code", "assigned_to"
    )
    # One letterhead lookup per code version, not per letter.
    sources: dict[int, Any] = {}
    contexts = []
    for c in complaints:
        if c.code_version_id not in sources:
            sources[c.code_version_id] = letter_company_source(c.code_version, c)
        company = sources[c.code_version_id]
        contexts.append((c, letter_context(complaint=c, kind=kind, body=body, dated=dated,
                                           reason=reason, company=company)))  # fmt: skip
    Letter.objects.bulk_create(
        [
            Letter(
                complaint=c,
                kind=kind,
                reason=reason,
                large_print=context["large_print"],
                dated=dated,
                body=body,
                context=context,
            )
            for c, context in contexts
        ],
        ignore_conflicts=True,
    )
    pending = list(
        Letter.objects.filter(
            complaint_id__in=ids, kind=kind, dated=dated, state=Letter.State.PENDING
        ).values_list("pk", flat=True)
    )
    for pk in pending:
        transaction.on_commit(lambda pk=pk: letter_render_enqueue(pk))
    return len(pending)


def letter_render_enqueue(letter_id: int) -> None:
    """Hand a letter to a worker; if the broker is down, `letters_render_stale` picks it up."""
    try:
        letter_render_task.delay(letter_id)
    except Exception as exc:  # noqa: BLE001 - broker down: the stale sweep renders it later
        log.warning("broker unavailable (%s); letter %s left for the stale sweep", exc, letter_id)


# --- rendering (outside any business transaction) ----------------------------------------


def _refuse_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # Letters are self-contained (system fonts, inline CSS). Never let WeasyPrint fetch a URL
    # or read a file because of something printed on the letter.
    raise ValueError(f"letters load no external resources ({url[:60]})")


def _day(value: str | None) -> datetime.date | None:
    return parse_date(value) if value else None


def letter_template_context(snapshot: dict[str, Any]) -> dict[str, Any]:
    context = dict(snapshot)
    for name in ("dated", "first_made", "refer_by", "adr_eligible_from"):
        context[name] = _day(snapshot.get(name))
    eligible_from, dated = context.get("adr_eligible_from"), context.get("dated")
    context["adr_eligible_from_passed"] = bool(eligible_from and dated and eligible_from <= dated)
    return context


def letter_html(snapshot: dict[str, Any]) -> str:
    return render_to_string(f"letters/{snapshot['kind']}.html", letter_template_context(snapshot))


def letter_pdf(snapshot: dict[str, Any]) -> bytes:
    """The PDF bytes of a letter, from its snapshot alone."""
    from weasyprint import HTML  # heavy import: only workers pay for it

    return HTML(string=letter_html(snapshot), url_fetcher=_refuse_fetch).write_pdf()


def letter_filename(letter: Letter) -> str:
    """What the customer's download and email attachment are called."""
    reference = letter.context.get("reference") or letter.complaint.reference
    return f"{reference}-{letter.kind}-letter-{letter.dated:%Y-%m-%d}.pdf"


def letter_render(letter_id: int, *, now: datetime.datetime | None = None) -> Letter | None:
    """Render a pending letter, store it, then send it. Returns the letter once ready, None if
    another worker has it, it is already done, or rendering failed (recorded on the row)."""
    started = now or timezone.now()
    claimable = Q(rendered_at__isnull=True) | Q(rendered_at__lte=started - RENDER_LEASE)
    claimed = (
        Letter.objects.filter(claimable, pk=letter_id, state=Letter.State.PENDING)
        .update(rendered_at=started)
    )  # fmt: skip
    if not claimed:
        return None
    mine = Q(pk=letter_id, state=Letter.State.PENDING, rendered_at=started)
    letter = Letter.objects.select_related("complaint__customer").get(pk=letter_id)
    stored = ""
    try:
        data = letter_pdf(letter.context)
        # The upload_to name is random: a retry never overwrites a file an email may attach.
        letter.pdf.save("letter.pdf", ContentFile(data), save=False)
        stored = letter.pdf.name
        with transaction.atomic():
            # Ready, emailed and on the timeline together, or not at all.
            done = Letter.objects.filter(mine).update(
                state=Letter.State.READY,
                pdf=stored,
                sha256=hashlib.sha256(data).hexdigest(),
                rendered_at=timezone.now(),
                error="",
            )
            if done:
                letter.refresh_from_db()
                letter_send(letter)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried by the sweep
        log.exception("letter %s failed to render", letter_id)
        if stored:
            letter.pdf.storage.delete(stored)
        Letter.objects.filter(mine).update(
            state=Letter.State.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return None
    if not done:
        # Our claim expired and another worker finished first: its file is the letter.
        letter.pdf.storage.delete(stored)
        return None
    return letter


def letter_send(letter: Letter) -> None:
    """Email the ready letter to the customer (if we have an address) and say so on the
    timeline. Idempotent: one email and one event per letter however often it is called."""
    complaint = letter.complaint
    customer = complaint.customer
    context = letter.context
    title = KIND_TITLES[letter.kind]
    # By the agreed contact method: a customer who agreed to letters (or has no email) gets it
    # posted; staff get a task to print and post it.
    emailed = bool(customer.email) and (
        (complaint.agreed_contact_method or customer.preferred_contact) != ContactMethod.LETTER
    )
    letter.delivery = Letter.Delivery.EMAIL if emailed else Letter.Delivery.POST
    Letter.objects.filter(pk=letter.pk).update(delivery=letter.delivery)
    if emailed:
        notification_enqueue(
            recipient=customer.email,
            template="letter_sent",
            complaint=complaint,
            idempotency_key=f"letter:{letter.pk}:sent",
            context={
                "kind": letter.kind,
                "reason": letter.reason,
                "title": title,
                "reference": context["reference"],
                "customer_name": context["customer"]["name"],
                "dated": context["dated"],
                "scheme_name": context["scheme"]["name"],
                "refer_by": context["refer_by"],
                "adr_eligible": context["adr_eligible"],
                "company_name": context["company"]["name"],
                "company_phone": context["company"]["phone"],
                "company_email": context["company"]["email"],
            },
            attachments=[
                {
                    "path": letter.pdf.name,
                    "filename": letter_filename(letter),
                    "mimetype": "application/pdf",
                }
            ],
        )
    now = letter.rendered_at or timezone.now()
    timeline_record(
        complaint=complaint,
        kind=TimelineEvent.Kind.LETTER,
        summary=f"{title} sent (PDF)" if emailed else f"{title} ready to post (PDF)",
        visibility=TimelineEvent.Visibility.CUSTOMER,
        occurred_at=now,
        data={"letter_id": letter.pk, "sha256": letter.sha256, "emailed": emailed},
        dedupe_key=f"letter:{letter.pk}:ready",
    )
    if not emailed:
        why = "has no email address" if not customer.email else "asked for letters by post"
        large = " in large print" if letter.large_print else ""
        timeline_record(
            complaint=complaint,
            kind=TimelineEvent.Kind.NOTE,
            summary=f"The customer {why}: print the {title.lower()}{large} and post it",
            occurred_at=now,
            data={"letter_id": letter.pk, "task": "post", "large_print": letter.large_print},
            dedupe_key=f"letter:{letter.pk}:post",
        )


def letters_render_stale(*, now: datetime.datetime, batch: int = STALE_BATCH) -> int:
    """Beat: re-enqueue letters nobody rendered, whose worker died, or that failed.

    A bounded batch claimed with SKIP LOCKED; the render itself happens after commit, in a
    worker, and its compare-and-set makes a duplicate enqueue harmless.
    """
    unclaimed = Q(rendered_at__isnull=True) | Q(rendered_at__lte=now - RENDER_LEASE)
    due = Q(unclaimed, state=Letter.State.PENDING, created_at__lte=now - STALE_AFTER) | Q(
        state=Letter.State.FAILED, rendered_at__lte=now - RETRY_AFTER
    )
    with transaction.atomic():
        ids = list(
            Letter.objects.select_for_update(skip_locked=True)
            .filter(due)
            .order_by("created_at", "id")
            .values_list("pk", flat=True)[:batch]
        )
        # Failed letters become pending again (their error stays until a render succeeds), and
        # every claim picked here is dead or expired: release it so the next worker can claim.
        Letter.objects.filter(pk__in=ids).update(state=Letter.State.PENDING, rendered_at=None)
        for pk in ids:
            transaction.on_commit(lambda pk=pk: letter_render_enqueue(pk))
    return len(ids)


# --- the worker's entry points -------------------------------------------------------------
# Declared beside what they run, so issuing can enqueue a render without importing back from a
# tasks module; complaints/tasks.py re-exports them for Celery's autodiscovery. The names are
# the ones beat's schedule and already-queued messages use.


@shared_task(name="complaints.tasks.letter_render_task", ignore_result=True)
def letter_render_task(letter_id: int) -> str:
    return "ready" if letter_render(letter_id) is not None else "skipped"


@shared_task(name="complaints.tasks.letters_render_stale_task", ignore_result=True)
def letters_render_stale_task() -> int:
    return letters_render_stale(now=timezone.now())

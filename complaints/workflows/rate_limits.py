"""Rate limits on what anyone may send without signing in (the public form, follow-page actions,
fresh follow links, password resets).

Counted in PostgreSQL (complaints.guards.RateCounter: one upsert for all of a request's
checks), per client (an HMAC of the IP, never the IP itself) and per subject (an email address,
a complaint). Counting in the
database the submission is written to means the limits cannot silently switch off when Redis is
down: they fail safe, as the data they protect does.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging
from collections.abc import Sequence

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from complaints.guards import RateCounter

logger = logging.getLogger(__name__)


def client_key_make(ip: str) -> str:
    """A keyed hash of the sender's IP: enough to count and compare, useless if leaked."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


def subject_key_make(text: str) -> str:
    """A plain hash of an email address (or any subject) for a counter's key."""
    return hashlib.sha256(text.strip().lower().encode()).hexdigest()


_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def rate_parse(spec: str | None) -> tuple[int, int] | None:
    """'10/h' → (10, 3600); 'off' or '' → None (no limit)."""
    text = (spec or "").strip().lower()
    if text in ("", "off", "none"):
        return None
    count, _, unit = text.partition("/")
    try:
        return int(count), _PERIODS[unit.strip()[:1]]
    except (ValueError, KeyError):
        raise ImproperlyConfigured(
            f"A rate limit is '<count>/<s|m|h|d>' or 'off', not {spec!r}."
        ) from None


def rate_limit_hit(*, scope: str, subject: str, spec: str | None, now: datetime.datetime) -> bool:
    """Count one more use of `scope` by `subject`; True if that is over the limit `spec`.

    A fixed window per period, one atomic upsert: every web process shares it, and two at once
    each get their own count.
    """
    (over,) = rate_limits_hit([(scope, subject, spec)], now=now)
    return over


def rate_limits_hit(
    checks: Sequence[tuple[str, str, str | None]], *, now: datetime.datetime
) -> list[bool]:
    """Count one more use for each (scope, subject, spec); for each, True if over its limit.

    All the counters in one statement (issue 11: one round trip per submission, not one per
    limit): a multi-row upsert is as atomic as a single one, each row counted on its own.
    """
    rows: dict[str, tuple[int, datetime.datetime]] = {}
    keys: list[str | None] = []
    for scope, subject, spec in checks:
        rate = rate_parse(spec)
        if rate is None:
            keys.append(None)
            continue
        limit, period = rate
        window = int(now.timestamp()) // period
        key = f"{scope}:{subject}:{period}:{window}"[:200]
        # The same counter twice in one upsert is an error in PostgreSQL; count it once.
        rows.setdefault(
            key, (limit, datetime.datetime.fromtimestamp((window + 1) * period, datetime.UTC))
        )
        keys.append(key)
    if not rows:
        return [False] * len(checks)
    table = RateCounter._meta.db_table
    values = ", ".join(["(%s, 1, %s)"] * len(rows))
    params: list[object] = [v for key, (_, expires) in rows.items() for v in (key, expires)]
    with connection.cursor() as cursor:  # one statement: atomic on its own
        cursor.execute(
            f"INSERT INTO {table} (key, count, expires_at) VALUES {values} "  # noqa: S608
            f"ON CONFLICT (key) DO UPDATE SET count = {table}.count + 1 RETURNING key, count",
            params,
        )
        counts = dict(cursor.fetchall())
    return [key is not None and counts[key] > rows[key][0] for key in keys]


def submission_rate_limited(*, client_key: str, email: str, now: datetime.datetime) -> str | None:
    """Count this submission; which limit it is over ("ip" or "email"), or None."""
    checks = [("submit:ip", client_key, settings.REDRESS_SUBMIT_LIMIT_PER_IP)]
    if email:
        checks.append(
            ("submit:email", subject_key_make(email), settings.REDRESS_SUBMIT_LIMIT_PER_EMAIL)
        )
    over_ip, *over_email = rate_limits_hit(checks, now=now)
    if over_ip:
        return "ip"
    if any(over_email):
        return "email"
    return None


def customer_action_rate_limited(
    *, client_key: str, complaint_id: int, now: datetime.datetime
) -> bool:
    """A follow-page action (and the staff email it causes): over the limit per complaint or
    per client address?"""
    over = rate_limits_hit(
        [
            (
                "act:complaint",
                str(complaint_id),
                settings.REDRESS_CUSTOMER_ACTION_LIMIT_PER_COMPLAINT,
            ),
            ("act:ip", client_key, settings.REDRESS_CUSTOMER_ACTION_LIMIT_PER_IP),
        ],
        now=now,
    )
    return any(over)

"""Rate limits on what anyone may send without signing in (the public form, fresh follow links).

Counted in the cache, per client (an HMAC of the IP, never the IP itself) and per email address.
A cache that is down limits nobody: a rate limit must never be why a complaint is lost.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

logger = logging.getLogger(__name__)


def client_key_make(ip: str) -> str:
    """A keyed hash of the sender's IP: enough to count and compare, useless if leaked."""
    return hmac.new(settings.SECRET_KEY.encode(), ip.encode(), hashlib.sha256).hexdigest()


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


def _over_limit(scope: str, subject: str, spec: str, now: datetime.datetime) -> bool:
    rate = rate_parse(spec)
    if rate is None:
        return False
    limit, period = rate
    # A fixed window per period: cheap (one add, one incr) and shared by every web process.
    window = int(now.timestamp()) // period
    key = f"submit:{scope}:{subject}:{period}:{window}"
    cache.add(key, 0, timeout=period + 60)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=period + 60)
        count = 1
    return count > limit


def submission_rate_limited(*, client_key: str, email: str, now: datetime.datetime) -> str | None:
    """Count this submission; which limit it is over ("ip" or "email"), or None.

    A cache that is down limits nobody: a rate limit must never be why a complaint is lost.
    """
    try:
        over_ip = _over_limit("ip", client_key, settings.REDRESS_SUBMIT_LIMIT_PER_IP, now)
        over_email = bool(email) and _over_limit(
            "email",
            hashlib.sha256(email.strip().lower().encode()).hexdigest(),
            settings.REDRESS_SUBMIT_LIMIT_PER_EMAIL,
            now,
        )
    except ImproperlyConfigured:
        raise
    except Exception:  # noqa: BLE001 - cache unavailable: let the complaint through
        logger.warning("rate-limit cache unavailable; submission not limited", exc_info=True)
        return None
    if over_ip:
        return "ip"
    if over_email:
        return "email"
    return None

"""API tokens for integrations: made, checked and revoked here (the admin, the command and the
API's authentication all call these).

A key is `rd_` + 32 random bytes (urlsafe base64). Only its SHA-256 is stored, so a copy of the
database does not hand out working keys; the first characters are kept to tell keys apart.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from complaints.models.integrations import ApiToken

KEY_PREFIX = "rd_"
# last_used_at is written at most this often per token: a busy integration must not turn
# every read into a write.
LAST_USED_GRANULARITY = datetime.timedelta(minutes=1)


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it and the key, which is never shown again."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the integration that will use this token."})
    if len(name) > ApiToken._meta.get_field("name").max_length:
        raise ValidationError({"name": "Keep the name to 100 characters."})
    if not user.is_active:
        raise ValidationError({"user": "That user is not active."})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=key[:10], key_hash=_hash(key))
    return token, key


def api_token_create_for_username(*, username: str, name: str) -> tuple[ApiToken, str]:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ValidationError({"user": f"There is no user {username!r}."})
    return api_token_create(user=user, name=name)


def api_token_revoke(*, token: ApiToken, now: datetime.datetime) -> bool:
    """Revoke the token (compare-and-set: revoking twice keeps the first time)."""
    updated = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    token.refresh_from_db(fields=["revoked_at"])
    return bool(updated)


def api_token_authenticate(*, key: str, now: datetime.datetime) -> ApiToken | None:
    """The active token whose key this is (with its user), or None; notes when it was used."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        # The roles are read on every request (selectors, lifecycle): fetched once, here.
        .prefetch_related("user__groups")
        .filter(key_hash=_hash(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_GRANULARITY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token

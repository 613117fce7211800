"""Who hears about delivery. The outbox knows nothing of what its rows are about: an app above
registers a listener (complaints does, in `ComplaintsConfig.ready()`, to put each state on the
complaint's timeline) and the outbox announces every state change to whoever registered.

Listeners run in the caller's transaction, so a listener's write commits with the state it
describes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from notifications.models import OutboxMessage


@dataclass(frozen=True)
class DeliveryEvent:
    """One outbox row reached a state: queued, retry, unconfirmed (a worker stopped mid-send, so
    nobody knows whether the mail server took it), sent or failed."""

    message: OutboxMessage
    state: str
    summary: str
    occurred_at: datetime.datetime
    data: dict[str, Any] = field(default_factory=dict)
    # Same key, same event: a listener recording it should record it once.
    dedupe_key: str | None = None


DeliveryListener = Callable[[DeliveryEvent], None]
_listeners: list[DeliveryListener] = []


def delivery_listener_register(listener: DeliveryListener) -> None:
    """Hear about every delivery state from now on (idempotent: AppConfig.ready may run twice)."""
    if listener not in _listeners:
        _listeners.append(listener)


def delivery_announce(event: DeliveryEvent) -> None:
    for listener in list(_listeners):
        listener(event)

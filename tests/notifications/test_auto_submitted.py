"""Outgoing email says it is machine-made, so auto-responders never answer it (no mail loops)."""

from __future__ import annotations

import pytest

from notifications.delivery import message_render
from tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db


def test_every_message_we_send_is_marked_auto_generated():
    message = OutboxMessageFactory()
    email = message_render(message).message()
    assert email["Auto-Submitted"] == "auto-generated"

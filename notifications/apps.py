"""The notifications app: the outbox."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "notifications"

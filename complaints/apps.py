"""The complaints app; at start-up it puts the outbox's delivery states on complaint timelines."""

from django.apps import AppConfig


class ComplaintsConfig(AppConfig):
    name = "complaints"

    def ready(self) -> None:
        from complaints.services import acknowledgement_delivered
        from complaints.timeline import delivery_record
        from notifications.listeners import delivery_listener_register

        # The outbox knows nothing of complaints; the case layer listens to it instead.
        delivery_listener_register(delivery_record)
        delivery_listener_register(acknowledgement_delivered)

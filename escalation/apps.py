"""The escalation app: codes of practice, the calendar and clocks, the sweeps, the roles."""

from django.apps import AppConfig


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = "Codes of practice and escalation"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from escalation.roles import roles_grant_permissions

        # Permissions are created app by app after migrate; granting after each app's turn
        # (idempotent, a few queries) means every model's permissions are picked up.
        post_migrate.connect(roles_grant_permissions, dispatch_uid="redress_roles")

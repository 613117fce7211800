"""The three staff roles are Django groups; this keeps their permissions in step after migrate."""

from typing import Any

AGENT, MANAGER, ADMIN = "agent", "manager", "admin"
ROLES = (AGENT, MANAGER, ADMIN)


def staff_roles(user: Any) -> frozenset[str]:
    """The staff roles a user holds (a superuser holds them all).

    Kept on the user object after the first look-up, as Django keeps its permission caches
    there: a request's user is loaded afresh for every request, and the permission check and
    the selector it guards would otherwise ask the database the same question twice.
    """
    if getattr(user, "is_superuser", False):
        return frozenset(ROLES)
    cached = getattr(user, "_staff_roles_cache", None)
    if cached is None:
        cached = frozenset(g.name for g in user.groups.all() if g.name in ROLES)
        if getattr(user, "pk", None) is not None:
            user._staff_roles_cache = cached
    return cached


# codename prefixes per model label; "view" alone means read-only in the admin.
_GRANTS: dict[str, dict[str, tuple[str, ...]]] = {
    AGENT: {
        "complaints.customer": ("view", "add", "change"),
        "complaints.complaint": ("view", "add", "change"),
        "complaints.timelineevent": ("view", "add"),
        "escalation.codeversion": ("view",),
        "notifications.outboxmessage": ("view",),
    },
    MANAGER: {
        "complaints.auditentry": ("view",),
        "complaints.websubmission": ("view", "change"),
        "complaints.letter": ("view",),
        "complaints.rootcause": ("view",),
        "complaints.customer": ("view", "add", "change"),
        "complaints.complaint": ("view", "add", "change"),
        "complaints.timelineevent": ("view", "add"),
        "escalation.codeofpractice": ("view",),
        "escalation.codeversion": ("view",),
        "notifications.outboxmessage": ("view",),
    },
    ADMIN: {
        "complaints.customer": ("view", "add", "change"),
        "complaints.complaint": ("view",),
        "complaints.timelineevent": ("view",),
        "escalation.codeofpractice": ("view", "add", "change"),
        "escalation.codeversion": ("view", "add", "change", "delete"),
        "escalation.channelwindow": ("view", "add", "change", "delete"),
        "escalation.escalationtier": ("view", "add", "change", "delete"),
        "escalation.closureday": ("view", "add", "change", "delete"),
        # "change" here is only the retry action: every field of a row is read-only.
        "notifications.outboxmessage": ("view", "change"),
        "complaints.staffprofile": ("view", "add", "change"),
        "complaints.auditentry": ("view",),
        "complaints.websubmission": ("view", "change"),
        "complaints.letter": ("view",),
        "complaints.rootcause": ("view", "add", "change"),
        "complaints.apitoken": ("view", "add", "change"),
        "complaints.inboundemail": ("view",),
        "auth.user": ("view", "add", "change"),
        "auth.group": ("view",),
        "django_celery_beat.periodictask": ("view", "change"),
        # Sign-in lockouts (django-axes): deleting an attempt unlocks the account or address.
        "axes.accessattempt": ("view", "delete"),
        "axes.accesslog": ("view",),
    },
}


def roles_grant_permissions(**kwargs: Any) -> None:
    from django.contrib.auth.models import Group, Permission

    for role, grants in _GRANTS.items():
        group, _ = Group.objects.get_or_create(name=role)
        wanted = []
        for label, actions in grants.items():
            app_label, model = label.split(".")
            codenames = [f"{action}_{model}" for action in actions]
            wanted += Permission.objects.filter(
                content_type__app_label=app_label, codename__in=codenames
            )
        group.permissions.add(*wanted)


def simulator_allowed(user: Any) -> bool:
    """Managers and admins (superusers hold every role) may run the simulator: the admin page
    and /api/v1/simulate/ ask this one question."""
    return bool({MANAGER, ADMIN} & staff_roles(user))

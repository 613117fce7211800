"""Demo data for `make run`: one login per role, demo customers and complaints (complaints.demo)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from complaints.demo import demo_complaints_create, demo_customers_create
from complaints.models import Customer, Department, StaffProfile

DEMO_USERS = [
    # username, password, role, first name, last name
    ("agent", "agent-demo-pass", "agent", "Alex", "Agent"),
    ("manager", "manager-demo-pass", "manager", "Morgan", "Manager"),
    ("admin", "admin-demo-pass", "admin", "Ada", "Admin"),
    ("customer", "customer-demo-pass", None, "Casey", "Customer"),
]


class Command(BaseCommand):
    help = "Create demo users (one per role), a demo customer and complaints; safe to re-run."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            created = self._users()
            if not Customer.objects.exists():
                self._complaints(portal_user=User.objects.get(username="customer"))
        self.stdout.write("")
        base = settings.REDRESS_BASE_URL
        self.stdout.write(self.style.SUCCESS(f"Redress is starting on {base}/"))
        self.stdout.write(f"  Admin and code-of-practice settings: {base}/admin/")
        self.stdout.write("  Demo logins (username / password):")
        for username, password, role, *_ in DEMO_USERS:
            self.stdout.write(f"    {role or 'customer':9} {username} / {password}")
        if created:
            self.stdout.write(f"  (created {created} demo users)")

    def _users(self) -> int:
        created = 0
        for username, password, role, first, last in DEMO_USERS:
            user, was_created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@redress.localhost",
                    "is_staff": role is not None,
                    "is_superuser": role == "admin",
                },
            )
            if was_created:
                user.set_password(password)
                user.save()
                created += 1
            if role:
                user.groups.add(Group.objects.get(name=role))
            if role in ("agent", "manager"):
                StaffProfile.objects.get_or_create(
                    user=user, defaults={"department": Department.TECHNICAL}
                )
        return created

    def _complaints(self, *, portal_user: User) -> None:
        customers = demo_customers_create(portal_user=portal_user)
        demo_complaints_create(
            customers=customers,
            agent=User.objects.get(username="agent"),
            manager=User.objects.get(username="manager"),
            now=timezone.now(),
        )

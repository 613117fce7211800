"""Demo data for `make run`: one login per role, a demo customer, a handful of complaints."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from complaints.models import Customer, Department, StaffProfile
from complaints.services import complaint_create, customer_create

DEMO_USERS = [
    # username, password, role, first name, last name
    ("agent", "agent-demo-pass", "agent", "Alex", "Agent"),
    ("manager", "manager-demo-pass", "manager", "Morgan", "Manager"),
    ("admin", "admin-demo-pass", "admin", "Ada", "Admin"),
    ("customer", "customer-demo-pass", None, "Casey", "Customer"),
]

DEMO_CUSTOMERS: list[dict[str, Any]] = [
    {
        "name": "Casey Customer",
        "email": "casey@example.com",
        "phone": "07700 900123",
        "postcode": "BS31 2UG",
        "account_reference": "ACC-100001",
        "nation": "ENG",
    },
    {
        "name": "Isla MacLeod",
        "email": "isla@example.co.uk",
        "postcode": "EH1 1YZ",
        "account_reference": "ACC-100002",
        "nation": "SCT",
        "preferred_contact": "phone",
        "phone": "0131 496 0000",
    },
    {
        "name": "Harbour Print Ltd",
        "kind": "business",
        "employee_count": 8,
        "email": "office@harbourprint.example",
        "postcode": "BT1 5GS",
        "account_reference": "ACC-200417",
        "nation": "NIR",
    },
    {
        "name": "Dafydd Jones",
        "email": "",
        "address": "4 Heol y Castell\nCardiff",
        "postcode": "CF10 1AA",
        "account_reference": "ACC-100003",
        "nation": "WLS",
        "preferred_contact": "letter",
        "vulnerability_flags": ["sight"],
        "vulnerability_notes": "Prefers large print letters (18pt).",
    },
]

DEMO_COMPLAINTS = [
    # customer index, channel, category, department, summary, days ago (first made)
    (0, "email", "billing", "accounts", "Charged twice for October's line rental", 1),
    (1, "phone", "fault_repair", "technical", "Broadband drops every evening since the storm", 3),
    (2, "letter", "service", "technical", "Engineer missed two booked appointments", 9),
    (3, "letter", "billing", "accounts", "Paper bill not sent in large print as agreed", 20),
    (0, "web", "pricing", "accounts", "Price rise not explained when contract renewed", 60),
]


class Command(BaseCommand):
    help = "Create demo users (one per role), a demo customer and complaints; safe to re-run."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            created = self._users()
            if not Customer.objects.exists():
                self._complaints(portal_user=User.objects.get(username="customer"))
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Redress is starting on http://127.0.0.1:8000/"))
        self.stdout.write("  Admin and code-of-practice settings: http://127.0.0.1:8000/admin/")
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
        customers = []
        for i, fields in enumerate(DEMO_CUSTOMERS):
            extra = {"portal_user": portal_user} if i == 0 else {}
            customers.append(customer_create(**fields, **extra))
        agent = User.objects.get(username="agent")
        now = timezone.now()
        for index, channel, category, department, summary, days_ago in DEMO_COMPLAINTS:
            first_made = now - datetime.timedelta(days=days_ago, hours=2)
            complaint_create(
                customer=customers[index],
                channel=channel,
                category=category,
                department=department,
                summary=summary,
                details=f"{summary}. Logged as demo data.",
                first_made_at=first_made,
                received_at=first_made,
                now=now,
                by=agent,
                assigned_to=agent if days_ago < 10 else None,
            )

"""Persona fixtures shared by every test, plus the fixed `now` the rules are given.

Staff are users in the role groups migration escalation/0002 creates ("agent", "manager",
"admin"); all are is_staff so they can use the (read-only for most) admin. Every password is
`tests.factories.PASSWORD`.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

import pytest

from complaints.models import Customer
from escalation.models import CodeOfPractice
from escalation.services import code_make_current
from tests.factories import NOW, PASSWORD, CustomerFactory, UserFactory


@pytest.fixture(autouse=True)
def _fresh_code_rules():
    """Published rules are cached per process; a test that edits one directly starts clean."""
    from escalation.selectors import code_rules_cache_clear

    code_rules_cache_clear()
    yield
    code_rules_cache_clear()


@pytest.fixture
def now() -> datetime.datetime:
    """Monday 2 November 2026 10:00 Europe/London (GMT): a working day inside office hours."""
    return NOW


@pytest.fixture
def password() -> str:
    return PASSWORD


@pytest.fixture
def agent(db):
    return UserFactory(username="agent", first_name="Alex", groups=["agent"], is_staff=True)


@pytest.fixture
def other_agent(db):
    return UserFactory(username="other_agent", first_name="Olu", groups=["agent"], is_staff=True)


@pytest.fixture
def manager(db):
    return UserFactory(username="manager", first_name="Morgan", groups=["manager"], is_staff=True)


@pytest.fixture
def admin_staff(db):
    return UserFactory(username="admin_staff", first_name="Ada", groups=["admin"], is_staff=True)


@pytest.fixture
def customer(db) -> Customer:
    return CustomerFactory(name="Carys Jones", email="carys@example.com", nation="ENG")


@pytest.fixture
def other_customer(db) -> Customer:
    return CustomerFactory(name="Oscar Smith", email="oscar@example.com", nation="ENG")


@pytest.fixture
def business_customer(db) -> Customer:
    return CustomerFactory(
        business=True, name="Bristol Widgets Ltd", email="office@widgets.example", employee_count=25
    )


@pytest.fixture
def current_code(db) -> CodeOfPractice:
    """The code new complaints are governed by (sovision-it-2016 after migrate)."""
    return CodeOfPractice.objects.get(is_current=True)


@pytest.fixture
def use_code(db) -> Callable[[str], CodeOfPractice]:
    """`use_code("infinity-group-2016")` makes that code the provider's current one."""

    def switch(slug: str) -> CodeOfPractice:
        return code_make_current(code=CodeOfPractice.objects.get(slug=slug))

    return switch

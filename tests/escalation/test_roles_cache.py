"""staff_roles asks the database once per user object: a request's permission check and the
selector it guards share the answer."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from escalation.roles import staff_roles

pytestmark = pytest.mark.django_db


def test_roles_are_looked_up_once_per_user_object(agent, django_assert_num_queries):
    user = get_user_model().objects.get(pk=agent.pk)
    with django_assert_num_queries(1):
        assert staff_roles(user) == staff_roles(user) == frozenset({"agent"})


def test_a_fresh_user_object_sees_a_role_granted_since(agent, manager):
    staff_roles(agent)
    agent.groups.add(*manager.groups.all())
    assert "manager" in staff_roles(get_user_model().objects.get(pk=agent.pk))

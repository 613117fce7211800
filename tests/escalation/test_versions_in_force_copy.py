"""The per-process copy of the provider's versions (issue 11): used while the codes' generation
is the one it was read at, and never once any code or version has changed since."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from escalation.calendar import LONDON
from escalation.models import CodeOfPractice, CodeVersion
from escalation.selectors import (
    code_rules_cache_clear,
    code_version_in_force,
    code_version_in_force_at_generation,
    rules_generation,
)
from escalation.services import code_make_current, code_version_draft, code_version_publish

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 2, 10, 0, tzinfo=LONDON)


@pytest.fixture(autouse=True)
def fresh_copy():
    code_rules_cache_clear()
    yield
    code_rules_cache_clear()


def in_force(at: datetime.datetime = NOW) -> CodeVersion:
    return code_version_in_force_at_generation(at=at, generation=rules_generation())


def test_it_agrees_with_the_query_for_every_instant_and_sends_none_the_second_time():
    instants = [NOW, NOW - datetime.timedelta(days=3650), NOW + datetime.timedelta(days=400)]
    generation = rules_generation()
    for at in instants:
        assert code_version_in_force_at_generation(at=at, generation=generation) == (
            code_version_in_force(at=at)
        )
    with CaptureQueriesContext(connection) as captured:
        version = code_version_in_force_at_generation(at=NOW, generation=generation)
    assert captured.captured_queries == []
    assert version.code.is_current  # the code comes with it, no lazy query


def test_a_version_published_since_is_used_at_once(admin_staff):
    before = in_force()
    draft = code_version_draft(source=before, by=admin_staff)
    published = code_version_publish(version=draft, effective_from=NOW, now=NOW)

    assert in_force(NOW + datetime.timedelta(minutes=1)) == published
    assert in_force(NOW - datetime.timedelta(minutes=1)) == before


def test_another_code_made_current_is_used_at_once():
    before = in_force()
    other = CodeOfPractice.objects.exclude(pk=before.code_id).filter(versions__status="published")
    code_make_current(code=other.first())

    after = in_force()
    assert after.code_id != before.code_id
    assert after == code_version_in_force(at=NOW)


def test_a_change_made_by_hand_also_moves_the_generation():
    generation = rules_generation()
    in_force()
    # Any write to the codes' tables, even one no service made (the admin, a migration)
    CodeVersion.objects.filter(pk=in_force().pk).update(change_note="edited in psql")
    assert rules_generation() != generation
    assert in_force().change_note == "edited in psql"


def test_the_copy_handed_out_is_the_caller_s_own():
    first = in_force()
    first.company_phone = "changed by a caller"
    assert in_force().company_phone != "changed by a caller"


def test_without_a_generation_it_always_asks_the_database():
    code_version_in_force_at_generation(at=NOW, generation=None)
    with CaptureQueriesContext(connection) as captured:
        code_version_in_force_at_generation(at=NOW, generation=None)
    assert len(captured.captured_queries) == 1

"""The breach board: breached and due-today clocks, grouped by clock, owner and tier."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from complaints.models import Complaint
from complaints.selectors.breaches import breach_board
from escalation.calendar import LONDON
from tests.factories import ComplaintFactory, CustomerFactory

# Tuesday 29 December 2026 12:00: 25 and 28 December were bank holidays.
NOW = datetime.datetime(2026, 12, 29, 12, tzinfo=LONDON)


def at(m, d, h, y=2026):
    return datetime.datetime(y, m, d, h, tzinfo=LONDON)


def complaint(next_due_at, clock="respond_by", **columns):
    c = ComplaintFactory(customer=CustomerFactory(), now=at(12, 21, 10), received_at=at(12, 21, 10))
    Complaint.objects.filter(pk=c.pk).update(
        next_due_at=next_due_at, next_due_clock=clock, **columns
    )
    return c


@pytest.fixture
def board_data(db, agent):
    complaint(at(12, 24, 17))  # breached
    complaint(at(12, 29, 17), assigned_to=agent)  # due today
    complaint(at(12, 29, 9), clock="acknowledge_by", tier=1)  # breached this morning
    complaint(at(12, 30, 17))  # tomorrow: not on the board
    complaint(None)  # nothing waiting on us


def test_counts_by_clock(board_data, manager):
    board = breach_board(user=manager, now=NOW)
    assert [(c.key, c.breached, c.due_today) for c in board.by_clock] == [
        ("acknowledge_by", 1, 0), ("respond_by", 1, 1),
    ]  # fmt: skip
    assert (board.breached, board.due_today) == (2, 1)


def test_counts_by_owner_and_tier(board_data, manager, agent):
    board = breach_board(user=manager, now=NOW)
    assert {(c.key, c.breached, c.due_today) for c in board.by_owner} == {
        ("none", 2, 0), (str(agent.pk), 0, 1),
    }  # fmt: skip
    assert [(c.key, c.total) for c in board.by_tier] == [("0", 2), ("1", 1)]


def test_age_in_working_days_skips_the_christmas_bank_holidays(board_data, manager):
    board = breach_board(user=manager, now=NOW)
    # Received Mon 21 Dec: 22, 23, 24 Dec and 29 Dec are working days since.
    assert {row.age_working_days for group in board.groups for row in group.rows} == {4}


def test_the_board_page_offers_one_click_reassignment(client, manager, board_data):
    with time_machine.travel(NOW, tick=False):
        client.force_login(manager)
        html = client.get(reverse("staff:breach_board")).content.decode()
    assert html.count('action="/staff/bulk-assign/"') == 3
    assert "2 open complaints with a clock breached, 1 due today" in html


def test_the_board_takes_a_fixed_number_of_queries(
    board_data, manager, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        breach_board(user=manager, now=NOW)

"""The framework: `enforce` drains every job as of an instant, the command prints JSON counts,
bad input exits 2, and each job's queries per batch do not grow with the batch."""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import replace

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from complaints.models import Complaint, ReportPending, TimelineEvent
from complaints.rollups import rollups_fold
from complaints.workflows.enforcement.clock_jobs import complaints_breach_sweep
from complaints.workflows.enforcement.jobs import JOBS, enforce, job_drain
from escalation.calendar import LONDON
from tests.complaints.selectors.rollups import received_counted

pytestmark = pytest.mark.django_db


def at(*args: int) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


def test_the_command_prints_counts_per_job_as_json(log_complaint, agent):
    log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    out = io.StringIO()

    call_command("enforce", "--now", "2026-11-09T17:30", stdout=out)

    counts = json.loads(out.getvalue())
    assert set(counts) == set(JOBS)
    assert counts["breaches"] == 1


def test_the_command_runs_only_the_named_jobs(log_complaint, agent):
    log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    out = io.StringIO()

    call_command("enforce", "--now", "2026-11-09T17:30", "--job", "reminders", stdout=out)

    assert json.loads(out.getvalue()) == {"reminders": 0}


@pytest.mark.parametrize(
    "argv", [["--job", "nonsense"], ["--now", "next tuesday"]], ids=["job", "instant"]
)
def test_bad_input_is_a_clear_error_with_exit_code_2(argv):
    with pytest.raises(CommandError) as caught:
        call_command("enforce", *argv)

    assert caught.value.returncode == 2


def test_one_run_drains_a_backlog_bigger_than_a_batch(log_complaint, agent, monkeypatch):
    # Given 7 complaints due, and batches of 3
    complaints = [log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent) for _ in range(7)]
    monkeypatch.setitem(JOBS, "breaches", JOBS["breaches"].__class__(
        "breaches", complaints_breach_sweep, "test", batch=3))  # fmt: skip

    # When one beat run drains the job
    done, drained = job_drain("breaches", now=at(2026, 11, 9, 17, 30))

    # Then every one is recorded in that run
    assert (done, drained) == (7, True)
    assert (
        TimelineEvent.objects.filter(
            kind=TimelineEvent.Kind.BREACH, complaint__in=complaints
        ).count()
        == 7
    )


def test_a_run_stops_when_its_time_budget_is_spent(log_complaint, agent, monkeypatch):
    for _ in range(4):
        log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    monkeypatch.setitem(JOBS, "breaches", JOBS["breaches"].__class__(
        "breaches", complaints_breach_sweep, "test", batch=2))  # fmt: skip

    done, drained = job_drain("breaches", now=at(2026, 11, 9, 17, 30), budget_seconds=0)

    assert (done, drained) == (2, False)


@pytest.mark.parametrize("size", [2, 6])
def test_queries_per_batch_do_not_grow_with_the_batch(
    size, log_complaint, agent, manager, django_assert_max_num_queries
):
    for _ in range(size):
        log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)

    with django_assert_max_num_queries(14):
        assert complaints_breach_sweep(now=at(2026, 11, 9, 17, 30)) == size


def test_nothing_due_runs_every_job_and_changes_nothing(log_complaint, agent):
    complaint = log_complaint(at(2026, 11, 2, 10, 0), assigned_to=agent)
    before = Complaint.objects.values().get(pk=complaint.pk)
    rollups_fold()  # logging it left one change for the dashboard's rollups to count

    counts = enforce(now=at(2026, 11, 3, 9, 0))

    assert set(counts.values()) == {0}
    assert Complaint.objects.values().get(pk=complaint.pk) == before


def test_the_rollups_job_counts_every_pending_change_in_batches(log_complaint, monkeypatch):
    # Given three logged complaints whose changes the dashboard's rollups have not counted
    for hour in (9, 10, 11):
        log_complaint(at(2026, 11, 2, hour, 0))
    assert ReportPending.objects.count() == 3
    assert "complaints-rollups" in settings.CELERY_BEAT_SCHEDULE
    # When beat drains the job two changes at a time
    monkeypatch.setitem(JOBS, "rollups", replace(JOBS["rollups"], batch=2))
    done, drained = job_drain("rollups", now=at(2026, 11, 2, 12, 0))
    # Then every change is counted, once, and nothing is left waiting
    assert (done, drained) == (3, True)
    assert not ReportPending.objects.exists()
    assert received_counted() == 3

"""The dashboard's rollups: counts of complaints by day and by every report filter, kept exact
by PostgreSQL triggers on `complaints_complaint` whoever writes (services, set-based sweeps, a
test's `.update()`): each write appends what it changed to `ReportPending` in its own
transaction (migration 0021), and `complaints.rollups.rollups_fold()` counts those rows into the
tables below (the dashboard before it reads, beat every minute). A session that deferred the
triggers for a bulk load it rebuilds after appends nothing (migration 0020: only the bench
seeder does).

Each table holds, per London day and per combination of the report filters (code version,
channel, category, department, nation, tier, assignee), the complaints that combination
counts: a complaint counts once in each table it belongs to, under its current values, and
moves bucket when a write changes them. `complaints.selectors.reports` sums them; only the
fold and the rebuild write them. Rows whose counts fell back to 0 stay (harmless, and reused).

`complaints_report_rebuild()` (SQL) recomputes every table from the complaints (and empties the
pending rows); the migration backfills with it and the tests compare the folded running totals
against it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

DIMENSIONS = (
    "code_version",
    "channel",
    "category",
    "department",
    "nation",
    "tier",
    "assigned_to",
)


class ReportDimensions(models.Model):
    """The report filters (ReportFilters.q() reads these names as it reads a complaint's).

    Beside each row per combination of the filters, the triggers keep a *total* row
    (`total=True`) per key with the filters summed away (code version 0, blank texts, no
    assignee; only the columns the unfiltered dashboard groups by are kept: tier for open
    complaints, channel, category and tier for received). With no filter the dashboard reads
    only those: a few rows a day instead of one per combination (about one per complaint at
    1,000,000, as 25 assignees times the other filters outnumber a day's complaints)."""

    total = models.BooleanField(default=False)

    code_version = models.ForeignKey(
        "escalation.CodeVersion",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    channel = models.CharField(max_length=16)
    category = models.CharField(max_length=16)
    department = models.CharField(max_length=16)
    nation = models.CharField(max_length=3)
    tier = models.PositiveSmallIntegerField()
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{type(self).__name__} " + " ".join(
            str(getattr(self, f"{d}_id" if d in ("code_version", "assigned_to") else d))
            for d in DIMENSIONS
        )


def _unique(*fields: str, name: str) -> models.UniqueConstraint:
    # NULLS NOT DISTINCT (PostgreSQL 15+): "no assignee" is one bucket, and ON CONFLICT finds it.
    return models.UniqueConstraint(
        fields=["total", *fields, *DIMENSIONS], name=name, nulls_distinct=False
    )


class ReportOpen(ReportDimensions):
    """Open complaints now, by status."""

    status = models.CharField(max_length=24)
    n = models.IntegerField(default=0)

    class Meta:
        db_table = "complaints_report_open"
        constraints = [_unique("status", name="report_open_key")]


class ReportReceived(ReportDimensions):
    """Complaints by the London day they were received: how many, and how many of them are
    now closed (auto-closed), referred to ADR, or a complaint about the code."""

    day = models.DateField()
    n = models.IntegerField(default=0)
    closed = models.IntegerField(default=0)
    adr_referred = models.IntegerField(default=0)
    code_request = models.IntegerField(default=0)

    class Meta:
        db_table = "complaints_report_received"
        constraints = [_unique("day", name="report_received_key")]


class ReportClock(ReportDimensions):
    """acknowledge_by / respond_by / resolve_by by the London day each fell due: met on time,
    met late, not met (yet). Whether an unmet clock is decided depends on now: the reader
    counts it on days before today and asks the complaints about today itself."""

    clock = models.CharField(max_length=16)
    day = models.DateField()
    on_time = models.IntegerField(default=0)
    late = models.IntegerField(default=0)
    unmet = models.IntegerField(default=0)

    class Meta:
        db_table = "complaints_report_clock"
        constraints = [_unique("day", "clock", name="report_clock_key")]


class ReportResolved(ReportDimensions):
    """Resolved complaints by the London day of resolution and working days to resolve (a
    histogram, so the median and 90th percentile stay exact). `receipt_day` is the day of
    effective receipt only when it was not within the year before resolution (the reader
    applies the calendar look-back of the live figure to those few); otherwise NULL."""

    day = models.DateField()
    working_days = models.IntegerField(null=True)
    receipt_day = models.DateField(null=True)
    n = models.IntegerField(default=0)

    class Meta:
        db_table = "complaints_report_resolved"
        constraints = [_unique("day", "working_days", "receipt_day", name="report_resolved_key")]


class ReportRootCause(ReportDimensions):
    """Resolved complaints with a root cause, by the London day of resolution."""

    day = models.DateField()
    root_cause = models.ForeignKey(
        "complaints.RootCause",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    n = models.IntegerField(default=0)

    class Meta:
        db_table = "complaints_report_root_cause"
        constraints = [_unique("day", "root_cause", name="report_root_cause_key")]


class ReportBankHoliday(models.Model):
    """Each nation's bank holidays as `escalation.calendar` has them (the `holidays` package),
    for counting working days in SQL (`redress_working_days`). Filled by the migration for
    2000-2060; tests/complaints/selectors/test_report_rollups.py checks it still agrees."""

    nation = models.CharField(max_length=3)
    day = models.DateField()

    class Meta:
        db_table = "complaints_report_bank_holiday"
        constraints = [
            models.UniqueConstraint(fields=["nation", "day"], name="report_bank_holiday_key")
        ]

    def __str__(self) -> str:
        return f"{self.nation} {self.day}"


class ReportPending(models.Model):
    """A change to a complaint not yet counted in the rollups: the columns they read, as the
    row was before (`sign` -1) or after (+1) the write (migration 0021). The triggers append
    these rows instead of updating the rollups themselves, so two writers never wait for each
    other on a rollup's row (every new complaint once added 1 to the same few: issue 11's
    submit rate); `complaints.rollups.rollups_fold()` counts and deletes them, before each
    read of the rollups and from beat. Append-only between folds: no unique key, no update.
    """

    sign = models.SmallIntegerField()
    received_at = models.DateTimeField()
    effective_receipt_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True)
    status = models.CharField(max_length=24)
    customer_request = models.CharField(max_length=16)
    code_version_id = models.BigIntegerField()
    channel = models.CharField(max_length=16)
    category = models.CharField(max_length=16)
    department = models.CharField(max_length=16)
    nation = models.CharField(max_length=3)
    tier = models.SmallIntegerField()
    assigned_to_id = models.IntegerField(null=True)
    acknowledge_by = models.DateTimeField(null=True)
    acknowledged_at = models.DateTimeField(null=True)
    respond_by = models.DateTimeField(null=True)
    first_response_at = models.DateTimeField(null=True)
    resolve_by = models.DateTimeField(null=True)
    root_cause_id = models.BigIntegerField(null=True)

    class Meta:
        db_table = "complaints_report_pending"

    def __str__(self) -> str:
        return f"{'+' if self.sign > 0 else '-'}{self.status} {self.received_at:%Y-%m-%d}"

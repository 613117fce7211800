"""The rollup triggers append what changed; a fold counts it (issue 11: the submit rate).

Until 0020 each write to complaints_complaint updated the rollups (0018) in its own transaction:
every new complaint added 1 to the same few rows (today's received total, the open "new"
total), so two submissions waited for each other from the complaint's INSERT to their COMMIT,
and the five upserts cost PostgreSQL about 0.5 ms a submission. Now:

- complaints_report_apply() appends the rows the rollups read to complaints_report_pending,
  as they were before (-1) and after (+1) the write: one INSERT, no unique key, no waiting.
  A session that deferred the rollups (0020: bench/seed.py's bulk loads) still appends nothing.
- complaints_report_fold(limit) locks up to `limit` pending rows (oldest first; NULL: all),
  adds them to the rollups with 0018's upserts, deletes them, and returns how many.
  Two folds at once never count a row twice (the second waits for the first's rows, then finds
  them gone). complaints.rollups.rollups_fold() calls it before every read of the rollups, and
  beat calls it every minute so the table stays small.
- complaints_report_rebuild() also empties the pending rows: it counts every complaint as it
  is, which already includes them. It takes the pending table first, as a fold does, so the
  two cannot deadlock.
- Both count working days to resolve once per distinct (version, nation, receipt day,
  resolution day), not once per combination of the filters: the same figures, and at
  1,000,000 complaints 48,738 calls of redress_working_days instead of 701,277.

Reversing locks out writers, folds everything pending, then restores 0020's functions.
"""

import importlib

from django.db import migrations, models

_0018 = importlib.import_module("complaints.migrations.0018_report_rollup_triggers")
_0020 = importlib.import_module("complaints.migrations.0020_report_rollups_deferrable")
_COLS = _0018._COLS
PENDING = "complaints_report_pending"

APPLY_SQL = f"""
CREATE OR REPLACE FUNCTION complaints_report_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A bulk load that rebuilds every rollup when it is done (bench/seed.py) asked not to.
    IF current_setting('redress.report_rollups', true) = 'deferred' THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {PENDING} ({_COLS}, sign) SELECT {_COLS}, 1 FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {PENDING} ({_COLS}, sign) SELECT {_COLS}, -1 FROM old_rows;
    ELSE
        INSERT INTO {PENDING} ({_COLS}, sign) SELECT * FROM {_0018._CHANGED} AS changed;
    END IF;
    RETURN NULL;
END
$$;
"""

_REBUILD_0018 = _0018.FUNCTIONS_SQL[
    _0018.FUNCTIONS_SQL.index(
        "CREATE FUNCTION complaints_report_rebuild()"
    ) : _0018.FUNCTIONS_SQL.index("CREATE TRIGGER complaints_report_insert")
].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)


def _resolved_upsert(select_from: str) -> str:
    return _0018._upsert(
        "complaints_report_resolved", "day, working_days, receipt_day", {"n": "s.sign"}, select_from
    )


def _grouped_resolved(src: str) -> str:
    """0018's inner query: resolved complaints per (resolution day, receipt day, filters)."""
    return (
        f"SELECT {_0018.LONDON_DAY.format(col='s.resolved_at')} AS day, "
        f"{_0018.LONDON_DAY.format(col='s.effective_receipt_at')} AS receipt, {_0018.SDIMS}, "
        f"sum(s.sign) AS sign FROM {src} s WHERE s.resolved_at IS NOT NULL "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9"
    )


_CASE = "CASE WHEN s.day - s.receipt BETWEEN 0 AND 366 THEN NULL ELSE s.receipt END"


def _rollup_sql(src: str) -> str:
    """0018's upserts, but working days to resolve counted once per distinct (version, nation,
    receipt day, resolution day) instead of once per group of the filters: at 1,000,000
    complaints 48,738 calls instead of 701,277 (the whole rebuild 45 s -> 34 s there)."""
    before = _resolved_upsert(
        f"SELECT s.day, redress_working_days(s.code_version_id, s.nation, s.receipt, s.day), "
        f"{_CASE}, {_0018.SDIMS}, {{sums}} FROM ({_grouped_resolved(src)}) s"
    )
    after = _resolved_upsert(
        f"WITH grouped AS MATERIALIZED ({_grouped_resolved(src)}), "
        "days AS MATERIALIZED (SELECT q.code_version_id, q.nation, q.receipt, q.day, "
        "redress_working_days(q.code_version_id, q.nation, q.receipt, q.day) AS days FROM "
        "(SELECT DISTINCT code_version_id, nation, receipt, day FROM grouped) q) "
        f"SELECT s.day, w.days, {_CASE}, {_0018.SDIMS}, {{sums}} FROM grouped s JOIN days w "
        "ON (w.code_version_id, w.nation, w.receipt, w.day) = "
        "(s.code_version_id, s.nation, s.receipt, s.day)"
    )
    upserts = _0018._rollup_sql(src)
    assert upserts.count(before) == 1, "0018's resolved upsert is not where it was"
    return upserts.replace(before, after)


REBUILD_SQL = f"""
CREATE OR REPLACE FUNCTION complaints_report_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Serialise against writers: their triggers would add to the rows being recomputed.
    LOCK TABLE complaints_complaint IN SHARE MODE;
    -- The pending rows first, as a fold takes them: the two never deadlock. What they hold is
    -- already in the complaints counted below.
    TRUNCATE {PENDING}, complaints_report_open, complaints_report_received,
        complaints_report_clock, complaints_report_resolved, complaints_report_root_cause;
    {_rollup_sql(_0018._ALL)}
END
$$;
"""

FOLD_SQL = f"""
CREATE FUNCTION complaints_report_fold(p_limit integer) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    -- Locked in id order (two folds take them in the same order); rows another fold has
    -- just deleted drop out once it commits. The rows are committed and locked by us, so
    -- each statement below sees exactly these.
    SELECT array_agg(id) INTO ids FROM (
        SELECT id FROM {PENDING} ORDER BY id LIMIT p_limit FOR UPDATE
    ) AS locked;
    IF ids IS NULL THEN
        RETURN 0;
    END IF;
    {_rollup_sql(f"(SELECT {_COLS}, sign FROM {PENDING} WHERE id = ANY (ids))")}
    DELETE FROM {PENDING} WHERE id = ANY (ids);
    RETURN cardinality(ids);
END
$$;
"""

FORWARD_SQL = APPLY_SQL + FOLD_SQL + REBUILD_SQL
REVERSE_SQL = (
    # Writers wait (as for a rebuild) so nothing is appended between the fold and the drop.
    "LOCK TABLE complaints_complaint IN SHARE MODE;\n"
    "SELECT complaints_report_fold(NULL);\n"
    + _0020.DEFERRABLE_SQL
    + _REBUILD_0018
    + "DROP FUNCTION complaints_report_fold(integer);\n"
)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0020_report_rollups_deferrable")]

    operations = [
        migrations.CreateModel(
            name="ReportPending",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sign", models.SmallIntegerField()),
                ("received_at", models.DateTimeField()),
                ("effective_receipt_at", models.DateTimeField()),
                ("resolved_at", models.DateTimeField(null=True)),
                ("status", models.CharField(max_length=24)),
                ("customer_request", models.CharField(max_length=16)),
                ("code_version_id", models.BigIntegerField()),
                ("channel", models.CharField(max_length=16)),
                ("category", models.CharField(max_length=16)),
                ("department", models.CharField(max_length=16)),
                ("nation", models.CharField(max_length=3)),
                ("tier", models.SmallIntegerField()),
                ("assigned_to_id", models.IntegerField(null=True)),
                ("acknowledge_by", models.DateTimeField(null=True)),
                ("acknowledged_at", models.DateTimeField(null=True)),
                ("respond_by", models.DateTimeField(null=True)),
                ("first_response_at", models.DateTimeField(null=True)),
                ("resolve_by", models.DateTimeField(null=True)),
                ("root_cause_id", models.BigIntegerField(null=True)),
            ],
            options={
                "db_table": "complaints_report_pending",
            },
        ),
        migrations.RunSQL(FORWARD_SQL, REVERSE_SQL),
    ]

"""The dashboard's rollups (complaints/models/reports.py), kept exact on write by triggers.

Statement-level AFTER triggers on complaints_complaint (INSERT, UPDATE, DELETE; COPY fires the
INSERT one) read the statement's transition tables, turn the old rows into -1s and the new rows
into +1s per rollup key, and add the non-zero sums with one ordered upsert per table: the same
transaction as the write, one lock per touched bucket, taken in key order. An UPDATE that
changes no column a rollup reads costs one EXISTS over the transition tables.

`redress_working_days(version, nation, from, to)` counts the working days after `from` up to
and including `to` (negative when `to` is earlier), as escalation.calendar.WorkingCalendar does:
the version's office weekdays, less its closure days and the nation's bank holidays
(complaints_report_bank_holiday, filled here from the same `holidays` package for 2000-2060).

`complaints_report_rebuild()` recomputes every rollup from the complaints: the backfill below,
and what the tests compare the running totals against.
"""

from django.db import migrations

OPEN_STATUSES = (
    "new", "acknowledged", "investigating", "awaiting_customer", "escalated", "final_response"
)  # fmt: skip
# The columns of a complaint the rollups read (a change to any other column moves nothing).
READ = (
    "received_at", "effective_receipt_at", "resolved_at", "status", "customer_request",
    "code_version_id", "channel", "category", "department", "nation", "tier", "assigned_to_id",
    "acknowledge_by", "acknowledged_at", "respond_by", "first_response_at", "resolve_by",
    "root_cause_id",
)  # fmt: skip
DIMS = "code_version_id, channel, category, department, nation, tier, assigned_to_id"
SDIMS = ", ".join(f"s.{d.strip()}" for d in DIMS.split(","))
LONDON_DAY = "(({col}) AT TIME ZONE 'Europe/London')::date"


SENTINELS = {
    "code_version_id": "0",
    "channel": "''",
    "category": "''",
    "department": "''",
    "nation": "''",
    "tier": "0",
    "assigned_to_id": "NULL::integer",
}


def _upsert(
    table: str, key: str, measures: dict[str, str], select_from: str, kept: tuple = ()
) -> str:
    """INSERT the per-key sums of `measures` (expressions over s.sign) from `select_from`
    (… FROM src s …, with `key` expressions first), adding them to rows already there: one
    row per key and combination of the filters (total = false), and one per key and `kept`
    column with the other filters summed away (total = true)."""
    keys = [k.strip() for k in key.split(",")]
    dims = [d.strip() for d in DIMS.split(",")]
    names = keys + dims
    sums = [f"sum({expr})" for expr in measures.values()]
    groups = ", ".join(str(i) for i in range(1, len(names) + 1))
    nonzero = " OR ".join(f"{m} <> 0" for m in measures)
    total_dims = [d if d in kept else f"{SENTINELS[d]}" for d in dims]
    total_groups = ", ".join(keys + [d for d in dims if d in kept])
    return f"""
    WITH g ({", ".join(names)}, {", ".join(measures)}) AS (
        {select_from.format(sums=", ".join(sums))}
        GROUP BY {groups}
    )
    INSERT INTO {table} AS r (total, {", ".join(names)}, {", ".join(measures)})
    SELECT false, g.* FROM g WHERE {nonzero}
    UNION ALL
    SELECT true, {", ".join(keys)}, {", ".join(total_dims)},
        {", ".join(f"sum({m})" for m in measures)}
    FROM g GROUP BY {total_groups}
    HAVING {" OR ".join(f"sum({m}) <> 0" for m in measures)}
    ORDER BY 1, {", ".join(str(i) for i in range(2, len(names) + 2))}
    ON CONFLICT (total, {", ".join(names)}) DO UPDATE SET
        {", ".join(f"{m} = r.{m} + EXCLUDED.{m}" for m in measures)};"""


def _when(condition: str) -> str:
    return f"CASE WHEN {condition} THEN s.sign ELSE 0 END"


def _rollup_sql(src: str) -> str:
    """Every rollup's upsert from `src`, a relation of complaint rows with a `sign` column."""
    open_list = ", ".join(f"'{s}'" for s in OPEN_STATUSES)
    return "".join(
        (
            _upsert(
                "complaints_report_open",
                "status",
                {"n": "s.sign"},
                f"SELECT s.status, {SDIMS}, {{sums}} FROM {src} s WHERE s.status IN ({open_list})",
                kept=("tier",),
            ),
            _upsert(
                "complaints_report_received",
                "day",
                {
                    "n": "s.sign",
                    "closed": _when("s.status = 'closed'"),
                    "adr_referred": _when("s.status = 'adr_referred'"),
                    "code_request": _when("s.customer_request = 'code'"),
                },
                f"SELECT {LONDON_DAY.format(col='s.received_at')}, {SDIMS}, {{sums}} FROM {src} s",
                kept=("channel", "category", "tier"),
            ),
            _upsert(
                "complaints_report_clock",
                "day, clock",
                {
                    "on_time": "CASE WHEN k.met <= k.due THEN s.sign ELSE 0 END",
                    "late": "CASE WHEN k.met > k.due THEN s.sign ELSE 0 END",
                    "unmet": "CASE WHEN k.met IS NULL THEN s.sign ELSE 0 END",
                },
                f"SELECT {LONDON_DAY.format(col='k.due')}, k.clock, {SDIMS}, {{sums}} "
                f"FROM {src} s CROSS JOIN LATERAL (VALUES "
                "('acknowledge_by', s.acknowledge_by, s.acknowledged_at), "
                "('respond_by', s.respond_by, s.first_response_at), "
                "('resolve_by', s.resolve_by, s.resolved_at)) AS k(clock, due, met) "
                "WHERE k.due IS NOT NULL",
            ),
            # Working days once per (receipt day, resolution day, version, nation) group.
            _upsert(
                "complaints_report_resolved",
                "day, working_days, receipt_day",
                {"n": "s.sign"},
                "SELECT s.day, redress_working_days(s.code_version_id, s.nation, s.receipt, s.day), "
                "CASE WHEN s.day - s.receipt BETWEEN 0 AND 366 THEN NULL ELSE s.receipt END, "
                f"{SDIMS}, {{sums}} FROM (SELECT {LONDON_DAY.format(col='s.resolved_at')} AS day, "
                f"{LONDON_DAY.format(col='s.effective_receipt_at')} AS receipt, {SDIMS}, "
                f"sum(s.sign) AS sign FROM {src} s WHERE s.resolved_at IS NOT NULL "
                "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9) s",
            ),
            _upsert(
                "complaints_report_root_cause",
                "day, root_cause_id",
                {"n": "s.sign"},
                f"SELECT {LONDON_DAY.format(col='s.resolved_at')}, s.root_cause_id, {SDIMS}, "
                f"{{sums}} FROM {src} s "
                "WHERE s.resolved_at IS NOT NULL AND s.root_cause_id IS NOT NULL",
            ),
        )
    )


_COLS = ", ".join(READ)
_OLD = f"(SELECT {_COLS}, -1 AS sign FROM old_rows)"
_NEW = f"(SELECT {_COLS}, 1 AS sign FROM new_rows)"
# Only the rows whose read columns changed, before (-1) and after (+1).
_CHANGED = (
    f"(SELECT {', '.join(f'o.{c}' for c in READ)}, -1 AS sign FROM old_rows o JOIN new_rows n "
    f"ON n.id = o.id WHERE ({', '.join(f'o.{c}' for c in READ)}) IS DISTINCT FROM "
    f"({', '.join(f'n.{c}' for c in READ)}) "
    f"UNION ALL SELECT {', '.join(f'n.{c}' for c in READ)}, 1 FROM old_rows o JOIN new_rows n "
    f"ON n.id = o.id WHERE ({', '.join(f'o.{c}' for c in READ)}) IS DISTINCT FROM "
    f"({', '.join(f'n.{c}' for c in READ)}))"
)
_ALL = f"(SELECT {_COLS}, 1 AS sign FROM complaints_complaint)"

FUNCTIONS_SQL = f"""
CREATE FUNCTION redress_working_days(p_version bigint, p_nation text, p_from date, p_to date)
RETURNS integer LANGUAGE sql STABLE AS $$
    WITH span AS (SELECT least(p_from, p_to) AS lo, greatest(p_from, p_to) AS hi),
    weekdays AS (
        SELECT w::int AS w FROM escalation_codeversion v,
            jsonb_array_elements_text(v.office_weekdays) AS w WHERE v.id = p_version
    )
    SELECT sign(p_to - p_from)::int * (
        -- office weekdays in (lo, hi]: for weekday w (Monday 0), the first is k0 days after lo
        (SELECT coalesce(sum((span.hi - span.lo - k0 + 7) / 7), 0)::int FROM span,
            LATERAL (SELECT CASE WHEN r = 0 THEN 7 ELSE r END AS k0 FROM weekdays,
                LATERAL (SELECT ((w - (extract(isodow FROM span.lo)::int - 1)) % 7 + 7) % 7 AS r)
                AS rr) AS k)
        -- less the closure days and bank holidays on office weekdays in (lo, hi]
        - (SELECT count(*)::int FROM span, LATERAL (
              SELECT day FROM complaints_report_bank_holiday
              WHERE nation = p_nation AND day > span.lo AND day <= span.hi
              UNION
              SELECT date FROM escalation_closureday
              WHERE version_id = p_version AND date > span.lo AND date <= span.hi) AS h
           WHERE extract(isodow FROM h.day)::int - 1 IN (SELECT w FROM weekdays))
    )
$$;

CREATE FUNCTION complaints_report_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {_rollup_sql(_NEW)}
    ELSIF TG_OP = 'DELETE' THEN
        {_rollup_sql(_OLD)}
    ELSE
        IF NOT EXISTS (SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id
                       WHERE ({", ".join(f"o.{c}" for c in READ)}) IS DISTINCT FROM
                             ({", ".join(f"n.{c}" for c in READ)})) THEN
            RETURN NULL;
        END IF;
        {_rollup_sql(_CHANGED)}
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION complaints_report_rebuild() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    -- Serialise against writers: their triggers would add to the rows being recomputed.
    LOCK TABLE complaints_complaint IN SHARE MODE;
    TRUNCATE complaints_report_open, complaints_report_received, complaints_report_clock,
        complaints_report_resolved, complaints_report_root_cause;
    {_rollup_sql(_ALL)}
END
$$;

CREATE TRIGGER complaints_report_insert AFTER INSERT ON complaints_complaint
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION complaints_report_apply();
CREATE TRIGGER complaints_report_update AFTER UPDATE ON complaints_complaint
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION complaints_report_apply();
CREATE TRIGGER complaints_report_delete AFTER DELETE ON complaints_complaint
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION complaints_report_apply();
"""

DROP_SQL = """
DROP TRIGGER complaints_report_insert ON complaints_complaint;
DROP TRIGGER complaints_report_update ON complaints_complaint;
DROP TRIGGER complaints_report_delete ON complaints_complaint;
DROP FUNCTION complaints_report_rebuild();
DROP FUNCTION complaints_report_apply();
DROP FUNCTION redress_working_days(bigint, text, date, date);
"""

HOLIDAY_YEARS = range(2000, 2061)


def bank_holidays_fill(apps, schema_editor):
    """The nations' bank holidays as escalation.calendar reads them (substitute days too)."""
    import holidays

    BankHoliday = apps.get_model("complaints", "ReportBankHoliday")
    BankHoliday.objects.bulk_create(
        BankHoliday(nation=nation, day=day)
        for nation in ("ENG", "WLS", "SCT", "NIR")
        for day in sorted(holidays.UnitedKingdom(subdiv=nation, years=HOLIDAY_YEARS))
    )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0017_report_rollups")]

    operations = [
        migrations.RunPython(bank_holidays_fill, migrations.RunPython.noop),
        migrations.RunSQL(FUNCTIONS_SQL, DROP_SQL),
        # The backfill: every complaint already there, counted once.
        migrations.RunSQL("SELECT complaints_report_rebuild()", migrations.RunSQL.noop),
    ]

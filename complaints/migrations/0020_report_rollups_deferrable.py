"""Let one session defer the rollup triggers (0018) for a bulk load that rebuilds them after.

`SET redress.report_rollups = 'deferred'` in a session makes complaints_report_apply() do
nothing for that session's writes; every other session's writes are counted as before. Only
bench/seed.py sets it: when a seed at least doubles the complaints, one
complaints_report_rebuild() at the end costs less than the triggers would on every COPY
(1,000,000 complaints: the rebuild 65-72 s; the triggers made the complaints' COPY 2.9x
slower, 3,399 rows/s against 9,914).
The application never sets it.
"""

import importlib

from django.db import migrations

_0018 = importlib.import_module("complaints.migrations.0018_report_rollup_triggers")
_START = "CREATE FUNCTION complaints_report_apply()"
_END = "CREATE FUNCTION complaints_report_rebuild()"
_APPLY = _0018.FUNCTIONS_SQL[
    _0018.FUNCTIONS_SQL.index(_START) : _0018.FUNCTIONS_SQL.index(_END)
].replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1)
_GUARD = """BEGIN
    -- A bulk load that rebuilds every rollup when it is done (bench/seed.py) asked not to.
    IF current_setting('redress.report_rollups', true) = 'deferred' THEN
        RETURN NULL;
    END IF;
"""
assert _APPLY.count("\nBEGIN\n") == 1
DEFERRABLE_SQL = _APPLY.replace("\nBEGIN\n", "\n" + _GUARD, 1)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0019_report_next_due_index")]

    operations = [migrations.RunSQL(DEFERRABLE_SQL, _APPLY)]

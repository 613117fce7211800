from django.db import migrations

# Queue "all" (selectors.complaint_queue(queue="all"), also every staff search's page):
#   ... ORDER BY next_due_at ASC NULLS LAST, id ASC LIMIT page_size + 1
# over every complaint, open or not. The partial queue indexes only cover open complaints, so
# without this PostgreSQL sorts the whole table for each page (about 1 s at 500,000 rows);
# with it the page is an index walk that stops after page_size + 1 rows. The search legs
# (summary or customer matches, each cut to the page window) walk it too when a word is
# common. A btree sorts NULLs last by default, matching the query's NULLS LAST.
FORWARD = """
CREATE INDEX IF NOT EXISTS complaint_next_due_idx
    ON complaints_complaint (next_due_at, id);
"""
BACKWARD = """
DROP INDEX IF EXISTS complaint_next_due_idx;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    # After 0006_adr_period_sweep (written alongside this one from the same parent) so the
    # graph stays linear; this index does not depend on that column.
    dependencies = [("complaints", "0006_adr_period_sweep")]

    operations = [migrations.RunPython(forwards, backwards)]

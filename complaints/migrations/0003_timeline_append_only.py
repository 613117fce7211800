from django.db import migrations

# The timeline is evidence: nothing (not the admin, not a stray UPDATE) may rewrite it.
# Anonymisation after the retention period is the one sanctioned rewrite; it opts in per
# transaction with SET LOCAL redress.timeline_rewrite = 'on'.
FORWARD = """
CREATE OR REPLACE FUNCTION complaints_timeline_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('redress.timeline_rewrite', true), '') = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    RAISE EXCEPTION 'timeline events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER complaints_timeline_append_only
    BEFORE UPDATE OR DELETE ON complaints_timelineevent
    FOR EACH ROW EXECUTE FUNCTION complaints_timeline_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS complaints_timeline_append_only ON complaints_timelineevent;
DROP FUNCTION IF EXISTS complaints_timeline_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards)]

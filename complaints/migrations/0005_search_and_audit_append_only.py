from django.db import migrations

# Staff search (selectors.complaint_queue, q=…) matches customer names and summaries with
# ILIKE '%…%'; trigram GIN indexes keep that fast at a million complaints.
# The audit trail is append-only for the same reason as the timeline.
FORWARD = """
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS customer_name_trgm_idx
    ON complaints_customer USING gin (upper(name) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS complaint_summary_trgm_idx
    ON complaints_complaint USING gin (upper(summary) gin_trgm_ops);
CREATE INDEX IF NOT EXISTS customer_phone_idx ON complaints_customer (phone);
CREATE INDEX IF NOT EXISTS customer_postcode_idx
    ON complaints_customer (upper(replace(postcode, ' ', '')));
CREATE TRIGGER complaints_audit_append_only
    BEFORE UPDATE OR DELETE ON complaints_auditentry
    FOR EACH ROW EXECUTE FUNCTION complaints_timeline_append_only();
"""
BACKWARD = """
DROP TRIGGER IF EXISTS complaints_audit_append_only ON complaints_auditentry;
DROP INDEX IF EXISTS customer_postcode_idx;
DROP INDEX IF EXISTS customer_phone_idx;
DROP INDEX IF EXISTS complaint_summary_trgm_idx;
DROP INDEX IF EXISTS customer_name_trgm_idx;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0004_staff_console")]

    operations = [migrations.RunPython(forwards, backwards)]

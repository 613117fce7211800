from django.db import migrations

# Email intake (complaints.workflows.email_intake) finds the sender's customer and the
# complaint a reply names by address, case-insensitively: Django's `email__iexact` is
# UPPER("email"::text) = UPPER(%s), which the plain btree on email (customer_email_idx)
# cannot serve. Without this each message scanned every customer (2.8 messages/s at
# 1,000,000 complaints); with it the match is an index lookup.
FORWARD = """
CREATE INDEX IF NOT EXISTS customer_email_upper_idx
    ON complaints_customer (UPPER(email::text));
"""
BACKWARD = """
DROP INDEX IF EXISTS customer_email_upper_idx;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("complaints", "0009_api_email")]

    operations = [migrations.RunPython(forwards, backwards)]

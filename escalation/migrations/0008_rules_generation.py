"""A generation number for the codes of practice, bumped by PostgreSQL on every change to them.

Which code version is in force is read on every complaint logged; web processes keep a copy
(escalation.selectors.code_version_in_force_at_generation) and need to know, cheaply and at
once, that it is stale. A statement-level trigger on the codes and their versions sets the one
row of `escalation_rulesgeneration` to a new number from a sequence, in the changing statement's
transaction: the new number is visible exactly when the change is, whoever made it (a service,
the admin, a data migration, a test's `.update()`), and never repeats (a sequence never hands
out a number twice, even to a transaction that rolls back; no table owns it, so nothing resets
it).
"""

from django.db import migrations

TABLES = ("escalation_codeofpractice", "escalation_codeversion")

FORWARD = [
    "CREATE SEQUENCE escalation_rules_generation_seq",
    "CREATE TABLE escalation_rulesgeneration ("
    " id smallint PRIMARY KEY CHECK (id = 1), generation bigint NOT NULL)",
    "INSERT INTO escalation_rulesgeneration (id, generation)"
    " VALUES (1, nextval('escalation_rules_generation_seq'))",
    """
    CREATE FUNCTION escalation_rules_generation_bump() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO escalation_rulesgeneration (id, generation)
        VALUES (1, nextval('escalation_rules_generation_seq'))
        ON CONFLICT (id) DO UPDATE SET generation = EXCLUDED.generation;
        RETURN NULL;
    END
    $$
    """,
    *(
        f"CREATE TRIGGER {table}_rules_generation AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE"
        f" ON {table} FOR EACH STATEMENT EXECUTE FUNCTION escalation_rules_generation_bump()"
        for table in TABLES
    ),
]
BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_rules_generation ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS escalation_rules_generation_bump()",
    "DROP TABLE IF EXISTS escalation_rulesgeneration",
    "DROP SEQUENCE IF EXISTS escalation_rules_generation_seq",
]


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0007_managers_desk_tier_decisions"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

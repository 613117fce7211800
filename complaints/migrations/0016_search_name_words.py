"""Issue 11: the customer search by name without visiting a customer row per match.

`upper(name) LIKE '%SMITH%'` through the trigram index visits the table once per matching
customer to recheck the name (8,382 rows over 5,134 pages at 1,000,000 complaints: the whole
cost of a surname search, and it grows with the table). A query without a space matches a
name exactly when it matches one of the name's words, so the words are kept apart:

- `complaints_nameword`: every distinct upper-case word of any customer's name, with a trigram
  index: the words containing the query are found there (a few, among a few thousand);
- `complaints_customernameword`: (word, customer_id) for each customer: the ids for those
  words come from the primary key alone (an index-only range scan, about 60 pages for Smith).

Triggers on complaints_customer keep both in step with every write, whoever makes it (the
services, the admin, the bench seeder's COPY, anonymisation): statement-level, with transition
tables, so a batch of 20,000 customers is one set-based INSERT. Words left without a customer
(a name changed or anonymised) are deleted in the same statement, so nothing of a name outlives
it. Names are split only here, in SQL (regexp_split_to_table on \\s+ of upper(name)), never in
Python; complaints.selectors.customers.customer_ids_matching reads the tables. The ids come
from the primary key without visiting the table once autovacuum has marked its pages
all-visible (it does after enough inserts; on a large database run
`VACUUM complaints_customernameword` once after this migration).
"""

from django.db import migrations

WORDS = r"regexp_split_to_table(upper(c.name::text), '\s+')"

# The triggers first (CREATE TRIGGER locks out other writers to customers until this commits,
# so none is missed), then the customers already there, then the indexes, built once.
FORWARD = [
    "CREATE TABLE complaints_nameword (word text NOT NULL)",
    "CREATE TABLE complaints_customernameword (word text NOT NULL, customer_id bigint NOT NULL)",
    f"""
    CREATE FUNCTION complaints_name_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO complaints_customernameword (word, customer_id)
        SELECT DISTINCT w, c.id FROM new_rows c, {WORDS} AS w WHERE w <> ''
        ON CONFLICT DO NOTHING;
        INSERT INTO complaints_nameword (word)
        SELECT DISTINCT w FROM new_rows c, {WORDS} AS w WHERE w <> ''
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION complaints_name_words_forget_orphans(gone text[]) RETURNS void
    LANGUAGE sql AS $$
        DELETE FROM complaints_nameword n WHERE n.word = ANY(gone)
        AND NOT EXISTS (SELECT 1 FROM complaints_customernameword x WHERE x.word = n.word)
    $$
    """,
    f"""
    CREATE FUNCTION complaints_name_words_change() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE gone text[];
    BEGIN
        WITH changed AS (
            SELECT o.id, o.name AS old_name, n.name AS new_name
            FROM old_rows o JOIN new_rows n ON n.id = o.id
            WHERE o.name IS DISTINCT FROM n.name
        ), removed AS (
            DELETE FROM complaints_customernameword x USING changed
            WHERE x.customer_id = changed.id RETURNING x.word
        )
        SELECT array_agg(DISTINCT word) INTO gone FROM removed;
        INSERT INTO complaints_customernameword (word, customer_id)
        SELECT DISTINCT w, c.id FROM new_rows c JOIN old_rows o ON o.id = c.id,
            {WORDS} AS w
        WHERE w <> '' AND o.name IS DISTINCT FROM c.name
        ON CONFLICT DO NOTHING;
        INSERT INTO complaints_nameword (word)
        SELECT DISTINCT w FROM new_rows c JOIN old_rows o ON o.id = c.id, {WORDS} AS w
        WHERE w <> '' AND o.name IS DISTINCT FROM c.name
        ON CONFLICT DO NOTHING;
        IF gone IS NOT NULL THEN
            PERFORM complaints_name_words_forget_orphans(gone);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION complaints_name_words_remove() RETURNS trigger LANGUAGE plpgsql AS $$
    DECLARE gone text[];
    BEGIN
        WITH removed AS (
            DELETE FROM complaints_customernameword x USING old_rows o
            WHERE x.customer_id = o.id RETURNING x.word
        )
        SELECT array_agg(DISTINCT word) INTO gone FROM removed;
        IF gone IS NOT NULL THEN
            PERFORM complaints_name_words_forget_orphans(gone);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE FUNCTION complaints_name_words_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE complaints_customernameword, complaints_nameword;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER customer_name_words_add AFTER INSERT ON complaints_customer"
    " REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION complaints_name_words_add()",
    "CREATE TRIGGER customer_name_words_change AFTER UPDATE ON complaints_customer"
    " REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION complaints_name_words_change()",
    "CREATE TRIGGER customer_name_words_remove AFTER DELETE ON complaints_customer"
    " REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT"
    " EXECUTE FUNCTION complaints_name_words_remove()",
    "CREATE TRIGGER customer_name_words_truncate AFTER TRUNCATE ON complaints_customer"
    " FOR EACH STATEMENT EXECUTE FUNCTION complaints_name_words_truncate()",
    # The customers already there.
    f"""
    INSERT INTO complaints_customernameword (word, customer_id)
    SELECT DISTINCT w, c.id FROM complaints_customer c, {WORDS} AS w WHERE w <> ''
    """,
    "INSERT INTO complaints_nameword (word) SELECT DISTINCT word FROM complaints_customernameword",
    "ALTER TABLE complaints_nameword ADD PRIMARY KEY (word)",
    "CREATE INDEX nameword_trgm_idx ON complaints_nameword USING gin (word gin_trgm_ops)",
    "ALTER TABLE complaints_customernameword ADD PRIMARY KEY (word, customer_id)",
    "CREATE INDEX customernameword_customer_idx ON complaints_customernameword (customer_id)",
    "ANALYZE complaints_customernameword",
    "ANALYZE complaints_nameword",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS customer_name_words_add ON complaints_customer",
    "DROP TRIGGER IF EXISTS customer_name_words_change ON complaints_customer",
    "DROP TRIGGER IF EXISTS customer_name_words_remove ON complaints_customer",
    "DROP TRIGGER IF EXISTS customer_name_words_truncate ON complaints_customer",
    "DROP FUNCTION IF EXISTS complaints_name_words_add()",
    "DROP FUNCTION IF EXISTS complaints_name_words_change()",
    "DROP FUNCTION IF EXISTS complaints_name_words_remove()",
    "DROP FUNCTION IF EXISTS complaints_name_words_truncate()",
    "DROP FUNCTION IF EXISTS complaints_name_words_forget_orphans(text[])",
    "DROP TABLE IF EXISTS complaints_customernameword",
    "DROP TABLE IF EXISTS complaints_nameword",
]


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0015_enforcement_backfill"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]

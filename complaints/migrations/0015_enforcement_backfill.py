"""Open complaints logged before enforcement get their next reminder and breach.

This reads the live clock registry (complaints.staff_clocks) and rules, so it runs after every
migration that adds a column the registry reads (the ADR-letter, formal-stage and
customer-request clocks). A later migration that adds a registry column must keep it last
(move this file's number up), and on a database with no open complaint it does nothing.
"""

from django.db import migrations


def enforcement_backfill(apps, schema_editor):
    """Open complaints logged before this migration get their next reminder and breach."""
    from complaints.staff_clocks import ENFORCEMENT_FIELDS, enforcement_due, enforcement_write
    from escalation.selectors import _code_rules_build

    Complaint = apps.get_model("complaints", "Complaint")
    CodeVersion = apps.get_model("escalation", "CodeVersion")
    open_statuses = [
        "new", "acknowledged", "investigating", "awaiting_customer", "escalated", "final_response"
    ]  # fmt: skip
    # This reads the live clock registry and rules, which later migrations may extend: on a
    # database with no open complaint (every fresh install) there is nothing to backfill, so
    # it never touches a column that does not exist yet.
    if not Complaint.objects.filter(status__in=open_statuses).exists():
        return
    rules = {v.pk: _code_rules_build(v) for v in CodeVersion.objects.all()}
    fields = [f for f in ENFORCEMENT_FIELDS if f != "pk"]
    last = 0
    while True:
        rows = list(
            Complaint.objects.filter(pk__gt=last, status__in=open_statuses)
            .order_by("pk")
            .values("pk", *fields)[:2000]
        )
        if not rows:
            return
        last = rows[-1]["pk"]
        updates = []
        for r in rows:
            reminder, breach = enforcement_due(r, rules[r["code_version_id"]])
            updates.append((r["pk"], reminder, breach, r["enforced"], r["enforced"]))
        enforcement_write(updates)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0014_hardening_guards"),
        ("escalation", "0007_managers_desk_tier_decisions"),
    ]

    operations = [migrations.RunPython(enforcement_backfill, migrations.RunPython.noop)]

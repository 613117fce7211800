"""The dashboard's breached / due today / this week counts under any filter: an index-only scan."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0018_report_rollup_triggers"),
        ("escalation", "0007_managers_desk_tier_decisions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("next_due_at__isnull", False)),
                fields=["next_due_at"],
                include=(
                    "code_version",
                    "channel",
                    "category",
                    "department",
                    "nation",
                    "tier",
                    "assigned_to",
                    "id",
                ),
                name="complaint_next_due_report_idx",
            ),
        ),
    ]

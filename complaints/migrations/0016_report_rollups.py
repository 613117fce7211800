"""The dashboard's rollup tables (complaints/models_reports.py) and the partial indexes for
clocks due today and not met. 0017_report_rollup_triggers keeps them filled."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0015_enforcement_backfill"),
        ("escalation", "0007_managers_desk_tier_decisions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ReportBankHoliday",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("nation", models.CharField(max_length=3)),
                ("day", models.DateField()),
            ],
            options={
                "db_table": "complaints_report_bank_holiday",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("nation", "day"), name="report_bank_holiday_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReportClock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel", models.CharField(max_length=16)),
                ("category", models.CharField(max_length=16)),
                ("department", models.CharField(max_length=16)),
                ("nation", models.CharField(max_length=3)),
                ("tier", models.PositiveSmallIntegerField()),
                ("clock", models.CharField(max_length=16)),
                ("day", models.DateField()),
                ("on_time", models.IntegerField(default=0)),
                ("late", models.IntegerField(default=0)),
                ("unmet", models.IntegerField(default=0)),
                (
                    "assigned_to",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "code_version",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="escalation.codeversion",
                    ),
                ),
            ],
            options={
                "db_table": "complaints_report_clock",
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "clock",
                            "day",
                            "code_version",
                            "channel",
                            "category",
                            "department",
                            "nation",
                            "tier",
                            "assigned_to",
                        ),
                        name="report_clock_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReportOpen",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel", models.CharField(max_length=16)),
                ("category", models.CharField(max_length=16)),
                ("department", models.CharField(max_length=16)),
                ("nation", models.CharField(max_length=3)),
                ("tier", models.PositiveSmallIntegerField()),
                ("status", models.CharField(max_length=24)),
                ("n", models.IntegerField(default=0)),
                (
                    "assigned_to",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "code_version",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="escalation.codeversion",
                    ),
                ),
            ],
            options={
                "db_table": "complaints_report_open",
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "status",
                            "code_version",
                            "channel",
                            "category",
                            "department",
                            "nation",
                            "tier",
                            "assigned_to",
                        ),
                        name="report_open_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReportReceived",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel", models.CharField(max_length=16)),
                ("category", models.CharField(max_length=16)),
                ("department", models.CharField(max_length=16)),
                ("nation", models.CharField(max_length=3)),
                ("tier", models.PositiveSmallIntegerField()),
                ("day", models.DateField()),
                ("n", models.IntegerField(default=0)),
                ("closed", models.IntegerField(default=0)),
                ("adr_referred", models.IntegerField(default=0)),
                ("code_request", models.IntegerField(default=0)),
                (
                    "assigned_to",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "code_version",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="escalation.codeversion",
                    ),
                ),
            ],
            options={
                "db_table": "complaints_report_received",
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "day",
                            "code_version",
                            "channel",
                            "category",
                            "department",
                            "nation",
                            "tier",
                            "assigned_to",
                        ),
                        name="report_received_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReportResolved",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel", models.CharField(max_length=16)),
                ("category", models.CharField(max_length=16)),
                ("department", models.CharField(max_length=16)),
                ("nation", models.CharField(max_length=3)),
                ("tier", models.PositiveSmallIntegerField()),
                ("day", models.DateField()),
                ("working_days", models.IntegerField(null=True)),
                ("receipt_day", models.DateField(null=True)),
                ("n", models.IntegerField(default=0)),
                (
                    "assigned_to",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "code_version",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="escalation.codeversion",
                    ),
                ),
            ],
            options={
                "db_table": "complaints_report_resolved",
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "day",
                            "working_days",
                            "receipt_day",
                            "code_version",
                            "channel",
                            "category",
                            "department",
                            "nation",
                            "tier",
                            "assigned_to",
                        ),
                        name="report_resolved_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="ReportRootCause",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("channel", models.CharField(max_length=16)),
                ("category", models.CharField(max_length=16)),
                ("department", models.CharField(max_length=16)),
                ("nation", models.CharField(max_length=3)),
                ("tier", models.PositiveSmallIntegerField()),
                ("day", models.DateField()),
                ("n", models.IntegerField(default=0)),
                (
                    "assigned_to",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "code_version",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="escalation.codeversion",
                    ),
                ),
                (
                    "root_cause",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="complaints.rootcause",
                    ),
                ),
            ],
            options={
                "db_table": "complaints_report_root_cause",
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "day",
                            "root_cause",
                            "code_version",
                            "channel",
                            "category",
                            "department",
                            "nation",
                            "tier",
                            "assigned_to",
                        ),
                        name="report_root_cause_key",
                        nulls_distinct=False,
                    )
                ],
            },
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(
                    ("acknowledge_by__isnull", False), ("acknowledged_at__isnull", True)
                ),
                fields=["acknowledge_by"],
                name="complaint_ack_unmet_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(
                    ("first_response_at__isnull", True), ("respond_by__isnull", False)
                ),
                fields=["respond_by"],
                name="complaint_respond_unmet_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="complaint",
            index=models.Index(
                condition=models.Q(("resolve_by__isnull", False), ("resolved_at__isnull", True)),
                fields=["resolve_by"],
                name="complaint_resolve_unmet_idx",
            ),
        ),
    ]

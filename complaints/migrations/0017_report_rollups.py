"""The dashboard's rollup tables (complaints/models/reports.py) and the partial indexes for
clocks due today and not met. 0018_report_rollup_triggers keeps them filled."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0016_search_name_words"),
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
                ("total", models.BooleanField(default=False)),
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
            ],
            options={
                "db_table": "complaints_report_clock",
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
                ("total", models.BooleanField(default=False)),
                ("channel", models.CharField(max_length=16)),
                ("category", models.CharField(max_length=16)),
                ("department", models.CharField(max_length=16)),
                ("nation", models.CharField(max_length=3)),
                ("tier", models.PositiveSmallIntegerField()),
                ("status", models.CharField(max_length=24)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "complaints_report_open",
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
                ("total", models.BooleanField(default=False)),
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
            ],
            options={
                "db_table": "complaints_report_received",
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
                ("total", models.BooleanField(default=False)),
                ("channel", models.CharField(max_length=16)),
                ("category", models.CharField(max_length=16)),
                ("department", models.CharField(max_length=16)),
                ("nation", models.CharField(max_length=3)),
                ("tier", models.PositiveSmallIntegerField()),
                ("day", models.DateField()),
                ("working_days", models.IntegerField(null=True)),
                ("receipt_day", models.DateField(null=True)),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "complaints_report_resolved",
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
                ("total", models.BooleanField(default=False)),
                ("channel", models.CharField(max_length=16)),
                ("category", models.CharField(max_length=16)),
                ("department", models.CharField(max_length=16)),
                ("nation", models.CharField(max_length=3)),
                ("tier", models.PositiveSmallIntegerField()),
                ("day", models.DateField()),
                ("n", models.IntegerField(default=0)),
            ],
            options={
                "db_table": "complaints_report_root_cause",
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
        migrations.AddConstraint(
            model_name="reportbankholiday",
            constraint=models.UniqueConstraint(
                fields=("nation", "day"), name="report_bank_holiday_key"
            ),
        ),
        migrations.AddField(
            model_name="reportclock",
            name="assigned_to",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reportclock",
            name="code_version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="escalation.codeversion",
            ),
        ),
        migrations.AddField(
            model_name="reportopen",
            name="assigned_to",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reportopen",
            name="code_version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="escalation.codeversion",
            ),
        ),
        migrations.AddField(
            model_name="reportreceived",
            name="assigned_to",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reportreceived",
            name="code_version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="escalation.codeversion",
            ),
        ),
        migrations.AddField(
            model_name="reportresolved",
            name="assigned_to",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reportresolved",
            name="code_version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="escalation.codeversion",
            ),
        ),
        migrations.AddField(
            model_name="reportrootcause",
            name="assigned_to",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="reportrootcause",
            name="code_version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="escalation.codeversion",
            ),
        ),
        migrations.AddField(
            model_name="reportrootcause",
            name="root_cause",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="complaints.rootcause",
            ),
        ),
        migrations.AddConstraint(
            model_name="reportclock",
            constraint=models.UniqueConstraint(
                fields=(
                    "total",
                    "day",
                    "clock",
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
            ),
        ),
        migrations.AddConstraint(
            model_name="reportopen",
            constraint=models.UniqueConstraint(
                fields=(
                    "total",
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
            ),
        ),
        migrations.AddConstraint(
            model_name="reportreceived",
            constraint=models.UniqueConstraint(
                fields=(
                    "total",
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
            ),
        ),
        migrations.AddConstraint(
            model_name="reportresolved",
            constraint=models.UniqueConstraint(
                fields=(
                    "total",
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
            ),
        ),
        migrations.AddConstraint(
            model_name="reportrootcause",
            constraint=models.UniqueConstraint(
                fields=(
                    "total",
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
            ),
        ),
    ]

from django.db import migrations

from escalation.presets import presets_install
from escalation.roles import ROLES


def forwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        Group.objects.get_or_create(name=role)
    presets_install(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("escalation", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

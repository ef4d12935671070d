"""Support engineers see the addresses that bounce and confirm one again (delete permission:
confirming is what removes the row)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PERMISSIONS = ("view_bouncingaddress", "delete_bouncingaddress")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("mail")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Support engineers")
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="mail", codename__in=PERMISSIONS)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("mail", "0003_bouncing_address"),
        ("tickets", "0013_comment_sent_by_email"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]

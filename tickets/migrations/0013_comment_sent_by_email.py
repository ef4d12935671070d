"""Comments remember the email they came in, and support engineers see inbound emails (view,
and change for the re-run action) in the admin."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

INBOUND_PERMISSIONS = ("view_inboundemail", "change_inboundemail")


def grant(apps, schema_editor):
    app_config = apps.get_app_config("inbound")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="Support engineers")
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="inbound", codename__in=INBOUND_PERMISSIONS
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inbound", "0001_initial"),
        ("tickets", "0012_summary_search_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="comment",
            name="inbound_email",
            field=models.ForeignKey(
                blank=True,
                help_text="The email this comment came from; the original stays viewable.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="inbound.inboundemail",
                verbose_name="sent by email",
            ),
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]

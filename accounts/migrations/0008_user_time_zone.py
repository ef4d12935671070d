import accounts.models
from django.db import migrations, models


def zone_from_first_organization(apps, schema_editor):
    """Existing people read times in the zone of the organization they joined first."""
    Membership = apps.get_model("accounts", "Membership")
    User = apps.get_model("accounts", "User")
    for membership in (
        Membership.objects.select_related("organization").order_by("user_id", "joined_at", "pk")
    ):
        User.objects.filter(pk=membership.user_id, time_zone="").update(
            time_zone=membership.organization.time_zone
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0007_api_tokens"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="time_zone",
            field=models.CharField(
                blank=True,
                help_text="Times on pages and in emails are shown in this zone.",
                max_length=64,
                validators=[accounts.models.validate_time_zone],
                verbose_name="time zone",
            ),
        ),
        migrations.RunPython(zone_from_first_organization, migrations.RunPython.noop),
    ]
